//! The one-line confirmations and refusals every command prints, worded in one place so that the
//! command line only chooses which to say and where (standard output or error).

use crate::config::Sources;
use crate::diagnostic::Diagnostic;
use std::fmt::Display;
use std::path::Path;

/// Why nothing happened: "{what}: N errors, M warnings."
pub fn stopped(what: &str, diagnostics: &[Diagnostic]) -> String {
    format!("{what}: {}.", super::diagnostics::summary(diagnostics))
}

/// The configuration's diagnostics as people read them, then why nothing happened.
pub fn invalid(what: &str, diagnostics: &[Diagnostic], sources: &Sources, style: super::Style) -> String {
    format!("{}{}\n", super::diagnostics::human(diagnostics, sources, style), stopped(what, diagnostics))
}

pub fn not_applyable(forbidden: usize) -> String {
    format!("error: the plan cannot be applied: {forbidden} forbidden change(s)")
}

pub const NO_CHANGES_TO_APPLY: &str = "No changes to apply.";
pub const APPLY_CANCELLED: &str = "Apply cancelled.";

pub fn recovered(line: &str) -> String {
    format!("Recovered: {line}")
}

pub fn refreshed(recorded: usize, forgotten: usize) -> String {
    format!(
        "Refresh complete: {recorded} resource(s) recorded as the cloud has them, {forgotten} forgotten as deleted outside sigform."
    )
}

pub fn interrupted(in_flight: &[String]) -> String {
    format!(
        "Interrupted. In flight and going on in the cloud: {}. Run the same command again to record them and finish.",
        if in_flight.is_empty() { "nothing".to_string() } else { in_flight.join(", ") }
    )
}

pub fn confirm(destroy: bool) -> String {
    let what = if destroy { "destroy all these resources" } else { "perform these actions" };
    format!("\nDo you want to {what}? Only 'yes' will be accepted: ")
}

pub fn plan_saved(out: &Path) -> String {
    format!("\nSaved the plan to {}. To carry it out: sigform apply {}", out.display(), out.display())
}

pub fn validated(resources: usize, diagnostics: &[Diagnostic]) -> String {
    let warnings =
        if diagnostics.is_empty() { String::new() } else { format!(" ({})", super::diagnostics::summary(diagnostics)) };
    format!("Success! The configuration is valid: {resources} resources{warnings}.")
}

pub fn drift_written(summary: &str, path: &Path) -> String {
    format!("Drift report: {summary} (written to {}).", path.display())
}

pub fn initialized(created: bool, state_dir: &Path, state: impl Display, lineage: &str, serial: u64) -> String {
    let verb = if created { "Created" } else { "Found" };
    format!(
        "{verb} {}: sigform is initialized here.\nState {state} (lineage {lineage}, serial {serial}).",
        state_dir.display()
    )
}

pub const NOT_FORMATTED: &str = "Some files are not formatted: run `sigform fmt`.";

pub fn imported(address: &str, id: &str) -> String {
    format!("Imported {address} [id={id}].\nRun `sigform plan` to see how the configuration differs from it.")
}

pub fn lock_broken(id: &str) -> String {
    format!("Lock {id} is broken: the state can be changed again.")
}

pub fn removed_from_state(address: &str) -> String {
    format!("Removed {address} from the state (the cloud keeps it).")
}

pub fn moved_in_state(source: &str, destination: &str) -> String {
    format!("Moved {source} to {destination}.")
}

pub fn serial(serial: u64) -> String {
    format!("State serial is now {serial}.")
}

pub fn restored(state: impl Display, backup: &Path, saved: &Path) -> String {
    format!("Restored {state} from {}. The state before it is in {}.", backup.display(), saved.display())
}

pub fn migrated(
    resources: usize,
    history: usize,
    serial: u64,
    lineage: &str,
    from: impl Display,
    to: impl Display,
) -> String {
    format!(
        "Copied {resources} resource(s) and {history} history entries (serial {serial}, lineage {lineage}) from {from} to {to}; the copy reads back equal.\nThe source is unchanged. Point --state (or SIGFORM_STATE) at {to} to use it."
    )
}

pub fn no_state_yet(state: impl Display) -> String {
    format!("No state at {state} yet.")
}

pub fn not_loopback(address: &str) -> String {
    format!("warning: serving on {address}, which is not a loopback address")
}

/// The first line is what scripts read the address from; with TLS, the CA file follows.
pub fn serving(address: &str, ca: Option<&std::path::Path>) -> String {
    let scheme = if ca.is_some() { "https" } else { "http" };
    let mut text = format!(
        "Serving the emulator as an ARM endpoint on {scheme}://{address}\nUse it with: sigform --cloud arm --arm-endpoint {scheme}://{address} ..."
    );
    if let Some(ca) = ca {
        text.push_str(&format!(
            "\nIts certificate authority: {0} (export SSL_CERT_FILE={0} REQUESTS_CA_BUNDLE={0})",
            ca.display()
        ));
    }
    text
}

pub const SERVER_STOPPING: &str =
    "Stopping: no new connections; finishing the requests in flight (Ctrl-C again to exit at once).";
pub const SERVER_STOPPED: &str = "Stopped.";

/// `-v` with `--cloud arm`: where it signs in and what it trusts.
pub fn arm_client(description: &str) -> String {
    format!("sigform: {description}")
}

/// `export`: what was written, and what to do next.
pub fn exported(resources: usize, files: &[std::path::PathBuf]) -> String {
    let dir = files.first().and_then(|f| f.parent()).map(|d| d.display().to_string()).unwrap_or_default();
    let names: Vec<String> =
        files.iter().filter_map(|f| f.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    format!(
        "Exported {resources} resources to {dir} ({}).\nNext: `sigform -C {dir} plan` shows them to import; `apply` adopts them.",
        names.join(", ")
    )
}
