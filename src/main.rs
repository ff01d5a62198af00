//! The `sigform` binary: everything happens in `sigform::cli`.

// Planning at the quota ceiling is allocation-bound (many small maps and strings); mimalloc
// measurably shortens it (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sigform::cli::main()
}
