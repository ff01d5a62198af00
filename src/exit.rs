//! The one type that decides every exit code (0 success, 1 error, 2 changes present with `--detailed-exitcode` or drift found, 130 interrupted).

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Success, or no changes.
    Success,
    /// Bad configuration, rule errors, forbidden changes, a held lock, a cloud failure.
    Failure,
    /// `plan --detailed-exitcode` with changes; `drift` that found drift.
    Changes,
    /// Interrupted by Ctrl-C or SIGTERM.
    Interrupted,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
            ExitStatus::Interrupted => 130,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}
