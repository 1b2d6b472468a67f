//! `il-deploy`: how clients reach the deployed system.
//!
//! - [`address`]: address parsing (EIP-55 checksums enforced on mixed case).
//! - [`bindings`]: alloy bindings generated from the contracts' committed
//!   Solidity interfaces (calls, events, named errors).
//! - [`manifest`]: the deployment manifest (chain id, addresses, block).
//! - [`deploy`]: deploys and wires the whole system from the release wasm.
//! - [`ops`]: wallet operations (test tokens, deposit, withdraw, oracle, arbitrage).
//! - [`send`]: simulate-then-send of one transaction, reverts named.

pub mod address;
pub mod bindings;
pub mod deploy;
pub mod manifest;
pub mod ops;
pub mod send;

pub use address::{AddressError, parse_address};
pub use manifest::{Contracts, Manifest, ManifestError};
