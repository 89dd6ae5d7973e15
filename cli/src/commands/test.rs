//! `helm test RELEASE`: run the release's test hooks in Tiller and print each streamed message;
//! fails with `N test(s) failed` when any test failed.

use std::io::Write;

use anyhow::bail;
use helm_proto::hapi::release::test_run;
use helm_proto::hapi::services::tiller::TestReleaseRequest;

use crate::args::{GlobalArgs, TestArgs};

/// Runs `helm test`.
pub fn run(global: &GlobalArgs, args: &TestArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    super::check_args_len(args.names.len(), &["release name"])?;
    let req = TestReleaseRequest {
        name: args.names[0].clone(),
        timeout: args.timeout,
        cleanup: args.cleanup,
        parallel: args.parallel,
        max_parallel: args.max,
        logs: args.logs,
    };
    let mut failed = 0usize;
    tiller.run_test(req, &mut |msg| {
        if msg.status == test_run::Status::Failure as i32 {
            failed += 1;
        }
        writeln!(out, "{}", msg.msg)?;
        out.flush()
    })?;
    if failed > 0 {
        bail!("{failed} test(s) failed");
    }
    Ok(())
}
