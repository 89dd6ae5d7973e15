//! `helm rollback RELEASE REVISION`: ask Tiller to redeploy an earlier revision.

use std::io::Write;

use anyhow::bail;
use helm_proto::hapi::services::tiller::RollbackReleaseRequest;

use crate::args::{GlobalArgs, RollbackArgs};

/// Runs `helm rollback`.
pub fn run(global: &GlobalArgs, args: &RollbackArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    super::check_args_len(args.args.len(), &["release name", "revision number"])?;
    let revision = parse_revision(&args.args[1])?;
    let req = RollbackReleaseRequest {
        name: args.args[0].clone(),
        dry_run: args.dry_run,
        disable_hooks: args.no_hooks,
        version: revision,
        recreate: args.recreate_pods,
        timeout: args.timeout,
        wait: args.wait,
        force: args.force,
        description: args.description.clone(),
        cleanup_on_fail: args.cleanup_on_fail,
    };
    tiller.rollback(req)?;
    writeln!(out, "Rollback was a success.")?;
    Ok(())
}

/// Go's `strconv.ParseInt(s, 10, 32)`, with Helm's message around its error.
pub(crate) fn parse_revision(text: &str) -> anyhow::Result<i32> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        bail!(
            "invalid revision number '{text:?}': strconv.ParseInt: parsing {text:?}: invalid syntax"
        );
    }
    match text.parse::<i32>() {
        Ok(v) => Ok(v),
        Err(_) => bail!(
            "invalid revision number '{text:?}': strconv.ParseInt: parsing {text:?}: value out of range"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions() {
        assert_eq!(parse_revision("3").unwrap(), 3);
        assert_eq!(parse_revision("-1").unwrap(), -1);
        assert_eq!(
            parse_revision("x").unwrap_err().to_string(),
            "invalid revision number '\"x\"': strconv.ParseInt: parsing \"x\": invalid syntax"
        );
        assert!(
            parse_revision("99999999999")
                .unwrap_err()
                .to_string()
                .ends_with("value out of range")
        );
    }
}
