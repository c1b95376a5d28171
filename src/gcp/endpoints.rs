//! Where each Google Cloud API lives: the base URL of Compute v1, Cloud DNS v1 and
//! Cloud Monitoring v3, resolved the way gcloud does it.
//!
//! Per API the order is: an explicit value (a command-line flag) >
//! `CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>` > Google's real endpoint. Values must be absolute
//! `http`/`https` URLs without query or fragment; a missing trailing slash is added. The
//! Compute base includes its service path (`…/compute/v1/`); the DNS and Monitoring bases
//! are roots to which the clients append `dns/v1/…` and `v3/…` (an override that already
//! ends in `dns/v1/` or `v3/`, as some emulator setups write it, is trimmed back to the
//! root). The environment is an input map, so resolution is a pure function; reading the
//! process environment is a separate convenience.
//!
//! This module only resolves and validates URLs: it makes no request and must not log
//! anything but the resolved URLs.

use std::collections::HashMap;
use std::fmt;

use url::Url;

/// The Google Cloud APIs rotate-cert calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// Compute Engine v1 (global load-balancer resources and operations).
    Compute,
    /// Cloud DNS v1.
    Dns,
    /// Cloud Monitoring v3.
    Monitoring,
}

impl Api {
    /// Every API, in a fixed order.
    pub const ALL: [Api; 3] = [Api::Compute, Api::Dns, Api::Monitoring];

    /// The lowercase name (`compute`, `dns`, `monitoring`), as in gcloud's property names.
    pub fn name(self) -> &'static str {
        match self {
            Api::Compute => "compute",
            Api::Dns => "dns",
            Api::Monitoring => "monitoring",
        }
    }

    /// The gcloud override variable, `CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>`.
    pub fn env_var(self) -> &'static str {
        match self {
            Api::Compute => "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE",
            Api::Dns => "CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS",
            Api::Monitoring => "CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING",
        }
    }

    /// Google's real base URL.
    pub fn default_base(self) -> &'static str {
        match self {
            Api::Compute => "https://compute.googleapis.com/compute/v1/",
            Api::Dns => "https://dns.googleapis.com/",
            Api::Monitoring => "https://monitoring.googleapis.com/",
        }
    }

    /// A version path some setups append to a root endpoint, trimmed during resolution.
    fn redundant_suffix(self) -> Option<&'static str> {
        match self {
            Api::Compute => None,
            Api::Dns => Some("dns/v1/"),
            Api::Monitoring => Some("v3/"),
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An absolute `http`/`https` URL that ends with `/`, ready to have paths appended.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl(Url);

impl BaseUrl {
    /// Parses and normalises a base URL (adds a missing trailing slash).
    pub fn parse(input: &str) -> Result<BaseUrl, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("the value is empty".to_string());
        }
        let mut url = Url::parse(trimmed).map_err(|e| match e {
            url::ParseError::RelativeUrlWithoutBase => {
                "it is not an absolute URL (expected something like `https://host/path/`)"
                    .to_string()
            }
            other => format!("it is not a valid URL ({other})"),
        })?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(format!(
                "the scheme must be `http` or `https`, not `{}`",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("it has no host".to_string());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("a base URL cannot have a query (`?`) or fragment (`#`)".to_string());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("a base URL cannot carry credentials".to_string());
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(BaseUrl(url))
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The URL as text (always ending in `/`).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Removes `suffix` (e.g. `dns/v1/`) from the end of the path when present.
    fn trim_suffix(mut self, suffix: &str) -> BaseUrl {
        if let Some(rest) = self.0.path().strip_suffix(suffix)
            && rest.ends_with('/')
        {
            let rest = rest.to_string();
            self.0.set_path(&rest);
        }
        self
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for BaseUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for BaseUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        BaseUrl::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Explicit endpoint values (from flags); `None` means "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointOverrides {
    /// `--compute-endpoint`.
    pub compute: Option<String>,
    /// `--dns-endpoint`.
    pub dns: Option<String>,
    /// `--monitoring-endpoint`.
    pub monitoring: Option<String>,
}

impl EndpointOverrides {
    fn get(&self, api: Api) -> Option<&str> {
        match api {
            Api::Compute => self.compute.as_deref(),
            Api::Dns => self.dns.as_deref(),
            Api::Monitoring => self.monitoring.as_deref(),
        }
    }
}

/// Where a resolved endpoint came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndpointOrigin {
    /// An explicit value.
    Flag,
    /// `CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>`.
    Env,
    /// Google's real endpoint.
    Default,
}

/// An endpoint value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {api} endpoint `{value}` from {origin}: {reason}")]
pub struct EndpointError {
    /// Which API.
    pub api: Api,
    /// The value as given.
    pub value: String,
    /// Where it came from (`--compute-endpoint`, `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`).
    pub origin: String,
    /// What is wrong with it.
    pub reason: String,
}

/// The base URL of each API (always with a trailing slash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Endpoints {
    /// Compute v1, including the service path (`https://compute.googleapis.com/compute/v1/`).
    pub compute: BaseUrl,
    /// Cloud DNS root (`https://dns.googleapis.com/`); the client appends `dns/v1/…`.
    pub dns: BaseUrl,
    /// Cloud Monitoring root (`https://monitoring.googleapis.com/`); the client appends
    /// `v3/…`.
    pub monitoring: BaseUrl,
}

impl Endpoints {
    /// Google's real endpoints.
    pub fn google() -> Endpoints {
        let d = |api: Api| {
            // The defaults are constant, valid URLs (a unit test parses them), so this
            // cannot fail.
            BaseUrl::parse(api.default_base()).expect("default endpoints are valid URLs")
        };
        Endpoints {
            compute: d(Api::Compute),
            dns: d(Api::Dns),
            monitoring: d(Api::Monitoring),
        }
    }

    /// Resolves every API's endpoint from explicit values and an environment map
    /// (explicit > `CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>` > default). Empty environment
    /// values count as unset; an empty explicit value is an error.
    pub fn resolve(
        explicit: &EndpointOverrides,
        env: &HashMap<String, String>,
    ) -> Result<Endpoints, EndpointError> {
        Ok(Endpoints {
            compute: resolve_one(Api::Compute, explicit, env)?.0,
            dns: resolve_one(Api::Dns, explicit, env)?.0,
            monitoring: resolve_one(Api::Monitoring, explicit, env)?.0,
        })
    }

    /// [`Endpoints::resolve`] with the process environment.
    pub fn resolve_from_process_env(
        explicit: &EndpointOverrides,
    ) -> Result<Endpoints, EndpointError> {
        let env: HashMap<String, String> = Api::ALL
            .iter()
            .filter_map(|a| {
                std::env::var(a.env_var())
                    .ok()
                    .map(|v| (a.env_var().to_string(), v))
            })
            .collect();
        Endpoints::resolve(explicit, &env)
    }

    /// Where each API's endpoint comes from, for `-v` output.
    pub fn origins(
        explicit: &EndpointOverrides,
        env: &HashMap<String, String>,
    ) -> Vec<(Api, EndpointOrigin)> {
        Api::ALL
            .iter()
            .map(|&api| {
                let origin = if explicit.get(api).is_some() {
                    EndpointOrigin::Flag
                } else if env.get(api.env_var()).is_some_and(|v| !v.trim().is_empty()) {
                    EndpointOrigin::Env
                } else {
                    EndpointOrigin::Default
                };
                (api, origin)
            })
            .collect()
    }

    /// The base URL of `api`.
    pub fn base(&self, api: Api) -> &BaseUrl {
        match api {
            Api::Compute => &self.compute,
            Api::Dns => &self.dns,
            Api::Monitoring => &self.monitoring,
        }
    }
}

/// Resolves one API's endpoint and reports where it came from.
fn resolve_one(
    api: Api,
    explicit: &EndpointOverrides,
    env: &HashMap<String, String>,
) -> Result<(BaseUrl, EndpointOrigin), EndpointError> {
    let flag = format!("`--{}-endpoint`", api.name());
    let (value, origin, origin_text) = if let Some(v) = explicit.get(api) {
        (v.to_string(), EndpointOrigin::Flag, flag)
    } else if let Some(v) = env.get(api.env_var()).filter(|v| !v.trim().is_empty()) {
        (
            v.clone(),
            EndpointOrigin::Env,
            format!("`{}`", api.env_var()),
        )
    } else {
        (
            api.default_base().to_string(),
            EndpointOrigin::Default,
            "the default".to_string(),
        )
    };
    let base = BaseUrl::parse(&value).map_err(|reason| EndpointError {
        api,
        value: value.clone(),
        origin: origin_text,
        reason,
    })?;
    let base = match api.redundant_suffix() {
        Some(suffix) => base.trim_suffix(suffix),
        None => base,
    };
    tracing::debug!(api = api.name(), endpoint = %base, ?origin, "resolved endpoint");
    Ok((base, origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_googles_real_endpoints() -> Result<(), EndpointError> {
        let e = Endpoints::resolve(&EndpointOverrides::default(), &env(&[]))?;
        assert_eq!(e, Endpoints::google());
        assert_eq!(
            e.compute.as_str(),
            "https://compute.googleapis.com/compute/v1/"
        );
        assert_eq!(e.dns.as_str(), "https://dns.googleapis.com/");
        assert_eq!(e.monitoring.as_str(), "https://monitoring.googleapis.com/");
        Ok(())
    }

    #[test]
    fn flag_beats_env_beats_default() -> Result<(), EndpointError> {
        let vars = env(&[
            (
                "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE",
                "http://127.0.0.1:9/compute/v1",
            ),
            ("CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS", "http://127.0.0.1:9/"),
            ("CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING", "  "),
        ]);
        let flags = EndpointOverrides {
            dns: Some("https://dns.example/".into()),
            ..Default::default()
        };
        let e = Endpoints::resolve(&flags, &vars)?;
        assert_eq!(
            e.compute.as_str(),
            "http://127.0.0.1:9/compute/v1/",
            "slash added"
        );
        assert_eq!(e.dns.as_str(), "https://dns.example/", "flag wins");
        assert_eq!(
            e.monitoring.as_str(),
            "https://monitoring.googleapis.com/",
            "blank env is unset"
        );
        assert_eq!(
            Endpoints::origins(&flags, &vars),
            vec![
                (Api::Compute, EndpointOrigin::Env),
                (Api::Dns, EndpointOrigin::Flag),
                (Api::Monitoring, EndpointOrigin::Default),
            ]
        );
        Ok(())
    }

    #[test]
    fn version_paths_on_root_apis_are_trimmed() -> Result<(), EndpointError> {
        let vars = env(&[
            ("CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS", "http://h:1/dns/v1/"),
            (
                "CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING",
                "http://h:1/mon/v3",
            ),
        ]);
        let e = Endpoints::resolve(&EndpointOverrides::default(), &vars)?;
        assert_eq!(e.dns.as_str(), "http://h:1/");
        assert_eq!(e.monitoring.as_str(), "http://h:1/mon/");
        Ok(())
    }

    #[test]
    fn bad_values_say_what_and_where() {
        let cases = [
            ("compute.googleapis.com/compute/v1/", "not an absolute URL"),
            ("ftp://h/", "scheme must be `http` or `https`"),
            ("http://h/?x=1", "query"),
            ("http://user:pw@h/", "credentials"),
            ("http://[::1/", "not a valid URL"),
        ];
        for (value, want) in cases {
            let vars = env(&[("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", value)]);
            let err = Endpoints::resolve(&EndpointOverrides::default(), &vars)
                .expect_err(value)
                .to_string();
            assert!(err.contains(want), "{value}: {err}");
            assert!(
                err.contains("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"),
                "{err}"
            );
        }
        let flags = EndpointOverrides {
            monitoring: Some(String::new()),
            ..Default::default()
        };
        let err = Endpoints::resolve(&flags, &env(&[])).expect_err("empty flag");
        assert_eq!(
            err.to_string(),
            "invalid monitoring endpoint `` from `--monitoring-endpoint`: the value is empty"
        );
    }

    #[test]
    fn serde_round_trip_validates() -> Result<(), Box<dyn std::error::Error>> {
        let e = Endpoints::google();
        let text = serde_json::to_string(&e)?;
        assert_eq!(serde_json::from_str::<Endpoints>(&text)?, e);
        let bad = text.replace("https://dns", "ftp://dns");
        assert!(serde_json::from_str::<Endpoints>(&bad).is_err());
        Ok(())
    }
}
