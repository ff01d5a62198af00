//! `sigform apply [PLANFILE]` and `sigform destroy`: arguments in, `ops::apply::run`, and what it
//! reports rendered (the plan, the question, progress, the summary).

use super::{CliResult, Global, PlanOptions};
use crate::config::Sources;
use crate::diagnostic::Diagnostic;
use crate::exit::ExitStatus;
use crate::ops::apply::{Applied, ApplyError, ApplyUi, PlanSource};
use crate::ops::plan::Options as PlanOpsOptions;
use crate::ops::workdir::VarArg;
use crate::plan::Plan;
use crate::render::{Style, diagnostics, events, messages};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

pub struct Args<'a> {
    pub planfile: Option<&'a Path>,
    pub plan: &'a PlanOptions,
    pub vars: Vec<VarArg>,
    pub auto_approve: bool,
    pub parallelism: Option<u32>,
    pub wait_for_replication: Option<bool>,
    pub destroy: bool,
}

pub fn run(global: &Global, args: Args) -> CliResult {
    let json = args.plan.json;
    let cloud = global.open_cloud()?;
    let source = match args.planfile {
        Some(path) => PlanSource::File {
            path: global.resolve(path),
            config: Some(super::validate::options(global, args.vars.clone())),
        },
        None => PlanSource::Make {
            options: Box::new(PlanOpsOptions {
                load: super::validate::options(global, args.vars),
                state: global.state_location()?,
                destroy: args.destroy || args.plan.destroy,
                refresh_only: args.plan.refresh_only,
                no_retention: args.plan.no_retention,
                targets: args.plan.target.clone(),
                replace: args.plan.replace.clone(),
                out: None,
            }),
            refresh: args.plan.refresh != Some(false),
        },
    };
    let options = crate::ops::apply::Options {
        state: global.state_location()?,
        parallelism: args.parallelism.map(|n| n.max(1) as usize),
        wait_for_replication: args.wait_for_replication,
    };
    let mut ui = Terminal::new(global, json, args.auto_approve);
    match crate::ops::apply::run(source, &options, cloud.as_ref(), &mut ui)? {
        Applied::Invalid { sources, diagnostics: d } => {
            eprint!("{}", messages::invalid("Nothing was applied", &d, &sources, Style::for_stderr(global.no_color)));
            Ok(ExitStatus::Failure)
        }
        Applied::NotApplyable { forbidden } => {
            eprintln!("{}", messages::not_applyable(forbidden));
            Ok(ExitStatus::Failure)
        }
        Applied::NothingToDo { from_file } => {
            if from_file && !json {
                println!("{}", messages::NO_CHANGES_TO_APPLY);
            }
            Ok(ExitStatus::Success)
        }
        Applied::Cancelled => {
            println!("{}", messages::APPLY_CANCELLED);
            Ok(ExitStatus::Failure)
        }
        Applied::Refreshed { recorded, forgotten } => {
            println!("{}", messages::refreshed(recorded, forgotten));
            Ok(ExitStatus::Success)
        }
        Applied::Done { outcome, plan } => {
            if json {
                println!("{}", events::json_summary(&outcome));
            } else {
                println!("\n{}", events::summary(&outcome, plan.destroy));
            }
            if !outcome.interrupted.is_empty() || crate::apply::interrupted() {
                eprintln!("{}", messages::interrupted(&outcome.interrupted));
                return Ok(ExitStatus::Interrupted);
            }
            Ok(if outcome.succeeded() { ExitStatus::Success } else { ExitStatus::Failure })
        }
    }
}

/// The apply as a person (or, with `--json`, a machine) on the terminal sees it.
struct Terminal<'a> {
    global: &'a Global,
    json: bool,
    auto_approve: bool,
    human: events::Human,
    bars: Option<events::Bars>,
}

impl<'a> Terminal<'a> {
    fn new(global: &'a Global, json: bool, auto_approve: bool) -> Terminal<'a> {
        Terminal {
            global,
            json,
            auto_approve,
            human: events::Human::default(),
            bars: (!json && console::Term::stdout().is_term()).then(events::Bars::default),
        }
    }
}

impl ApplyUi for Terminal<'_> {
    fn recovered(&mut self, line: &str) {
        if !self.json {
            println!("{}", messages::recovered(line));
        }
    }

    fn planned(
        &mut self,
        sources: &Sources,
        diags: &[Diagnostic],
        plan: &Plan,
        warnings: &[String],
    ) -> Result<(), ApplyError> {
        self.global.warn(warnings);
        if !diags.is_empty() && !self.global.quiet {
            eprint!("{}", diagnostics::human(diags, sources, Style::for_stderr(self.global.no_color)));
        }
        if !self.json {
            crate::render::plan::print(plan, Style::for_stdout(self.global.no_color), &mut std::io::stdout().lock())
                .map_err(|e| ApplyError::Ui(e.to_string()))?;
        }
        Ok(())
    }

    fn warn(&mut self, message: &str) {
        self.global.warn(&[message.to_string()]);
    }

    fn applying(&mut self, plan: &Plan) {
        if !self.json {
            println!();
        }
        if let Some(estimate) = &plan.replication_estimate {
            self.human.estimates = estimate.resources.iter().map(|r| (r.address.clone(), r.seconds)).collect();
        }
    }

    fn confirm(&mut self, destroy: bool) -> Result<bool, ApplyError> {
        if self.auto_approve {
            return Ok(true);
        }
        ask(destroy).map_err(|e| ApplyError::Ui(e.to_string()))
    }

    fn event(&mut self, e: &crate::apply::Event) {
        if self.json {
            println!("{}", events::json_line(e));
        } else if let Some(bars) = self.bars.as_mut() {
            bars.event(e);
        } else if let Some(line) = self.human.line(e) {
            println!("{line}");
        }
    }
}

/// Asks for `yes` on a terminal; refuses to guess anywhere else.
fn ask(destroy: bool) -> Result<bool, Box<dyn std::error::Error>> {
    if !std::io::stdin().is_terminal() {
        return Err("not on a terminal: pass --auto-approve to apply without being asked".into());
    }
    print!("{}", messages::confirm(destroy));
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}
