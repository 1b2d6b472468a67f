//! `il-devnet`: a local Arbitrum chain that executes the real release
//! `.wasm` of Stylus programs and EVM bytecode side by side in one state,
//! and speaks Ethereum JSON-RPC, so `cast`, alloy and the keeper use it as
//! they would use a Nitro dev node.
//!
//! - [`engine`]: world state, journal, call frames, the wasm executor
//!   (wasmi), the EVM executor (revm's interpreter) and native handlers
//!   (ArbWasm, StylusDeployer, ArbSys, the standard precompiles). Usable
//!   without networking; `il-testkit` runs natively compiled contracts on it.
//! - [`chain`]: blocks, receipts, time travel, snapshots, state file.
//! - [`rpc`]: the JSON-RPC 2.0 method table.
//! - [`node`]: the HTTP server and [`Devnet::spawn`] for in-process use:
//!
//! ```no_run
//! # async fn demo() -> Result<(), il_devnet::DevnetError> {
//! let node = il_devnet::Devnet::spawn(il_devnet::Config { port: 0, ..Default::default() }).await?;
//! println!("{} with {} dev accounts", node.url(), node.dev_accounts().len());
//! node.shutdown().await?;
//! # Ok(()) }
//! ```
//! - [`artifacts`]: where the release wasm of the workspace's contracts is
//!   (re-exported from `il-wasm`, shared with the deployer).
//! - [`testing`]: the fixture program's ABI and engine-level deployment helpers.
//! - [`foundry`]: Foundry's `cast` and `anvil` (from npm) for tests and tools
//!   that run them beside this chain, started so they never outlive their owner.

pub mod accounts;
pub use il_wasm::artifacts;
pub mod chain;
pub mod engine;
pub mod foundry;
pub mod node;
pub mod rpc;
pub mod testing;

pub use accounts::DevAccount;
pub use chain::ChainConfig;
pub use node::{Config, Devnet, DevnetError, DevnetHandle};
