//! When and how a Google Cloud call may be repeated: the retry budget, exponential backoff
//! with full jitter, `Retry-After`, and the idempotency key that makes a mutation safe to
//! repeat.
//!
//! A call is retried only when repeating it cannot do harm: reads, `operations.wait`,
//! requests that never left (connection refused), and mutations that carry a
//! [`RequestId`] (Compute `requestId`, Cloud DNS `clientOperationId`), which the server
//! uses to return the already-accepted request instead of performing it twice. The caller
//! creates the id and persists it before the first attempt, so even a retry after a crash
//! reuses it. This module is pure: it sleeps nowhere and reads no clock (the HTTP core
//! does both).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How hard the HTTP core retries one call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = never retry).
    pub max_attempts: u32,
    /// No retry starts once this much time has passed since the first attempt, and no
    /// backoff sleeps past it.
    pub max_elapsed: Duration,
    /// The backoff ceiling before the first retry.
    pub initial_backoff: Duration,
    /// The largest backoff ceiling.
    pub max_backoff: Duration,
    /// Growth of the ceiling per retry.
    pub multiplier: f64,
}

impl Default for RetryPolicy {
    /// 6 attempts within 2 minutes, backoff ceilings 1 s, 2 s, 4 s, 8 s, 16 s (capped at
    /// 30 s): enough to ride out a short outage or a rate-limit window.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            max_elapsed: Duration::from_secs(120),
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            multiplier: 2.0,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The backoff ceiling after failed attempt number `attempt` (1-based):
    /// `min(max_backoff, initial_backoff × multiplier^(attempt−1))`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(64) as i32;
        let factor = self.multiplier.max(1.0).powi(exp);
        let secs = self.initial_backoff.as_secs_f64() * factor;
        let cap = self.max_backoff.as_secs_f64();
        if !secs.is_finite() || secs >= cap {
            self.max_backoff
        } else {
            Duration::from_secs_f64(secs.max(0.0))
        }
    }

    /// The sleep before the next attempt after failed attempt `attempt`: full jitter
    /// (`jitter` ∈ [0, 1) picks uniformly in `[0, ceiling]`), but never shorter than the
    /// server's `Retry-After`.
    pub fn delay(&self, attempt: u32, jitter: f64, retry_after: Option<Duration>) -> Duration {
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let backoff = self.ceiling(attempt).mul_f64(jitter);
        match retry_after {
            Some(ra) => backoff.max(ra),
            None => backoff,
        }
    }

    /// Whether another attempt may start after `attempts` attempts, `elapsed` since the
    /// first, and a planned sleep of `delay`.
    pub fn allows(&self, attempts: u32, elapsed: Duration, delay: Duration) -> bool {
        attempts < self.max_attempts && elapsed + delay <= self.max_elapsed
    }
}

/// Parses a `Retry-After` header: delay-seconds, or an HTTP date (relative to `now`).
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let at =
        std::time::UNIX_EPOCH + Duration::from_secs(u64::try_from(date.unix_timestamp()).ok()?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// An idempotency key for one mutation: a random UUID sent as Compute's `requestId` or
/// Cloud DNS's `clientOperationId`. Create it before the first attempt, persist it, and
/// reuse it for every retry of the same change (also after a crash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(uuid::Uuid);

impl RequestId {
    /// A fresh random id.
    pub fn new() -> RequestId {
        RequestId(uuid::Uuid::new_v4())
    }
}

impl Default for RequestId {
    fn default() -> Self {
        RequestId::new()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for RequestId {
    type Err = String;

    /// Parses a UUID; the all-zero UUID is refused (Compute rejects it).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let id = uuid::Uuid::parse_str(s.trim())
            .map_err(|e| format!("invalid request id `{s}`: {e}"))?;
        if id.is_nil() {
            return Err(format!(
                "invalid request id `{s}`: it must not be all zeros"
            ));
        }
        Ok(RequestId(id))
    }
}

impl serde::Serialize for RequestId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for RequestId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{SystemTime, UNIX_EPOCH};

    #[test]
    fn ceilings_grow_exponentially_and_cap() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        let ms = |a| p.ceiling(a).as_millis();
        assert_eq!(
            [ms(1), ms(2), ms(3), ms(4), ms(5), ms(99)],
            [100, 200, 400, 800, 1000, 1000]
        );
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(1));
    }

    #[test]
    fn full_jitter_stays_within_zero_and_the_ceiling() {
        let p = RetryPolicy::default();
        for attempt in 1..10 {
            for j in [0.0, 0.25, 0.5, 0.999, 1.0, -3.0, f64::NAN, 7.0] {
                let d = p.delay(attempt, j, None);
                assert!(d <= p.ceiling(attempt), "{attempt} {j} {d:?}");
            }
        }
        assert_eq!(p.delay(3, 0.0, None), Duration::ZERO);
        assert_eq!(p.delay(3, 0.5, None), p.ceiling(3) / 2);
        let random: Vec<Duration> = (0..50).map(|_| p.delay(4, rand::random(), None)).collect();
        assert!(random.iter().all(|d| *d <= p.ceiling(4)));
    }

    #[test]
    fn retry_after_is_a_floor() {
        let p = RetryPolicy::default();
        let ra = Some(Duration::from_secs(7));
        assert_eq!(p.delay(1, 0.0, ra), Duration::from_secs(7));
        assert_eq!(p.delay(9, 1.0, ra), p.ceiling(9), "a longer backoff wins");
    }

    #[test]
    fn budget_limits_attempts_and_time() {
        let p = RetryPolicy {
            max_attempts: 3,
            max_elapsed: Duration::from_secs(10),
            ..RetryPolicy::default()
        };
        assert!(p.allows(1, Duration::ZERO, Duration::from_secs(1)));
        assert!(p.allows(2, Duration::from_secs(9), Duration::from_secs(1)));
        assert!(
            !p.allows(3, Duration::ZERO, Duration::ZERO),
            "attempts spent"
        );
        assert!(
            !p.allows(1, Duration::from_secs(9), Duration::from_secs(2)),
            "time spent"
        );
        assert!(!RetryPolicy::none().allows(1, Duration::ZERO, Duration::ZERO));
    }

    #[test]
    fn parses_retry_after_seconds_and_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_767); // Sun, 06 Nov 1994 08:49:27 GMT
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:17 GMT", now),
            Some(Duration::ZERO),
            "a past date means now"
        );
        assert_eq!(parse_retry_after("soon", SystemTime::now()), None);
    }

    #[test]
    fn request_ids_are_uuids_and_round_trip() -> Result<(), Box<dyn std::error::Error>> {
        let id = RequestId::new();
        assert_ne!(id, RequestId::new());
        assert_eq!(id.to_string().parse::<RequestId>()?, id);
        assert_eq!(
            serde_json::from_str::<RequestId>(&serde_json::to_string(&id)?)?,
            id
        );
        assert!(
            "00000000-0000-0000-0000-000000000000"
                .parse::<RequestId>()
                .is_err()
        );
        assert!("not-a-uuid".parse::<RequestId>().is_err());
        Ok(())
    }
}
