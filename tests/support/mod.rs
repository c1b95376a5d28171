//! Helpers shared by the integration tests: certificate and key generators (`certs`) and
//! a runner for the real binary (`cli`). Each test file uses a different subset, hence the
//! `dead_code` allowance.
#![allow(dead_code)]

pub mod certs;
pub mod cli;
