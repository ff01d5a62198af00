//! Fault injection and ARM throttling for the emulator.
//!
//! `SIGFORM_EMULATOR_FAULTS=error=0.05,throttle=0.05,lost_response=0.02,region_failure=0.01,seed=7`
//! makes calls fail the ways Azure's do: transient 500s, extra 429s, a write that succeeds but
//! whose response is lost, a region whose replication fails. The draws are seeded, so a run
//! can be repeated. Throttling follows ARM's published token buckets per subscription (reads:
//! 250 burst, 25/s; writes and deletes: 200 burst, 10/s), refilled in real time;
//! `SIGFORM_EMULATOR_THROTTLING=off` turns it off.

use std::sync::Mutex;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    pub error: f64,
    pub throttle: f64,
    pub lost_response: f64,
    pub region_failure: f64,
    pub seed: u64,
}

impl Faults {
    /// Parses the `SIGFORM_EMULATOR_FAULTS` syntax.
    pub fn parse(spec: &str) -> Result<Faults, String> {
        let mut f = Faults { seed: 1, ..Faults::default() };
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| format!("`{part}` is not NAME=VALUE"))?;
            let n: f64 = v.trim().parse().map_err(|_| format!("`{part}`: not a number"))?;
            let p = || {
                if (0.0..=1.0).contains(&n) {
                    Ok(n)
                } else {
                    Err(format!("`{part}`: a probability is between 0 and 1"))
                }
            };
            match k.trim() {
                "error" => f.error = p()?,
                "throttle" => f.throttle = p()?,
                "lost_response" => f.lost_response = p()?,
                "region_failure" => f.region_failure = p()?,
                "seed" => f.seed = n as u64,
                other => {
                    return Err(format!(
                        "unknown fault `{other}` (error, throttle, lost_response, region_failure, seed)"
                    ));
                }
            }
        }
        Ok(f)
    }

    pub fn from_env() -> Result<Faults, String> {
        match std::env::var("SIGFORM_EMULATOR_FAULTS") {
            Ok(spec) => Faults::parse(&spec),
            Err(_) => Ok(Faults::default()),
        }
    }

    pub fn any(&self) -> bool {
        self.error + self.throttle + self.lost_response + self.region_failure > 0.0
    }
}

/// A seeded xorshift generator behind a mutex: draws are reproducible for a given call order.
pub struct Dice(Mutex<u64>);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(Mutex::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1))
    }

    /// True with probability `p`.
    pub fn roll(&self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        ((*s >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

pub fn throttling_enabled() -> bool {
    !matches!(std::env::var("SIGFORM_EMULATOR_THROTTLING").as_deref(), Ok("off" | "0" | "false"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_dice_are_reproducible() {
        let f = Faults::parse("error=0.05, throttle=0.1,lost_response=0.02,region_failure=0.01,seed=7").unwrap();
        assert_eq!(f, Faults { error: 0.05, throttle: 0.1, lost_response: 0.02, region_failure: 0.01, seed: 7 });
        assert!(Faults::parse("error=2").is_err());
        assert!(Faults::parse("boom=0.1").is_err());
        let a: Vec<bool> = (0..100)
            .map({
                let d = Dice::new(7);
                move |_| d.roll(0.3)
            })
            .collect();
        let b: Vec<bool> = (0..100)
            .map({
                let d = Dice::new(7);
                move |_| d.roll(0.3)
            })
            .collect();
        assert_eq!(a, b);
        let hits = a.iter().filter(|x| **x).count();
        assert!((15..45).contains(&hits), "{hits}");
    }
}
