//! Compute Engine v1 calls rotate-cert makes on global load-balancer resources, returning
//! its own types ([`super::resources`]).
//!
//! Reads are retried freely; mutations (address insert/delete) take a caller-supplied
//! [`RequestId`] — persist it before calling — so a retry after a lost response gets the
//! same operation back instead of a duplicate. Mutations return the [`Operation`];
//! [`Compute::wait_operation`] loops `globalOperations.wait` (which may return before
//! `DONE`) until `DONE` and turns an in-operation failure into
//! [`ErrorKind::OperationFailed`]. This module does not decide what to create or delete.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::client::{ApiClient, ApiRequest, Repeat};
use super::endpoints::Api;
use super::error::{ErrorKind, GcpError};
use super::links::{ResourceKind, ResourceLink, global_path};
use super::operation::{self, Operation};
use super::resources::{
    self, Address, BackendHealth, ForwardingRule, NewAddress, SslCertificate, TargetHttpsProxy,
    UrlMap,
};
use super::retry::RequestId;

/// How long [`Compute::wait_operation`] waits before giving up.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(600);

/// The Compute v1 client for one project.
#[derive(Debug, Clone)]
pub struct Compute {
    client: Arc<ApiClient>,
    project: Arc<str>,
}

impl Compute {
    pub(crate) fn new(client: Arc<ApiClient>, project: Arc<str>) -> Compute {
        Compute { client, project }
    }

    /// The project.
    pub fn project(&self) -> &str {
        &self.project
    }

    fn segments(&self, rest: &[&str]) -> Vec<String> {
        let mut v = vec!["projects".to_string(), self.project.to_string()];
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    }

    fn get_request(&self, kind: ResourceKind, name: &str) -> ApiRequest {
        ApiRequest::get(
            Api::Compute,
            kind.get_method(),
            self.segments(&["global", kind.collection(), name]),
            global_path(&self.project, kind, name),
        )
    }

    async fn get_json(
        &self,
        kind: ResourceKind,
        name: &str,
    ) -> Result<(Value, ApiRequest), GcpError> {
        let req = self.get_request(kind, name);
        let v = self.client.call(&req).await?;
        Ok((v, req))
    }

    /// `globalForwardingRules.get`.
    pub async fn get_forwarding_rule(&self, name: &str) -> Result<ForwardingRule, GcpError> {
        let (v, req) = self.get_json(ResourceKind::ForwardingRule, name).await?;
        resources::forwarding_rule(&v).map_err(|e| decode(&req, e))
    }

    /// `targetHttpsProxies.get`.
    pub async fn get_target_https_proxy(&self, name: &str) -> Result<TargetHttpsProxy, GcpError> {
        let (v, req) = self.get_json(ResourceKind::TargetHttpsProxy, name).await?;
        resources::target_https_proxy(&v).map_err(|e| decode(&req, e))
    }

    /// `sslCertificates.get`, with the leaf's SHA-256 fingerprint.
    pub async fn get_ssl_certificate(&self, name: &str) -> Result<SslCertificate, GcpError> {
        let (v, req) = self.get_json(ResourceKind::SslCertificate, name).await?;
        resources::ssl_certificate(&v).map_err(|e| decode(&req, e))
    }

    /// `urlMaps.get`, with the backend services it references.
    pub async fn get_url_map(&self, name: &str) -> Result<UrlMap, GcpError> {
        let (v, req) = self.get_json(ResourceKind::UrlMap, name).await?;
        resources::url_map(&v).map_err(|e| decode(&req, e))
    }

    /// `backendServices.get`, then `backendServices.getHealth` for each of its groups.
    pub async fn backend_health(&self, service: &str) -> Result<BackendHealth, GcpError> {
        let (v, _) = self.get_json(ResourceKind::BackendService, service).await?;
        let mut groups = Vec::new();
        for group in resources::backend_groups(&v) {
            let req = ApiRequest {
                http: Method::POST,
                body: Some(json!({ "group": group })),
                ..ApiRequest::get(
                    Api::Compute,
                    "compute.backendServices.getHealth",
                    self.segments(&["global", "backendServices", service, "getHealth"]),
                    global_path(&self.project, ResourceKind::BackendService, service),
                )
            };
            let health: Value = self.client.call(&req).await?;
            groups.push(resources::group_health(&group, &health));
        }
        Ok(BackendHealth {
            service: service.to_string(),
            groups,
        })
    }

    /// `globalAddresses.get`.
    pub async fn get_address(&self, name: &str) -> Result<Address, GcpError> {
        let (v, req) = self.get_json(ResourceKind::Address, name).await?;
        resources::address(&v).map_err(|e| decode(&req, e))
    }

    /// `globalAddresses.insert` with `requestId`; returns the operation (wait for it).
    pub async fn insert_address(
        &self,
        address: &NewAddress,
        request_id: &RequestId,
    ) -> Result<Operation, GcpError> {
        let mut body = json!({ "name": address.name });
        if let Some(d) = &address.description {
            body["description"] = json!(d);
        }
        if let Some(ip) = address.address {
            body["address"] = json!(ip.to_string());
        }
        let req = ApiRequest {
            http: Method::POST,
            body: Some(body),
            repeat: Repeat::Keyed,
            ..ApiRequest::get(
                Api::Compute,
                "compute.globalAddresses.insert",
                self.segments(&["global", "addresses"]),
                global_path(&self.project, ResourceKind::Address, &address.name),
            )
        }
        .query("requestId", request_id.to_string());
        if address.name.is_empty() {
            return Err(invalid(&req, "the address name is empty"));
        }
        self.operation_call(&req).await
    }

    /// `globalAddresses.delete` with `requestId`; returns the operation (wait for it).
    pub async fn delete_address(
        &self,
        name: &str,
        request_id: &RequestId,
    ) -> Result<Operation, GcpError> {
        let req = ApiRequest {
            http: Method::DELETE,
            repeat: Repeat::Keyed,
            ..ApiRequest::get(
                Api::Compute,
                "compute.globalAddresses.delete",
                self.segments(&["global", "addresses", name]),
                global_path(&self.project, ResourceKind::Address, name),
            )
        }
        .query("requestId", request_id.to_string());
        self.operation_call(&req).await
    }

    /// Whether a global resource exists (`get`; 404 → `false`).
    pub async fn exists(&self, kind: ResourceKind, name: &str) -> Result<bool, GcpError> {
        match self.get_json(kind, name).await {
            Ok(_) => Ok(true),
            Err(e) if *e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `globalOperations.get`: an operation's current state (for example to settle a
    /// mutation recorded as started before a crash).
    pub async fn get_operation(&self, name: &str) -> Result<Operation, GcpError> {
        let req = ApiRequest::get(
            Api::Compute,
            "compute.globalOperations.get",
            self.segments(&["global", "operations", name]),
            format!("projects/{}/global/operations/{name}", self.project),
        );
        self.operation_call(&req).await
    }

    /// Waits for `op` to be `DONE` (up to [`DEFAULT_OPERATION_TIMEOUT`]); see
    /// [`Compute::wait_operation_for`].
    pub async fn wait_operation(&self, op: &Operation) -> Result<Operation, GcpError> {
        self.wait_operation_for(op, DEFAULT_OPERATION_TIMEOUT).await
    }

    /// Loops `globalOperations.wait` until `op` is `DONE`. A failure inside the finished
    /// operation becomes [`ErrorKind::OperationFailed`] (code, message, and
    /// `httpErrorStatusCode` as the status); still running after `timeout` becomes
    /// [`ErrorKind::Timeout`].
    pub async fn wait_operation_for(
        &self,
        op: &Operation,
        timeout: Duration,
    ) -> Result<Operation, GcpError> {
        let started = Instant::now();
        let mut current = op.clone();
        let mut quick_returns = 0u32;
        while !current.is_done() {
            if started.elapsed() >= timeout {
                return Err(GcpError::new(
                    ErrorKind::Timeout,
                    Api::Compute,
                    "compute.globalOperations.wait",
                    target_of(&current),
                    format!(
                        "operation `{}` ({}) is still {:?} after {}",
                        current.name,
                        current.operation_type,
                        current.status,
                        crate::util::duration::format_duration(timeout)
                    ),
                ));
            }
            let req = ApiRequest {
                http: Method::POST,
                long_poll: true,
                ..ApiRequest::get(
                    Api::Compute,
                    "compute.globalOperations.wait",
                    self.segments(&["global", "operations", &current.name, "wait"]),
                    target_of(&current),
                )
            };
            let asked = Instant::now();
            current = self.operation_call(&req).await?;
            // `wait` may return at once without DONE; do not spin.
            if !current.is_done() && asked.elapsed() < Duration::from_secs(1) {
                quick_returns += 1;
                let pause = Duration::from_millis(100 * u64::from(quick_returns.min(20)));
                tokio::time::sleep(pause.min(timeout.saturating_sub(started.elapsed()))).await;
            }
        }
        match &current.error {
            None => Ok(current),
            Some(e) => Err(GcpError::new(
                ErrorKind::OperationFailed {
                    code: e.code.clone(),
                },
                Api::Compute,
                operation_method(&current),
                target_of(&current),
                e.message.clone(),
            )
            .with_status(e.http_status)
            .with_reason(e.code.clone())),
        }
    }

    async fn operation_call(&self, req: &ApiRequest) -> Result<Operation, GcpError> {
        let v: Value = self.client.call(req).await?;
        operation::operation(&v).map_err(|e| decode(req, e))
    }
}

fn target_of(op: &Operation) -> String {
    op.target
        .as_ref()
        .map(ResourceLink::path)
        .unwrap_or_else(|| format!("operation {}", op.name))
}

/// The method id of the call that started `op` (`compute.globalAddresses.insert`).
fn operation_method(op: &Operation) -> String {
    match op.target.as_ref().and_then(ResourceLink::kind) {
        Some(kind) if !op.operation_type.is_empty() => {
            format!("compute.{}.{}", kind.method_resource(), op.operation_type)
        }
        _ => "compute.globalOperations.wait".to_string(),
    }
}

fn decode(req: &ApiRequest, why: String) -> GcpError {
    GcpError::new(
        ErrorKind::Decode,
        req.api,
        req.method_id,
        req.resource.clone(),
        why,
    )
}

fn invalid(req: &ApiRequest, why: &str) -> GcpError {
    GcpError::new(
        ErrorKind::Invalid,
        req.api,
        req.method_id,
        req.resource.clone(),
        why,
    )
}
