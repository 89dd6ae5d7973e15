//! `helm`: the Helm v2 command line client. Everything lives in the library; see `lib.rs`.

fn main() -> std::process::ExitCode {
    helm::run(std::env::args_os())
}
