//! Certificate and key parsing and the preflight.
