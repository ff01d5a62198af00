//! The command line: clap definitions and dispatch. Each command's file parses
//! its arguments into an operation's `Options`, calls `ops`, and renders the result.

// The command line and its renderers are where output is written (workspace lints deny it elsewhere).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod access;
mod apply;
mod drift;
mod emulator;
mod explain;
mod fmt;
mod graph;
mod init;
mod output;
mod plan;
mod show;
mod state;
mod validate;

use crate::exit::ExitStatus;
use crate::ops::workdir::VarArg;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "sigform", version, about = "Declarative reconciler for Azure Compute Gallery", long_about = None)]
pub struct Cli {
    /// Run as if started in DIR.
    #[arg(short = 'C', long = "chdir", global = true, value_name = "DIR", default_value = ".")]
    pub chdir: PathBuf,
    /// State database (default: state/sigform.db under the working directory).
    #[arg(long, global = true, env = "SIGFORM_STATE", value_name = "PATH")]
    pub state: Option<String>,
    /// Which cloud to talk to.
    #[arg(long, global = true, env = "SIGFORM_CLOUD", value_enum, default_value_t = CloudKind::Emulator)]
    pub cloud: CloudKind,
    /// The ARM endpoint for `--cloud arm` (default: https://management.azure.com).
    #[arg(long, global = true, env = "SIGFORM_ARM_ENDPOINT", value_name = "URL")]
    pub arm_endpoint: Option<String>,
    /// The embedded emulator's database (default: state/emulator.db).
    #[arg(long, global = true, env = "SIGFORM_EMULATOR_DB", value_name = "PATH")]
    pub emulator_db: Option<PathBuf>,
    /// No colours (also: NO_COLOR).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Print only what matters: errors and results.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Say which cloud endpoint, credentials and trusted certificates `--cloud arm` uses (never a secret).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Wait this long for a state lock held by another run (e.g. 30s, 5m); default: fail at once.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration, default_value = "0s")]
    pub lock_timeout: std::time::Duration,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CloudKind {
    Emulator,
    Arm,
}

/// `--var` and `--var-file`, kept in command-line order by `var_args`.
#[derive(Args, Debug, Clone, Default)]
pub struct VarOptions {
    /// Set a variable: NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub var: Vec<String>,
    /// Read variables from a .tfvars file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Vec<PathBuf>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct PlanOptions {
    #[command(flatten)]
    pub vars: VarOptions,
    /// Write the plan to FILE.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print the plan as Terraform's plan JSON.
    #[arg(long)]
    pub json: bool,
    /// Exit 2 when the plan is not empty.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Read the cloud before planning (default true).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub refresh: Option<bool>,
    /// Only accept the cloud's values into state.
    #[arg(long)]
    pub refresh_only: bool,
    /// Plan without the changes `sigform { retention }` would make.
    #[arg(long)]
    pub no_retention: bool,
    /// Plan to destroy everything the state manages.
    #[arg(long)]
    pub destroy: bool,
    /// Limit the plan to ADDRESS and what it depends on (repeatable).
    #[arg(long, value_name = "ADDRESS")]
    pub target: Vec<String>,
    /// Replace ADDRESS (delete, then create) even though it could not be updated (repeatable).
    #[arg(long, value_name = "ADDRESS")]
    pub replace: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create state/ and an empty state; idempotent.
    Init,
    /// Check the configuration: syntax, references, types and the product rules.
    Validate {
        #[command(flatten)]
        vars: VarOptions,
        /// Print diagnostics as a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Rewrite configuration files in the canonical layout, keeping comments.
    Fmt {
        /// Change nothing; exit 1 when a file is not formatted.
        #[arg(long)]
        check: bool,
        /// Show the changes as a unified diff.
        #[arg(long)]
        diff: bool,
        /// Subdirectories too (module directories), except hidden ones such as .terraform.
        #[arg(long)]
        recursive: bool,
    },
    /// Show what apply would create, update, delete — and what Azure forbids.
    Plan(PlanOptions),
    /// Carry out a plan.
    Apply {
        /// A plan saved with `plan --out`.
        planfile: Option<PathBuf>,
        /// Do not ask for confirmation.
        #[arg(long)]
        auto_approve: bool,
        /// How many operations may run at once (default: sigform { parallelism }, else 10).
        #[arg(long)]
        parallelism: Option<u32>,
        /// Record image versions once created while their replication goes on (default:
        /// sigform { wait_for_replication }, else wait).
        #[arg(long)]
        no_wait_replication: bool,
        #[command(flatten)]
        plan: PlanOptions,
    },
    /// Delete everything the state manages, children first.
    Destroy {
        /// Do not ask for confirmation.
        #[arg(long)]
        auto_approve: bool,
        /// How many operations may run at once (default: sigform { parallelism }, else 10).
        #[arg(long)]
        parallelism: Option<u32>,
        #[command(flatten)]
        plan: PlanOptions,
    },
    /// Show a saved plan, or the current state.
    Show {
        planfile: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// State surgery and audit.
    #[command(subcommand)]
    State(StateCommand),
    /// Adopt an existing resource into state.
    Import {
        address: String,
        id: String,
        #[command(flatten)]
        vars: VarOptions,
    },
    /// Report drift between configuration, state and cloud, for CI.
    Drift {
        #[arg(long, value_enum, default_value_t = DriftFormat::Human)]
        format: DriftFormat,
        /// Exit 2 when resources nobody manages are found, too.
        #[arg(long)]
        fail_on_unmanaged: bool,
        /// Write the report to FILE and print a one-line summary.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        vars: VarOptions,
    },
    /// Write the configuration of galleries that exist (with import blocks), to adopt them.
    Export {
        /// A subscription to read (repeatable); default: every one the credentials can see.
        #[arg(long = "subscription", value_name = "ID")]
        subscriptions: Vec<String>,
        /// Only the galleries of this resource group.
        #[arg(long, value_name = "NAME")]
        resource_group: Option<String>,
        /// Only this gallery (its id; repeatable).
        #[arg(long = "gallery", value_name = "ID")]
        galleries: Vec<String>,
        /// Where to write the configuration: a new or empty directory.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// One block per version, instead of one `for_each` block per definition.
        #[arg(long)]
        flat: bool,
        /// Write into a directory that is not empty.
        #[arg(long)]
        force: bool,
    },
    /// Every gallery, image definition and version across subscriptions, with cost, staleness
    /// and the totals against the quotas.
    Inventory {
        /// A subscription to read (repeatable); default: every one the credentials can see.
        #[arg(long = "subscription", value_name = "ID")]
        subscriptions: Vec<String>,
        #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
        format: InventoryFormat,
        /// Only what this state manages.
        #[arg(long, conflicts_with = "unmanaged")]
        managed: bool,
        /// Only what this state does not manage.
        #[arg(long)]
        unmanaged: bool,
        /// Only what is stale: past end of life, definitions without versions, versions excluded
        /// from latest but replicated beyond their source region, failed replication.
        #[arg(long)]
        stale: bool,
    },
    /// Replication progress per version and region.
    Status { address: Option<String> },
    /// Effective access: principal × gallery / definition / version.
    Access {
        #[arg(long)]
        json: bool,
        /// Only this principal.
        #[arg(long, value_name = "ID")]
        principal: Option<String>,
    },
    /// Show outputs.
    Output {
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Explain a rule, or list them all.
    Explain {
        /// A rule id such as SIG205.
        #[arg(required_unless_present = "list")]
        rule: Option<String>,
        #[arg(long)]
        list: bool,
    },
    /// Print the dependency graph in DOT.
    Graph {
        #[command(flatten)]
        vars: VarOptions,
    },
    /// Break a lock left by a dead process.
    ForceUnlock { lock_id: String },
    /// Look at and change the embedded cloud behind sigform's back.
    #[command(subcommand)]
    Emulator(emulator::EmulatorCommand),
    /// Print shell completions.
    Completions { shell: clap_complete::Shell },
}

#[derive(Subcommand, Debug)]
pub enum StateCommand {
    List,
    Show {
        address: String,
    },
    Rm {
        addresses: Vec<String>,
    },
    Mv {
        source: String,
        destination: String,
    },
    Pull,
    History {
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Put a backup (from state/backups/) back; the current state is backed up first.
    Restore {
        backup: PathBuf,
    },
    /// The workspaces of the state's database: name, serial, resources, who holds the lock.
    Workspaces,
    /// Copy the state to another backend (a SQLite path or a postgres:// URL), checked by
    /// comparing both after the copy; the source is left as it was.
    Migrate {
        #[arg(long, value_name = "PATH|URL")]
        to: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DriftFormat {
    Human,
    Json,
    Markdown,
    Junit,
}

/// `--var`/`--var-file` in the order given, so later ones win as in Terraform.
fn var_args(matches: Option<&ArgMatches>, vars: &VarOptions) -> Vec<VarArg> {
    let Some(m) = matches else {
        return vars
            .var_file
            .iter()
            .cloned()
            .map(VarArg::File)
            .chain(vars.var.iter().cloned().map(VarArg::Var))
            .collect();
    };
    let mut ordered: Vec<(usize, VarArg)> = Vec::new();
    if let Some(idx) = m.indices_of("var") {
        ordered.extend(idx.zip(vars.var.iter().cloned().map(VarArg::Var)));
    }
    if let Some(idx) = m.indices_of("var_file") {
        ordered.extend(idx.zip(vars.var_file.iter().cloned().map(VarArg::File)));
    }
    ordered.sort_by_key(|(i, _)| *i);
    ordered.into_iter().map(|(_, a)| a).collect()
}

/// What the first interrupt means to the running command, said when it comes.
static ON_INTERRUPT: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Sets what the first interrupt says (the default speaks of an apply's operations).
pub fn on_interrupt(message: &'static str) {
    let _ = ON_INTERRUPT.set(message);
}

/// First Ctrl-C or SIGTERM: stop starting operations and let the state record what it can (a
/// server: stop accepting and finish what is in flight); second: exit at once (the intent log
/// makes the next run whole).
fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if crate::apply::INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            eprintln!("\nInterrupted again: exiting now. The next run settles what was in flight.");
            std::process::exit(ExitStatus::Interrupted.code().into());
        }
        let message = ON_INTERRUPT.get().copied().unwrap_or(
            "Interrupted: no new operations will start; waiting for the state to record what is in flight (Ctrl-C again to exit at once).",
        );
        eprintln!("\n{message}");
    });
}

pub fn main() -> std::process::ExitCode {
    install_interrupt_handler();
    quiet_on_closed_pipe();
    crate::notice::set_sink(|message| eprintln!("warning: {message}"));
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return usage_error(e),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let sub = matches.subcommand().map(|(_, m)| m);
    run(cli, sub).into()
}

/// Help and version exit 0; every other usage error is an error (1), never clap's 2, which
/// sigform reserves for "changes present".
fn usage_error(e: clap::Error) -> std::process::ExitCode {
    let _ = e.print();
    match e.kind() {
        clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => ExitStatus::Success.into(),
        _ => ExitStatus::Failure.into(),
    }
}

/// `500ms`, `30s`, `5m`, `1h`, or a bare number of seconds.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, "s"),
    };
    let n: f64 = number.parse().map_err(|_| format!("`{text}` is not a duration such as 30s or 5m"))?;
    let seconds = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("`{text}`: the unit is ms, s, m or h")),
    };
    Ok(std::time::Duration::from_secs_f64(seconds))
}

fn run(cli: Cli, sub: Option<&ArgMatches>) -> ExitStatus {
    crate::state::set_lock_timeout(cli.lock_timeout);
    let global = Global {
        cloud: cli.cloud,
        emulator_db: cli.emulator_db.clone(),
        arm_endpoint: cli.arm_endpoint.clone(),
        state: cli.state.clone(),
        dir: cli.chdir.clone(),
        no_color: cli.no_color,
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    let result = match &cli.command {
        Command::Init => init::run(&global),
        Command::Validate { vars, json } => validate::run(&global, var_args(sub, vars), *json),
        Command::Fmt { check, diff, recursive } => fmt::run(&global, *check, *diff, *recursive),
        Command::Explain { rule, list } => explain::run(rule.as_deref(), *list),
        Command::Graph { vars } => graph::run(&global, var_args(sub, vars)),
        Command::Plan(options) => plan::run(&global, options, var_args(sub, &options.vars)),
        Command::Show { planfile, json } => show::run(&global, planfile.as_deref(), *json),
        Command::State(command) => state::run(&global, command),
        Command::Output { name, json } => output::run(&global, name.as_deref(), *json),
        Command::Emulator(command) => emulator::run(&global, command),
        Command::Access { json, principal } => access::run(&global, *json, principal.as_deref()),
        Command::Drift { format, fail_on_unmanaged, out, vars } => {
            drift::run(&global, *format, *fail_on_unmanaged, out.as_deref(), var_args(sub, vars))
        }
        Command::Import { address, id, vars } => import(&global, address, id, var_args(sub, vars)),
        Command::ForceUnlock { lock_id } => global
            .state_location()
            .and_then(|s| crate::ops::state::force_unlock(&s, lock_id))
            .map(|_| {
                println!("{}", crate::render::messages::lock_broken(lock_id));
                ExitStatus::Success
            })
            .map_err(Into::into),
        Command::Status { address } => emulator::status(&global, address.as_deref()),
        Command::Export { subscriptions, resource_group, galleries, out, flat, force } => {
            let options = crate::ops::export::Options {
                subscriptions: subscriptions.clone(),
                resource_group: resource_group.clone(),
                galleries: galleries.clone(),
                out: global.resolve(out),
                flat: *flat,
                force: *force,
            };
            global.open_cloud().and_then(|cloud| {
                let exported = crate::ops::export::export(cloud.as_ref(), &options)?;
                global.warn(&exported.warnings);
                println!("{}", crate::render::messages::exported(exported.resources, &exported.files));
                Ok(ExitStatus::Success)
            })
        }
        Command::Inventory { subscriptions, format, managed, unmanaged, stale } => {
            inventory(&global, subscriptions, *format, *managed, *unmanaged, *stale)
        }
        Command::Apply { planfile, auto_approve, parallelism, no_wait_replication, plan } => apply::run(
            &global,
            apply::Args {
                planfile: planfile.as_deref(),
                plan,
                vars: var_args(sub, &plan.vars),
                auto_approve: *auto_approve,
                parallelism: *parallelism,
                wait_for_replication: if *no_wait_replication { Some(false) } else { None },
                destroy: false,
            },
        ),
        Command::Destroy { auto_approve, parallelism, plan } => apply::run(
            &global,
            apply::Args {
                planfile: None,
                plan,
                vars: var_args(sub, &plan.vars),
                auto_approve: *auto_approve,
                parallelism: *parallelism,
                wait_for_replication: Some(true),
                destroy: true,
            },
        ),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "sigform", &mut std::io::stdout());
            Ok(ExitStatus::Success)
        }
    };
    match result {
        Ok(status) => status,
        Err(e) => {
            eprintln!("error: {e}");
            ExitStatus::Failure
        }
    }
}

/// Options every command shares.
pub struct Global {
    pub dir: PathBuf,
    /// `--state` as given.
    pub state: Option<String>,
    pub cloud: CloudKind,
    pub emulator_db: Option<PathBuf>,
    pub arm_endpoint: Option<String>,
    pub no_color: bool,
    pub quiet: bool,
    pub verbose: bool,
}

impl Global {
    /// Warnings for standard error, unless `--quiet`.
    pub fn warn(&self, warnings: &[String]) {
        if !self.quiet {
            for w in warnings {
                eprintln!("warning: {w}");
            }
        }
    }

    /// A path given on the command line, relative to `-C DIR` as Terraform's `-chdir` does.
    pub fn resolve(&self, path: &std::path::Path) -> PathBuf {
        if path.is_absolute() { path.to_path_buf() } else { self.dir.join(path) }
    }

    /// The cloud: the embedded emulator (`--emulator-db`, default `state/emulator.db`), or ARM.
    pub fn open_cloud(&self) -> Result<Box<dyn sigform_azure::cloud::Cloud>, Box<dyn std::error::Error>> {
        match self.cloud {
            CloudKind::Emulator => {
                let path = match &self.emulator_db {
                    Some(p) => self.resolve(p),
                    None => self.dir.join("state").join("emulator.db"),
                };
                Ok(Box::new(sigform_emulator::Emulator::from_env(&path)?))
            }
            CloudKind::Arm => {
                let mut cloud = crate::arm::ArmCloud::from_env(self.arm_endpoint.as_deref())?;
                if self.verbose {
                    eprintln!("{}", crate::render::messages::arm_client(&cloud.describe()));
                    cloud = cloud.on_sign_in(|how| eprintln!("{}", crate::render::messages::arm_client(how)));
                }
                Ok(Box::new(cloud))
            }
        }
    }

    /// The state: `--state`/`SIGFORM_STATE` (a path, or a `postgres://` URL), else
    /// `state/sigform.db` under the directory.
    pub fn state_location(&self) -> Result<crate::state::Location, crate::state::StateError> {
        match &self.state {
            Some(p) => crate::state::Location::parse(p, &self.dir),
            None => Ok(crate::state::Location::File(crate::ops::plan::default_state_path(&self.dir))),
        }
    }
}

/// `sigform … | head`: when the reader goes away, stop quietly as Unix tools do (exit 141, as a
/// shell reports SIGPIPE) instead of a panic's backtrace. Rust ignores SIGPIPE, so writing to a
/// closed pipe panics (in `print!`, in clap's completion writer); that panic becomes the exit.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") || message.contains("BrokenPipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn inventory(
    global: &Global,
    subscriptions: &[String],
    format: InventoryFormat,
    managed: bool,
    unmanaged: bool,
    stale: bool,
) -> CliResult {
    use crate::ops::inventory::Options;
    use crate::plan::inventory::{Filter, Managed};
    let cloud = global.open_cloud()?;
    let profile = std::env::var("SIGFORM_SERVICE_PROFILE")
        .ok()
        .and_then(|name| sigform_azure::profiles::find(&name))
        .unwrap_or(sigform_azure::profiles::DEFAULT);
    let options = Options {
        subscriptions: subscriptions.to_vec(),
        filter: Filter {
            managed: match (managed, unmanaged) {
                (true, _) => Managed::Managed,
                (_, true) => Managed::Unmanaged,
                _ => Managed::All,
            },
            stale,
            profile,
            now_unix: sigform_azure::timestamp::now_unix(),
        },
        state: Some(global.state_location()?),
    };
    let (found, warnings) = crate::ops::inventory::inventory(cloud.as_ref(), &options)?;
    global.warn(&warnings);
    match format {
        InventoryFormat::Table => print!("{}", crate::render::inventory::table(&found)),
        InventoryFormat::Json => println!("{}", crate::render::inventory::json(&found)),
        InventoryFormat::Csv => print!("{}", crate::render::inventory::csv(&found)),
    }
    Ok(ExitStatus::Success)
}

fn import(global: &Global, address: &str, id: &str, vars: Vec<VarArg>) -> CliResult {
    use crate::ops::import::Imported;
    let cloud = global.open_cloud()?;
    match crate::ops::import::import(
        &validate::options(global, vars),
        &global.state_location()?,
        cloud.as_ref(),
        address,
        id,
    )? {
        Imported::Invalid { sources, diagnostics: d } => {
            let style = crate::render::Style::for_stderr(global.no_color);
            eprint!("{}", crate::render::messages::invalid("Nothing was imported", &d, &sources, style));
            Ok(ExitStatus::Failure)
        }
        Imported::Done(r) => {
            println!("{}", crate::render::messages::imported(&r.address, &r.id));
            Ok(ExitStatus::Success)
        }
    }
}

pub type CliResult = Result<ExitStatus, Box<dyn std::error::Error>>;

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// A subcommand argument named like a global one would silently take the global's value
    /// (and its environment variable: `SIGFORM_STATE` once reached `emulator add-image --state`).
    #[test]
    fn no_subcommand_argument_shadows_a_global_one() {
        let cli = Cli::command();
        let globals: Vec<String> =
            cli.get_arguments().filter(|a| a.is_global_set()).map(|a| a.get_id().to_string()).collect();
        fn walk(cmd: &clap::Command, globals: &[String], path: &str) {
            for arg in cmd.get_arguments() {
                assert!(
                    !globals.contains(&arg.get_id().to_string()),
                    "`{path}` has an argument `{}` that shadows a global",
                    arg.get_id()
                );
            }
            for sub in cmd.get_subcommands() {
                walk(sub, globals, &format!("{path} {}", sub.get_name()));
            }
        }
        for sub in cli.get_subcommands() {
            walk(sub, &globals, sub.get_name());
        }
        assert!(globals.contains(&"state".to_string()), "{globals:?}");
    }
}
