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
//! Chain access (tick, run, status, the deployer) builds on these modules:
//! it reads a [`policy::PolicyInput`] from the chain and calls the same
//! [`policy::decide`].

pub mod backtest;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod decimal;
pub mod exact;
pub mod policy;
pub mod vol;
