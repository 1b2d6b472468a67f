//! The engine: the vault system's fixed-point rules as a stateless on-chain
//! library.
//!
//! Every function is pure (no storage, no calls): it takes word records
//! and returns word records, and is exactly a function of
//! `il_math::vault`, the code the keeper's backtest runs off chain. The
//! vault calls it (static calls) for every transition of its accounting,
//! and the lens to preview deposits, instead of carrying the math
//! themselves: a Stylus program must stay under 24 KiB compressed, and the
//! vault with its own copy of the math measured 34 KB. Prices, plans and
//! the accounting views are the planner's (`il-planner`).
//!
//! Records (words, signed values as two's complement, booleans as 0/1):
//! - `ledger` (13): liquidity, idle0, idle1, hedgeActive, hold0, hold1,
//!   fee0PerShare, fee1PerShare, fee0Total, fee1Total, hedgePerShare,
//!   hedgeTotal, equityLast (`il_math::vault::Ledger`);
//! - `holder` (8): hold0, hold1, fee0, fee0Debt, fee1, fee1Debt, hedgePnl,
//!   hedgeDebt (`il_math::vault::HolderRecord`);
//! - `pool` (3): the pool's sqrtPriceX96, the vault's tickLower and
//!   tickUpper (int256 words) (`il_math::vault::PoolState`);
//! - `fees` (2): the fees (token0, token1 raw) the pool paid the vault's
//!   position now, to be credited;
//! - `venue` (5): valued (1 when the venue could value the account now, 0
//!   when its feed is stale or failing), equity at the mark (int256), open
//!   size (int256, token0 raw), mark numerator, mark denominator
//!   (`il_math::vault::VenueState`; a flat account has size 0 and mark 1/1);
//! - `price` (2): numerator, denominator (token1 raw per token0 raw).
//!
//! The argument cursor and the record layouts are `il_math::vault`'s
//! (`Args`, shared with the planner).
//!
//! Each function documents its argument and result layout. A malformed
//! argument list reverts with `EngineMath(16)` (invalid input); any other
//! math failure with its il-math code.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::U256;
use alloy_sol_types::sol;
use il_math::{
    MathError,
    vault::{self, Accruals, Args, VenueExit},
};

use stylus_sdk::prelude::*;

/// Shares locked at a vault's first deposit (`il_vault::MINIMUM_SHARES`).
pub const MINIMUM_SHARES: u64 = 1_000;

sol! {
    /// The engine's functions (word layouts in the crate documentation and
    /// on each method of [`Engine`]).
    #[sol(abi)]
    interface IEngine {
        /// Brings a ledger to now: `ledger[13], pool[3], fees[2], venue[5], supply` -> `ledger[13]`.
        function checkpoint(uint256[] args) external view returns (uint256[]);
        /// A deposit: `ledger[13], holder[8], pool[3], fees[2], venue[5], supply, balance, max0, max1` ->
        /// `ledger[13], holder[8], shares, amount0, amount1, liquidity, toPool0, toPool1, total0, total1`.
        function deposit(uint256[] args) external view returns (uint256[]);
        /// A withdrawal: `ledger[13], holder[8], pool[3], fees[2], venue[5], supply, balance, shares` ->
        /// `ledger[13], holder[8], liquidity, idle0, idle1, fractionWad, equityOut`.
        function withdraw(uint256[] args) external view returns (uint256[]);
        /// The venue part of a withdrawal: `ledger[13], supplyAfter, fractionWad, equityBefore,
        /// equityOut, inKind, paid, equityAfter` -> `ledger[13], due`.
        function settleVenue(uint256[] args) external view returns (uint256[]);
        /// A share transfer: `from[8], to[8], fee0PerShare, fee1PerShare, hedgePerShare, balanceFrom,
        /// balanceTo, value` -> `from[8], to[8]`.
        function transfer(uint256[] args) external view returns (uint256[]);
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

    /// Brings a ledger's accumulators to now (crediting the fees collected).
    /// Args: `ledger[13], pool[3], fees[2], venue[5], supply` (the venue
    /// valued). Returns `ledger[13]`.
    ///
    /// # Errors
    /// `EngineMath`.
    pub fn checkpoint(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let (ledger, _pool, fees) = (a.ledger()?, a.pool()?, a.fees()?);
        let (venue, supply) = (a.valued()?, a.word()?);
        Ok(vault::checkpoint(&ledger, fees, venue.equity, supply)?
            .to_words()
            .to_vec())
    }

    /// A deposit (`il_math::vault::deposit`, `MINIMUM_SHARES` locked at the first).
    /// Args: `ledger[13], holder[8], pool[3], fees[2], venue[5], supply,
    /// balance, max0, max1` (the venue valued).
    /// Returns `ledger[13], holder[8], shares, amount0, amount1, liquidity,
    /// toPool0, toPool1, total0, total1`.
    ///
    /// # Errors
    /// `EngineMath`.
    pub fn deposit(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let (ledger, holder, pool, fees) = (a.ledger()?, a.holder()?, a.pool()?, a.fees()?);
        let venue = a.valued()?;
        let (supply, balance, max0, max1) = (a.word()?, a.word()?, a.word()?, a.word()?);
        let (l, h, q) = vault::deposit(
            &ledger,
            &holder,
            &pool,
            fees,
            &venue,
            supply,
            balance,
            max0,
            max1,
            MINIMUM_SHARES,
        )?;
        let mut out = Vec::with_capacity(30);
        out.extend_from_slice(&l.to_words());
        out.extend_from_slice(&h.to_words());
        out.extend_from_slice(&[
            q.shares,
            q.amount0,
            q.amount1,
            q.liquidity,
            q.to_pool0,
            q.to_pool1,
            q.total0,
            q.total1,
        ]);
        Ok(out)
    }

    /// A withdrawal (`il_math::vault::withdraw`); the venue may be unvalued.
    /// Args: `ledger[13], holder[8], pool[3], fees[2], venue[5], supply,
    /// balance, shares`.
    /// Returns `ledger[13], holder[8], liquidity, idle0, idle1, fractionWad,
    /// equityOut`.
    ///
    /// # Errors
    /// `EngineMath` (16 when `shares > balance` or `balance > supply`).
    pub fn withdraw(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let (ledger, holder, pool, fees) = (a.ledger()?, a.holder()?, a.pool()?, a.fees()?);
        let venue = a.venue()?;
        let (supply, balance, shares) = (a.word()?, a.word()?, a.word()?);
        let (l, h, r) = vault::withdraw(
            &ledger,
            &holder,
            &pool,
            fees,
            venue.as_ref(),
            supply,
            balance,
            shares,
        )?;
        let mut out = Vec::with_capacity(26);
        out.extend_from_slice(&l.to_words());
        out.extend_from_slice(&h.to_words());
        out.extend_from_slice(&[
            r.liquidity,
            r.idle0,
            r.idle1,
            r.fraction_wad,
            r.equity_out.into_raw(),
        ]);
        Ok(out)
    }

    /// The venue part of a withdrawal (`il_math::vault::settle_venue`).
    /// Args: `ledger[13], supplyAfter, fractionWad, equityBefore, equityOut,
    /// inKind, paid, equityAfter` (signed equities; `paid` and `equityAfter`
    /// ignored in kind). Returns `ledger[13], due`.
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
    /// Args: `from[8], to[8], fee0PerShare, fee1PerShare, hedgePerShare,
    /// balanceFrom, balanceTo, value`. Returns `from[8], to[8]`.
    ///
    /// # Errors
    /// `EngineMath`.
    pub fn transfer(&self, args: Vec<U256>) -> Result<Vec<U256>, EngineError> {
        let mut a = Args(&args);
        let (from, to) = (a.holder()?, a.holder()?);
        let acc = Accruals {
            fee0_per_share: a.word()?,
            fee1_per_share: a.word()?,
            hedge_per_share: a.signed()?,
            ..Accruals::default()
        };
        let (bf, bt, value) = (a.word()?, a.word()?, a.word()?);
        let (f, t) = vault::transfer(&from, &to, &acc, bf, bt, value)?;
        let mut out = Vec::with_capacity(16);
        out.extend_from_slice(&f.to_words());
        out.extend_from_slice(&t.to_words());
        Ok(out)
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
