//! `il-math`: the exact fixed-point core shared by the Stylus contracts
//! (wasm32, on chain) and the keeper and backtest (host), so that on-chain
//! accounting and off-chain decisions agree to the wei.
//!
//! - [`fixed`]: WAD (1e18) numbers on `U256`, `mul_div` through 512 bits,
//!   exact integer square roots, checked and signed helpers.
//! - [`price`]: exact rational prices (token1 raw units per token0 raw unit).
//! - [`il`]: constant-product closed forms (IL, fair reserves, value, delta,
//!   dollar gamma, hold value, pro-rata shares, LVR rate).
//! - [`fees`]: fee tier from volatility, with hysteresis.
//! - [`strangle`]: long-strangle sizing of arXiv 2503.21967, Proposition 4.1.
//! - [`v4`]: Uniswap v4 ticks and Q64.96 sqrt prices (bit-exact with
//!   v4-core), liquidity and token amounts, and the closed forms of a range
//!   position ([`RangePosition`]).
//! - [`range`]: the vault's base range: centred on a price, its width from
//!   volatility within an owner's bounds, on the pool's tick spacing.
//!
//! Every division and square root states its rounding and is exact for it
//! (the floor or the ceiling of the real value). No float is used anywhere
//! outside tests; nothing panics on any input; every failure is a named
//! [`MathError`].
#![no_std]
#![deny(clippy::arithmetic_side_effects)]
#![forbid(unsafe_code)]

pub mod error;
pub mod fees;
pub mod fixed;
pub mod il;
pub mod price;
pub mod range;
pub mod strangle;
pub mod v4;
pub mod vault;
mod wide;

#[cfg(test)]
mod test_support;

pub use alloy_primitives::{I256, U256};
pub use error::MathError;
pub use fees::{FeeTier, MAX_FEE_PIPS, MAX_SIGMA_WAD, MAX_TIERS, select_tier, validate_tiers};
pub use fixed::{
    BPS, PIPS, Rounding, WAD, add, cmp_products, mul, mul_div, signed_diff, signed_mul,
    signed_mul_div, sqrt, sqrt_product, sub, to_negative, to_signed, wad_div, wad_mul,
};
pub use il::{
    MAX_RATIO_WAD, fair_reserves, hold_value, il_between, il_from_ratio, liquidity_amounts,
    lp_delta, lp_dollar_gamma, lp_value, lvr_rate, share_of,
};
pub use price::{MAX_DECIMALS, Price};
pub use strangle::{StrangleParams, StrangleSizing, size_strangle};
// The tick math and the position type at the root; the amount and liquidity
// conversions stay under `v4::` (their names would read as the
// constant-product ones of `il`).
pub use v4::{RangePosition, sqrt_price_at_tick, tick_at_sqrt_price};
