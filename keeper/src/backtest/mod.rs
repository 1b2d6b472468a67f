//! Backtest (issue 6): replay the keeper's own policy, and the strategies it
//! is measured against, over a price path.
//!
//! - [`prices`]: CSV files, seeded GBM / Merton paths, the embedded default.
//! - [`pool`]: the constant-product pool and the fee-aware arbitrageur (f64).
//! - [`options`]: Black-Scholes premiums for the strangle.
//! - [`engine`]: the simulation and its report.
//! - [`report`]: terminal table, JSON and CSV.
//! - [`plot`]: PNG and SVG charts.

pub mod engine;
pub mod options;
pub mod plot;
pub mod pool;
pub mod prices;
pub mod report;
