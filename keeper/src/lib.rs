//! `il-keeper`: the keeper of the IL-managed vault, as a library under a thin
//! binary.
//!
//! - [`cli`] and [`cmd`]: the command line (one file per subcommand).
//! - [`config`]: the TOML configuration (flags > env > file > defaults).
//! - [`vol`]: volatility estimators (EWMA, rolling realised, GARCH(1,1)).
//! - [`policy`]: THE decision function, shared by the live keeper and the
//!   backtest.
//! - [`exact`] and [`decimal`]: il-math bridges and exact decimal text.
//! - [`backtest`]: price paths, pool simulation, strategies, reports, charts.
//!
//! - [`chain`]: the chain client (one-batch snapshots, named reverts) and
//!   the transaction layer (gas cap, nonces, replacement, retries).
//! - [`store`]: the SQLite state (observations, estimates, decisions,
//!   transactions), the run lock and reconciliation.
//! - [`pass`]: one keeper pass, shared by `tick` and `run`.
//!
//! A pass reads a [`policy::PolicyInput`] from the chain and calls the same
//! [`policy::decide`] the backtest calls.

pub mod backtest;
pub mod chain;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod decimal;
pub mod exact;
pub mod pass;
pub mod policy;
pub mod store;
pub mod vol;
