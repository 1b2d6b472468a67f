//! The engine: the vault system's fixed-point rules as a stateless on-chain
//! library.
//!
//! Every function is pure (no storage, no calls): it takes word records
//! and returns word records, and is exactly a function of
//! `il_math::vault`, the code the keeper's backtest runs off chain. The
//! vault calls it (static calls) for every transition of its accounting,
//! and the manager for the oracle price and its rebalance and hedge plans,
//! instead of carrying the math themselves: a Stylus program must stay
//! under 24 KiB compressed, and the vault with its own copy of the math
//! measured 34 KB. The lens calls it to preview deposits.
//!
//! Records (words, signed values as two's complement, booleans as 0/1):
//! - `ledger` (12): lp, idle0, idle1, hedgeActive, hold0, hold1,
//!   feePerShare, feeTotal, hedgePerShare, hedgeTotal, growthLast,
//!   equityLast (`il_math::vault::Ledger`);
//! - `holder` (6): hold0, hold1, feeLiquidity, feeDebt, hedgePnl, hedgeDebt
//!   (`il_math::vault::HolderRecord`);
//! - `pool` (3): reserve0, reserve1, supply;
//! - `venue` (5): valued (1 when the venue could value the account now, 0
//!   when its feed is stale or failing), equity at the mark (int256), open
//!   size (int256, token0 raw), mark numerator, mark denominator
//!   (`il_math::vault::VenueState`; a flat account has size 0 and mark 1/1);
//! - `price` (2): numerator, denominator (token1 raw per token0 raw).
//!
//! Each function documents its argument and result layout. A malformed
//! argument list reverts with `EngineMath(16)` (invalid input); any other
//! math failure with its il-math code.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::{I256, U256};
use alloy_sol_types::sol;
use il_math::{
    MathError, Price,
    vault::{self, Accruals, HolderRecord, Ledger, PoolState, VenueExit, VenueState},
};

fn flag(b: bool) -> U256 {
    U256::from(u8::from(b))
}
use stylus_sdk::prelude::*;

/// Shares locked at a vault's first deposit (`il_vault::MINIMUM_SHARES`).
pub const MINIMUM_SHARES: u64 = 1_000;

sol! {
    /// The engine's functions (word layouts in the crate documentation and
    /// on each method of [`Engine`]).
    #[sol(abi)]
    interface IEngine {
        /// Brings a ledger to now: `ledger[12], pool[3], venue[5], supply` -> `ledger[12]`.
        function checkpoint(uint256[] args) external view returns (uint256[]);
        /// A deposit: `ledger[12], holder[6], pool[3], venue[5], supply, balance, max0, max1` ->
        /// `ledger[12], holder[6], shares, amount0, amount1, toPool0, toPool1, total0, total1`.
        function deposit(uint256[] args) external view returns (uint256[]);
        /// A withdrawal: `ledger[12], holder[6], pool[3], venue[5], supply, balance, shares` ->
        /// `ledger[12], holder[6], lp, idle0, idle1, fractionWad, equityOut`.
        function withdraw(uint256[] args) external view returns (uint256[]);
        /// The venue part of a withdrawal: `ledger[12], supplyAfter, fractionWad, equityBefore,
        /// equityOut, inKind, paid, equityAfter` -> `ledger[12], due`.
        function settleVenue(uint256[] args) external view returns (uint256[]);
        /// A share transfer: `from[6], to[6], feePerShare, hedgePerShare, balanceFrom, balanceTo, value` -> `from[6], to[6]`.
        function transfer(uint256[] args) external view returns (uint256[]);
        /// Oracle price and spot deviation: `answer, answerDecimals, decimals0, decimals1, reserve0, reserve1` ->
        /// `num, den, deviationBps`.
        function price(uint256[] args) external view returns (uint256[]);
        /// Rebalance plan: `pool[3], price[2], lp, idle0, idle1, targetBps` -> `currentBps, burnLp, add0, add1, burnValue`.
        function rebalancePlan(uint256[] args) external view returns (uint256[]);
        /// Fair value of pool shares: `pool[3], price[2], lp` -> `value`.
        function lpValue(uint256[] args) external view returns (uint256[]);
        /// Slippage check: `price[2], amount0, amount1, fairValue, burned, maxBps` -> `ok`.
        function slippageOk(uint256[] args) external view returns (uint256[]);
        /// Hedge plan: `pool[3], price[2], lp, ratioBps, size, equity, idle1, collateralBps, maxStep` ->
        /// `target, delta, newSize, topUp`.
        function hedgePlan(uint256[] args) external view returns (uint256[]);

        /// Fixed-point arithmetic failed: `code` is the il-math error code (1
        /// division by zero, 2 overflow, 3 underflow, 4 zero price, 5 non-positive
        /// price, 6 decimals out of range, ..., 16 malformed arguments or a
        /// venue block that could not be valued where a value is needed).
        #[derive(Debug, PartialEq, Eq)]
        error EngineMath(uint8 code);
    }
}

pub use IEngine::EngineMath;

il_common::solidity_errors! {
    /// Every way a call can fail.
    pub enum EngineError {
        Math(EngineMath { code }),
    }
}

impl From<MathError> for EngineError {
    fn from(err: MathError) -> Self {
        EngineMath { code: err.code() }.into()
    }
}

/// A cursor over an argument list.
struct Args<'a>(&'a [U256]);

impl<'a> Args<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [U256], MathError> {
        if self.0.len() < n {
            return Err(MathError::InvalidInput);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn word(&mut self) -> Result<U256, MathError> {
        Ok(self.take(1)?[0])
    }

    fn signed(&mut self) -> Result<I256, MathError> {
        Ok(I256::from_raw(self.word()?))
    }

    fn ledger(&mut self) -> Result<Ledger, MathError> {
        Ledger::from_words(self.take(Ledger::WORDS)?)
    }

    fn holder(&mut self) -> Result<HolderRecord, MathError> {
        HolderRecord::from_words(self.take(HolderRecord::WORDS)?)
    }

    fn price(&mut self) -> Result<Price, MathError> {
        let w = self.take(2)?;
        Price::new(w[0], w[1])
    }

    fn small<T: TryFrom<U256>>(&mut self) -> Result<T, MathError> {
        T::try_from(self.word()?).map_err(|_| MathError::InvalidInput)
    }

    /// The venue block: `None` when not valued.
    fn venue(&mut self) -> Result<Option<VenueState>, MathError> {
        let w = self.take(5)?;
        if w[0].is_zero() {
            return Ok(None);
        }
        Ok(Some(VenueState {
            equity: I256::from_raw(w[1]),
            size: I256::from_raw(w[2]),
            mark: Price::new(w[3], w[4])?,
        }))
    }

    /// A venue block that must be valued.
    fn valued(&mut self) -> Result<VenueState, MathError> {
        self.venue()?.ok_or(MathError::InvalidInput)
    }

    fn pool(&mut self) -> Result<PoolState, MathError> {
        let w = self.take(3)?;
        Ok(PoolState {
            reserve0: w[0],
            reserve1: w[1],
            supply: w[2],
        })
    }
}

/// The engine has no storage.
#[storage]
pub struct Engine {}

impl Engine {
    /// Nothing to set up; the constructor exists so the engine deploys like
    /// every other contract.
    ///
    /// # Errors
    /// None.
    pub fn constructor(&mut self) -> Result<(), EngineError> {
        Ok(())
    }

    /// Brings a ledger's accumulators to now.
    /// Args: `ledger[12], pool[3], venue[5], supply` (the venue valued).
    /// Returns `ledger[12]`.
    ///
    /// # Errors
    /// `EngineMath`.
    pub fn checkpoint(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let (ledger, pool, venue, supply) = (a.ledger()?, a.pool()?, a.valued()?, a.word()?);
        Ok(vault::checkpoint(&ledger, &pool, venue.equity, supply)?
            .to_words()
            .to_vec())
    }

    /// A deposit (`il_math::vault::deposit`, `MINIMUM_SHARES` locked at the first).
    /// Args: `ledger[12], holder[6], pool[3], venue[5], supply, balance, max0, max1`
    /// (the venue valued).
    /// Returns `ledger[12], holder[6], shares, amount0, amount1, toPool0, toPool1, total0, total1`.
    ///
    /// # Errors
    /// `EngineMath`.
    pub fn deposit(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let (ledger, holder, pool, venue) = (a.ledger()?, a.holder()?, a.pool()?, a.valued()?);
        let (supply, balance, max0, max1) = (a.word()?, a.word()?, a.word()?, a.word()?);
        let (l, h, q) = vault::deposit(
            &ledger,
            &holder,
            &pool,
            &venue,
            supply,
            balance,
            max0,
            max1,
            MINIMUM_SHARES,
        )?;
        let mut out = Vec::with_capacity(27);
        out.extend_from_slice(&l.to_words());
        out.extend_from_slice(&h.to_words());
        out.extend_from_slice(&[
            q.shares, q.amount0, q.amount1, q.to_pool0, q.to_pool1, q.total0, q.total1,
        ]);
        Ok(out)
    }

    /// A withdrawal (`il_math::vault::withdraw`); the venue may be unvalued.
    /// Args: `ledger[12], holder[6], pool[3], venue[5], supply, balance, shares`.
    /// Returns `ledger[12], holder[6], lp, idle0, idle1, fractionWad, equityOut`.
    ///
    /// # Errors
    /// `EngineMath` (16 when `shares > balance` or `balance > supply`).
    pub fn withdraw(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let (ledger, holder, pool, venue) = (a.ledger()?, a.holder()?, a.pool()?, a.venue()?);
        let (supply, balance, shares) = (a.word()?, a.word()?, a.word()?);
        let (l, h, r) = vault::withdraw(
            &ledger,
            &holder,
            &pool,
            venue.as_ref(),
            supply,
            balance,
            shares,
        )?;
        let mut out = Vec::with_capacity(23);
        out.extend_from_slice(&l.to_words());
        out.extend_from_slice(&h.to_words());
        out.extend_from_slice(&[
            r.lp,
            r.idle0,
            r.idle1,
            r.fraction_wad,
            r.equity_out.into_raw(),
        ]);
        Ok(out)
    }

    /// The venue part of a withdrawal (`il_math::vault::settle_venue`).
    /// Args: `ledger[12], supplyAfter, fractionWad, equityBefore, equityOut,
    /// inKind, paid, equityAfter` (signed equities; `paid` and `equityAfter`
    /// ignored in kind). Returns `ledger[12], due`.
    ///
    /// # Errors
    /// `EngineMath`.
    pub fn settle_venue(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let (ledger, supply_after, fraction) = (a.ledger()?, a.word()?, a.word()?);
        let (before, out) = (a.signed()?, a.signed()?);
        let (in_kind, paid, after) = (!a.word()?.is_zero(), a.word()?, a.signed()?);
        let exit = if in_kind {
            VenueExit::InKind
        } else {
            VenueExit::Paid {
                paid,
                equity_after: after,
            }
        };
        let (l, due) = vault::settle_venue(&ledger, supply_after, fraction, before, out, exit)?;
        let mut words = l.to_words().to_vec();
        words.push(due);
        Ok(words)
    }

    /// A share transfer (`il_math::vault::transfer`).
    /// Args: `from[6], to[6], feePerShare, hedgePerShare, balanceFrom, balanceTo, value`.
    /// Returns `from[6], to[6]`.
    ///
    /// # Errors
    /// `EngineMath`.
    pub fn transfer(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let (from, to) = (a.holder()?, a.holder()?);
        let acc = Accruals {
            fee_per_share: a.word()?,
            hedge_per_share: a.signed()?,
            ..Accruals::default()
        };
        let (bf, bt, value) = (a.word()?, a.word()?, a.word()?);
        let (f, t) = vault::transfer(&from, &to, &acc, bf, bt, value)?;
        let mut out = Vec::with_capacity(12);
        out.extend_from_slice(&f.to_words());
        out.extend_from_slice(&t.to_words());
        Ok(out)
    }

    /// The oracle price as an exact rational, and the pool's spot deviation
    /// from it. Args: `answer (int256), answerDecimals, decimals0, decimals1,
    /// reserve0, reserve1`. Returns `num, den, deviationBps` (ceil).
    ///
    /// # Errors
    /// `EngineMath` (5 for a non-positive answer, 6 for decimals over 36).
    pub fn price(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let answer = a.signed()?;
        let (d, d0, d1): (u8, u8, u8) = (a.small()?, a.small()?, a.small()?);
        let (r0, r1) = (a.word()?, a.word()?);
        let price = Price::from_oracle(answer, d, d0, d1)?;
        let spot = Price::from_reserves(r0, r1)?;
        Ok([price.num(), price.den(), spot.deviation_bps(&price)?].to_vec())
    }

    /// A rebalance plan (`il_math::vault::plan_rebalance`).
    /// Args: `pool[3], price[2], lp, idle0, idle1, targetBps`.
    /// Returns `currentBps, burnLp, add0, add1, burnValue`.
    ///
    /// # Errors
    /// `EngineMath`.
    pub fn rebalance_plan(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let (pool, price) = (a.pool()?, a.price()?);
        let (lp, idle0, idle1, target) = (a.word()?, a.word()?, a.word()?, a.small::<u16>()?);
        let p = vault::plan_rebalance(&pool, &price, lp, idle0, idle1, target)?;
        Ok([
            U256::from(p.current_bps),
            p.burn_lp,
            p.add0,
            p.add1,
            p.burn_value,
        ]
        .to_vec())
    }

    /// The fair value of `lp` pool shares at `price` (`il_math::vault::lp_value`).
    /// Args: `pool[3], price[2], lp`. Returns `value` (token1 raw, floor).
    ///
    /// # Errors
    /// `EngineMath`.
    pub fn lp_value(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let (pool, price, lp) = (a.pool()?, a.price()?, a.word()?);
        Ok([vault::lp_value(&pool, lp, &price)?].to_vec())
    }

    /// Whether a rebalance's tokens and pool shares are within the slippage
    /// bound (`il_math::vault::rebalance_within_slippage`).
    /// Args: `price[2], amount0, amount1, fairValue, burned, maxBps`. Returns `ok`.
    ///
    /// # Errors
    /// `EngineMath`.
    pub fn slippage_ok(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let price = a.price()?;
        let (amount0, amount1, fair, burned, max) = (
            a.word()?,
            a.word()?,
            a.word()?,
            !a.word()?.is_zero(),
            a.small::<u16>()?,
        );
        Ok([flag(vault::rebalance_within_slippage(
            &price, amount0, amount1, fair, burned, max,
        )?)]
        .to_vec())
    }

    /// A hedge plan (`il_math::vault::plan_hedge`).
    /// Args: `pool[3], price[2], lp, ratioBps, size (int256), equity (int256),
    /// idle1, collateralBps, maxStep`.
    /// Returns `target, delta, newSize (int256), topUp`.
    ///
    /// # Errors
    /// `EngineMath`.
    pub fn hedge_plan(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
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

il_common::lean_router! {
    Engine, EngineError;
    constructor();
    IEngine::checkpointCall => checkpoint(args: Vec<U256>);
    IEngine::depositCall => deposit(args: Vec<U256>);
    IEngine::withdrawCall => withdraw(args: Vec<U256>);
    IEngine::settleVenueCall => settle_venue(args: Vec<U256>);
    IEngine::transferCall => transfer(args: Vec<U256>);
    IEngine::priceCall => price(args: Vec<U256>);
    IEngine::rebalancePlanCall => rebalance_plan(args: Vec<U256>);
    IEngine::lpValueCall => lp_value(args: Vec<U256>);
    IEngine::slippageOkCall => slippage_ok(args: Vec<U256>);
    IEngine::hedgePlanCall => hedge_plan(args: Vec<U256>);
}

/// The Solidity interface of the contract, as committed in `IEngine.sol`.
#[cfg(feature = "export-abi")]
pub fn interface() -> alloc::string::String {
    il_common::abi::render(
        "Engine",
        &[
            IEngine::abi::contract(),
            il_common::router::RouterErrors::abi::contract(),
        ],
    )
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests;
