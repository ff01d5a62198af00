//! Fuzzes configuration loading, evaluation, the rules and `fmt`: never a panic, every error
//! placed inside its file, and formatting idempotent whenever it succeeds.
//!
//! Run from the repository root (cargo-fuzz from crates.io; RUSTC_BOOTSTRAP lets stable build it):
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run config fuzz/corpus/config examples/quickstart examples/multi-region tests/malformed -- -max_total_time=300`

#![no_main]

use libfuzzer_sys::fuzz_target;
use sigform::config::Sources;
use sigform::config::format::format;
use sigform::eval::Environment;
use sigform::pipeline::check_configuration;
use sigform::rules::RuleContext;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let mut sources = Sources::new();
    let file = sources.add("main.tf", text.clone());
    let checked = check_configuration(&sources, &[], &Environment::default(), None, &RuleContext { now_unix: 0 });
    for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
        let span = d.span.as_ref().expect("every error has a place");
        assert!(span.range.start <= span.range.end && span.range.end <= sources.text(span.file).len());
    }
    if let Ok(once) = format(sources.text(file)) {
        assert_eq!(format(&once).as_deref(), Ok(once.as_str()), "fmt is idempotent");
    }
});
