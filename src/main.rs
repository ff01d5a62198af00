//! The `sigform` binary: everything happens in `sigform::cli`.

fn main() -> std::process::ExitCode {
    sigform::cli::main()
}
