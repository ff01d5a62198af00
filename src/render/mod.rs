//! Everything that turns results into text for people or machines. The only code that decides
//! how output looks; commands call it and print what it returns.

// The command line and its renderers are where output is written (workspace lints deny it elsewhere).
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod access;
pub mod diagnostics;
pub mod drift;
pub mod emulator;
pub mod events;
pub mod explain;
pub mod inventory;
pub mod messages;
pub mod output;
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

/// Text that goes to a writer in pieces as it is made, or into a string: at the quota ceiling a
/// plan is megabytes of text, better not held whole (nor grown by doubling) before printing.
pub struct Sink<'a> {
    buffer: String,
    to: Option<&'a mut dyn std::io::Write>,
    failed: Option<std::io::Error>,
}

impl<'a> Sink<'a> {
    const SPILL_AT: usize = 64 * 1024;

    pub fn string() -> Sink<'static> {
        Sink { buffer: String::new(), to: None, failed: None }
    }

    pub fn writer(to: &'a mut dyn std::io::Write) -> Sink<'a> {
        Sink { buffer: String::with_capacity(Self::SPILL_AT * 2), to: Some(to), failed: None }
    }

    pub fn push_str(&mut self, text: &str) {
        self.buffer.push_str(text);
        if self.buffer.len() >= Self::SPILL_AT {
            self.spill();
        }
    }

    pub fn push(&mut self, c: char) {
        self.buffer.push(c);
    }

    fn spill(&mut self) {
        if let Some(to) = self.to.as_mut() {
            if self.failed.is_none()
                && let Err(e) = to.write_all(self.buffer.as_bytes())
            {
                self.failed = Some(e);
            }
            self.buffer.clear();
        }
    }

    /// What was written to a string sink.
    pub fn into_string(self) -> String {
        self.buffer
    }

    /// Writes out the rest, and says whether every write succeeded.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.spill();
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.to.as_mut().map_or(Ok(()), |to| to.flush())
    }
}

impl std::fmt::Write for Sink<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.push_str(text);
        Ok(())
    }
}
