//! `sigform apply [PLANFILE]` and `sigform destroy`.

use super::{CliResult, Global, PlanOptions};
use crate::exit::ExitStatus;
use crate::ops::plan::{Options as PlanOpsOptions, Planned};
use crate::ops::workdir::VarArg;
use crate::plan::Plan;
use crate::render::{Style, diagnostics, events};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

pub struct Args<'a> {
    pub planfile: Option<&'a Path>,
    pub plan: &'a PlanOptions,
    pub vars: Vec<VarArg>,
    pub auto_approve: bool,
    pub parallelism: u32,
    pub wait_for_replication: bool,
    pub destroy: bool,
}

pub fn run(global: &Global, args: Args) -> CliResult {
    let json = args.plan.json;
    let cloud = global.open_cloud()?;
    // The lock is held from before the plan until the last record: a second apply waits (or
    // fails at once) instead of planning against a state that is about to change.
    let operation = if args.destroy { "destroy" } else { "apply" };
    let mut session = crate::ops::apply::Session::open(&global.state_location()?, operation)?;
    for line in session.recover(cloud.as_ref())? {
        if !json {
            println!("Recovered: {line}");
        }
    }
    let plan: Plan = match args.planfile {
        Some(path) => crate::ops::plan::load(&global.resolve(path))?,
        None => {
            let options = PlanOpsOptions {
                load: super::validate::options(global, args.vars),
                state: global.state_location()?,
                destroy: args.destroy || args.plan.destroy,
                refresh_only: args.plan.refresh_only,
                targets: args.plan.target.clone(),
                replace: args.plan.replace.clone(),
                out: None,
            };
            let refresh = args.plan.refresh != Some(false);
            let planned = crate::ops::plan::plan(&options, if refresh { Some(cloud.as_ref()) } else { None })?;
            let (sources, diags, plan) = match planned {
                Planned::Invalid { sources, diagnostics: d } => {
                    eprint!("{}", diagnostics::human(&d, &sources, Style::for_stderr(global.no_color)));
                    eprintln!("Nothing was applied: {}.", diagnostics::summary(&d));
                    return Ok(ExitStatus::Failure);
                }
                Planned::Plan { sources, diagnostics, plan, warnings } => {
                    global.warn(&warnings);
                    (sources, diagnostics, plan)
                }
            };
            if !diags.is_empty() && !global.quiet {
                eprint!("{}", diagnostics::human(&diags, &sources, Style::for_stderr(global.no_color)));
            }
            if !json {
                crate::render::plan::print(&plan, Style::for_stdout(global.no_color), &mut std::io::stdout().lock())?;
            }
            if !plan.applyable() {
                eprintln!("error: the plan cannot be applied: {} forbidden change(s)", plan.forbidden().count());
                return Ok(ExitStatus::Failure);
            }
            if plan.is_empty() {
                return Ok(ExitStatus::Success);
            }
            if !args.auto_approve && !confirm(args.destroy)? {
                println!("Apply cancelled.");
                return Ok(ExitStatus::Failure);
            }
            *plan
        }
    };
    if plan.is_empty() {
        if !json {
            println!("No changes to apply.");
        }
        return Ok(ExitStatus::Success);
    }
    let options = crate::ops::apply::Options {
        state: global.state_location()?,
        parallelism: args.parallelism.max(1) as usize,
        wait_for_replication: args.wait_for_replication,
    };
    if !json {
        println!();
    }
    let mut human = events::Human::default();
    if let Some(estimate) = &plan.replication_estimate {
        human.estimates = estimate.resources.iter().map(|r| (r.address.clone(), r.seconds)).collect();
    }
    let mut bars = (!json && console::Term::stdout().is_term()).then(events::Bars::default);
    let mut on_event = |e: &crate::apply::Event| {
        if json {
            println!("{}", events::json_line(e));
        } else if let Some(bars) = bars.as_mut() {
            bars.event(e);
        } else if let Some(line) = human.line(e) {
            println!("{line}");
        }
    };
    if plan.refresh_only {
        let (recorded, forgotten) = session.record_drift(&plan)?;
        session.close()?;
        println!(
            "Refresh complete: {recorded} resource(s) recorded as the cloud has them, {forgotten} forgotten as deleted outside sigform."
        );
        return Ok(ExitStatus::Success);
    }
    let outcome = session.execute(&plan, cloud.as_ref(), &options, &mut on_event)?;
    session.close()?;
    if json {
        println!("{}", events::json_summary(&outcome));
    } else {
        println!("\n{}", events::summary(&outcome, plan.destroy));
    }
    if !outcome.interrupted.is_empty() || crate::apply::interrupted() {
        eprintln!(
            "Interrupted. In flight and going on in the cloud: {}. Run the same command again to record them and finish.",
            if outcome.interrupted.is_empty() { "nothing".to_string() } else { outcome.interrupted.join(", ") }
        );
        return Ok(ExitStatus::Interrupted);
    }
    Ok(if outcome.succeeded() { ExitStatus::Success } else { ExitStatus::Failure })
}

/// Asks for `yes` on a terminal; refuses to guess anywhere else.
fn confirm(destroy: bool) -> Result<bool, Box<dyn std::error::Error>> {
    if !std::io::stdin().is_terminal() {
        return Err("not on a terminal: pass --auto-approve to apply without being asked".into());
    }
    let what = if destroy { "destroy all these resources" } else { "perform these actions" };
    print!("\nDo you want to {what}? Only 'yes' will be accepted: ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}
