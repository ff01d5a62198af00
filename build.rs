//! Compiles the PostgreSQL copies of the integration suites (`tests/postgres.rs`) only when a
//! server is named for them (`SIGFORM_TEST_POSTGRES`), so that without one they are skipped
//! rather than run a second time against SQLite.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-env-changed=SIGFORM_TEST_POSTGRES");
    if std::env::var("SIGFORM_TEST_POSTGRES").is_ok_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
