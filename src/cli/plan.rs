//! `sigform plan`.

use super::{CliResult, Global, PlanOptions};
use crate::exit::ExitStatus;
use crate::ops::plan::{Options, Planned, plan};
use crate::ops::workdir::VarArg;
use crate::render::{Style, diagnostics, messages};

pub fn run(global: &Global, options: &PlanOptions, vars: Vec<VarArg>) -> CliResult {
    if options.refresh_only && options.refresh == Some(false) {
        return Err("--refresh-only and --refresh=false contradict each other".into());
    }
    let ops_options = Options {
        load: super::validate::options(global, vars),
        state: global.state_location()?,
        destroy: options.destroy,
        refresh_only: options.refresh_only,
        no_retention: options.no_retention,
        targets: options.target.clone(),
        replace: options.replace.clone(),
        out: options.out.as_ref().map(|p| global.resolve(p)),
    };
    let cloud = if options.refresh == Some(false) { None } else { Some(global.open_cloud()?) };
    let (sources, diags, plan) = match plan(&ops_options, cloud.as_deref())? {
        Planned::Invalid { sources, diagnostics: d } => {
            eprint!("{}", messages::invalid("No plan", &d, &sources, Style::for_stderr(global.no_color)));
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
    if options.json {
        println!("{}", crate::render::plan_json::plan_json(&plan));
    } else {
        crate::render::plan::print(&plan, Style::for_stdout(global.no_color), &mut std::io::stdout().lock())?;
        if let Some(out) = &options.out {
            println!("{}", messages::plan_saved(out));
        }
    }
    let status = if !plan.applyable() {
        if !options.json {
            eprintln!("{}", messages::not_applyable(plan.forbidden().count()));
        }
        ExitStatus::Failure
    } else if options.detailed_exitcode && !plan.is_empty() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    };
    // The process ends now: freeing a plan of thousands of resources, allocation by allocation,
    // would be the last thing it does for nothing.
    std::mem::forget((sources, plan));
    Ok(status)
}
