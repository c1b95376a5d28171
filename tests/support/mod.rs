//! Helpers shared by the integration tests: certificate and key generators (`certs`), a
//! runner for the real binary (`cli`), and an in-process sandbox to run it against
//! (`sandbox`). Each test file uses a different subset, hence the
//! `dead_code` allowance.
#![allow(dead_code)]

pub mod certs;
pub mod cli;
pub mod faults;
pub mod load;
pub mod safety;
pub mod sandbox;
pub mod secrets;
pub mod world;
