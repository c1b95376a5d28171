//! The OAuth 2.0 token endpoint `gcp_auth` (and gcloud) talk to, and the bearer-token
//! check every Google API route applies.
//!
//! The sandbox has one service account whose key file (written by `sandbox up`) names
//! this endpoint as its `token_uri`. A token request is the real JWT-bearer grant:
//! `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`; the JWT's
//! RS256 signature is verified with the service account's public key, and its `iss`,
//! `aud`, `exp` and `scope` are checked. The issued tokens expire like real ones.
//!
//! The embedded key (`service-account.pem`) is a sandbox-only credential that grants
//! nothing anywhere else; it is not the key material rotate-cert protects.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use base64::Engine;
use ring::signature::{self, KeyPair, RsaKeyPair};
use serde_json::{Value, json};

use super::World;
use super::core::lock;
use super::google::GoogleError;

/// The sandbox service account's e-mail.
pub const CLIENT_EMAIL: &str = "rotate-cert@sandbox-project.iam.gserviceaccount.com";
const KEY_PEM: &str = include_str!("service-account.pem");
const TOKEN_LIFETIME: Duration = Duration::from_secs(3599);
/// Google's canonical token endpoint, an accepted JWT audience.
const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// Issued tokens and the service account that may ask for them.
#[derive(Debug)]
pub struct Tokens {
    issued: Mutex<HashMap<String, Instant>>,
    public_key: Vec<u8>,
    /// The URL written into the key file as `token_uri` (the JWT's required `aud`).
    pub token_uri: Mutex<String>,
}

impl Tokens {
    /// Loads the embedded service-account key.
    pub fn new() -> anyhow::Result<Tokens> {
        let der = rustls_pki_types::pem::PemObject::from_pem_slice(KEY_PEM.as_bytes())
            .map(|k: rustls_pki_types::PrivatePkcs8KeyDer<'static>| k)
            .map_err(|e| anyhow::anyhow!("sandbox service-account key: {e}"))?;
        let pair = RsaKeyPair::from_pkcs8(der.secret_pkcs8_der())
            .map_err(|e| anyhow::anyhow!("sandbox service-account key: {e}"))?;
        Ok(Tokens {
            issued: Mutex::new(HashMap::new()),
            public_key: pair.public_key().as_ref().to_vec(),
            token_uri: Mutex::new(String::new()),
        })
    }

    /// The service-account key file (JSON) pointing at `token_uri`.
    pub fn key_file(&self, project: &str, token_uri: &str) -> String {
        *lock(&self.token_uri) = token_uri.to_string();
        let key = json!({
            "type": "service_account",
            "project_id": project,
            "private_key_id": "0000000000000000000000000000000000sandbox",
            "private_key": KEY_PEM,
            "client_email": CLIENT_EMAIL,
            "client_id": "100000000000000000000",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "universe_domain": "googleapis.com",
        });
        serde_json::to_string_pretty(&key).unwrap_or_default()
    }

    /// Issues a new token (also used by tests and the gcloud env).
    pub fn issue(&self) -> String {
        let token = format!("ya29.sandbox-{}", uuid::Uuid::new_v4().simple());
        lock(&self.issued).insert(token.clone(), Instant::now() + TOKEN_LIFETIME);
        token
    }

    /// Checks the `Authorization: Bearer` header of a Google API request.
    pub fn authorize(&self, headers: &HeaderMap) -> Result<(), GoogleError> {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or_else(GoogleError::unauthenticated)?;
        match lock(&self.issued).get(token.trim()) {
            Some(expiry) if *expiry > Instant::now() => Ok(()),
            Some(_) => Err(GoogleError::new(
                401,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            )),
            None => Err(GoogleError::new(401, "authError", "Invalid Credentials")),
        }
    }

    fn verify_assertion(&self, jwt: &str) -> Result<(), String> {
        let parts: Vec<&str> = jwt.split('.').collect();
        let [header, claims, sig] = parts.as_slice() else {
            return Err("assertion is not a JWT (three dot-separated parts)".into());
        };
        let header: Value = decode_segment(header)?;
        if header["alg"] != "RS256" {
            return Err(format!("unsupported JWT algorithm {}", header["alg"]));
        }
        let signed = format!("{}.{}", parts[0], parts[1]);
        let sig = b64(sig)?;
        signature::UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.public_key)
            .verify(signed.as_bytes(), &sig)
            .map_err(|_| "Invalid JWT Signature.".to_string())?;
        let claims: Value = decode_segment(claims)?;
        if claims["iss"] != CLIENT_EMAIL {
            return Err(format!("unknown service account {}", claims["iss"]));
        }
        // Google accepts its canonical token URL as audience too (gcloud always uses it).
        let expected_aud = lock(&self.token_uri).clone();
        let aud = claims["aud"].as_str().unwrap_or_default();
        if !expected_aud.is_empty() && aud != expected_aud && aud != GOOGLE_TOKEN_URI {
            return Err(format!(
                "Invalid JWT: audience {} is not {expected_aud}",
                claims["aud"]
            ));
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs() as i64;
        let exp = claims["exp"].as_i64().ok_or("Invalid JWT: no exp claim")?;
        let iat = claims["iat"].as_i64().ok_or("Invalid JWT: no iat claim")?;
        if exp < now || iat > now + 300 || exp - iat > 3600 {
            return Err("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.".into());
        }
        if claims["scope"].as_str().is_none_or(str::is_empty)
            && claims.get("target_audience").is_none()
        {
            return Err("Invalid JWT: no scope".into());
        }
        Ok(())
    }
}

fn b64(s: &str) -> Result<Vec<u8>, String> {
    // gcp_auth pads its segments; other clients do not. Accept both.
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| "Invalid JWT: bad base64".to_string())
}

fn decode_segment(s: &str) -> Result<Value, String> {
    serde_json::from_slice(&b64(s)?).map_err(|_| "Invalid JWT: segment is not JSON".to_string())
}

/// `POST /token`.
async fn token(
    State(world): State<Arc<World>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let call = match world.core.begin("oauth2.token").await {
        Ok(call) => call,
        Err(injected) => {
            return (
                StatusCode::from_u16(injected.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                Json(json!({"error": "temporarily_unavailable", "error_description": injected.reason})),
            )
                .into_response();
        }
    };
    let resp = if form.get("grant_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type", "error_description": "Invalid grant_type"})),
        )
            .into_response()
    } else {
        match form.get("assertion").map(|a| world.tokens.verify_assertion(a)) {
            Some(Ok(())) => Json(json!({
                "access_token": world.tokens.issue(),
                "expires_in": TOKEN_LIFETIME.as_secs(),
                "token_type": "Bearer",
            }))
            .into_response(),
            Some(Err(why)) => {
                (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant", "error_description": why})))
                    .into_response()
            }
            None => (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "invalid_request", "error_description": "Missing required parameter: assertion"})),
            )
                .into_response(),
        }
    };
    call.finish(resp)
}

/// The token route.
pub fn router() -> Router<Arc<World>> {
    Router::new().route("/token", post(token))
}
