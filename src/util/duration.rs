//! Human durations (`90s`, `5m`, `1h30m`, `14d`, `250ms`, `0.5s`) for flags and
//! environment variables, and their canonical rendering.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A duration written the way operators write them: a sequence of `<number><unit>` with
/// units `ms`, `s`, `m`, `h`, `d`; the number may have a fraction (`0.5s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    /// The wrapped [`Duration`].
    pub fn get(self) -> Duration {
        self.0
    }

    /// Whole seconds, for shorthand constructors.
    pub const fn secs(s: u64) -> Self {
        HumanDuration(Duration::from_secs(s))
    }
}

/// Why a duration string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Empty input.
    #[error("empty duration: expected something like `90s`, `5m`, `1h30m` or `14d`")]
    Empty,
    /// A component without a unit, or with an unknown unit.
    #[error(
        "invalid duration `{0}`: expected a number followed by a unit (`ms`, `s`, `m`, `h`, `d`), e.g. `90s`, `5m`, `14d`"
    )]
    Invalid(String),
    /// Larger than anything sensible (100 years).
    #[error("duration `{0}` is too large")]
    TooLarge(String),
}

impl FromStr for HumanDuration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let input = s.trim();
        if input.is_empty() {
            return Err(DurationError::Empty);
        }
        let invalid = || DurationError::Invalid(input.to_string());
        let mut total = 0f64;
        let mut rest = input;
        while !rest.is_empty() {
            let num_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .ok_or_else(invalid)?;
            if num_len == 0 {
                return Err(invalid());
            }
            let number: f64 = rest[..num_len].parse().map_err(|_| invalid())?;
            rest = &rest[num_len..];
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(rest.len());
            let factor = match &rest[..unit_len] {
                "ms" => 0.001,
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                "d" => 86400.0,
                _ => return Err(invalid()),
            };
            rest = &rest[unit_len..];
            total += number * factor;
        }
        if !total.is_finite() || total > 100.0 * 365.0 * 86400.0 {
            return Err(DurationError::TooLarge(input.to_string()));
        }
        Ok(HumanDuration(Duration::from_secs_f64(total)))
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.0))
    }
}

impl serde::Serialize for HumanDuration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for HumanDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Renders a duration compactly: `250ms`, `1.5s`, `42s`, `5m`, `1h30m`, `14d`.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    if ms < 60_000 {
        return if ms.is_multiple_of(1000) {
            format!("{}s", ms / 1000)
        } else {
            let s = format!("{:.1}", d.as_secs_f64());
            format!("{}s", s.trim_end_matches(".0"))
        };
    }
    let mut secs = d.as_secs();
    let mut out = String::new();
    for (unit, size) in [("d", 86400u64), ("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Duration {
        s.parse::<HumanDuration>().unwrap().0
    }

    #[test]
    fn parses_units_and_sums() {
        assert_eq!(p("90s"), Duration::from_secs(90));
        assert_eq!(p("5m"), Duration::from_secs(300));
        assert_eq!(p("1h30m"), Duration::from_secs(5400));
        assert_eq!(p("14d"), Duration::from_secs(14 * 86400));
        assert_eq!(p("250ms"), Duration::from_millis(250));
        assert_eq!(p("0.5s"), Duration::from_millis(500));
        assert_eq!(p("0s"), Duration::ZERO);
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "5", "m", "5x", "-5s", "5 m", "1.2.3s", "s5"] {
            assert!(
                bad.parse::<HumanDuration>().is_err(),
                "{bad:?} should be rejected"
            );
        }
        assert!(matches!(
            "99999999d".parse::<HumanDuration>(),
            Err(DurationError::TooLarge(_))
        ));
    }

    #[test]
    fn formats_round_trip() {
        for s in ["250ms", "1.5s", "42s", "5m", "1h30m", "14d", "1d2h3m4s"] {
            assert_eq!(
                p(s).as_millis(),
                p(&format_duration(p(s))).as_millis(),
                "{s}"
            );
        }
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
    }
}
