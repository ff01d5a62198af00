//! Apply progress: Terraform-style lines for people, and one JSON object per line for machines
//! (`apply --json`, in the manner of Terraform's machine-readable UI).

use crate::apply::{Event, Outcome, Step};
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};

fn verbs(step: Step) -> (&'static str, &'static str, &'static str) {
    match step {
        Step::Create => ("Creating...", "Still creating...", "Creation complete"),
        Step::Update => ("Modifying...", "Still modifying...", "Modifications complete"),
        Step::Delete => ("Destroying...", "Still destroying...", "Destruction complete"),
    }
}

/// Human lines; replication progress at most every few seconds per resource.
pub struct Human {
    last_progress: HashMap<String, Instant>,
    pub interval: Duration,
    /// The plan's replication estimate per address (seconds), shown beside live progress.
    pub estimates: HashMap<String, f64>,
}

impl Default for Human {
    fn default() -> Human {
        Human { last_progress: HashMap::new(), interval: Duration::from_secs(3), estimates: HashMap::new() }
    }
}

impl Human {
    pub fn line(&mut self, event: &Event) -> Option<String> {
        match event {
            Event::Start { address, step } => Some(format!("{address}: {}", verbs(*step).0)),
            Event::Progress { address, step, elapsed, replication } => {
                let now = Instant::now();
                if self.last_progress.get(address).is_some_and(|t| now.duration_since(*t) < self.interval) {
                    return None;
                }
                self.last_progress.insert(address.clone(), now);
                let regions: Vec<String> =
                    replication.iter().map(|r| format!("{} {}%", r.region, r.progress)).collect();
                let estimate = self
                    .estimates
                    .get(address)
                    .map(|s| format!(" (replication estimated at {})", crate::plan::cost::duration_words(*s)))
                    .unwrap_or_default();
                Some(format!(
                    "{address}: {} [{}s elapsed] {}{estimate}",
                    verbs(*step).1,
                    elapsed.as_secs(),
                    regions.join(", ")
                ))
            }
            Event::Complete { address, step, id, elapsed } => {
                let id = if *step == Step::Delete { String::new() } else { format!(" [id={id}]") };
                Some(format!("{address}: {} after {}s{id}", verbs(*step).2, elapsed.as_secs()))
            }
            Event::Errored { address, step, error } => Some(format!("{address}: {} failed: {error}", step.as_str())),
            Event::Skipped { address, because, .. } => Some(format!("{address}: skipped because {because}")),
        }
    }
}

pub fn summary(outcome: &Outcome, destroy: bool) -> String {
    if outcome.succeeded() {
        if destroy {
            format!("Destroy complete! Resources: {} destroyed.", outcome.destroyed)
        } else {
            format!(
                "Apply complete! Resources: {} added, {} changed, {} destroyed.",
                outcome.added, outcome.changed, outcome.destroyed
            )
        }
    } else {
        format!(
            "Apply failed: {} failed, {} skipped; {} added, {} changed, {} destroyed before that. Run again to finish: the state holds everything that was done.",
            outcome.failed.len(),
            outcome.skipped.len(),
            outcome.added,
            outcome.changed,
            outcome.destroyed
        )
    }
}

fn stamp() -> String {
    sigform_azure::timestamp::now_rfc3339()
}

pub fn json_line(event: &Event) -> String {
    let v = match event {
        Event::Start { address, step } => {
            json!({"type": "apply_start", "@timestamp": stamp(), "address": address, "action": step.as_str()})
        }
        Event::Progress { address, step, elapsed, replication } => json!({
            "type": "apply_progress", "@timestamp": stamp(), "address": address, "action": step.as_str(),
            "elapsed_seconds": elapsed.as_secs_f64(), "replication": replication,
        }),
        Event::Complete { address, step, id, elapsed } => json!({
            "type": "apply_complete", "@timestamp": stamp(), "address": address, "action": step.as_str(), "id": id,
            "elapsed_seconds": elapsed.as_secs_f64(),
        }),
        Event::Errored { address, step, error } => {
            json!({"type": "apply_errored", "@timestamp": stamp(), "address": address, "action": step.as_str(), "error": error})
        }
        Event::Skipped { address, step, because } => {
            json!({"type": "apply_errored", "@timestamp": stamp(), "address": address, "action": step.as_str(), "error": format!("skipped because {because}")})
        }
    };
    v.to_string()
}

pub fn json_summary(outcome: &Outcome) -> String {
    json!({
        "type": "change_summary", "@timestamp": stamp(),
        "add": outcome.added, "change": outcome.changed, "remove": outcome.destroyed,
        "failed": outcome.failed.len(), "skipped": outcome.skipped.len(),
    })
    .to_string()
}

/// On a terminal: a progress bar per replicating version (regions and percentages as its
/// message), with the other lines printed above the bars.
pub struct Bars {
    multi: indicatif::MultiProgress,
    bars: HashMap<String, indicatif::ProgressBar>,
    lines: Human,
}

impl Default for Bars {
    fn default() -> Bars {
        Bars { multi: indicatif::MultiProgress::new(), bars: HashMap::new(), lines: Human::default() }
    }
}

impl Bars {
    pub fn event(&mut self, event: &Event) {
        match event {
            Event::Progress { address, replication, .. } => {
                let bar = self.bars.entry(address.clone()).or_insert_with(|| {
                    let bar = self.multi.add(indicatif::ProgressBar::new(100));
                    let style = indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos:>3}% {msg}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                        .progress_chars("=> ");
                    bar.set_style(style);
                    bar.set_prefix(address.clone());
                    bar
                });
                let least = replication.iter().map(|r| u64::from(r.progress)).min().unwrap_or(0);
                bar.set_position(least);
                let regions: Vec<String> =
                    replication.iter().map(|r| format!("{} {}%", r.region, r.progress)).collect();
                bar.set_message(regions.join(", "));
            }
            other => {
                if let Event::Complete { address, .. } | Event::Errored { address, .. } = other
                    && let Some(bar) = self.bars.remove(address)
                {
                    bar.finish_and_clear();
                }
                if let Some(line) = self.lines.line(other) {
                    let _ = self.multi.println(line);
                }
            }
        }
    }
}
