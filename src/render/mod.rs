//! Everything that turns results into text for people or machines. The only code that decides
//! how output looks; commands call it and print what it returns.

pub mod diagnostics;
pub mod drift;
pub mod events;
pub mod plan;
pub mod plan_json;
pub mod state;

/// Whether to colour output: `--no-color` and `NO_COLOR` turn it off, and so does a stream that
/// is not a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn for_stderr(no_color: bool) -> Style {
        Style { color: !no_color && std::env::var_os("NO_COLOR").is_none() && console::Term::stderr().is_term() }
    }

    pub fn for_stdout(no_color: bool) -> Style {
        Style { color: !no_color && std::env::var_os("NO_COLOR").is_none() && console::Term::stdout().is_term() }
    }

    pub fn plain() -> Style {
        Style { color: false }
    }
}
