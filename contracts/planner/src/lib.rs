//! The planner: the manager's rebalance and hedge plans as a stateless
//! on-chain library.
//!
//! Every function is pure (no storage, no calls): it takes word records and
//! returns words, and is exactly a function of `il_math::vault`, the code
//! the keeper's backtest runs off chain. The manager calls it (static
//! calls) for how much to rebalance or hedge and whether the tokens a move
//! returned are worth the liquidity's fair value; a separate program from
//! the engine (`il-engine`, the vault's accounting) because one Stylus
//! program must stay under 24 KiB compressed.
//!
//! Records (words, signed values as two's complement): `pool` (3): the
//! pool's sqrtPriceX96, the vault's tickLower and tickUpper; `price` (2):
//! numerator, denominator (token1 raw per token0 raw). Argument lists are
//! read with `il_math::vault::Args`: a malformed list reverts with
//! `PlannerMath(16)`; any other math failure with its il-math code.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::U256;
use alloy_sol_types::sol;
use il_math::{
    MathError, Price, Rounding,
    range::RangeRule,
    vault::{self, Args, Split},
};
use stylus_sdk::prelude::*;

fn flag(b: bool) -> U256 {
    U256::from(u8::from(b))
}

sol! {
    /// The planner's functions (word layouts in the crate documentation and
    /// on each method of [`Planner`]).
    #[sol(abi)]
    interface IPlanner {
        /// Rebalance plan: `pool[3], price[2], liquidity, idle0, idle1, targetBps` ->
        /// `currentBps, burn, add, add0, add1, burnValue`.
        function rebalancePlan(uint256[] args) external view returns (uint256[]);
        /// Slippage check of a liquidity move: `pool[3], price[2], minted, out0, out1, burnValue, in0, in1, maxBps` -> `ok`
        /// (`minted` liquidity in `pool`'s range for `in0`/`in1`; a burn worth `burnValue` returned `out0`/`out1`).
        function slippageOk(uint256[] args) external view returns (uint256[]);
        /// Hedge plan: `pool[3], price[2], liquidity, ratioBps, size, equity, idle1, collateralBps, maxStep` ->
        /// `target, delta, newSize, topUp`.
        function hedgePlan(uint256[] args) external view returns (uint256[]);

        /// Re-range plan: `pool[3], price[2], liquidity, sigma, spacing, kBps, horizonSecs, minWidth, maxWidth` ->
        /// `tickLower, tickUpper, burnValue` (ticks as int256; `kBps` 0: the full range).
        function rangePlan(uint256[] args) external view returns (uint256[]);

        /// Oracle price and spot deviation: `answer, answerDecimals, decimals0, decimals1, sqrtPriceX96` ->
        /// `num, den, deviationBps`.
        function price(uint256[] args) external view returns (uint256[]);
        /// Vault-wide accounting at `price` (`il_math::vault::vault_split`): `ledger[13], pool[3], fees[2], price[2],
        /// equity, supply` -> `value, hold, pnl, il, fees, hedgePnl` (signed words as int256).
        function accounting(uint256[] args) external view returns (uint256[]);
        /// One holder's accounting (`il_math::vault::holder_split`): `ledger[13], holder[8], pool[3], fees[2], price[2],
        /// equity, supply, balance` -> `value, hold, pnl, il, fees, hedgePnl`.
        function accountOf(uint256[] args) external view returns (uint256[]);
        /// What a v4 position is owed (`il_math::vault::fees_owed`): `liquidity, inside0, last0, inside1, last1` -> `fee0, fee1`.
        function feesOwed(uint256[] args) external view returns (uint256[]);

        /// Fixed-point arithmetic failed: `code` is the il-math error code (16
        /// for a malformed argument list).
        #[derive(Debug, PartialEq, Eq)]
        error PlannerMath(uint8 code);
    }
}

pub use IPlanner::PlannerMath;

il_common::solidity_errors! {
    /// Every way a call can fail.
    pub enum PlannerError {
        Math(PlannerMath { code }),
    }
}

impl From<MathError> for PlannerError {
    fn from(err: MathError) -> Self {
        PlannerMath { code: err.code() }.into()
    }
}

/// The planner has no storage.
#[storage]
pub struct Planner {}

impl Planner {
    /// Nothing to set up; the constructor exists so the planner deploys like
    /// every other contract.
    ///
    /// # Errors
    /// None.
    pub fn constructor(&mut self) -> Result<(), PlannerError> {
        Ok(())
    }

    /// The oracle price as an exact rational, and the pool's spot deviation
    /// from it. Args: `answer (int256), answerDecimals, decimals0, decimals1,
    /// sqrtPriceX96`. Returns `num, den, deviationBps` (ceil).
    ///
    /// # Errors
    /// `PlannerMath` (4 for a pool not initialised, 5 for a non-positive
    /// answer, 6 for decimals over 36).
    pub fn price(&self, args: Vec<U256>) -> Result<Vec<U256>, PlannerError> {
        let mut a = Args(&args);
        let answer = a.signed()?;
        let (d, d0, d1): (u8, u8, u8) = (a.small()?, a.small()?, a.small()?);
        let price = Price::from_oracle(answer, d, d0, d1)?;
        let spot = Price::from_sqrt_price_x96(a.word()?, Rounding::Floor)?;
        Ok([price.num(), price.den(), spot.deviation_bps(&price)?].to_vec())
    }

    /// Vault-wide accounting at `price`, the ledger brought to now
    /// (`il_math::vault::vault_split`). Args: `ledger[13], pool[3],
    /// fees[2], price[2], equity (int256), supply`. Returns `value, hold,
    /// pnl, il, fees, hedgePnl` (the last four int256).
    ///
    /// # Errors
    /// `PlannerMath`.
    pub fn accounting(&self, args: Vec<U256>) -> Result<Vec<U256>, PlannerError> {
        let mut a = Args(&args);
        let (ledger, pool, fees, price) = (a.ledger()?, a.pool()?, a.fees()?, a.price()?);
        let (equity, supply) = (a.signed()?, a.word()?);
        Ok(split_words(&vault::vault_split(
            &ledger, &pool, fees, &price, equity, supply,
        )?))
    }

    /// One holder's accounting (`il_math::vault::holder_split`). Args:
    /// `ledger[13], holder[8], pool[3], fees[2], price[2], equity, supply,
    /// balance`. Returns as `accounting`.
    ///
    /// # Errors
    /// `PlannerMath`.
    pub fn account_of(&self, args: Vec<U256>) -> Result<Vec<U256>, PlannerError> {
        let mut a = Args(&args);
        let (ledger, holder, pool) = (a.ledger()?, a.holder()?, a.pool()?);
        let (fees, price, equity) = (a.fees()?, a.price()?, a.signed()?);
        let (supply, balance) = (a.word()?, a.word()?);
        Ok(split_words(&vault::holder_split(
            &ledger, &holder, &pool, fees, &price, equity, supply, balance,
        )?))
    }

    /// What a v4 position is owed (`il_math::vault::fees_owed`). Args:
    /// `liquidity, inside0, last0, inside1, last1` (fee growth X128).
    /// Returns `fee0, fee1`.
    ///
    /// # Errors
    /// `PlannerMath`.
    pub fn fees_owed(&self, args: Vec<U256>) -> Result<Vec<U256>, PlannerError> {
        let mut a = Args(&args);
        let l = a.word()?;
        let (inside0, last0, inside1, last1) = (a.word()?, a.word()?, a.word()?, a.word()?);
        Ok([
            vault::fees_owed(inside0, last0, l)?,
            vault::fees_owed(inside1, last1, l)?,
        ]
        .to_vec())
    }
    /// A rebalance plan (`il_math::vault::plan_rebalance`).
    /// Args: `pool[3], price[2], liquidity, idle0, idle1, targetBps`.
    /// Returns `currentBps, burn, add, add0, add1, burnValue`.
    ///
    /// # Errors
    /// `PlannerMath`.
    pub fn rebalance_plan(&self, args: Vec<U256>) -> Result<Vec<U256>, PlannerError> {
        let mut a = Args(&args);
        let (pool, price) = (a.pool()?, a.price()?);
        let (l, idle0, idle1, target) = (a.word()?, a.word()?, a.word()?, a.small::<u16>()?);
        let p = vault::plan_rebalance(&pool, &price, l, idle0, idle1, target)?;
        Ok([
            U256::from(p.current_bps),
            p.burn,
            p.add,
            p.add0,
            p.add1,
            p.burn_value,
        ]
        .to_vec())
    }

    /// A re-range plan (`il_math::vault::plan_rerange`): the range rule's
    /// base range centred on the oracle price, or the full range when
    /// `kBps` is 0 (the other rule words are then ignored).
    /// Args: `pool[3], price[2], liquidity, sigma, spacing, kBps,
    /// horizonSecs, minWidth, maxWidth`.
    /// Returns `tickLower, tickUpper` (int256), `burnValue`.
    ///
    /// # Errors
    /// `PlannerMath` (3 for a rule outside its domain).
    pub fn range_plan(&self, args: Vec<U256>) -> Result<Vec<U256>, PlannerError> {
        let mut a = Args(&args);
        let (pool, price, l, sigma) = (a.pool()?, a.price()?, a.word()?, a.word()?);
        let spacing = a.small::<i32>()?;
        let rule = RangeRule {
            k_bps: a.small()?,
            horizon_secs: a.small()?,
            min_width: a.small()?,
            max_width: a.small()?,
        };
        let rule = (rule.k_bps != 0).then_some(&rule);
        let p = vault::plan_rerange(&pool, &price, l, sigma, spacing, rule)?;
        Ok([
            vault::tick_word(p.tick_lower),
            vault::tick_word(p.tick_upper),
            p.burn_value,
        ]
        .to_vec())
    }

    /// Whether a liquidity move's burn and mint are within the slippage
    /// bound at `price` (`il_math::vault::move_within_slippage`): the
    /// manager's rebalances (one leg) and re-ranges (both). Args: `pool[3]`
    /// (the range `minted` went to), `price[2], minted, out0, out1,
    /// burnValue, in0, in1, maxBps`. Returns `ok`.
    ///
    /// # Errors
    /// `PlannerMath`.
    pub fn slippage_ok(&self, args: Vec<U256>) -> Result<Vec<U256>, PlannerError> {
        let mut a = Args(&args);
        let (pool, price, minted) = (a.pool()?, a.price()?, a.word()?);
        let out = (a.word()?, a.word()?);
        let burn_value = a.word()?;
        let paid = (a.word()?, a.word()?);
        let max = a.small::<u16>()?;
        Ok([flag(vault::move_within_slippage(
            &price, &pool, minted, out, burn_value, paid, max,
        )?)]
        .to_vec())
    }

    /// A hedge plan (`il_math::vault::plan_hedge`).
    /// Args: `pool[3], price[2], liquidity, ratioBps, size (int256), equity
    /// (int256), idle1, collateralBps, maxStep`.
    /// Returns `target, delta, newSize (int256), topUp`.
    ///
    /// # Errors
    /// `PlannerMath`.
    pub fn hedge_plan(&self, args: Vec<U256>) -> Result<Vec<U256>, PlannerError> {
        let mut a = Args(&args);
        let (pool, price) = (a.pool()?, a.price()?);
        let (lp, ratio, size, equity, idle1, cbps, step) = (
            a.word()?,
            a.small::<u16>()?,
            a.signed()?,
            a.signed()?,
            a.word()?,
            a.small::<u16>()?,
            a.word()?,
        );
        let p = vault::plan_hedge(&pool, &price, lp, ratio, size, equity, idle1, cbps, step)?;
        Ok([
            p.target.into_raw(),
            p.delta.into_raw(),
            p.new_size.into_raw(),
            p.top_up,
        ]
        .to_vec())
    }
}

/// A split's words: value, hold, then the signed parts.
fn split_words(s: &Split) -> Vec<U256> {
    [
        s.value,
        s.hold,
        s.pnl.into_raw(),
        s.il.into_raw(),
        s.fees.into_raw(),
        s.hedge.into_raw(),
    ]
    .to_vec()
}

il_common::lean_router! {
    Planner, PlannerError;
    constructor();
    IPlanner::rebalancePlanCall => rebalance_plan(args: Vec<U256>);
    IPlanner::slippageOkCall => slippage_ok(args: Vec<U256>);
    IPlanner::hedgePlanCall => hedge_plan(args: Vec<U256>);
    IPlanner::rangePlanCall => range_plan(args: Vec<U256>);
    IPlanner::priceCall => price(args: Vec<U256>);
    IPlanner::accountingCall => accounting(args: Vec<U256>);
    IPlanner::accountOfCall => account_of(args: Vec<U256>);
    IPlanner::feesOwedCall => fees_owed(args: Vec<U256>);
}

/// The Solidity interface of the contract, as committed in `IPlanner.sol`.
#[cfg(feature = "export-abi")]
pub fn interface() -> alloc::string::String {
    il_common::abi::render(
        "Planner",
        &[
            IPlanner::abi::contract(),
            il_common::router::RouterErrors::abi::contract(),
        ],
    )
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests;
