//! Wall-clock helpers: RFC 3339 UTC formatting for everything rotate-cert prints or
//! stores, so output is deterministic in shape.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, as RFC 3339 UTC with second precision (`2026-11-27T03:04:12Z`).
pub fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
}

/// Now, as RFC 3339 UTC with millisecond precision (`2026-11-27T03:04:12.345Z`), for
/// records whose durations matter (state file steps, events).
pub fn now_rfc3339_millis() -> String {
    rfc3339_millis(SystemTime::now())
}

/// A system time as RFC 3339 UTC with second precision.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64;
    let dt = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    dt.format(&Rfc3339).unwrap_or_else(|_| secs.to_string())
}

/// A system time as RFC 3339 UTC with millisecond precision (for API requests).
pub fn rfc3339_millis(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let dt = OffsetDateTime::from_unix_timestamp_nanos(d.as_millis() as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    dt.format(&fmt).unwrap_or_else(|_| d.as_secs().to_string())
}

/// Parses an RFC 3339 timestamp (any offset) into a [`SystemTime`].
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let dt = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    let nanos = dt.unix_timestamp_nanos();
    if nanos < 0 {
        return None;
    }
    Some(UNIX_EPOCH + Duration::from_nanos(nanos as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(rfc3339(t), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_millis(t), "2023-11-14T22:13:20.123Z");
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20.123Z"), Some(t));
        assert_eq!(
            parse_rfc3339("2023-11-14T14:13:20-08:00"),
            Some(t - Duration::from_millis(123))
        );
        assert_eq!(parse_rfc3339("nope"), None);
    }
}
