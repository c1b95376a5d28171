//! Hostname rules: whether a certificate's DNS SAN covers a hostname (RFC 6125), and
//! whether a string given as a hostname is one at all.
//!
//! Pure functions over strings. This module must not look at certificates (the preflight
//! extracts the SANs) and must not do DNS or any other I/O.

use std::net::IpAddr;

/// Lowercases and drops one trailing dot.
fn normalise(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// Whether the DNS SAN `san` covers `host`, per RFC 6125 §6.4: case-insensitive, a trailing
/// dot ignored, and a wildcard only as the complete left-most label (`*.example.com`),
/// covering exactly one label — not the apex `example.com`, not `a.b.example.com`.
/// Partial-label wildcards (`w*.example.com`), wildcards elsewhere, wildcards directly
/// under a single label (`*.com`) and hosts containing `*` cover nothing.
pub fn hostname_covered(san: &str, host: &str) -> bool {
    let san = normalise(san);
    let host = normalise(host);
    if san.is_empty() || host.is_empty() || host.contains('*') {
        return false;
    }
    if host.split('.').any(str::is_empty) || san.split('.').any(str::is_empty) {
        return false;
    }
    match san.strip_prefix("*.") {
        Some(base) => {
            if base.contains('*') || !base.contains('.') {
                return false;
            }
            match host.split_once('.') {
                Some((label, rest)) => !label.is_empty() && rest == base,
                None => false,
            }
        }
        None => !san.contains('*') && san == host,
    }
}

/// Why a wildcard SAN does not cover a host, when that is the likely surprise: the apex,
/// or more than one label. `None` when the SAN is not a wildcard related to the host.
pub(crate) fn wildcard_near_miss(san: &str, host: &str) -> Option<String> {
    let san = normalise(san);
    let host = normalise(host);
    let base = san.strip_prefix("*.")?;
    if host == base {
        Some(format!(
            "`{san}` does not cover the apex `{host}`: add `{host}` as a SAN"
        ))
    } else if host.ends_with(&format!(".{base}")) {
        Some(format!("`{san}` covers exactly one label, not `{host}`"))
    } else {
        None
    }
}

/// Checks that a string given as a hostname is a bare DNS name (or IP address) and returns
/// it normalised (lowercase, no trailing dot). The error says what is wrong, lowercase, no
/// trailing period.
pub fn validate_hostname(input: &str) -> Result<String, String> {
    if input.is_empty() {
        return Err("empty hostname".to_string());
    }
    if input.chars().any(char::is_whitespace) {
        return Err(format!("hostname `{input}` contains whitespace"));
    }
    if let Some((scheme, rest)) = input.split_once("://") {
        let host = rest.split(['/', ':']).next().unwrap_or(rest);
        return Err(format!(
            "`{input}` is a URL, not a hostname (drop `{scheme}://`): give only the name, e.g. `{host}`"
        ));
    }
    if input.parse::<IpAddr>().is_ok() {
        return Ok(input.to_ascii_lowercase());
    }
    if input.contains('/') {
        let host = input.split('/').next().unwrap_or(input);
        return Err(format!(
            "`{input}` has a path: give only the hostname, e.g. `{host}`"
        ));
    }
    if let Some((host, port)) = input.rsplit_once(':') {
        let what = if port.chars().all(|c| c.is_ascii_digit()) {
            "a port"
        } else {
            "a `:`"
        };
        return Err(format!(
            "`{input}` has {what}: give only the hostname, e.g. `{host}`"
        ));
    }
    if input.contains('*') {
        return Err(format!(
            "`{input}` is a wildcard pattern: give a concrete hostname the certificate must cover, e.g. `www.example.com`"
        ));
    }
    if !input.is_ascii() {
        return Err(format!(
            "`{input}` is not ASCII: give the internationalised name in its punycode (`xn--`) form"
        ));
    }
    let name = normalise(input);
    if name.len() > 253 {
        return Err(format!("hostname `{input}` is longer than 253 characters"));
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err(format!("hostname `{input}` has an empty label"));
        }
        if label.len() > 63 {
            return Err(format!(
                "hostname `{input}` has a label longer than 63 characters"
            ));
        }
        if !label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "hostname `{input}` may contain only letters, digits, `-` and `.`"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!(
                "hostname `{input}` has a label that starts or ends with `-`"
            ));
        }
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_names_ignore_case_and_trailing_dot() {
        assert!(hostname_covered("example.com", "example.com"));
        assert!(hostname_covered("Example.COM", "example.com."));
        assert!(hostname_covered("example.com.", "EXAMPLE.com"));
        assert!(!hostname_covered("example.com", "www.example.com"));
        assert!(!hostname_covered("www.example.com", "example.com"));
        assert!(!hostname_covered("", "example.com"));
        assert!(!hostname_covered("example.com", ""));
    }

    #[test]
    fn wildcard_covers_exactly_one_label() {
        assert!(hostname_covered("*.example.com", "www.example.com"));
        assert!(hostname_covered("*.Example.com", "API.example.com."));
        assert!(!hostname_covered("*.example.com", "example.com"));
        assert!(!hostname_covered("*.example.com", "a.b.example.com"));
        assert!(!hostname_covered("*.example.com", ".example.com"));
        assert!(!hostname_covered("*.example.com", "wwwexample.com"));
    }

    #[test]
    fn malformed_wildcards_cover_nothing() {
        assert!(!hostname_covered("w*.example.com", "www.example.com"));
        assert!(!hostname_covered("*w.example.com", "ww.example.com"));
        assert!(!hostname_covered("www.*.example.com", "www.a.example.com"));
        assert!(!hostname_covered("*.*.example.com", "a.b.example.com"));
        assert!(!hostname_covered("*", "localhost"));
        assert!(!hostname_covered("*.com", "example.com"));
        assert!(!hostname_covered("*.example.com", "*.example.com"));
        assert!(!hostname_covered("a..example.com", "a..example.com"));
    }

    #[test]
    fn near_misses_are_explained() {
        assert!(
            wildcard_near_miss("*.example.com", "example.com")
                .unwrap()
                .contains("apex")
        );
        assert!(
            wildcard_near_miss("*.example.com", "a.b.example.com")
                .unwrap()
                .contains("exactly one label")
        );
        assert_eq!(wildcard_near_miss("*.example.com", "example.org"), None);
        assert_eq!(wildcard_near_miss("example.com", "example.com"), None);
    }

    #[test]
    fn validates_hostname_arguments() {
        assert_eq!(
            validate_hostname("WWW.Example.com.").unwrap(),
            "www.example.com"
        );
        assert_eq!(validate_hostname("10.0.0.1").unwrap(), "10.0.0.1");
        assert_eq!(validate_hostname("2001:db8::1").unwrap(), "2001:db8::1");
        for (bad, fragment) in [
            ("", "empty hostname"),
            ("a b.com", "whitespace"),
            (" a.com", "whitespace"),
            ("https://a.com/x", "is a URL"),
            ("a.com:443", "has a port"),
            ("a.com/path", "has a path"),
            ("*.a.com", "wildcard pattern"),
            ("a..com", "empty label"),
            ("-a.com", "starts or ends with `-`"),
            ("a!.com", "only letters"),
            ("bücher.de", "punycode"),
        ] {
            let err = validate_hostname(bad).unwrap_err();
            assert!(err.contains(fragment), "{bad:?}: {err}");
        }
    }
}
