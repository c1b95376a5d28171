//! The HTTP core every Google Cloud call goes through: one `reqwest` client (rustls with
//! the ring provider), a bearer token per request, JSON in and out, timeouts, retries, and
//! request counts per API.
//!
//! Retries use exponential backoff with full jitter inside the [`RetryPolicy`] budget,
//! honour `Retry-After`, and apply only to 429, 5xx and transport failures of calls that
//! are safe to repeat (reads, `operations.wait` and `getHealth`; mutations carrying a
//! [`super::RequestId`]). A mutation without a key is repeated only when its request
//! never left (connection refused).
//!
//! Logging: one `tracing::debug!` line per attempt (API, HTTP method, path, status,
//! duration). Never bodies, query strings or tokens. The core knows URLs and JSON, not
//! resources: the per-API clients build requests and turn JSON into rotate-cert's types.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::auth::TokenSource;
use super::endpoints::{Api, Endpoints};
use super::error::{ErrorKind, GcpError};
use super::retry::{RetryPolicy, parse_retry_after};

/// Timeouts of the HTTP core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection (TCP + TLS).
    pub connect: Duration,
    /// A whole ordinary request, response body included.
    pub request: Duration,
    /// A long-poll request (`globalOperations.wait` blocks up to ~2 minutes).
    pub long_poll: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(60),
            long_poll: Duration::from_secs(150),
        }
    }
}

/// Whether a call may be repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// A read (or `operations.wait`, `getHealth`): repeat freely.
    Safe,
    /// A mutation carrying an idempotency key: repeat, the server deduplicates.
    Keyed,
    /// A mutation without a key: one attempt only.
    Once,
}

/// Requests sent per API (retries included), and how many were retries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RequestCounts {
    /// Compute v1 requests.
    pub compute: u64,
    /// Cloud DNS v1 requests.
    pub dns: u64,
    /// Cloud Monitoring v3 requests.
    pub monitoring: u64,
    /// Of all of the above, how many were retries.
    pub retries: u64,
}

impl RequestCounts {
    /// All requests.
    pub fn total(&self) -> u64 {
        self.compute + self.dns + self.monitoring
    }
}

#[derive(Debug, Default)]
struct Counters {
    per_api: [AtomicU64; 3],
    retries: AtomicU64,
}

/// One API call, built by a per-API client.
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    pub api: Api,
    /// Discovery-style method id, for errors and logs (`compute.globalAddresses.get`).
    pub method_id: &'static str,
    pub http: Method,
    /// Path segments after the API's base URL (each is percent-encoded).
    pub path: Vec<String>,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    /// The resource concerned, for errors (`projects/p/global/addresses/x`).
    pub resource: String,
    pub repeat: Repeat,
    pub long_poll: bool,
}

impl ApiRequest {
    /// A GET of `path`.
    pub fn get(api: Api, method_id: &'static str, path: Vec<String>, resource: String) -> Self {
        ApiRequest {
            api,
            method_id,
            http: Method::GET,
            path,
            query: Vec::new(),
            body: None,
            resource,
            repeat: Repeat::Safe,
            long_poll: false,
        }
    }

    /// Adds a query parameter (repeatable).
    pub fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }
}

/// The shared HTTP core.
#[derive(Debug)]
pub(crate) struct ApiClient {
    http: reqwest::Client,
    tokens: Arc<dyn TokenSource>,
    endpoints: Endpoints,
    retry: RetryPolicy,
    timeouts: Timeouts,
    counters: Counters,
}

impl ApiClient {
    /// Builds the client (installs rustls' ring provider if none is installed).
    pub fn new(
        endpoints: Endpoints,
        tokens: Arc<dyn TokenSource>,
        retry: RetryPolicy,
        timeouts: Timeouts,
    ) -> Result<ApiClient, GcpError> {
        crate::install_crypto_provider();
        let http = reqwest::Client::builder()
            .user_agent(concat!("rotate-cert/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .build()
            .map_err(|e| {
                GcpError::new(
                    ErrorKind::Setup,
                    Api::Compute,
                    "http.client",
                    "",
                    "cannot build the HTTP client",
                )
                .with_source(e)
            })?;
        Ok(ApiClient {
            http,
            tokens,
            endpoints,
            retry,
            timeouts,
            counters: Counters::default(),
        })
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    pub fn tokens(&self) -> &Arc<dyn TokenSource> {
        &self.tokens
    }

    pub fn counts(&self) -> RequestCounts {
        let n = |a: Api| self.counters.per_api[api_index(a)].load(Ordering::Relaxed);
        RequestCounts {
            compute: n(Api::Compute),
            dns: n(Api::Dns),
            monitoring: n(Api::Monitoring),
            retries: self.counters.retries.load(Ordering::Relaxed),
        }
    }

    /// Sends `req` (retrying as its [`Repeat`] and the policy allow) and decodes the JSON
    /// answer (an empty body reads as `{}`).
    pub async fn call<T: DeserializeOwned>(&self, req: &ApiRequest) -> Result<T, GcpError> {
        let bytes = self.send(req).await?;
        let body: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(body).map_err(|e| {
            GcpError::new(
                ErrorKind::Decode,
                req.api,
                req.method_id,
                req.resource.clone(),
                format!("the response is not the expected JSON: {e}"),
            )
        })
    }

    async fn send(&self, req: &ApiRequest) -> Result<Vec<u8>, GcpError> {
        let url = self.url(req)?;
        let started = Instant::now();
        let mut attempts = 0u32;
        // Whether an earlier attempt of this mutation may have been applied.
        let mut lost_response = false;
        loop {
            attempts += 1;
            if attempts > 1 {
                self.counters.retries.fetch_add(1, Ordering::Relaxed);
            }
            let err = match self.attempt(req, &url, attempts).await {
                Ok(bytes) => return Ok(bytes),
                Err(e) => e,
            };
            let this_unknown = err.outcome_unknown();
            let transient = matches!(
                err.kind(),
                ErrorKind::RateLimited | ErrorKind::Unavailable | ErrorKind::Transport
            );
            // A request that never reached the server is safe to repeat whatever it is.
            let never_sent = *err.kind() == ErrorKind::Transport && !this_unknown;
            if transient && (req.repeat != Repeat::Once || never_sent) {
                let delay = self
                    .retry
                    .delay(attempts, rand::random::<f64>(), err.retry_after());
                if self.retry.allows(attempts, started.elapsed(), delay) {
                    tracing::debug!(
                        api = req.api.name(),
                        method = req.method_id,
                        attempt = attempts,
                        delay_ms = delay.as_millis() as u64,
                        kind = %err.kind(),
                        "retrying"
                    );
                    lost_response |= this_unknown;
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }
            // A conflict after an earlier lost response may be our own first attempt.
            let lost = lost_response && !this_unknown;
            return Err(err.with_attempts(attempts, started.elapsed(), lost));
        }
    }

    /// One attempt: token, request, response.
    async fn attempt(
        &self,
        req: &ApiRequest,
        url: &url::Url,
        attempt: u32,
    ) -> Result<Vec<u8>, GcpError> {
        let mutation = req.repeat != Repeat::Safe;
        let error = |kind: ErrorKind, message: String| {
            GcpError::new(kind, req.api, req.method_id, req.resource.clone(), message)
        };
        let token = self.tokens.token().await.map_err(|e| {
            // A token endpoint that fails (gcp_auth already tried it a few times) may work
            // later; missing or unusable credentials will not.
            let kind = match &e {
                super::auth::AuthError::Token { .. } => ErrorKind::Unavailable,
                _ => ErrorKind::Credentials,
            };
            error(kind, e.to_string())
                .with_source(e)
                .with_mutation(mutation, false)
        })?;
        let mut rb = self
            .http
            .request(req.http.clone(), url.clone())
            .bearer_auth(token.expose())
            .header(reqwest::header::ACCEPT, "application/json");
        match &req.body {
            Some(body) => rb = rb.json(body),
            // hyper sends no `Content-Length` for an empty body, and Google's front end
            // answers 411 to a POST without one (`globalOperations.wait`).
            None if req.http != Method::GET && req.http != Method::DELETE => {
                rb = rb.header(reqwest::header::CONTENT_LENGTH, "0");
            }
            None => {}
        }
        if req.long_poll {
            rb = rb.timeout(self.timeouts.long_poll);
        }
        self.counters.per_api[api_index(req.api)].fetch_add(1, Ordering::Relaxed);
        let t0 = Instant::now();
        let log = |status: &dyn std::fmt::Display| {
            tracing::debug!(
                api = req.api.name(),
                method = %req.http,
                path = url.path(),
                status = %status,
                ms = t0.elapsed().as_millis() as u64,
                attempt,
                "gcp request"
            );
        };
        let resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => {
                log(&"no response");
                let sent = !e.is_connect();
                let timeout = if req.long_poll {
                    self.timeouts.long_poll
                } else {
                    self.timeouts.request
                };
                return Err(error(ErrorKind::Transport, transport_message(&e, timeout))
                    .with_source(e)
                    .with_mutation(mutation, sent));
            }
        };
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = resp.bytes().await;
        log(&status);
        let body = match body {
            Ok(b) => b,
            Err(e) => {
                return Err(error(
                    ErrorKind::Transport,
                    format!("the response body was cut off: {}", root_cause(&e)),
                )
                .with_source(e)
                .with_mutation(mutation, true));
            }
        };
        if (200..300).contains(&status) {
            Ok(body.to_vec())
        } else {
            Err(GcpError::from_response(
                req.api,
                req.method_id,
                req.resource.clone(),
                status,
                &body,
            )
            .with_retry_after(retry_after)
            .with_mutation(mutation, true))
        }
    }

    /// The request URL: the API's base, the percent-encoded path segments, the query.
    fn url(&self, req: &ApiRequest) -> Result<url::Url, GcpError> {
        let invalid = |message: &str| {
            GcpError::new(
                ErrorKind::Invalid,
                req.api,
                req.method_id,
                req.resource.clone(),
                message,
            )
        };
        if req.path.iter().any(|s| s.is_empty()) {
            return Err(invalid("a resource name in the request is empty"));
        }
        let mut url = self.endpoints.base(req.api).url().clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|()| invalid("the endpoint cannot take a path"))?;
            segments.pop_if_empty();
            for s in &req.path {
                segments.push(s);
            }
        }
        if !req.query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in &req.query {
                q.append_pair(k, v);
            }
        }
        Ok(url)
    }
}

fn api_index(api: Api) -> usize {
    match api {
        Api::Compute => 0,
        Api::Dns => 1,
        Api::Monitoring => 2,
    }
}

/// What happened to a request that got no response, in words.
fn transport_message(e: &reqwest::Error, timeout: Duration) -> String {
    let host = e
        .url()
        .map(|u| {
            format!(
                "{}{}",
                u.host_str().unwrap_or("?"),
                u.port().map(|p| format!(":{p}")).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    if e.is_timeout() {
        format!(
            "no answer from {host} within {}",
            crate::util::duration::format_duration(timeout)
        )
    } else if e.is_connect() {
        format!("cannot connect to {host}: {}", root_cause(e))
    } else {
        format!(
            "the connection to {host} closed before a complete response: {}",
            root_cause(e)
        )
    }
}

/// The innermost error message of a chain (`connection refused (os error 111)`).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::gcp::auth::StaticToken;
    use crate::gcp::endpoints::{EndpointOverrides, Endpoints};

    /// A one-request-per-connection HTTP server answering `replies` in order; returns its
    /// base URL and the request heads it saw.
    async fn serve(replies: Vec<(u16, &'static str)>) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}/", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            for (status, body) in replies {
                let Ok((mut conn, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                log.lock()
                    .expect("log")
                    .push(String::from_utf8_lossy(&buf).to_string());
                let resp = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = conn.write_all(resp.as_bytes()).await;
            }
        });
        (base, seen)
    }

    fn client(base: &str, attempts: u32) -> Result<ApiClient, Box<dyn std::error::Error>> {
        let endpoints = Endpoints::resolve(
            &EndpointOverrides {
                compute: Some(format!("{base}compute/v1/")),
                dns: Some(base.to_string()),
                monitoring: Some(base.to_string()),
            },
            &std::collections::HashMap::new(),
        )?;
        let retry = RetryPolicy {
            max_attempts: attempts,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
            ..RetryPolicy::default()
        };
        Ok(ApiClient::new(
            endpoints,
            Arc::new(StaticToken::new("tok-123", "test")?),
            retry,
            Timeouts::default(),
        )?)
    }

    fn request(repeat: Repeat, http: Method) -> ApiRequest {
        ApiRequest {
            http,
            repeat,
            ..ApiRequest::get(
                Api::Monitoring,
                "monitoring.projects.timeSeries.list",
                vec!["v3".into(), "projects".into(), "p".into(), "a b/c".into()],
                "projects/p".into(),
            )
        }
        .query("aggregation.groupByFields", "x")
        .query("aggregation.groupByFields", "y z")
    }

    #[tokio::test]
    async fn requests_carry_the_token_encoded_paths_and_repeated_query()
    -> Result<(), Box<dyn std::error::Error>> {
        let (base, seen) = serve(vec![(200, "{}"), (200, "")]).await;
        let c = client(&base, 1)?;
        let v: Value = c.call(&request(Repeat::Safe, Method::GET)).await?;
        assert_eq!(v, serde_json::json!({}));
        let v: Value = c.call(&request(Repeat::Safe, Method::POST)).await?;
        assert_eq!(v, serde_json::json!({}), "an empty body reads as {{}}");
        let seen = seen.lock().map_err(|e| e.to_string())?.clone();
        let get = seen[0].to_ascii_lowercase();
        assert!(
            get.starts_with("get /v3/projects/p/a%20b%2fc?aggregation.groupbyfields=x&aggregation.groupbyfields=y+z http/1.1"),
            "{get}"
        );
        assert!(get.contains("authorization: bearer tok-123"), "{get}");
        assert!(
            seen[1].to_ascii_lowercase().contains("content-length: 0"),
            "{}",
            seen[1]
        );
        assert_eq!(c.counts().monitoring, 2);
        Ok(())
    }

    #[tokio::test]
    async fn only_safe_and_keyed_calls_are_retried() -> Result<(), Box<dyn std::error::Error>> {
        let unavailable =
            r#"{"error":{"code":503,"message":"down","errors":[{"reason":"backendError"}]}}"#;
        let (base, _) = serve(vec![(503, unavailable), (200, "{}")]).await;
        let c = client(&base, 3)?;
        let _: Value = c.call(&request(Repeat::Keyed, Method::POST)).await?;
        assert_eq!(c.counts().retries, 1);

        let (base, _) = serve(vec![(503, unavailable), (200, "{}")]).await;
        let c = client(&base, 3)?;
        let err = c
            .call::<Value>(&request(Repeat::Once, Method::POST))
            .await
            .expect_err("a mutation without a key gets one attempt");
        assert_eq!((err.kind(), err.attempts()), (&ErrorKind::Unavailable, 1));
        assert!(err.outcome_unknown());

        // Nothing listening: even a keyless mutation may be repeated, it never left.
        let dead = {
            let l = std::net::TcpListener::bind("127.0.0.1:0")?;
            format!("http://{}/", l.local_addr()?)
        };
        let err = client(&dead, 3)?
            .call::<Value>(&request(Repeat::Once, Method::POST))
            .await
            .expect_err("refused");
        assert_eq!((err.kind(), err.attempts()), (&ErrorKind::Transport, 3));
        assert!(!err.outcome_unknown() && err.retryable());

        let (base, _) = serve(vec![(404, r#"{"error":{"code":404,"message":"no"}}"#)]).await;
        let c = client(&base, 3)?;
        let err = c
            .call::<Value>(&request(Repeat::Safe, Method::GET))
            .await
            .expect_err("404");
        assert_eq!((err.kind(), err.attempts()), (&ErrorKind::NotFound, 1));
        assert_eq!(c.counts().retries, 0, "a 404 is final");

        let (base, _) = serve(vec![(200, "[1,2]")]).await;
        let err = client(&base, 1)?
            .call::<serde_json::Map<String, Value>>(&request(Repeat::Safe, Method::GET))
            .await
            .expect_err("not an object");
        assert_eq!(err.kind(), &ErrorKind::Decode);
        Ok(())
    }
}
