//! Credentials: where access tokens come from, and which project the calls are about.
//!
//! Two token sources: [`GcpAuthSource`] wraps `gcp_auth` (its `provider()` discovery —
//! `GOOGLE_APPLICATION_CREDENTIALS`, the gcloud ADC file, the metadata server, the
//! `gcloud` CLI — or an explicit service-account key file whose `token_uri` it honours),
//! asking for the `cloud-platform` scope and relying on its token cache; [`StaticToken`]
//! is a bearer token handed over by the user (`--access-token-file`,
//! `CLOUDSDK_AUTH_ACCESS_TOKEN_FILE`, `CLOUDSDK_AUTH_ACCESS_TOKEN`,
//! `GOOGLE_OAUTH_ACCESS_TOKEN`), as gcloud and terraform accept. The project is explicit >
//! `CLOUDSDK_CORE_PROJECT` > the credentials' own project.
//!
//! Tokens never appear in `Debug`, `Display`, errors or logs: [`AccessToken`] redacts
//! itself and only the HTTP core reads it, to set the `Authorization` header.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::future::BoxFuture;

/// The OAuth scope every call uses.
pub const CLOUD_PLATFORM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

/// A bearer token. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Arc<str>);

impl AccessToken {
    /// Wraps a token (surrounding whitespace removed).
    pub fn new(token: &str) -> AccessToken {
        AccessToken(Arc::from(token.trim()))
    }

    /// The token text. Only for the `Authorization` header: never log or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted access token>")
    }
}

/// Why credentials or a project could not be found.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// `gcp_auth` found no credentials anywhere.
    #[error(
        "no Google Cloud credentials found: set `GOOGLE_APPLICATION_CREDENTIALS` to a service-account key file, run `gcloud auth application-default login`, run on Google Cloud with a service account, or pass `--access-token-file`"
    )]
    NoCredentials(#[source] gcp_auth::Error),
    /// A service-account key file could not be used.
    #[error("cannot use the service-account key file `{path}`: {source}")]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: gcp_auth::Error,
    },
    /// An access-token file could not be read.
    #[error("cannot read the access-token file `{path}`: {source}")]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A static token is empty.
    #[error("the access token from {origin} is empty")]
    EmptyToken {
        /// Where it came from.
        origin: String,
    },
    /// Fetching a token failed.
    #[error("cannot get an access token from {origin}: {source}")]
    Token {
        /// The credentials in use.
        origin: String,
        /// Why.
        #[source]
        source: gcp_auth::Error,
    },
    /// No project could be determined.
    #[error(
        "no Google Cloud project given: pass `--project`, set `CLOUDSDK_CORE_PROJECT`, or use credentials that name one (a service-account key with `project_id`, or `gcloud config set project`){}",
        .detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
    )]
    NoProject {
        /// What the credentials said when asked.
        detail: Option<String>,
    },
    /// A project id that cannot be right.
    #[error(
        "invalid project id `{0}`: expected something like `my-project` or `example.com:my-project`"
    )]
    InvalidProject(String),
}

/// Where access tokens come from. Implementations cache tokens and refresh them before
/// they expire; callers ask for a token before every request.
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// A valid token for the `cloud-platform` scope.
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>>;

    /// The project the credentials belong to, if they name one.
    fn project_id(&self) -> BoxFuture<'_, Result<Option<String>, AuthError>>;

    /// What the credentials are, for `-v` output (never secret).
    fn describe(&self) -> String;
}

/// Tokens from `gcp_auth` (service-account key, ADC, metadata server or gcloud).
pub struct GcpAuthSource {
    provider: Arc<dyn gcp_auth::TokenProvider>,
    origin: String,
}

impl fmt::Debug for GcpAuthSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcpAuthSource")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl GcpAuthSource {
    /// `gcp_auth::provider()`: the standard discovery order (reads the process
    /// environment and may contact the metadata server).
    pub async fn discover() -> Result<GcpAuthSource, AuthError> {
        let provider = gcp_auth::provider()
            .await
            .map_err(AuthError::NoCredentials)?;
        Ok(GcpAuthSource::from_provider(
            provider,
            "application default credentials",
        ))
    }

    /// A service-account key file (its `token_uri` is honoured).
    pub fn from_key_file(path: &Path) -> Result<GcpAuthSource, AuthError> {
        let account = gcp_auth::CustomServiceAccount::from_file(path).map_err(|source| {
            AuthError::KeyFile {
                path: path.to_path_buf(),
                source,
            }
        })?;
        Ok(GcpAuthSource::from_provider(
            Arc::new(account),
            format!("service-account key `{}`", path.display()),
        ))
    }

    /// Any `gcp_auth` provider, described as `origin`.
    pub fn from_provider(
        provider: Arc<dyn gcp_auth::TokenProvider>,
        origin: impl Into<String>,
    ) -> GcpAuthSource {
        GcpAuthSource {
            provider,
            origin: origin.into(),
        }
    }
}

impl TokenSource for GcpAuthSource {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            let token = self
                .provider
                .token(&[CLOUD_PLATFORM_SCOPE])
                .await
                .map_err(|source| AuthError::Token {
                    origin: self.origin.clone(),
                    source,
                })?;
            Ok(AccessToken::new(token.as_str()))
        })
    }

    fn project_id(&self) -> BoxFuture<'_, Result<Option<String>, AuthError>> {
        Box::pin(async move {
            match self.provider.project_id().await {
                Ok(p) if !p.trim().is_empty() => Ok(Some(p.trim().to_string())),
                Ok(_) => Ok(None),
                Err(e) => Err(AuthError::NoProject {
                    detail: Some(format!("{}: {e}", self.origin)),
                }),
            }
        })
    }

    fn describe(&self) -> String {
        self.origin.clone()
    }
}

/// A token given by the user; it is used as is and never refreshed.
#[derive(Debug, Clone)]
pub struct StaticToken {
    token: AccessToken,
    origin: String,
}

impl StaticToken {
    /// A token from `origin` (for messages: `CLOUDSDK_AUTH_ACCESS_TOKEN`).
    pub fn new(token: &str, origin: impl Into<String>) -> Result<StaticToken, AuthError> {
        let origin = origin.into();
        if token.trim().is_empty() {
            return Err(AuthError::EmptyToken { origin });
        }
        Ok(StaticToken {
            token: AccessToken::new(token),
            origin,
        })
    }

    /// A token read from a file (surrounding whitespace ignored).
    pub fn from_file(path: &Path) -> Result<StaticToken, AuthError> {
        let text = std::fs::read_to_string(path).map_err(|source| AuthError::TokenFile {
            path: path.to_path_buf(),
            source,
        })?;
        StaticToken::new(&text, format!("access-token file `{}`", path.display()))
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(async move { Ok(self.token.clone()) })
    }

    fn project_id(&self) -> BoxFuture<'_, Result<Option<String>, AuthError>> {
        Box::pin(async { Ok(None) })
    }

    fn describe(&self) -> String {
        self.origin.clone()
    }
}

/// How the user asked to authenticate (flags).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthOptions {
    /// `--access-token-file`: a file holding a bearer token.
    pub access_token_file: Option<PathBuf>,
    /// `--credentials-file`: a service-account key file.
    pub credentials_file: Option<PathBuf>,
}

/// Environment variables the auth and project resolution read.
pub const AUTH_ENV_VARS: [&str; 4] = [
    "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE",
    "CLOUDSDK_AUTH_ACCESS_TOKEN",
    "GOOGLE_OAUTH_ACCESS_TOKEN",
    "CLOUDSDK_CORE_PROJECT",
];

/// The process environment's values of [`AUTH_ENV_VARS`].
pub fn auth_env_from_process() -> HashMap<String, String> {
    AUTH_ENV_VARS
        .iter()
        .filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v)))
        .collect()
}

/// Picks the token source: `--access-token-file` > `CLOUDSDK_AUTH_ACCESS_TOKEN_FILE` >
/// `CLOUDSDK_AUTH_ACCESS_TOKEN` > `GOOGLE_OAUTH_ACCESS_TOKEN` > `--credentials-file` >
/// `gcp_auth::provider()`. Blank environment values count as unset.
pub async fn token_source(
    opts: &AuthOptions,
    env: &HashMap<String, String>,
) -> Result<Arc<dyn TokenSource>, AuthError> {
    let var = |k: &str| env.get(k).filter(|v| !v.trim().is_empty());
    if let Some(path) = &opts.access_token_file {
        return Ok(Arc::new(StaticToken::from_file(path)?));
    }
    if let Some(path) = var("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE") {
        return Ok(Arc::new(StaticToken::from_file(Path::new(path))?));
    }
    for k in ["CLOUDSDK_AUTH_ACCESS_TOKEN", "GOOGLE_OAUTH_ACCESS_TOKEN"] {
        if let Some(token) = var(k) {
            return Ok(Arc::new(StaticToken::new(token, format!("`{k}`"))?));
        }
    }
    if let Some(path) = &opts.credentials_file {
        return Ok(Arc::new(GcpAuthSource::from_key_file(path)?));
    }
    Ok(Arc::new(GcpAuthSource::discover().await?))
}

/// The project: `explicit` > `CLOUDSDK_CORE_PROJECT` in `env` > the credentials' project.
pub async fn resolve_project(
    explicit: Option<&str>,
    env: &HashMap<String, String>,
    tokens: &dyn TokenSource,
) -> Result<String, AuthError> {
    let chosen = match explicit.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => p.to_string(),
        None => match env
            .get("CLOUDSDK_CORE_PROJECT")
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            Some(p) => p.to_string(),
            None => tokens
                .project_id()
                .await?
                .ok_or(AuthError::NoProject { detail: None })?,
        },
    };
    validate_project(&chosen)?;
    Ok(chosen)
}

/// Project ids are lowercase letters, digits and dashes, optionally domain-scoped
/// (`example.com:proj`); numeric project numbers are accepted too.
fn validate_project(p: &str) -> Result<(), AuthError> {
    let ok = !p.is_empty()
        && p.len() <= 100
        && p.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | ':'));
    if ok {
        Ok(())
    } else {
        Err(AuthError::InvalidProject(p.to_string()))
    }
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

    #[tokio::test]
    async fn project_precedence() -> Result<(), AuthError> {
        let t = StaticToken::new("tok", "test")?;
        let e = env(&[("CLOUDSDK_CORE_PROJECT", "from-env")]);
        assert_eq!(resolve_project(Some("flag"), &e, &t).await?, "flag");
        assert_eq!(resolve_project(None, &e, &t).await?, "from-env");
        assert_eq!(resolve_project(Some(" "), &e, &t).await?, "from-env");
        let err = resolve_project(None, &env(&[]), &t)
            .await
            .expect_err("none");
        let text = err.to_string();
        for way in ["--project", "CLOUDSDK_CORE_PROJECT", "project_id"] {
            assert!(text.contains(way), "{text}");
        }
        assert!(matches!(
            resolve_project(Some("Bad/Project"), &e, &t).await,
            Err(AuthError::InvalidProject(_))
        ));
        assert_eq!(
            resolve_project(Some("example.com:proj"), &e, &t).await?,
            "example.com:proj"
        );
        Ok(())
    }

    #[tokio::test]
    async fn static_tokens_from_env_and_file_win_and_never_print()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("token");
        std::fs::write(&file, "  ya29.from-file\n")?;
        let opts = AuthOptions {
            access_token_file: Some(file.clone()),
            credentials_file: Some(dir.path().join("missing.json")),
        };
        let e = env(&[("CLOUDSDK_AUTH_ACCESS_TOKEN", "ya29.from-env")]);
        let src = token_source(&opts, &e).await?;
        let tok = src.token().await?;
        assert_eq!(tok.expose(), "ya29.from-file");
        assert!(!format!("{tok:?} {tok} {src:?}").contains("ya29"));
        let src = token_source(&AuthOptions::default(), &e).await?;
        assert_eq!(src.token().await?.expose(), "ya29.from-env");
        assert_eq!(src.describe(), "`CLOUDSDK_AUTH_ACCESS_TOKEN`");
        assert_eq!(src.project_id().await?, None);
        let blank = env(&[("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "")]);
        let err = token_source(
            &AuthOptions {
                credentials_file: Some(dir.path().join("missing.json")),
                ..Default::default()
            },
            &blank,
        )
        .await
        .expect_err("missing key file");
        assert!(err.to_string().contains("missing.json"), "{err}");
        std::fs::write(&file, "\n")?;
        assert!(matches!(
            StaticToken::from_file(&file),
            Err(AuthError::EmptyToken { .. })
        ));
        Ok(())
    }
}
