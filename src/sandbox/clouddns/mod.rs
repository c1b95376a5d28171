//! Cloud DNS v1 — managed zones, resource record sets and atomic changes — and the
//! real authoritative DNS server that answers from those zones.
//!
//! What it owns: the zones ([`CloudDns`], inside the `World`), the REST routes under
//! `/dns/v1/projects/{project}/managedZones` ([`router`]), and the UDP+TCP name server
//! ([`server::start`]). What it must not do: know anything about rotate-cert, or serve
//! records a change has not made `done` yet.
//!
//! Design choices, each documented where it lives:
//! * **Two views** (`store.rs`): the API shows a change's records the moment it is
//!   accepted; the DNS server sees them only when the change turns `done`
//!   (`Timing::dns_change` later), all at once. A client that polls `changes.get` until
//!   `done` then queries DNS sees the new data; one that does not wait may not.
//! * **Google's rules and messages** (`rules.rs`): exact-match deletions (412),
//!   missing deletions (404), duplicate additions (409), 400s for syntax, the apex and
//!   CNAME exclusivity — checked in full before anything is written, so a change is
//!   atomic.
//! * **Endpoint**: routes live at `/dns/v1/…`, the discovery document's paths. Point
//!   clients at the HTTP port's root: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS=
//!   http://127.0.0.1:PORT/` works for gcloud 528 (it requests `/dns/v1/projects/…`;
//!   it also accepts `…/dns/v1/` and requests the same paths) and for any client that
//!   appends `dns/v1/projects/…` to its base. A doubled `dns/v1/dns/v1/` is not served:
//!   Google would not serve it either.
//! * **Projects**: only the sandbox's project exists; any other answers 403
//!   `forbidden`, as Google answers a caller without access.
//! * **Name servers**: a zone's NS set is `ns-sandbox-1..4.<zone>` (see
//!   [`CloudDns::create_zone`]); the server on the sandbox's DNS port answers for all
//!   zones.

mod list;
mod lookup;
mod model;
mod routes;
mod rules;
pub mod server;
mod store;
mod wire;
mod zone;

pub use lookup::ServedAnswer;
pub use model::{RecordSet, SUPPORTED_TYPES};
pub use routes::router;
pub use store::{Applied, CloudDns};
pub use zone::Mutation;
