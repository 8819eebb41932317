//! The one place that reads the wall clock. Everything else takes time from a [`Clock`]:
//! the server uses [`SystemClock`]; tests use a [`TestClock`], which starts at a fixed
//! instant and can be moved forward, so nothing in a test depends on today's date and no
//! test sleeps to let time pass.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use jiff::Timestamp;

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> Timestamp;
}

/// The wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // The one sanctioned read of the wall clock.
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock for tests: a fixed start that advances with real elapsed time (so retries and
/// timeouts still happen) plus any manual jumps.
#[derive(Debug)]
pub struct TestClock {
    start: Timestamp,
    origin: Instant,
    jumped: Mutex<Duration>,
    frozen: bool,
}

impl TestClock {
    /// Starts at `start` and runs.
    pub fn starting_at(start: Timestamp) -> TestClock {
        TestClock {
            start,
            origin: Instant::now(),
            jumped: Mutex::new(Duration::ZERO),
            frozen: false,
        }
    }

    /// Stands still at `start` until moved with [`TestClock::advance`].
    pub fn frozen_at(start: Timestamp) -> TestClock {
        TestClock {
            frozen: true,
            ..TestClock::starting_at(start)
        }
    }

    /// Moves a frozen clock to `at` (never before its start).
    pub fn set(&self, at: Timestamp) {
        let offset = at.duration_since(self.start);
        let offset = Duration::try_from(offset).unwrap_or(Duration::ZERO);
        let mut j = self
            .jumped
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *j = offset;
    }

    /// Jumps forward.
    pub fn advance(&self, by: Duration) {
        let mut j = self
            .jumped
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *j += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        let jumped = *self
            .jumped
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let elapsed = if self.frozen {
            Duration::ZERO
        } else {
            self.origin.elapsed()
        };
        let span =
            jiff::SignedDuration::try_from(elapsed + jumped).unwrap_or(jiff::SignedDuration::MAX);
        self.start.checked_add(span).unwrap_or(Timestamp::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_moves_only_when_told() {
        let t0: Timestamp = "2026-11-02T01:00:00Z".parse().unwrap();
        let c = TestClock::frozen_at(t0);
        assert_eq!(c.now(), t0);
        c.advance(Duration::from_mins(1));
        assert_eq!(c.now(), t0 + jiff::SignedDuration::from_secs(60));
    }
}
