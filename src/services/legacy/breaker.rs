//! A circuit breaker per legacy store: after a run of failed calls the store is left alone
//! for a while (sign-ins fail at once with a clear message instead of each waiting for a
//! timeout), then one call is let through to see whether it is back.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::ConnectionId;

/// A store as the breakers know it: its connection and the version of its settings, so that
/// changed settings (a fixed address) start with a closed circuit.
pub type StoreKey = (ConnectionId, i64);

/// Failed calls in a row that open the circuit.
pub const FAILURES_TO_OPEN: u32 = 5;
/// How long an open circuit stays open.
pub const OPEN_FOR: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Circuit {
    failures: u32,
    open_until: Option<Instant>,
}

#[derive(Default)]
pub struct Breakers {
    circuits: Mutex<HashMap<StoreKey, Circuit>>,
}

impl Breakers {
    /// Whether a call to the store may go out now. Once an open circuit's time is up, one
    /// call goes out (the circuit stays open for the others until it comes back).
    pub fn allow(&self, store: &StoreKey) -> bool {
        let mut circuits = self.circuits.lock().unwrap_or_else(|e| e.into_inner());
        let circuit = circuits.entry(store.clone()).or_default();
        match circuit.open_until {
            Some(until) if Instant::now() < until => false,
            Some(_) => {
                circuit.open_until = Some(Instant::now() + OPEN_FOR);
                true
            }
            None => true,
        }
    }

    pub fn succeeded(&self, store: &StoreKey) {
        let mut circuits = self.circuits.lock().unwrap_or_else(|e| e.into_inner());
        circuits.remove(store);
    }

    pub fn failed(&self, store: &StoreKey) {
        let mut circuits = self.circuits.lock().unwrap_or_else(|e| e.into_inner());
        let circuit = circuits.entry(store.clone()).or_default();
        circuit.failures += 1;
        if circuit.failures >= FAILURES_TO_OPEN {
            if circuit.open_until.is_none() {
                tracing::warn!(connection = %store.0, "legacy store failing: left alone for {}s", OPEN_FOR.as_secs());
            }
            circuit.open_until = Some(Instant::now() + OPEN_FOR);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_failures_opens_the_circuit_and_a_success_closes_it() {
        let breakers = Breakers::default();
        let store = (ConnectionId::new(), 1);
        let other = (store.0.clone(), 2);
        for _ in 0..FAILURES_TO_OPEN - 1 {
            assert!(breakers.allow(&store));
            breakers.failed(&store);
        }
        assert!(breakers.allow(&store), "still closed below the threshold");
        breakers.failed(&store);
        assert!(!breakers.allow(&store), "open after the run of failures");
        assert!(breakers.allow(&other), "changed settings start closed");
        breakers.succeeded(&store);
        assert!(breakers.allow(&store), "closed again after a success");
    }
}
