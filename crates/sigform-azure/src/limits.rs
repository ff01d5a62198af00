//! ARM's request limits: token buckets per subscription and request class, as Azure Resource
//! Manager publishes them (reads: 250 burst, 25/s refill; writes and deletes: 200 burst, 10/s), and
//! Azure Resource Graph's own quota (15 queries per 5-second window).
//! The emulator enforces them (answering 429 with Retry-After); the ARM client keeps its own
//! copy and waits for a token before it sends, so a large refresh paces itself instead of
//! collecting 429s.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// ARM's request classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Read,
    Write,
    /// Azure Resource Graph queries: a quota of 15 per 5-second window (per user in Azure), kept
    /// here as a bucket of 15 refilled at 3 a second.
    Graph,
}

impl Class {
    /// (burst, refill per second).
    pub fn bucket(self) -> (f64, f64) {
        match self {
            Class::Read => (250.0, 25.0),
            Class::Write => (200.0, 10.0),
            Class::Graph => (15.0, 3.0),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Class::Read => "read",
            Class::Write => "write",
            Class::Graph => "graph",
        }
    }
}

/// In-memory buckets, per (subscription, class): what the client may still send.
#[derive(Default)]
pub struct Buckets {
    state: Mutex<HashMap<(String, Class), (f64, Instant)>>,
}

impl Buckets {
    /// How long to wait before a request of `class` to `subscription` may go; takes the token
    /// when the answer is zero.
    pub fn take(&self, subscription: &str, class: Class, now: Instant) -> Duration {
        let (burst, rate) = class.bucket();
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let entry = state.entry((subscription.to_ascii_lowercase(), class)).or_insert((burst, now));
        let tokens = (entry.0 + now.saturating_duration_since(entry.1).as_secs_f64() * rate).min(burst);
        if tokens >= 1.0 {
            *entry = (tokens - 1.0, now);
            Duration::ZERO
        } else {
            *entry = (tokens, now);
            Duration::from_secs_f64((1.0 - tokens) / rate)
        }
    }

    /// Waits for a token.
    pub fn acquire(&self, subscription: &str, class: Class) {
        loop {
            let wait = self.take(subscription, class, Instant::now());
            if wait.is_zero() {
                return;
            }
            std::thread::sleep(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_refill_rate() {
        let b = Buckets::default();
        let t0 = Instant::now();
        for _ in 0..200 {
            assert_eq!(b.take("s", Class::Write, t0), Duration::ZERO);
        }
        let wait = b.take("s", Class::Write, t0);
        assert!(wait > Duration::from_millis(90) && wait <= Duration::from_millis(100), "{wait:?}");
        // Another subscription and the other class have buckets of their own.
        assert_eq!(b.take("other", Class::Write, t0), Duration::ZERO);
        assert_eq!(b.take("s", Class::Read, t0), Duration::ZERO);
        // A tenth of a second later one write token has come back.
        assert_eq!(b.take("S", Class::Write, t0 + Duration::from_millis(100)), Duration::ZERO);
        assert!(b.take("s", Class::Write, t0 + Duration::from_millis(100)) > Duration::ZERO);
    }
}
