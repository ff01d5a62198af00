//! The service profile a configuration selects against the cloud it runs on: an embedded cloud
//! that emulates another profile stops `plan` and `apply` with the command that fixes it (a new
//! one takes the selected profile and keeps it); Azure itself is `current`, so selecting another
//! profile there is a warning — the configuration is still checked against the selected one.

use crate::config::Sources;
use crate::model::ProfileChoice;
use sigform_azure::cloud::{Cloud, CloudError, CloudProfile};
use sigform_azure::profiles::ServiceProfile;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error(
        "{selected_by} selects service profile {selected}, but the embedded cloud emulates {emulated}; run `sigform emulator reset --profile {selected}` to emulate {selected} (it empties the embedded cloud), or select {emulated}"
    )]
    Mismatch { selected: &'static str, selected_by: String, emulated: &'static str },
    #[error("cannot ask the cloud which service it is: {0}")]
    Cloud(#[from] CloudError),
}

/// Where a profile was selected, in words.
pub fn describe_choice(choice: &ProfileChoice, sources: Option<&Sources>) -> String {
    match (choice, sources) {
        (ProfileChoice::Environment, _) => "SIGFORM_SERVICE_PROFILE".to_string(),
        (ProfileChoice::Configuration(span), Some(sources)) => {
            let (line, _) = sources.line_column(span.file, span.start());
            format!("the configuration (sigform {{ service_profile }} in {}:{line})", sources.name(span.file))
        }
        (ProfileChoice::Configuration(_), None) => "the configuration".to_string(),
        (ProfileChoice::Default, _) => "the default".to_string(),
    }
}

/// Checks the cloud against the selected profile; what to warn about.
pub fn check(
    cloud: &dyn Cloud,
    selected: &'static ServiceProfile,
    selected_by: &str,
) -> Result<Vec<String>, ProfileError> {
    match cloud.service_profile(selected)? {
        CloudProfile::Emulated(emulated) if emulated.name != selected.name => Err(ProfileError::Mismatch {
            selected: selected.name,
            selected_by: selected_by.to_string(),
            emulated: emulated.name,
        }),
        CloudProfile::Azure if selected.name != "current" => Ok(vec![format!(
            "{selected_by} selects service profile {}, but Azure is the service as it is today (current): the configuration is checked against {}'s rules, and Azure decides what it accepts",
            selected.name, selected.name
        )]),
        _ => Ok(Vec::new()),
    }
}
