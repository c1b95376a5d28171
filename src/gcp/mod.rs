//! The Google Cloud REST adapter: Compute v1, Cloud DNS v1 and Cloud Monitoring v3 over
//! `reqwest`, against the real endpoints or gcloud-style overrides.
//!
//! It owns the wire: URLs ([`endpoints`]), credentials and the project ([`auth`]), the
//! HTTP core with retries and request counts ([`client`], [`retry`]), typed errors
//! ([`error`], [`google_error`]), and one client per API returning rotate-cert's own
//! types ([`compute`] with [`resources`], [`operation`] and [`links`]; [`dns`];
//! [`monitoring`]). It must not decide anything a rotation decides (what to create, when
//! DNS is safe to switch, when blue has drained) and never logs bodies or tokens.
//!
//! Guarantees: reads are retried on 429/5xx/transport failures within the
//! [`RetryPolicy`] budget; mutations only when they carry a [`RequestId`] (or their
//! connection was refused, so nothing was sent); every error says whether a retry can help and whether a mutation's outcome is unknown.
//!
//! Typical setup: [`auth::token_source`] → [`auth::resolve_project`] →
//! [`Endpoints::resolve`] → [`Gcp::new`].

pub mod auth;
pub mod client;
pub mod compute;
pub mod dns;
pub mod endpoints;
pub mod error;
pub mod google_error;
pub mod links;
pub mod monitoring;
pub mod operation;
pub mod resources;
pub mod retry;

use std::sync::Arc;

pub use auth::{AccessToken, AuthError, AuthOptions, GcpAuthSource, StaticToken, TokenSource};
pub use client::{RequestCounts, Timeouts};
pub use compute::Compute;
pub use dns::{Change, ChangeRequest, ChangeStatus, Dns, ManagedZone, RecordSet, ZoneVisibility};
pub use endpoints::{Api, BaseUrl, EndpointError, EndpointOverrides, Endpoints};
pub use error::{ErrorKind, GcpError};
pub use links::{ResourceKind, ResourceLink};
pub use monitoring::{CountPoint, Monitoring};
pub use operation::{Operation, OperationError, OperationStatus};
pub use resources::{
    Address, AddressStatus, BackendHealth, CertificateType, ForwardingRule, GroupHealth,
    HealthState, NewAddress, SslCertificate, TargetHttpsProxy, UrlMap,
};
pub use retry::{RequestId, RetryPolicy};

use client::ApiClient;

/// How to reach Google Cloud.
#[derive(Debug, Clone, PartialEq)]
pub struct GcpConfig {
    /// Base URLs.
    pub endpoints: Endpoints,
    /// The retry budget of every call.
    pub retry: RetryPolicy,
    /// Connect, request and long-poll timeouts.
    pub timeouts: Timeouts,
}

impl GcpConfig {
    /// `endpoints` with the default retry policy and timeouts.
    pub fn new(endpoints: Endpoints) -> GcpConfig {
        GcpConfig {
            endpoints,
            retry: RetryPolicy::default(),
            timeouts: Timeouts::default(),
        }
    }
}

/// The three API clients for one project, sharing one HTTP core (connection pool, token
/// source, retry policy, request counters). Cheap to clone.
#[derive(Debug, Clone)]
pub struct Gcp {
    /// Compute Engine v1.
    pub compute: Compute,
    /// Cloud DNS v1.
    pub dns: Dns,
    /// Cloud Monitoring v3.
    pub monitoring: Monitoring,
    core: Arc<ApiClient>,
    project: Arc<str>,
}

impl Gcp {
    /// Builds the clients. Makes no request (the first call fetches the first token).
    pub fn new(
        config: GcpConfig,
        tokens: Arc<dyn TokenSource>,
        project: &str,
    ) -> Result<Gcp, GcpError> {
        let core = Arc::new(ApiClient::new(
            config.endpoints,
            tokens,
            config.retry,
            config.timeouts,
        )?);
        let project: Arc<str> = Arc::from(project);
        Ok(Gcp {
            compute: Compute::new(core.clone(), project.clone()),
            dns: Dns::new(core.clone(), project.clone()),
            monitoring: Monitoring::new(core.clone(), project.clone()),
            core,
            project,
        })
    }

    /// The project every call is about.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// The endpoints in use.
    pub fn endpoints(&self) -> &Endpoints {
        self.core.endpoints()
    }

    /// What credentials are in use (never secret).
    pub fn credentials(&self) -> String {
        self.core.tokens().describe()
    }

    /// Requests sent so far, per API (for `-v` output and the benchmark).
    pub fn request_counts(&self) -> RequestCounts {
        self.core.counts()
    }
}
