//! Send pacing: a global token bucket (Meta's per-number throughput, 80 messages/s by
//! default) and one bucket per recipient (Meta's pair limit: about one message per 6 s
//! per user, with bursts allowed). A message that may not go yet is deferred to the time
//! its tokens will be there, never dropped. Time comes in as an argument.

use std::collections::HashMap;
use std::time::Duration;

/// A token bucket measured in milliseconds.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    last_ms: i64,
}

/// Global and per-recipient limits.
#[derive(Debug)]
pub struct Pacer {
    rate_per_s: f64,
    global: Bucket,
    pair_burst: f64,
    pair_interval_ms: f64,
    pairs: HashMap<String, Bucket>,
}

impl Pacer {
    /// A pacer allowing `rate_per_s` messages per second overall, and per recipient a
    /// burst of `pair_burst` then one per `pair_interval`.
    pub fn new(rate_per_s: u32, pair_burst: u32, pair_interval: Duration) -> Pacer {
        Pacer {
            rate_per_s: f64::from(rate_per_s.max(1)),
            global: Bucket {
                tokens: f64::from(rate_per_s.max(1)),
                last_ms: i64::MIN,
            },
            pair_burst: f64::from(pair_burst.max(1)),
            pair_interval_ms: pair_interval.as_millis().max(1) as f64,
            pairs: HashMap::new(),
        }
    }

    fn refill(bucket: &mut Bucket, now_ms: i64, per_ms: f64, cap: f64) {
        if bucket.last_ms == i64::MIN {
            bucket.last_ms = now_ms;
            return;
        }
        let elapsed = (now_ms - bucket.last_ms).max(0) as f64;
        bucket.tokens = (bucket.tokens + elapsed * per_ms).min(cap);
        bucket.last_ms = now_ms;
    }

    /// Takes a token for `recipient` at `now_ms`: `Ok(())` to send now, or `Err(at_ms)`,
    /// the earliest time to try again.
    /// An empty `recipient` counts only against the global rate.
    pub fn try_take(&mut self, recipient: &str, now_ms: i64) -> Result<(), i64> {
        let global_per_ms = self.rate_per_s / 1000.0;
        Pacer::refill(&mut self.global, now_ms, global_per_ms, self.rate_per_s);
        if recipient.is_empty() {
            if self.global.tokens < 1.0 {
                let wait = ((1.0 - self.global.tokens) / global_per_ms).ceil() as i64;
                return Err(now_ms + wait.max(1));
            }
            self.global.tokens -= 1.0;
            return Ok(());
        }
        let pair_per_ms = 1.0 / self.pair_interval_ms;
        let burst = self.pair_burst;
        let pair = self.pairs.entry(recipient.to_owned()).or_insert(Bucket {
            tokens: burst,
            last_ms: now_ms,
        });
        Pacer::refill(pair, now_ms, pair_per_ms, burst);
        if self.global.tokens < 1.0 {
            let wait = ((1.0 - self.global.tokens) / global_per_ms).ceil() as i64;
            return Err(now_ms + wait.max(1));
        }
        if pair.tokens < 1.0 {
            let wait = ((1.0 - pair.tokens) / pair_per_ms).ceil() as i64;
            return Err(now_ms + wait.max(1));
        }
        self.global.tokens -= 1.0;
        pair.tokens -= 1.0;
        if self.pairs.len() > 100_000 {
            // Forget recipients whose bucket is full again: they carry no state.
            let full = self.pair_burst;
            self.pairs.retain(|_, b| b.tokens < full);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recipient_gets_its_burst_then_one_message_per_interval() {
        let mut p = Pacer::new(1000, 3, Duration::from_secs(6));
        for _ in 0..3 {
            assert!(p.try_take("a", 0).is_ok());
        }
        let next = p.try_take("a", 0).unwrap_err();
        assert_eq!(next, 6000);
        assert!(
            p.try_take("b", 0).is_ok(),
            "another recipient is not held back"
        );
        assert!(p.try_take("a", 6000).is_ok());
    }

    #[test]
    fn the_global_rate_is_never_exceeded() {
        let mut p = Pacer::new(80, 1000, Duration::from_secs(6));
        let mut sent = 0;
        for i in 0..500 {
            if p.try_take(&format!("r{i}"), 0).is_ok() {
                sent += 1;
            }
        }
        assert_eq!(sent, 80);
        assert!(p.try_take("x", 12).is_err());
        assert!(p.try_take("x", 13).is_ok(), "one token per 12.5 ms");
    }
}
