//! Warnings that library code must not keep to itself but cannot return (a stale lock broken in
//! the middle of taking it, a refresh that fell back to walking the lists): library code hands
//! them to [`warn`], and the command line decides where they go (standard error, through
//! `render`). Library code never prints; this is how it speaks.

use std::sync::{Mutex, OnceLock};

type Sink = Box<dyn Fn(&str) + Send + Sync>;

static SINK: OnceLock<Sink> = OnceLock::new();
static HELD: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Where warnings go from now on (the command line sets this once, at start). Warnings given
/// before are handed over first.
pub fn set_sink(sink: impl Fn(&str) + Send + Sync + 'static) {
    if SINK.set(Box::new(sink)).is_ok() {
        for message in take_held() {
            warn(&message);
        }
    }
}

/// Says `message` to whoever listens; held until a sink is set (tests read them with
/// [`take_held`]).
pub fn warn(message: &str) {
    match SINK.get() {
        Some(sink) => sink(message),
        None => HELD.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(message.to_string()),
    }
}

/// The warnings given while no sink was set.
pub fn take_held() -> Vec<String> {
    std::mem::take(&mut *HELD.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
}
