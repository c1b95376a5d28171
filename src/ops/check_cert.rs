//! `check-cert`: the certificate preflight as a user action.
