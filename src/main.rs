//! The `sigform` binary: everything happens in `sigform::cli`.

// Planning at the quota ceiling is allocation-bound (many small maps and strings); mimalloc
// measurably shortens it (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // mimalloc asks the kernel for transparent huge pages on its arenas: every first touch then
    // zeroes 2 MiB, and what it purges comes back 2 MiB at a time. At the quota ceiling that was
    // a third of a plan's CPU in the kernel (60k no-op plan: 1.0–2.1 s of system time against
    // 0.7–0.8 s with small pages; BENCHMARKS.md). Small pages, for this process only; a kernel
    // that refuses leaves things as they were.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    sigform::cli::main()
}
