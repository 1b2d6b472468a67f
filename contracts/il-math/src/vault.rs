//! The vault's valuation, accounting and bounds as pure functions, shared by
//! the vault contract (checkpoints, deposits, withdrawals), the manager
//! (rebalance and hedge amounts), the lens (views) and the keeper's
//! backtest, so they all apply the same rules to the wei. Every division
//! states its rounding, always in the vault's favour: assets and credited
//! income round down, what a depositor owes rounds up.
//!
//! The pool is a Uniswap v4 pool: the vault holds `liquidity` over its range
//! of ticks (the full range to start), valued with the closed forms of
//! [`crate::v4::RangePosition`]; fees arrive as tokens when the position is
//! touched and are credited per share as token amounts.

use alloy_primitives::{I256, U256};

use crate as il_math;
use crate::v4::{self, RangePosition};
use crate::{MathError, Price, Rounding, WAD};

/// What the vault holds: `liquidity` in its pool range, idle tokens, and the
/// signed equity of its account at the hedge venue (token1 raw units).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Holdings {
    pub liquidity: U256,
    pub idle0: U256,
    pub idle1: U256,
    pub equity: I256,
}

/// The pool as the vault sees it: its price now (`slot0.sqrtPriceX96`,
/// Q64.96) and the vault's range of ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolState {
    pub sqrt_price: U256,
    pub tick_lower: i32,
    pub tick_upper: i32,
}

impl PoolState {
    /// The pool's spot price, `sqrtPriceX96^2 / 2^192` (rounded down only
    /// above `2^64`): what a swap in the same transaction can move (never
    /// used to value; only as the second mark and for the deviation bound).
    ///
    /// # Errors
    /// `ZeroPrice` for a pool not initialised.
    pub fn spot(&self) -> Result<Price, MathError> {
        Price::from_sqrt_price_x96(self.sqrt_price, Rounding::Floor)
    }

    /// `liquidity` over the vault's range.
    ///
    /// # Errors
    /// `Overflow` if `liquidity >= 2^128`; the tick errors of
    /// [`RangePosition::from_ticks`].
    pub fn position(&self, liquidity: U256) -> Result<RangePosition, MathError> {
        RangePosition::from_ticks(to_liquidity(liquidity)?, self.tick_lower, self.tick_upper)
    }

    /// The sqrt prices of the range's bounds.
    ///
    /// # Errors
    /// As [`v4::sqrt_price_at_tick`].
    pub fn bounds(&self) -> Result<(U256, U256), MathError> {
        Ok((
            v4::sqrt_price_at_tick(self.tick_lower)?,
            v4::sqrt_price_at_tick(self.tick_upper)?,
        ))
    }
}

/// A liquidity word as v4's `uint128`.
///
/// # Errors
/// `Overflow` if it is `>= 2^128`.
pub fn to_liquidity(x: U256) -> Result<u128, MathError> {
    u128::try_from(x).map_err(|_| MathError::Overflow)
}

/// What a v4 position of `liquidity` is owed in one token: the fee growth
/// inside its range since its last change (`inside - last`, X128, wrapping
/// as v4 computes it) times its liquidity, over `2^128`, rounded down (as
/// v4-core's `Position.update`).
///
/// # Errors
/// `Overflow` (cannot happen for a liquidity below `2^128`).
pub fn fees_owed(inside: U256, last: U256, liquidity: U256) -> Result<U256, MathError> {
    il_math::mul_div(
        inside.wrapping_sub(last),
        liquidity,
        U256::from(1u8).wrapping_shl(128),
        Rounding::Floor,
    )
}

/// The vault's account at the hedge venue, as the venue reports it: the
/// equity at its mark (the oracle), the open size (token0 raw, negative:
/// short) and that mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VenueState {
    pub equity: I256,
    pub size: I256,
    pub mark: Price,
}

impl VenueState {
    /// An account with no open size holding `equity` (its collateral): its
    /// value needs no price.
    pub fn flat(equity: I256) -> Self {
        Self {
            equity,
            size: I256::ZERO,
            mark: Price::ONE,
        }
    }

    /// The equity at `price` instead of the mark. The venue's equity is
    /// `collateral + floor(size * P) - entry`, so it moves by exactly
    /// `floor(size * price) - floor(size * mark)`.
    ///
    /// # Errors
    /// `Overflow` outside the `I256` range.
    pub fn equity_at(&self, price: &Price) -> Result<I256, MathError> {
        if self.size.is_zero() {
            return Ok(self.equity);
        }
        let at = il_math::signed_mul_div(self.size, price.num(), price.den(), Rounding::Floor)?;
        let marked =
            il_math::signed_mul_div(self.size, self.mark.num(), self.mark.den(), Rounding::Floor)?;
        self.equity
            .checked_add(at)
            .and_then(|x| x.checked_sub(marked))
            .ok_or(MathError::Overflow)
    }

    /// The equity a depositor buys into: the HIGHER of its value at the mark
    /// and at the pool's `spot`. When the market has moved and the pool shows
    /// it before the feed does, a deposit pays for the hedge's gain the feed
    /// has not marked yet; pushing the spot only raises what the depositor
    /// pays.
    ///
    /// # Errors
    /// `Overflow`.
    pub fn entering(&self, spot: &Price) -> Result<I256, MathError> {
        Ok(self.equity.max(self.equity_at(spot)?))
    }

    /// The equity a withdrawal is paid from: the LOWER of its value at the
    /// mark and at the pool's `spot` (the mirror of [`Self::entering`]: no
    /// holder leaves with a hedge gain the feed shows but the market has
    /// already taken back).
    ///
    /// # Errors
    /// `Overflow`.
    pub fn leaving(&self, spot: &Price) -> Result<I256, MathError> {
        Ok(self.equity.min(self.equity_at(spot)?))
    }
}

/// Value in token1 of `liquidity` in the vault's range at `price` (the
/// oracle's): the closed form at that price, not the pool's spot, so a swap
/// in the same transaction cannot move it. Floor (the sqrt price is floored
/// first; the value never overstates).
///
/// # Errors
/// `Overflow`, `ZeroPrice`, the tick errors.
pub fn lp_value(pool: &PoolState, liquidity: U256, price: &Price) -> Result<U256, MathError> {
    if liquidity.is_zero() {
        return Ok(U256::ZERO);
    }
    pool.position(liquidity)?
        .value(price.sqrt_price_x96(Rounding::Floor))
}

/// Token amounts `liquidity` in the vault's range is made of at the pool's
/// SPOT price: what removing it pays now (rounded down, as v4 pays), and
/// what a deposit must match.
///
/// # Errors
/// As [`v4::amounts_for_liquidity`].
pub fn lp_amounts(pool: &PoolState, liquidity: U256) -> Result<(U256, U256), MathError> {
    if liquidity.is_zero() {
        return Ok((U256::ZERO, U256::ZERO));
    }
    let (a, b) = pool.bounds()?;
    v4::amounts_for_liquidity(pool.sqrt_price, a, b, to_liquidity(liquidity)?, false)
}

/// Token amounts adding `liquidity` to the vault's range takes at the
/// pool's spot price (rounded up, as v4 takes).
///
/// # Errors
/// As [`v4::amounts_for_liquidity`].
pub fn add_amounts(pool: &PoolState, liquidity: U256) -> Result<(U256, U256), MathError> {
    if liquidity.is_zero() {
        return Ok((U256::ZERO, U256::ZERO));
    }
    let (a, b) = pool.bounds()?;
    v4::amounts_for_liquidity(pool.sqrt_price, a, b, to_liquidity(liquidity)?, true)
}

/// The largest liquidity `amount0`/`amount1` pay for in the vault's range at
/// the pool's spot price (rounded down; adding it takes at most the amounts).
///
/// # Errors
/// As [`v4::liquidity_for_amounts`].
pub fn liquidity_for(pool: &PoolState, amount0: U256, amount1: U256) -> Result<U256, MathError> {
    let (a, b) = pool.bounds()?;
    Ok(U256::from(v4::liquidity_for_amounts(
        pool.sqrt_price,
        a,
        b,
        amount0,
        amount1,
    )?))
}

/// The vault's value in token1 at `price`: the LP at `price`, idle tokens,
/// and the hedge equity when positive (a negative equity is the venue's
/// loss, not the depositors' debt: the venue liquidates before). Floor.
///
/// # Errors
/// `Overflow`, the tick errors.
pub fn vault_value(pool: &PoolState, h: &Holdings, price: &Price) -> Result<U256, MathError> {
    let lp = lp_value(pool, h.liquidity, price)?;
    let idle0 = price.quote(h.idle0, Rounding::Floor)?;
    let equity = if h.equity.is_negative() {
        U256::ZERO
    } else {
        h.equity.into_raw()
    };
    il_math::add(il_math::add(il_math::add(lp, idle0)?, h.idle1)?, equity)
}

/// Value of the hold benchmark `(hold0, hold1)` at `price`. Ceil: the
/// benchmark is never understated, so IL is never understated.
pub fn hold_value(hold0: U256, hold1: U256, price: &Price) -> Result<U256, MathError> {
    il_math::hold_value(hold0, hold1, price, Rounding::Ceil)
}

/// A WAD-scaled signed amount in raw units, rounded toward -infinity.
pub fn from_wad_floor(x: I256) -> Result<I256, MathError> {
    il_math::signed_mul_div(x, U256::from(1u8), WAD, Rounding::Floor)
}

/// The short the hedge should hold: `ratio_bps / 1e4` of the token0 the
/// vault's LP holds at `price` (the position's delta there), as a negative
/// size (token0 raw units). The magnitude rounds down (never over-hedge by
/// rounding).
///
/// # Errors
/// `Overflow`, the tick errors.
pub fn hedge_target(
    pool: &PoolState,
    liquidity: U256,
    price: &Price,
    ratio_bps: u16,
) -> Result<I256, MathError> {
    if liquidity.is_zero() || ratio_bps == 0 {
        return Ok(I256::ZERO);
    }
    let held0 = pool
        .position(liquidity)?
        .delta(price.sqrt_price_x96(Rounding::Floor))?;
    let target = il_math::mul_div(
        held0,
        U256::from(ratio_bps),
        U256::from(il_math::BPS),
        Rounding::Floor,
    )?;
    il_math::to_negative(target)
}

/// The three numbers a keeper reads off the vault's position at `price`,
/// computed with one sqrt price and one range: the same values as
/// [`lp_value`], [`lp_bps`] and [`hedge_target`] (the tests check it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Valuation {
    /// As [`lp_value`].
    pub lp_value: U256,
    /// As [`lp_bps`].
    pub lp_bps: u16,
    /// As [`hedge_target`] at `ratio_bps`.
    pub hedge_target: I256,
}

/// See [`Valuation`].
///
/// # Errors
/// As [`lp_value`], [`lp_bps`] and [`hedge_target`].
pub fn valuation(
    pool: &PoolState,
    h: &Holdings,
    price: &Price,
    ratio_bps: u16,
) -> Result<Valuation, MathError> {
    if h.liquidity.is_zero() {
        return valuation_in((U256::ZERO, U256::ZERO), h, price, ratio_bps);
    }
    valuation_in(pool.bounds()?, h, price, ratio_bps)
}

/// [`valuation`] for a range whose sqrt-price bounds are already known
/// (`PoolState::bounds`): the same values, without recomputing them (a
/// replay values the same range every step).
///
/// # Errors
/// As [`valuation`]; `InvalidInterval` unless `lower < upper` when the
/// vault holds liquidity.
pub fn valuation_in(
    bounds: (U256, U256),
    h: &Holdings,
    price: &Price,
    ratio_bps: u16,
) -> Result<Valuation, MathError> {
    let (lp, held0) = if h.liquidity.is_zero() {
        (U256::ZERO, U256::ZERO)
    } else {
        let position = RangePosition::new(to_liquidity(h.liquidity)?, bounds.0, bounds.1)?;
        let s = price.sqrt_price_x96(Rounding::Floor);
        (position.value(s)?, position.delta(s)?)
    };
    let total = il_math::add(
        il_math::add(lp, price.quote(h.idle0, Rounding::Floor)?)?,
        h.idle1,
    )?;
    let lp_bps = if total.is_zero() {
        0
    } else {
        // cannot truncate: lp <= total, so bps <= 10_000.
        il_math::mul_div(lp, U256::from(il_math::BPS), total, Rounding::Floor)?
            .saturating_to::<u16>()
    };
    let hedge_target = if h.liquidity.is_zero() || ratio_bps == 0 {
        I256::ZERO
    } else {
        il_math::to_negative(il_math::mul_div(
            held0,
            U256::from(ratio_bps),
            U256::from(il_math::BPS),
            Rounding::Floor,
        )?)?
    };
    Ok(Valuation {
        lp_value: lp,
        lp_bps,
        hedge_target,
    })
}

/// Share of the capital (LP + idle, at `price`) that sits in the pool, bps.
/// Floor. An empty vault reports 0.
///
/// # Errors
/// `Overflow`, the tick errors.
pub fn lp_bps(pool: &PoolState, h: &Holdings, price: &Price) -> Result<u16, MathError> {
    let lp = lp_value(pool, h.liquidity, price)?;
    let total = il_math::add(
        il_math::add(lp, price.quote(h.idle0, Rounding::Floor)?)?,
        h.idle1,
    )?;
    if total.is_zero() {
        return Ok(0);
    }
    let bps = il_math::mul_div(lp, U256::from(il_math::BPS), total, Rounding::Floor)?;
    // cannot truncate: lp <= total, so bps <= 10_000.
    Ok(bps.saturating_to::<u16>())
}

/// Shares for a deposit of at most `(max0, max1)` into a vault holding
/// `(total0, total1)` with `supply` shares: the largest proportional
/// deposit, shares rounded down and the amounts taken rounded up.
/// Returns `(shares, amount0, amount1)`.
pub fn proportional_deposit(
    max0: U256,
    max1: U256,
    total0: U256,
    total1: U256,
    supply: U256,
) -> Result<(U256, U256, U256), MathError> {
    let by0 = if total0.is_zero() {
        U256::MAX
    } else {
        il_math::mul_div(max0, supply, total0, Rounding::Floor)?
    };
    let by1 = if total1.is_zero() {
        U256::MAX
    } else {
        il_math::mul_div(max1, supply, total1, Rounding::Floor)?
    };
    let shares = by0.min(by1);
    if shares == U256::MAX {
        return Err(MathError::DivisionByZero);
    }
    let amount0 = il_math::mul_div(shares, total0, supply, Rounding::Ceil)?;
    let amount1 = il_math::mul_div(shares, total1, supply, Rounding::Ceil)?;
    Ok((shares, amount0, amount1))
}

/// Accumulator step: `amount * WAD / supply` with the sign of `amount`,
/// rounded toward -infinity (credits floor, debits ceil: the vault's favour).
pub fn per_share(amount: I256, supply: U256) -> Result<I256, MathError> {
    if supply.is_zero() {
        return Ok(I256::ZERO);
    }
    il_math::signed_mul_div(amount, WAD, supply, Rounding::Floor)
}

/// `shares * (acc_now - acc_then)` for a signed accumulator.
pub fn accrued(shares: U256, acc_now: I256, acc_then: I256) -> Result<I256, MathError> {
    let delta = acc_now.checked_sub(acc_then).ok_or(MathError::Overflow)?;
    il_math::signed_mul(delta, shares)
}

/// `value * part / whole`, rounded toward zero (moving a pro-rata share of a
/// signed amount between holders conserves the sum exactly).
pub fn signed_share(value: I256, part: U256, whole: U256) -> Result<I256, MathError> {
    if whole.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    let magnitude = il_math::mul_div(value.unsigned_abs(), part, whole, Rounding::Floor)?;
    if value.is_negative() {
        il_math::to_negative(magnitude)
    } else {
        il_math::to_signed(magnitude)
    }
}

/// What a deposit of at most `(max0, max1)` does (see [`quote_deposit`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepositQuote {
    /// Shares minted to the depositor.
    pub shares: U256,
    /// Tokens taken (rounded up).
    pub amount0: U256,
    pub amount1: U256,
    /// Liquidity added to the vault's range for the deposit's pool part.
    pub liquidity: U256,
    /// What adding `liquidity` takes (rounded up, as v4 takes); the rest of
    /// the deposit stays idle.
    pub to_pool0: U256,
    pub to_pool1: U256,
    /// The vault's totals before the deposit (LP at spot + idle, and for
    /// token1 the hedge equity as the deposit values it).
    pub total0: U256,
    pub total1: U256,
}

/// The deposit rule. The first deposit (`supply == 0`) takes the amounts as
/// given, mints `sqrt(max0 * max1) - minimum_shares` (the minimum is locked
/// by the caller) and adds the largest liquidity they pay for at the pool's
/// price (the rest stays idle). Later deposits are proportional to the
/// vault's totals (shares floor, amounts ceil, see [`proportional_deposit`])
/// and add the same share of the vault's liquidity, cut to what the
/// deposit's pool part pays for (so adding never needs more than the
/// depositor brought).
///
/// # Errors
/// `ZeroPrice` (a pool not initialised: no price to deposit at),
/// `Overflow`, `DivisionByZero` (an empty vault with shares), the tick and
/// sqrt-price errors.
#[allow(clippy::too_many_arguments)]
pub fn quote_deposit(
    pool: &PoolState,
    liquidity: U256,
    idle0: U256,
    idle1: U256,
    equity: I256,
    supply: U256,
    max0: U256,
    max1: U256,
    minimum_shares: u64,
) -> Result<DepositQuote, MathError> {
    if pool.sqrt_price.is_zero() {
        return Err(MathError::ZeroPrice);
    }
    if supply.is_zero() {
        let root = il_math::sqrt_product(max0, max1, Rounding::Floor);
        let added = liquidity_for(pool, max0, max1)?;
        let (to_pool0, to_pool1) = add_amounts(pool, added)?;
        return Ok(DepositQuote {
            shares: root.saturating_sub(U256::from(minimum_shares)),
            amount0: max0,
            amount1: max1,
            liquidity: added,
            to_pool0,
            to_pool1,
            total0: U256::ZERO,
            total1: U256::ZERO,
        });
    }
    let (in_pool0, in_pool1) = lp_amounts(pool, liquidity)?;
    let equity = if equity.is_negative() {
        U256::ZERO
    } else {
        equity.into_raw()
    };
    let total0 = il_math::add(in_pool0, idle0)?;
    let total1 = il_math::add(il_math::add(in_pool1, idle1)?, equity)?;
    let (shares, amount0, amount1) = proportional_deposit(max0, max1, total0, total1, supply)?;
    let part = |amount: U256, in_pool: U256, total: U256| {
        if total.is_zero() {
            Ok(U256::ZERO)
        } else {
            il_math::mul_div(amount, in_pool, total, Rounding::Floor)
        }
    };
    let paid_for = liquidity_for(
        pool,
        part(amount0, in_pool0, total0)?,
        part(amount1, in_pool1, total1)?,
    )?;
    let added = il_math::mul_div(liquidity, shares, supply, Rounding::Floor)?.min(paid_for);
    let (to_pool0, to_pool1) = add_amounts(pool, added)?;
    Ok(DepositQuote {
        shares,
        amount0,
        amount1,
        liquidity: added,
        to_pool0,
        to_pool1,
        total0,
        total1,
    })
}

/// The vault-wide accounting accumulators (see the vault's documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accruals {
    /// Fees collected per share, WAD-scaled token0 and token1 raw units.
    pub fee0_per_share: U256,
    pub fee1_per_share: U256,
    /// Fees collected by the whole vault, WAD-scaled raw units.
    pub fee0_total: U256,
    pub fee1_total: U256,
    /// Hedge PnL per share, WAD-scaled token1.
    pub hedge_per_share: I256,
    /// Hedge PnL of the whole vault, WAD-scaled token1.
    pub hedge_total: I256,
}

/// What a checkpoint adds to `acc`: the fees `(fee0, fee1)` (raw units)
/// the pool paid the vault's position now, and the venue equity moved by
/// `equity_now - equity_last` (collateral moves are excluded by the caller,
/// which adjusts `equity_last` when it moves collateral). Per-share credits
/// round toward -infinity; totals are exact. With no shares, nothing accrues.
///
/// # Errors
/// `Overflow`.
pub fn advance(
    acc: Accruals,
    supply: U256,
    fee0: U256,
    fee1: U256,
    equity_last: I256,
    equity_now: I256,
) -> Result<Accruals, MathError> {
    if supply.is_zero() {
        return Ok(acc);
    }
    let mut out = acc;
    for (fee, per_share, total) in [
        (fee0, &mut out.fee0_per_share, &mut out.fee0_total),
        (fee1, &mut out.fee1_per_share, &mut out.fee1_total),
    ] {
        if !fee.is_zero() {
            *per_share = il_math::add(
                *per_share,
                il_math::mul_div(fee, WAD, supply, Rounding::Floor)?,
            )?;
            *total = il_math::add(*total, il_math::mul(fee, WAD)?)?;
        }
    }
    let change = equity_now
        .checked_sub(equity_last)
        .ok_or(MathError::Overflow)?;
    if !change.is_zero() {
        out.hedge_per_share = out
            .hedge_per_share
            .checked_add(per_share(change, supply)?)
            .ok_or(MathError::Overflow)?;
        let scaled = il_math::signed_mul(change, WAD)?;
        out.hedge_total = out
            .hedge_total
            .checked_add(scaled)
            .ok_or(MathError::Overflow)?;
    }
    Ok(out)
}

/// One holder's record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HolderRecord {
    /// Hold benchmark: what was put in, pro rata after withdrawals.
    pub hold0: U256,
    pub hold1: U256,
    /// Fees (WAD-scaled raw units of each token) credited up to the debts.
    pub fee0: U256,
    pub fee0_debt: U256,
    pub fee1: U256,
    pub fee1_debt: U256,
    /// Hedge PnL (WAD-scaled token1) credited up to `hedge_debt`.
    pub hedge_pnl: I256,
    pub hedge_debt: I256,
}

impl HolderRecord {
    /// The record with what `shares` earned up to `acc` credited, and the
    /// debts moved to `acc` (MasterChef-style settlement).
    ///
    /// # Errors
    /// `Overflow`, `Underflow`.
    pub fn settled(self, shares: U256, acc: &Accruals) -> Result<Self, MathError> {
        let fee0 = il_math::mul(shares, il_math::sub(acc.fee0_per_share, self.fee0_debt)?)?;
        let fee1 = il_math::mul(shares, il_math::sub(acc.fee1_per_share, self.fee1_debt)?)?;
        let hedge = accrued(shares, acc.hedge_per_share, self.hedge_debt)?;
        Ok(Self {
            fee0: il_math::add(self.fee0, fee0)?,
            fee0_debt: acc.fee0_per_share,
            fee1: il_math::add(self.fee1, fee1)?,
            fee1_debt: acc.fee1_per_share,
            hedge_pnl: self
                .hedge_pnl
                .checked_add(hedge)
                .ok_or(MathError::Overflow)?,
            hedge_debt: acc.hedge_per_share,
            ..self
        })
    }

    /// The part of the record that goes with `part` of `whole` shares
    /// (benchmark and credits, rounded toward zero so the sum is conserved).
    ///
    /// # Errors
    /// `DivisionByZero`, `Overflow`.
    pub fn portion(&self, part: U256, whole: U256) -> Result<Self, MathError> {
        let share = |x: U256| il_math::share_of(x, part, whole, Rounding::Floor);
        Ok(Self {
            hold0: share(self.hold0)?,
            hold1: share(self.hold1)?,
            fee0: share(self.fee0)?,
            fee0_debt: self.fee0_debt,
            fee1: share(self.fee1)?,
            fee1_debt: self.fee1_debt,
            hedge_pnl: signed_share(self.hedge_pnl, part, whole)?,
            hedge_debt: self.hedge_debt,
        })
    }

    /// `self` less a `portion` of it (debts unchanged).
    ///
    /// # Errors
    /// `Underflow`, `Overflow`.
    pub fn minus(&self, portion: &Self) -> Result<Self, MathError> {
        Ok(Self {
            hold0: il_math::sub(self.hold0, portion.hold0)?,
            hold1: il_math::sub(self.hold1, portion.hold1)?,
            fee0: il_math::sub(self.fee0, portion.fee0)?,
            fee1: il_math::sub(self.fee1, portion.fee1)?,
            hedge_pnl: self
                .hedge_pnl
                .checked_sub(portion.hedge_pnl)
                .ok_or(MathError::Overflow)?,
            ..*self
        })
    }

    /// `self` plus a `portion` moved in (debts unchanged: both sides are
    /// settled to the same accumulators first).
    ///
    /// # Errors
    /// `Overflow`.
    pub fn plus(&self, portion: &Self) -> Result<Self, MathError> {
        Ok(Self {
            hold0: il_math::add(self.hold0, portion.hold0)?,
            hold1: il_math::add(self.hold1, portion.hold1)?,
            fee0: il_math::add(self.fee0, portion.fee0)?,
            fee1: il_math::add(self.fee1, portion.fee1)?,
            hedge_pnl: self
                .hedge_pnl
                .checked_add(portion.hedge_pnl)
                .ok_or(MathError::Overflow)?,
            ..*self
        })
    }
}

/// The split of a position's change against holding, token1 raw units:
/// `pnl = value - hold = il + fees + hedge` exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    pub value: U256,
    pub hold: U256,
    pub pnl: I256,
    pub il: I256,
    pub fees: I256,
    pub hedge: I256,
}

/// Values a position: `value` (token1), benchmark `(hold0, hold1)`, fees
/// collected `(fee0_wad, fee1_wad)` (WAD-scaled raw units) valued at
/// `price` (floor), and hedge PnL (WAD-scaled token1), at `price`. IL is
/// what remains of `value - hold` after fees and hedge PnL.
///
/// # Errors
/// `Overflow`.
pub fn split(
    value: U256,
    hold0: U256,
    hold1: U256,
    fee0_wad: U256,
    fee1_wad: U256,
    hedge_wad: I256,
    price: &Price,
) -> Result<Split, MathError> {
    let hold = hold_value(hold0, hold1, price)?;
    let pnl = il_math::signed_diff(value, hold)?;
    let fee0 = il_math::mul_div(
        price.quote(fee0_wad, Rounding::Floor)?,
        U256::from(1u8),
        WAD,
        Rounding::Floor,
    )?;
    let fee1 = il_math::mul_div(fee1_wad, U256::from(1u8), WAD, Rounding::Floor)?;
    let fees = il_math::to_signed(il_math::add(fee0, fee1)?)?;
    let hedge = from_wad_floor(hedge_wad)?;
    let il = pnl
        .checked_sub(fees)
        .and_then(|x| x.checked_sub(hedge))
        .ok_or(MathError::Overflow)?;
    Ok(Split {
        value,
        hold,
        pnl,
        il,
        fees,
        hedge,
    })
}

/// Liquidity to burn so that the LP (worth `lp_value`, `liquidity`) becomes
/// `target_bps` of `capital`: `liquidity - ceil(liquidity * wanted /
/// lp_value)` (keeps slightly more, never overshoots). Zero when nothing to
/// burn.
///
/// # Errors
/// `Overflow`.
pub fn rebalance_burn(
    liquidity: U256,
    lp_value: U256,
    capital: U256,
    target_bps: u16,
) -> Result<U256, MathError> {
    let wanted = il_math::mul_div(
        capital,
        U256::from(target_bps),
        U256::from(il_math::BPS),
        Rounding::Floor,
    )?;
    if lp_value.is_zero() || wanted >= lp_value {
        return Ok(U256::ZERO);
    }
    let keep = il_math::mul_div(liquidity, wanted, lp_value, Rounding::Ceil)?;
    Ok(liquidity.saturating_sub(keep))
}

/// Whether `low >= high * (1 - max_bps / 1e4)` (rounded against `low`).
pub fn within_slippage(low: U256, high: U256, max_bps: u16) -> Result<bool, MathError> {
    let keep = U256::from(il_math::BPS.saturating_sub(u64::from(max_bps)));
    let floor = il_math::mul_div(high, keep, U256::from(il_math::BPS), Rounding::Ceil)?;
    Ok(low >= floor)
}

// ---- records and transitions --------------------------------------------
//
// The vault contract keeps its accounting as word records and the engine
// contract applies these transitions to them, so the vault's code holds no
// fixed-point math (a Stylus program must stay under 24 KiB compressed).
// The keeper's backtest applies the same transitions.

/// The vault's accounting state: what it holds and its accumulators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Liquidity held in the vault's range of the pool.
    pub liquidity: U256,
    /// Idle tokens.
    pub idle0: U256,
    pub idle1: U256,
    /// Whether the vault has a venue account (then its equity counts).
    pub hedge_active: bool,
    /// Vault-wide hold benchmark (sum over holders).
    pub hold0: U256,
    pub hold1: U256,
    /// Accumulators.
    pub acc: Accruals,
    /// Venue equity at the last checkpoint.
    pub equity_last: I256,
}

impl Ledger {
    /// Words of a ledger record.
    pub const WORDS: usize = 13;

    /// The record, in field order (signed values as two's complement).
    pub fn to_words(&self) -> [U256; Self::WORDS] {
        [
            self.liquidity,
            self.idle0,
            self.idle1,
            U256::from(u8::from(self.hedge_active)),
            self.hold0,
            self.hold1,
            self.acc.fee0_per_share,
            self.acc.fee1_per_share,
            self.acc.fee0_total,
            self.acc.fee1_total,
            self.acc.hedge_per_share.into_raw(),
            self.acc.hedge_total.into_raw(),
            self.equity_last.into_raw(),
        ]
    }

    /// Reads a record written by [`Self::to_words`] (extra words are ignored).
    ///
    /// # Errors
    /// `InvalidInput` when fewer than [`Self::WORDS`] words are given.
    pub fn from_words(w: &[U256]) -> Result<Self, MathError> {
        let w: &[U256; Self::WORDS] = w
            .get(..Self::WORDS)
            .and_then(|s| s.try_into().ok())
            .ok_or(MathError::InvalidInput)?;
        Ok(Self {
            liquidity: w[0],
            idle0: w[1],
            idle1: w[2],
            hedge_active: !w[3].is_zero(),
            hold0: w[4],
            hold1: w[5],
            acc: Accruals {
                fee0_per_share: w[6],
                fee1_per_share: w[7],
                fee0_total: w[8],
                fee1_total: w[9],
                hedge_per_share: I256::from_raw(w[10]),
                hedge_total: I256::from_raw(w[11]),
            },
            equity_last: I256::from_raw(w[12]),
        })
    }

    fn holdings(&self, equity: I256) -> Holdings {
        Holdings {
            liquidity: self.liquidity,
            idle0: self.idle0,
            idle1: self.idle1,
            equity,
        }
    }
}

impl HolderRecord {
    /// Words of a holder record.
    pub const WORDS: usize = 8;

    /// The record, in field order (signed values as two's complement).
    pub fn to_words(&self) -> [U256; Self::WORDS] {
        [
            self.hold0,
            self.hold1,
            self.fee0,
            self.fee0_debt,
            self.fee1,
            self.fee1_debt,
            self.hedge_pnl.into_raw(),
            self.hedge_debt.into_raw(),
        ]
    }

    /// Reads a record written by [`Self::to_words`].
    ///
    /// # Errors
    /// `InvalidInput` when fewer than [`Self::WORDS`] words are given.
    pub fn from_words(w: &[U256]) -> Result<Self, MathError> {
        let w: &[U256; Self::WORDS] = w
            .get(..Self::WORDS)
            .and_then(|s| s.try_into().ok())
            .ok_or(MathError::InvalidInput)?;
        Ok(Self {
            hold0: w[0],
            hold1: w[1],
            fee0: w[2],
            fee0_debt: w[3],
            fee1: w[4],
            fee1_debt: w[5],
            hedge_pnl: I256::from_raw(w[6]),
            hedge_debt: I256::from_raw(w[7]),
        })
    }
}

/// Brings the ledger's accumulators to now: `fees` the pool just paid the
/// vault's position (they join the idle tokens and are credited per share),
/// `equity` the venue equity now (ignored without a venue account),
/// `supply` the vault's shares. See [`advance`].
///
/// # Errors
/// `Overflow`.
pub fn checkpoint(
    ledger: &Ledger,
    fees: (U256, U256),
    equity: I256,
    supply: U256,
) -> Result<Ledger, MathError> {
    let equity = if ledger.hedge_active {
        equity
    } else {
        I256::ZERO
    };
    let acc = advance(
        ledger.acc,
        supply,
        fees.0,
        fees.1,
        ledger.equity_last,
        equity,
    )?;
    Ok(Ledger {
        idle0: il_math::add(ledger.idle0, fees.0)?,
        idle1: il_math::add(ledger.idle1, fees.1)?,
        acc,
        equity_last: equity,
        ..*ledger
    })
}

/// A deposit (see [`quote_deposit`]): the ledger after it (fees `fees`
/// collected now credited, accumulators advanced; the liquidity added;
/// idle grown by what does not go to the pool), the receiver's record
/// (settled, benchmark grown) and the quote. The venue equity is bought into
/// at [`VenueState::entering`] (the higher of the oracle and the spot
/// marks); the accumulators advance at the oracle mark.
///
/// # Errors
/// `Overflow`, `Underflow`, `DivisionByZero`, the tick errors.
#[allow(clippy::too_many_arguments)]
pub fn deposit(
    ledger: &Ledger,
    holder: &HolderRecord,
    pool: &PoolState,
    fees: (U256, U256),
    venue: &VenueState,
    supply: U256,
    balance: U256,
    max0: U256,
    max1: U256,
    minimum_shares: u64,
) -> Result<(Ledger, HolderRecord, DepositQuote), MathError> {
    let mut l = checkpoint(ledger, fees, venue.equity, supply)?;
    let equity = if l.hedge_active {
        venue.entering(&pool.spot()?)?
    } else {
        I256::ZERO
    };
    let q = quote_deposit(
        pool,
        l.liquidity,
        l.idle0,
        l.idle1,
        equity,
        supply,
        max0,
        max1,
        minimum_shares,
    )?;
    let h = holder.settled(balance, &l.acc)?;
    let h = HolderRecord {
        hold0: il_math::add(h.hold0, q.amount0)?,
        hold1: il_math::add(h.hold1, q.amount1)?,
        ..h
    };
    l.hold0 = il_math::add(l.hold0, q.amount0)?;
    l.hold1 = il_math::add(l.hold1, q.amount1)?;
    l.liquidity = il_math::add(l.liquidity, q.liquidity)?;
    l.idle0 = il_math::add(l.idle0, il_math::sub(q.amount0, q.to_pool0)?)?;
    l.idle1 = il_math::add(l.idle1, il_math::sub(q.amount1, q.to_pool1)?)?;
    Ok((l, h, q))
}

/// What a withdrawal of `shares` takes out (see [`withdraw`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Redemption {
    /// Liquidity to remove (the pool pays its tokens to the receiver).
    pub liquidity: U256,
    /// Idle tokens to send.
    pub idle0: U256,
    pub idle1: U256,
    /// Fraction of the venue account that leaves with the shares, WAD
    /// (closed and paid, or handed over in kind: see [`settle_venue`]).
    pub fraction_wad: U256,
    /// The venue equity the leaving fraction is paid from,
    /// [`VenueState::leaving`] (the lower of the oracle and spot marks);
    /// zero when the venue could not be valued.
    pub equity_out: I256,
}

/// A withdrawal of `shares` out of `supply` by a holder of `balance`: the
/// ledger after it (fees `fees` collected now credited, accumulators
/// advanced, the pro-rata liquidity and idle removed, the holder's
/// benchmark and credits removed from the totals), the holder's record
/// after it, and what to pay out. Every part rounds down. The venue part is
/// settled by the caller with [`settle_venue`].
///
/// `venue` is `None` when the venue cannot value the account now (a stale
/// or failing feed): withdrawals never wait for it. The hedge accumulators
/// then stay where the last checkpoint left them (what the account gained
/// or lost since leaves inside the part handed over in kind), and
/// `equity_out` is 0.
///
/// # Errors
/// `InvalidInput` when `shares > balance` or `balance > supply`;
/// `Overflow`, `Underflow`, the tick errors.
#[allow(clippy::too_many_arguments)]
pub fn withdraw(
    ledger: &Ledger,
    holder: &HolderRecord,
    pool: &PoolState,
    fees: (U256, U256),
    venue: Option<&VenueState>,
    supply: U256,
    balance: U256,
    shares: U256,
) -> Result<(Ledger, HolderRecord, Redemption), MathError> {
    if shares > balance || balance > supply {
        return Err(MathError::InvalidInput);
    }
    let equity_now = venue.map_or(ledger.equity_last, |v| v.equity);
    let mut l = checkpoint(ledger, fees, equity_now, supply)?;
    let equity_out = match venue {
        Some(v) if l.hedge_active => v.leaving(&pool.spot()?)?,
        _ => I256::ZERO,
    };
    let out = Redemption {
        liquidity: il_math::share_of(l.liquidity, shares, supply, Rounding::Floor)?,
        idle0: il_math::share_of(l.idle0, shares, supply, Rounding::Floor)?,
        idle1: il_math::share_of(l.idle1, shares, supply, Rounding::Floor)?,
        fraction_wad: if l.hedge_active {
            il_math::mul_div(shares, WAD, supply, Rounding::Floor)?
        } else {
            U256::ZERO
        },
        equity_out,
    };
    l.liquidity = il_math::sub(l.liquidity, out.liquidity)?;
    l.idle0 = il_math::sub(l.idle0, out.idle0)?;
    l.idle1 = il_math::sub(l.idle1, out.idle1)?;
    let h = holder.settled(balance, &l.acc)?;
    let part = h.portion(shares, balance)?;
    let h = h.minus(&part)?;
    l.hold0 = il_math::sub(l.hold0, part.hold0)?;
    l.hold1 = il_math::sub(l.hold1, part.hold1)?;
    l.acc.fee0_total = il_math::sub(l.acc.fee0_total, part.fee0)?;
    l.acc.fee1_total = il_math::sub(l.acc.fee1_total, part.fee1)?;
    l.acc.hedge_total = l
        .acc
        .hedge_total
        .checked_sub(part.hedge_pnl)
        .ok_or(MathError::Overflow)?;
    Ok((l, h, out))
}

/// How the leaving fraction of the venue account went (see [`settle_venue`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VenueExit {
    /// The venue closed the fraction and paid its equity to the vault:
    /// `paid`, and the account's equity afterwards, `equity_after` (at the
    /// mark), read back from the venue.
    Paid { paid: U256, equity_after: I256 },
    /// The venue could not pay (stale feed, no liquidity): the fraction of
    /// the position itself (size, collateral, entry) was moved to the
    /// receiver's own account at the venue.
    InKind,
}

/// Settles the venue part of a withdrawal of `fraction_wad` of the account,
/// `equity_before` at the mark before it (what [`withdraw`] advanced to),
/// `equity_out` the leaving mark ([`Redemption::equity_out`]), with
/// `supply_after` shares left. Returns the ledger after and what the
/// withdrawer is due in token1 (out of `paid`; zero in kind).
///
/// - Paid: the withdrawer bears the whole cost of closing their part, the
///   venue's `cost = equity_before - paid - equity_after` (fee, spread), and
///   is due `floor(fraction * max(equity_out, 0)) - cost`, at least 0 and at
///   most `paid`. The vault keeps the rest of `paid` in idle token1. The
///   remaining holders then hold `equity_after + kept` where their share was
///   `equity_before - floor(fraction * equity_before)`: the difference (the
///   leaver's part valued at the mark rather than at `equity_out`, less
///   nothing of the cost) is credited to them as hedge PnL, and the baseline
///   becomes `equity_after`.
/// - In kind: nothing is paid; the baseline keeps the remaining
///   `1 - fraction` of it (the leaving part rounds down, so the remaining
///   baseline rounds up and never books a gain it does not have).
///
/// # Errors
/// `Overflow`, `InvalidInput` (a fraction above 1).
pub fn settle_venue(
    ledger: &Ledger,
    supply_after: U256,
    fraction_wad: U256,
    equity_before: I256,
    equity_out: I256,
    exit: VenueExit,
) -> Result<(Ledger, U256), MathError> {
    if fraction_wad > WAD {
        return Err(MathError::InvalidInput);
    }
    let mut l = *ledger;
    let leaving = il_math::signed_mul_div(equity_before, fraction_wad, WAD, Rounding::Floor)?;
    let remaining = equity_before
        .checked_sub(leaving)
        .ok_or(MathError::Overflow)?;
    let (paid, equity_after) = match exit {
        VenueExit::InKind => {
            let kept = il_math::signed_mul_div(l.equity_last, fraction_wad, WAD, Rounding::Floor)?;
            l.equity_last = l.equity_last.checked_sub(kept).ok_or(MathError::Overflow)?;
            return Ok((l, U256::ZERO));
        }
        VenueExit::Paid { paid, equity_after } => (paid, equity_after),
    };
    let paid_signed = il_math::to_signed(paid)?;
    let cost = equity_before
        .checked_sub(paid_signed)
        .and_then(|x| x.checked_sub(equity_after))
        .ok_or(MathError::Overflow)?;
    let share = if equity_out.is_positive() {
        il_math::mul_div(
            equity_out.unsigned_abs(),
            fraction_wad,
            WAD,
            Rounding::Floor,
        )?
    } else {
        U256::ZERO
    };
    let due = il_math::to_signed(share)?
        .checked_sub(cost)
        .ok_or(MathError::Overflow)?;
    let due = if due.is_negative() {
        U256::ZERO
    } else {
        due.unsigned_abs().min(paid)
    };
    // cannot underflow: due <= paid.
    let kept = paid.wrapping_sub(due);
    l.idle1 = il_math::add(l.idle1, kept)?;
    let gain = equity_after
        .checked_add(il_math::to_signed(kept)?)
        .and_then(|x| x.checked_sub(remaining))
        .ok_or(MathError::Overflow)?;
    l.acc = advance(
        l.acc,
        supply_after,
        U256::ZERO,
        U256::ZERO,
        I256::ZERO,
        gain,
    )?;
    l.equity_last = equity_after;
    Ok((l, due))
}

/// A share transfer of `value` from a holder of `balance_from` to a holder
/// of `balance_to`: both records settled to `acc`, then a pro-rata part of
/// the sender's moved to the receiver.
///
/// # Errors
/// `Overflow`, `Underflow`, `DivisionByZero`.
pub fn transfer(
    from: &HolderRecord,
    to: &HolderRecord,
    acc: &Accruals,
    balance_from: U256,
    balance_to: U256,
    value: U256,
) -> Result<(HolderRecord, HolderRecord), MathError> {
    let from = from.settled(balance_from, acc)?;
    let to = to.settled(balance_to, acc)?;
    let moved = from.portion(value, balance_from)?;
    Ok((from.minus(&moved)?, to.plus(&moved)?))
}

/// Vault-wide accounting at `price`: the ledger brought to now as a
/// checkpoint would (the position's pending `fees` credited, the hedge
/// accumulators brought to `equity`).
///
/// # Errors
/// `Overflow`, the tick errors.
pub fn vault_split(
    ledger: &Ledger,
    pool: &PoolState,
    fees: (U256, U256),
    price: &Price,
    equity: I256,
    supply: U256,
) -> Result<Split, MathError> {
    let l = checkpoint(ledger, fees, equity, supply)?;
    let value = vault_value(pool, &l.holdings(l.equity_last), price)?;
    split(
        value,
        l.hold0,
        l.hold1,
        l.acc.fee0_total,
        l.acc.fee1_total,
        l.acc.hedge_total,
        price,
    )
}

/// One holder's accounting at `price`: `balance` of `supply` shares.
///
/// # Errors
/// `Overflow`, the tick errors.
#[allow(clippy::too_many_arguments)]
pub fn holder_split(
    ledger: &Ledger,
    holder: &HolderRecord,
    pool: &PoolState,
    fees: (U256, U256),
    price: &Price,
    equity: I256,
    supply: U256,
    balance: U256,
) -> Result<Split, MathError> {
    let l = checkpoint(ledger, fees, equity, supply)?;
    let total = vault_value(pool, &l.holdings(l.equity_last), price)?;
    let value = if supply.is_zero() {
        U256::ZERO
    } else {
        il_math::share_of(total, balance, supply, Rounding::Floor)?
    };
    let h = holder.settled(balance, &l.acc)?;
    split(value, h.hold0, h.hold1, h.fee0, h.fee1, h.hedge_pnl, price)
}

/// A rebalance toward `target_bps` of the capital (LP at `price` + idle, at
/// `price`) in the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RebalancePlan {
    /// The share of capital in the pool now, bps.
    pub current_bps: u16,
    /// Liquidity to remove (zero when adding).
    pub burn: U256,
    /// Liquidity to add from idle (zero when burning).
    pub add: U256,
    /// What adding takes at the pool's spot (rounded up).
    pub add0: U256,
    pub add1: U256,
    /// Value (at `price`) of the liquidity burned, for the slippage check.
    pub burn_value: U256,
}

/// Plans a rebalance. Burn: [`rebalance_burn`]. Add: the liquidity the
/// idle tokens pay for at the pool's spot, cut in proportion to the value
/// still wanted in the pool (valued at `price`).
///
/// # Errors
/// `Overflow`, the tick and sqrt-price errors.
pub fn plan_rebalance(
    pool: &PoolState,
    price: &Price,
    liquidity: U256,
    idle0: U256,
    idle1: U256,
    target_bps: u16,
) -> Result<RebalancePlan, MathError> {
    // Every value below is `lp_value` at `price`: one sqrt price and one
    // pair of range bounds serve all of them (the bounds computed on the
    // first non-zero liquidity, with `RangePosition::from_ticks`'s checks in
    // its order, so the results and the errors are `lp_value`'s).
    let s = price.sqrt_price_x96(Rounding::Floor);
    let mut bounds: Option<(U256, U256)> = None;
    let mut value_of = |l: U256| -> Result<U256, MathError> {
        if l.is_zero() {
            return Ok(U256::ZERO);
        }
        let l = to_liquidity(l)?;
        let (a, b) = if let Some(ab) = bounds {
            ab
        } else {
            if pool.tick_lower >= pool.tick_upper {
                return Err(MathError::InvalidInterval);
            }
            let ab = pool.bounds()?;
            bounds = Some(ab);
            ab
        };
        RangePosition::new(l, a, b)?.value(s)
    };
    let lp_val = value_of(liquidity)?;
    let capital = il_math::add(
        il_math::add(lp_val, price.quote(idle0, Rounding::Floor)?)?,
        idle1,
    )?;
    // `lp_bps`: the capital's share in the pool, floor; 0 for an empty vault.
    let current_bps = if capital.is_zero() {
        0
    } else {
        // cannot truncate: lp_val <= capital, so bps <= 10_000.
        il_math::mul_div(lp_val, U256::from(il_math::BPS), capital, Rounding::Floor)?
            .saturating_to::<u16>()
    };
    let burn = rebalance_burn(liquidity, lp_val, capital, target_bps)?;
    let wanted = il_math::mul_div(
        capital,
        U256::from(target_bps),
        U256::from(il_math::BPS),
        Rounding::Floor,
    )?;
    let add = if burn.is_zero() && wanted > lp_val {
        let missing = il_math::sub(wanted, lp_val)?;
        let affordable = liquidity_for(pool, idle0, idle1)?;
        let worth = value_of(affordable)?;
        if worth <= missing {
            affordable
        } else {
            il_math::mul_div(affordable, missing, worth, Rounding::Floor)?
        }
    } else {
        U256::ZERO
    };
    let (add0, add1) = add_amounts(pool, add)?;
    Ok(RebalancePlan {
        current_bps,
        burn,
        add,
        add0,
        add1,
        burn_value: value_of(burn)?,
    })
}

/// Whether tokens `(amount0, amount1)` and pool shares worth `fair` (at
/// `price`) are within `max_bps` of each other, in the direction that costs
/// the vault: what it received is at least what it gave, less the bound.
pub fn rebalance_within_slippage(
    price: &Price,
    amount0: U256,
    amount1: U256,
    fair: U256,
    burned: bool,
    max_bps: u16,
) -> Result<bool, MathError> {
    let tokens = il_math::add(price.quote(amount0, Rounding::Floor)?, amount1)?;
    if burned {
        within_slippage(tokens, fair, max_bps)
    } else {
        within_slippage(fair, tokens, max_bps)
    }
}

/// A re-range: where the vault's position goes, and what the one it leaves
/// is worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RerangePlan {
    /// The new range's ticks.
    pub tick_lower: i32,
    pub tick_upper: i32,
    /// Value (at `price`) of the liquidity the re-range burns, for the
    /// slippage check.
    pub burn_value: U256,
}

/// Plans a re-range: the new range is `rule`'s base range
/// ([`crate::range::RangeRule::base_range`]) centred on the oracle `price`
/// for volatility `sigma_wad`, or the full range of `spacing`
/// ([`v4::full_range_ticks`]) without a rule; `burn_value` is the value of
/// the vault's `liquidity` in its current range (`pool`) at `price`.
///
/// # Errors
/// Those of `base_range` (`InvalidInput` for a rule outside its domain,
/// `VolatilityOutOfRange`), `InvalidTickSpacing`, and those of
/// [`lp_value`].
pub fn plan_rerange(
    pool: &PoolState,
    price: &Price,
    liquidity: U256,
    sigma_wad: U256,
    spacing: i32,
    rule: Option<&crate::range::RangeRule>,
) -> Result<RerangePlan, MathError> {
    let (tick_lower, tick_upper) = match rule {
        Some(r) => r.base_range(price.sqrt_price_x96(Rounding::Floor), sigma_wad, spacing)?,
        None => v4::full_range_ticks(spacing)?,
    };
    Ok(RerangePlan {
        tick_lower,
        tick_upper,
        burn_value: lp_value(pool, liquidity, price)?,
    })
}

/// Whether a liquidity move's two legs (a rebalance has one, a re-range
/// both) are within `max_bps` at `price`: the tokens a burn returned
/// (`out0`, `out1`) against the burned liquidity's value `burn_value`
/// ([`RebalancePlan::burn_value`], [`RerangePlan::burn_value`]), and the
/// tokens a mint took (`in0`, `in1`) against the value of the `minted`
/// liquidity in `new_pool`'s range, each in the direction that costs the
/// vault (as [`rebalance_within_slippage`]). A leg that moved nothing
/// passes.
///
/// # Errors
/// `Overflow`, the tick errors.
#[allow(clippy::too_many_arguments)]
pub fn move_within_slippage(
    price: &Price,
    new_pool: &PoolState,
    minted: U256,
    (out0, out1): (U256, U256),
    burn_value: U256,
    (in0, in1): (U256, U256),
    max_bps: u16,
) -> Result<bool, MathError> {
    let fair_new = lp_value(new_pool, minted, price)?;
    Ok(
        rebalance_within_slippage(price, out0, out1, burn_value, true, max_bps)?
            && rebalance_within_slippage(price, in0, in1, fair_new, false, max_bps)?,
    )
}

/// A cursor over a word list (the engine's and the planner's argument
/// lists): each read takes the next words; too few words is `InvalidInput`.
pub struct Args<'a>(pub &'a [U256]);

impl<'a> Args<'a> {
    pub fn take(&mut self, n: usize) -> Result<&'a [U256], MathError> {
        if self.0.len() < n {
            return Err(MathError::InvalidInput);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    pub fn word(&mut self) -> Result<U256, MathError> {
        Ok(self.take(1)?[0])
    }

    pub fn signed(&mut self) -> Result<I256, MathError> {
        Ok(I256::from_raw(self.word()?))
    }

    pub fn ledger(&mut self) -> Result<Ledger, MathError> {
        Ledger::from_words(self.take(Ledger::WORDS)?)
    }

    pub fn holder(&mut self) -> Result<HolderRecord, MathError> {
        HolderRecord::from_words(self.take(HolderRecord::WORDS)?)
    }

    pub fn price(&mut self) -> Result<Price, MathError> {
        let w = self.take(2)?;
        Price::new(w[0], w[1])
    }

    pub fn small<T: TryFrom<U256>>(&mut self) -> Result<T, MathError> {
        T::try_from(self.word()?).map_err(|_| MathError::InvalidInput)
    }

    /// The venue block: `None` when not valued.
    pub fn venue(&mut self) -> Result<Option<VenueState>, MathError> {
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
    pub fn valued(&mut self) -> Result<VenueState, MathError> {
        self.venue()?.ok_or(MathError::InvalidInput)
    }

    pub fn tick(&mut self) -> Result<i32, MathError> {
        tick_of(self.word()?).ok_or(MathError::InvalidInput)
    }

    pub fn pool(&mut self) -> Result<PoolState, MathError> {
        Ok(PoolState {
            sqrt_price: self.word()?,
            tick_lower: self.tick()?,
            tick_upper: self.tick()?,
        })
    }

    pub fn fees(&mut self) -> Result<(U256, U256), MathError> {
        Ok((self.word()?, self.word()?))
    }
}

/// The sign-extended word of `t` (an `int24` tick as int256): the inverse
/// of [`tick_of`].
#[must_use]
pub fn tick_word(t: i32) -> U256 {
    let w = U256::from(t.unsigned_abs());
    if t < 0 { w.wrapping_neg() } else { w }
}

/// The `i32` a sign-extended word holds (an `int24` tick), or `None`.
pub fn tick_of(word: U256) -> Option<i32> {
    let b = word.to_be_bytes::<32>();
    let t = i32::from_be_bytes([b[28], b[29], b[30], b[31]]);
    (tick_word(t) == word).then_some(t)
}

/// How often the keeper may act: the bounds the manager enforces, which
/// the keeper and its backtest plan with.
pub mod pacing {
    /// Shortest `rebalanceCooldown` and `hedgeCooldown` (seconds): 10 minutes.
    pub const MIN_COOLDOWN: u64 = 600;
    /// A rebalance or hedge opposite in direction to the previous one waits
    /// this long (seconds, 6 h) after it; also the longest regular cooldown.
    /// So each can reverse at most four times a day, whatever the keeper does.
    pub const REVERSAL_COOLDOWN: u64 = 21_600;
    /// The fee tier in force changes at most once per this (seconds, 1 h).
    pub const TIER_COOLDOWN: u64 = 3_600;

    /// Directions of a move, as the manager stores them: none yet; up (an
    /// add to the pool; a hedge trade that buys); down (a burn; a sale).
    pub const NONE: u8 = 0;
    /// See [`NONE`].
    pub const UP: u8 = 1;
    /// See [`NONE`].
    pub const DOWN: u8 = 2;

    /// Seconds from `now` until a move in direction `dir` may follow the
    /// last one (at `last`, 0 for never, in direction `last_dir`): `cooldown`
    /// after a move the same way, [`REVERSAL_COOLDOWN`] after one the other
    /// way; 0 when allowed now.
    #[must_use]
    pub fn wait(last: u64, last_dir: u8, dir: u8, cooldown: u64, now: u64) -> u64 {
        if last == 0 {
            return 0;
        }
        let reversal = last_dir != NONE && last_dir != dir;
        let spacing = if reversal {
            REVERSAL_COOLDOWN
        } else {
            cooldown
        };
        last.saturating_add(spacing).saturating_sub(now)
    }
}

/// A hedge adjustment toward the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HedgePlan {
    /// Target size (negative: short), token0 raw units.
    pub target: I256,
    /// Trade to make now: toward the target, at most `max_step` in size
    /// (smaller, or toward zero, when the margin cannot carry more).
    pub delta: I256,
    /// Size after the trade.
    pub new_size: I256,
    /// Idle token1 to add as collateral first, so the account's EQUITY
    /// covers `collateral_bps` of the new position's notional (zero when it
    /// already does); at most the idle token1 there is.
    pub top_up: U256,
}

/// With no trade to make, the hedge plan tops up the margin only once the
/// equity is below this share of its target (bps: 90 %): every trade
/// restores the whole target, and a top-up alone does not chase the last
/// trade's fee or a small move.
pub const TOP_UP_TRIGGER_BPS: u64 = 9_000;

/// Whether a hedge account's `equity` is below [`TOP_UP_TRIGGER_BPS`] of
/// its margin target `required` (what makes the plan top up with no trade).
///
/// # Errors
/// `Overflow`.
pub fn margin_low(equity: I256, required: U256) -> Result<bool, MathError> {
    let trigger = il_math::mul_div(
        required,
        U256::from(TOP_UP_TRIGGER_BPS),
        U256::from(il_math::BPS),
        Rounding::Floor,
    )?;
    Ok(equity < il_math::to_signed(trigger)?)
}

/// The collateral `collateral_bps` of the notional of `size` at `price`
/// needs: `ceil(ceil(|size| * P) * bps / 1e4)` (token1 raw).
///
/// # Errors
/// `Overflow`.
pub fn margin_for(size: I256, price: &Price, collateral_bps: u16) -> Result<U256, MathError> {
    let notional = price.quote(size.unsigned_abs(), Rounding::Ceil)?;
    il_math::mul_div(
        notional,
        U256::from(collateral_bps),
        U256::from(il_math::BPS),
        Rounding::Ceil,
    )
}

/// Plans a hedge adjustment: target `ratio_bps` of the LP's token0 at fair
/// reserves ([`hedge_target`]), from `size`, by at most `max_step`. The
/// account must then hold `collateral_bps` of the new notional in EQUITY
/// (collateral plus unrealised PnL: a losing short needs more): the shortfall
/// is topped up from `idle1` (with no trade, only once the equity is below
/// [`TOP_UP_TRIGGER_BPS`] of the target); when `equity + idle1` cannot cover the new
/// size, the size is cut to the largest the margin carries (toward zero,
/// down to closing), so the account is never left below its margin by a
/// hedge. Sizes round toward zero, collateral up.
///
/// # Errors
/// `Overflow`, `ZeroPrice`.
#[allow(clippy::too_many_arguments)]
pub fn plan_hedge(
    pool: &PoolState,
    price: &Price,
    lp: U256,
    ratio_bps: u16,
    size: I256,
    equity: I256,
    idle1: U256,
    collateral_bps: u16,
    max_step: U256,
) -> Result<HedgePlan, MathError> {
    let target = hedge_target(pool, lp, price, ratio_bps)?;
    let mut delta = target.checked_sub(size).ok_or(MathError::Overflow)?;
    if delta.unsigned_abs() > max_step {
        delta = if delta.is_negative() {
            il_math::to_negative(max_step)?
        } else {
            il_math::to_signed(max_step)?
        };
    }
    let mut new_size = size.checked_add(delta).ok_or(MathError::Overflow)?;
    let budget = equity
        .checked_add(il_math::to_signed(idle1)?)
        .ok_or(MathError::Overflow)?;
    if il_math::to_signed(margin_for(new_size, price, collateral_bps)?)? > budget {
        // the largest |n| with margin_for(n) <= budget: ceil(|n| P) <=
        // floor(budget * 1e4 / bps), i.e. |n| <= floor(that / P).
        let carried = if budget.is_positive() && collateral_bps > 0 {
            let notional = il_math::mul_div(
                budget.unsigned_abs(),
                U256::from(il_math::BPS),
                U256::from(collateral_bps),
                Rounding::Floor,
            )?;
            price.quote_inverse(notional, Rounding::Floor)?
        } else {
            U256::ZERO
        };
        let magnitude = carried.min(new_size.unsigned_abs());
        new_size = if new_size.is_negative() {
            il_math::to_negative(magnitude)?
        } else {
            il_math::to_signed(magnitude)?
        };
        delta = new_size.checked_sub(size).ok_or(MathError::Overflow)?;
    }
    let top_up = if new_size.is_zero() {
        U256::ZERO
    } else {
        let required = margin_for(new_size, price, collateral_bps)?;
        let short = il_math::to_signed(required)?
            .checked_sub(equity)
            .ok_or(MathError::Overflow)?;
        if short.is_positive() && (!delta.is_zero() || margin_low(equity, required)?) {
            short.unsigned_abs().min(idle1)
        } else {
            U256::ZERO
        }
    };
    Ok(HedgePlan {
        target,
        delta,
        new_size,
        top_up,
    })
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn u(x: u128) -> U256 {
        U256::from(x)
    }

    fn signed(x: i128) -> I256 {
        I256::try_from(x).unwrap()
    }

    fn short(x: u128) -> I256 {
        -I256::try_from(x).unwrap()
    }

    const ETH: u128 = 1_000_000_000_000_000_000;

    /// A full-range pool (spacing 60) at price `p` (an integer price).
    fn pool_at(p: u128) -> PoolState {
        let (tick_lower, tick_upper) = v4::full_range_ticks(60).unwrap();
        PoolState {
            sqrt_price: Price::new(u(p), u(1))
                .unwrap()
                .sqrt_price_x96(Rounding::Floor),
            tick_lower,
            tick_upper,
        }
    }

    fn price(p: u128) -> Price {
        Price::new(u(p), u(1)).unwrap()
    }

    #[test]
    fn lp_value_is_the_range_value_at_the_oracle_not_the_spot() {
        // at P = 4 a full range of L = 100e18 holds about 50 token0 and 200
        // token1: 2 L sqrt P = 400, less what the finite range cuts off.
        let p = pool_at(4);
        let l = u(100 * ETH);
        let v = lp_value(&p, l, &price(4)).unwrap();
        assert!(
            v <= u(400 * ETH) && v > u(400 * ETH) - u(ETH / 1_000_000),
            "{v}"
        );
        // the spot does not move it: a pool pushed to 9 values the same at 4
        assert_eq!(lp_value(&pool_at(9), l, &price(4)).unwrap(), v);
        // at 16: 2 * 100 * 4 = 800
        let v16 = lp_value(&p, l, &price(16)).unwrap();
        assert!(v16 <= u(800 * ETH) && v16 > u(800 * ETH) - u(ETH / 1_000_000));
        assert_eq!(lp_value(&p, U256::ZERO, &price(4)).unwrap(), U256::ZERO);
        // what removing pays at spot, and what adding takes (one unit more)
        let (x, y) = lp_amounts(&p, l).unwrap();
        let (ax, ay) = add_amounts(&p, l).unwrap();
        assert!(
            x <= u(50 * ETH) && x + u(ETH / 1_000_000) > u(50 * ETH),
            "{x}"
        );
        assert!(
            y <= u(200 * ETH) && y + u(ETH / 1_000_000) > u(200 * ETH),
            "{y}"
        );
        assert!(ax >= x && ax <= x + u(1) && ay >= y && ay <= y + u(1));
        // the liquidity those amounts pay for is the liquidity back (or one less)
        let back = liquidity_for(&p, ax, ay).unwrap();
        assert!(back <= l && back + u(1) >= l, "{back}");
    }

    #[test]
    fn rerange_plan_centres_the_rule_on_the_oracle_and_values_the_old_range() {
        use crate::range::{RangeRule, sigma_from_percent};
        let rule = RangeRule {
            k_bps: 20_000,
            horizon_secs: 7 * 86_400,
            min_width: 600,
            max_width: 60_000,
        };
        let (pool, l) = (pool_at(4), u(100 * ETH));
        let sigma = sigma_from_percent(80);
        // the spot (4) does not place the range: the oracle (9) does
        let plan = plan_rerange(&pool, &price(9), l, sigma, 60, Some(&rule)).unwrap();
        let want = rule
            .base_range(price(9).sqrt_price_x96(Rounding::Floor), sigma, 60)
            .unwrap();
        assert_eq!((plan.tick_lower, plan.tick_upper), want);
        let centre = v4::tick_at_sqrt_price(price(9).sqrt_price_x96(Rounding::Floor)).unwrap();
        assert!((plan.tick_lower + plan.tick_upper - 2 * centre).abs() <= 60);
        assert_eq!(plan.burn_value, lp_value(&pool, l, &price(9)).unwrap());
        // without a rule: the full range; nothing to burn is worth nothing
        let full = plan_rerange(&pool, &price(9), U256::ZERO, sigma, 60, None).unwrap();
        assert_eq!(
            (full.tick_lower, full.tick_upper),
            v4::full_range_ticks(60).unwrap()
        );
        assert_eq!(full.burn_value, U256::ZERO);
        // a rule outside its domain is refused, not clamped
        let bad = RangeRule {
            min_width: 90,
            ..rule
        };
        assert_eq!(
            plan_rerange(&pool, &price(9), l, sigma, 60, Some(&bad)),
            Err(MathError::InvalidInput)
        );
    }

    #[test]
    fn rerange_slippage_checks_both_legs_against_the_oracle() {
        let (old, l) = (pool_at(4), u(100 * ETH));
        let p = price(4);
        let burn_value = lp_value(&old, l, &p).unwrap();
        let out = lp_amounts(&old, l).unwrap();
        let new_pool = PoolState {
            tick_lower: -6_000,
            tick_upper: 33_720,
            ..old
        };
        let minted = liquidity_for(&new_pool, out.0, out.1).unwrap();
        let paid = add_amounts(&new_pool, minted).unwrap();
        let ok = |out: (U256, U256), paid: (U256, U256), bps| {
            move_within_slippage(&p, &new_pool, minted, out, burn_value, paid, bps).unwrap()
        };
        // at the oracle's price both legs are fair (a unit of rounding each)
        assert!(ok(out, paid, 1));
        // the burn returning 1 % less fails a 0.5 % bound, passes a 2 % one
        let short = (out.0 * u(99) / u(100), out.1 * u(99) / u(100));
        assert!(!ok(short, paid, 50) && ok(short, paid, 200));
        // the mint taking 1 % more: the same
        let dear = (paid.0 * u(101) / u(100), paid.1 * u(101) / u(100));
        assert!(!ok(out, dear, 50) && ok(out, dear, 200));
        // nothing burned and nothing minted passes
        let zero = (U256::ZERO, U256::ZERO);
        assert!(
            move_within_slippage(&p, &new_pool, U256::ZERO, zero, U256::ZERO, zero, 0).unwrap()
        );
    }

    #[test]
    fn vault_value_ignores_negative_equity() {
        let p = pool_at(4);
        let h = Holdings {
            liquidity: U256::ZERO,
            idle0: u(10),
            idle1: u(5),
            equity: signed(-7),
        };
        assert_eq!(vault_value(&p, &h, &price(4)).unwrap(), u(45));
    }

    #[test]
    fn hold_value_rounds_up() {
        let price = Price::new(u(1), u(3)).unwrap();
        assert_eq!(hold_value(u(1), u(0), &price).unwrap(), u(1));
    }

    #[test]
    fn hedge_target_is_negative_ratio_of_the_positions_token0() {
        let p = pool_at(4);
        let t = hedge_target(&p, u(100 * ETH), &price(4), 5_000).unwrap();
        // half of about 50 token0, rounded toward zero
        assert!(
            t <= short(25 * ETH - ETH / 1_000_000) && t > short(25 * ETH),
            "{t}"
        );
        assert_eq!(
            hedge_target(&p, u(100 * ETH), &price(4), 0).unwrap(),
            I256::ZERO
        );
    }

    #[test]
    fn lp_bps_measures_capital_in_pool() {
        let p = pool_at(4);
        let lp = lp_value(&p, u(100 * ETH), &price(4)).unwrap();
        let h = Holdings {
            liquidity: u(100 * ETH),
            idle0: U256::ZERO,
            idle1: lp,
            equity: I256::ZERO,
        };
        assert_eq!(lp_bps(&p, &h, &price(4)).unwrap(), 5_000);
        assert_eq!(lp_bps(&p, &Holdings::default(), &price(4)).unwrap(), 0);
    }

    #[test]
    fn proportional_deposit_rounds_in_favour_of_vault() {
        // Vault holds 3 and 7 with 10 shares; max (1, 10): limited by token0.
        let (s, a0, a1) = proportional_deposit(u(1), u(10), u(3), u(7), u(10)).unwrap();
        assert_eq!(s, u(3)); // floor(1 * 10 / 3)
        assert_eq!(a0, u(1)); // ceil(3 * 3 / 10)
        assert_eq!(a1, u(3)); // ceil(3 * 7 / 10)
    }

    #[test]
    fn first_deposit_adds_what_the_amounts_pay_for() {
        let p = pool_at(4);
        let q = quote_deposit(
            &p,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            I256::ZERO,
            U256::ZERO,
            u(ETH),
            u(5 * ETH),
            1_000,
        )
        .unwrap();
        // sqrt(1e18 * 5e18) shares; about 1 token0 + 4 token1 go to the pool
        assert_eq!(q.shares, u(2_236_067_977_499_789_696 - 1_000));
        assert_eq!(q.liquidity, liquidity_for(&p, u(ETH), u(5 * ETH)).unwrap());
        assert_eq!(
            (q.to_pool0, q.to_pool1),
            add_amounts(&p, q.liquidity).unwrap()
        );
        assert!(q.to_pool0 <= u(ETH) && q.to_pool1 <= u(5 * ETH));
        assert!(q.to_pool1 > u(4 * ETH) - u(ETH / 1_000_000) && q.to_pool1 < u(4 * ETH) + u(2));
    }

    #[test]
    fn a_pool_with_no_price_takes_no_deposit() {
        // not initialised in the PoolManager: sqrtPriceX96 = 0 (the amounts
        // would otherwise be read as all token0, below the range)
        let p = PoolState {
            sqrt_price: U256::ZERO,
            ..pool_at(4)
        };
        for (liquidity, supply) in [(U256::ZERO, U256::ZERO), (u(ETH), u(ETH))] {
            assert_eq!(
                quote_deposit(
                    &p,
                    liquidity,
                    U256::ZERO,
                    U256::ZERO,
                    I256::ZERO,
                    supply,
                    u(ETH),
                    u(4 * ETH),
                    1_000,
                ),
                Err(MathError::ZeroPrice)
            );
        }
    }

    #[test]
    fn later_deposits_add_their_share_of_liquidity_never_more_than_they_bring() {
        let p = pool_at(4);
        let l = u(100 * ETH);
        let (in0, in1) = lp_amounts(&p, l).unwrap();
        // 100 shares; idle 10 token1; a deposit limited by token0
        let q = quote_deposit(
            &p,
            l,
            U256::ZERO,
            u(10 * ETH),
            I256::ZERO,
            u(100 * ETH),
            u(5 * ETH),
            u(1_000 * ETH),
            1_000,
        )
        .unwrap();
        assert_eq!((q.total0, q.total1), (in0, in1 + u(10 * ETH)));
        let shares = u(5 * ETH) * u(100 * ETH) / in0;
        assert_eq!(q.shares, shares);
        assert_eq!(q.amount0, (shares * in0).div_ceil(u(100 * ETH)));
        // about 10 % of the liquidity, and adding it fits the deposit
        assert!(q.liquidity <= l * shares / u(100 * ETH));
        assert!(q.liquidity + u(2) >= l * shares / u(100 * ETH));
        assert!(q.to_pool0 <= q.amount0 && q.to_pool1 <= q.amount1);
        assert_eq!(
            (q.to_pool0, q.to_pool1),
            add_amounts(&p, q.liquidity).unwrap()
        );
    }

    #[test]
    fn per_share_rounds_toward_minus_infinity() {
        assert_eq!(
            per_share(signed(1), u(3)).unwrap(),
            signed(333_333_333_333_333_333)
        );
        assert_eq!(
            per_share(signed(-1), u(3)).unwrap(),
            signed(-333_333_333_333_333_334)
        );
    }

    #[test]
    fn advance_credits_fees_and_equity_change() {
        let acc = advance(
            Accruals::default(),
            u(10),
            u(5),
            u(7),
            I256::ZERO,
            signed(20),
        )
        .unwrap();
        assert_eq!((acc.fee0_total, acc.fee1_total), (u(5 * ETH), u(7 * ETH)));
        assert_eq!(
            (acc.fee0_per_share, acc.fee1_per_share),
            (u(ETH / 2), u(7 * ETH / 10))
        );
        assert_eq!(acc.hedge_total, signed(20 * ETH as i128));
        assert_eq!(acc.hedge_per_share, signed(2 * ETH as i128));
        // No shares: nothing accrues.
        assert_eq!(
            advance(acc, U256::ZERO, u(5), u(1), I256::ZERO, I256::ONE).unwrap(),
            acc
        );
    }

    #[test]
    fn fees_collected_go_idle_and_accrue_to_holders() {
        let l = checkpoint(&Ledger::default(), (u(10), u(40)), I256::ZERO, u(5)).unwrap();
        assert_eq!((l.idle0, l.idle1), (u(10), u(40)));
        assert_eq!(
            (l.acc.fee0_total, l.acc.fee1_total),
            (u(10 * ETH), u(40 * ETH))
        );
        let h = HolderRecord::default().settled(u(5), &l.acc).unwrap();
        assert_eq!((h.fee0, h.fee1), (u(10 * ETH), u(40 * ETH)));
        // valued at the view's price: 10 * 4 + 40 = 80
        let s = split(u(200), u(0), u(200), h.fee0, h.fee1, I256::ZERO, &price(4)).unwrap();
        assert_eq!(s.fees, signed(80));
        // Equity moves only count once the venue account exists.
        let l2 = checkpoint(&l, (U256::ZERO, U256::ZERO), signed(7), u(5)).unwrap();
        assert_eq!(l2.acc.hedge_total, I256::ZERO);
        let l3 = checkpoint(
            &Ledger {
                hedge_active: true,
                ..l
            },
            (U256::ZERO, U256::ZERO),
            signed(7),
            u(5),
        )
        .unwrap();
        assert_eq!(l3.acc.hedge_total, signed(7 * ETH as i128));
    }

    #[test]
    fn holder_settles_moves_and_conserves() {
        let acc = Accruals {
            fee0_per_share: u(7),
            fee1_per_share: u(2),
            fee0_total: u(70),
            fee1_total: u(20),
            hedge_per_share: signed(-3),
            hedge_total: signed(-30),
        };
        let h = HolderRecord {
            hold0: u(10),
            hold1: u(20),
            ..Default::default()
        }
        .settled(u(10), &acc)
        .unwrap();
        assert_eq!((h.fee0, h.fee1), (u(70), u(20)));
        assert_eq!(h.hedge_pnl, signed(-30));
        assert_eq!((h.fee0_debt, h.fee1_debt), (u(7), u(2)));
        let part = h.portion(u(3), u(10)).unwrap();
        assert_eq!(
            (part.hold0, part.hold1, part.fee0, part.fee1, part.hedge_pnl),
            (u(3), u(6), u(21), u(6), signed(-9))
        );
        let rest = h.minus(&part).unwrap();
        assert_eq!(rest.plus(&part).unwrap(), h);
        // Settling again with unchanged accumulators credits nothing.
        assert_eq!(h.settled(u(10), &acc).unwrap(), h);
    }

    #[test]
    fn split_sums_exactly() {
        let price = Price::new(u(2), u(1)).unwrap();
        let s = split(
            u(100),
            u(10),
            u(30),
            u(3 * ETH + 1),
            u(ETH / 2),
            signed(-5 * ETH as i128 - 1),
            &price,
        )
        .unwrap();
        // hold = 10*2 + 30 = 50; fees = floor(6.0..) + floor(0.5) = 6; hedge = -6.
        assert_eq!(s.hold, u(50));
        assert_eq!(s.fees, signed(6));
        assert_eq!(s.hedge, signed(-6));
        assert_eq!(s.pnl, signed(50));
        assert_eq!(s.il + s.fees + s.hedge, s.pnl);
    }

    #[test]
    fn records_round_trip_through_words() {
        let l = Ledger {
            liquidity: u(1),
            idle0: u(2),
            idle1: u(3),
            hedge_active: true,
            hold0: u(4),
            hold1: u(5),
            acc: Accruals {
                fee0_per_share: u(6),
                fee1_per_share: u(7),
                fee0_total: u(8),
                fee1_total: u(9),
                hedge_per_share: signed(-10),
                hedge_total: signed(-11),
            },
            equity_last: signed(-12),
        };
        assert_eq!(Ledger::from_words(&l.to_words()).unwrap(), l);
        assert_eq!(
            Ledger::from_words(&l.to_words()[..12]),
            Err(MathError::InvalidInput)
        );
        let h = HolderRecord {
            hold0: u(1),
            hold1: u(2),
            fee0: u(3),
            fee0_debt: u(4),
            fee1: u(5),
            fee1_debt: u(6),
            hedge_pnl: signed(-7),
            hedge_debt: signed(8),
        };
        assert_eq!(HolderRecord::from_words(&h.to_words()).unwrap(), h);
    }

    #[test]
    fn deposit_then_withdraw_everything_returns_the_holder_to_zero() {
        let p = pool_at(4);
        let flat = VenueState::flat(I256::ZERO);
        let none = (U256::ZERO, U256::ZERO);
        let (l, h, q) = deposit(
            &Ledger::default(),
            &HolderRecord::default(),
            &p,
            none,
            &flat,
            U256::ZERO,
            U256::ZERO,
            u(ETH),
            u(4 * ETH),
            1_000,
        )
        .unwrap();
        assert_eq!(l.liquidity, q.liquidity);
        assert_eq!(
            (l.idle0, l.idle1),
            (u(ETH) - q.to_pool0, u(4 * ETH) - q.to_pool1)
        );
        assert_eq!(
            (h.hold0, h.hold1, l.hold0, l.hold1),
            (u(ETH), u(4 * ETH), u(ETH), u(4 * ETH))
        );
        let supply = q.shares + u(1_000);
        let (l, h, out) =
            withdraw(&l, &h, &p, none, Some(&flat), supply, q.shares, q.shares).unwrap();
        // all but the locked minimum's part leaves
        assert!(
            out.liquidity < q.liquidity && out.liquidity > q.liquidity - q.liquidity / u(1_000_000)
        );
        assert_eq!(
            h,
            HolderRecord {
                fee0_debt: h.fee0_debt,
                fee1_debt: h.fee1_debt,
                hedge_debt: h.hedge_debt,
                ..Default::default()
            }
        );
        assert_eq!((l.hold0, l.hold1), (U256::ZERO, U256::ZERO));
        assert_eq!(
            withdraw(&l, &h, &p, none, Some(&flat), supply, U256::ZERO, u(1)),
            Err(MathError::InvalidInput)
        );
    }

    #[test]
    fn transfer_moves_a_pro_rata_part() {
        let acc = Accruals::default();
        let from = HolderRecord {
            hold0: u(10),
            hold1: u(40),
            ..Default::default()
        };
        let (a, b) = transfer(
            &from,
            &HolderRecord::default(),
            &acc,
            u(100),
            U256::ZERO,
            u(25),
        )
        .unwrap();
        assert_eq!(
            (a.hold0, a.hold1, b.hold0, b.hold1),
            (u(8), u(30), u(2), u(10))
        );
    }

    #[test]
    fn vault_split_of_a_feeless_move_is_the_il_of_the_ratio() {
        // Hold what the range held at P = 4; at P = 16 the LP is worth
        // 2 L sqrt(16) and hold x0 * 16 + y0: IL(4) = -20 % within the
        // finite range's cut (far below 1e-12 relative).
        let p = pool_at(4);
        let l = u(100 * ETH);
        let (x0, y0) = add_amounts(&p, l).unwrap();
        let ledger = Ledger {
            liquidity: l,
            hold0: x0,
            hold1: y0,
            ..Default::default()
        };
        let s = vault_split(
            &ledger,
            &p,
            (U256::ZERO, U256::ZERO),
            &price(16),
            I256::ZERO,
            u(100 * ETH),
        )
        .unwrap();
        assert_eq!((s.fees, s.hedge), (I256::ZERO, I256::ZERO));
        let ratio = s.il * signed(1_000_000_000_000) / I256::from_raw(s.hold);
        // -0.2 exactly would be -200_000_000_000 in 1e-12 units
        assert!(
            (ratio + signed(200_000_000_000)).unsigned_abs() <= u(1),
            "{ratio}"
        );
    }

    #[test]
    fn rebalance_plans_burn_and_add_toward_the_target() {
        // LP worth 400 at 4, idle 25 token0 + 100 token1 (worth 200): 2/3
        let p = pool_at(4);
        let l = u(100 * ETH);
        let plan = plan_rebalance(&p, &price(4), l, u(25 * ETH), u(100 * ETH), 5_000).unwrap();
        assert_eq!(plan.current_bps, 6_666);
        // to 50 %: burn a quarter of the liquidity (worth 100), keeping more
        assert!(plan.burn <= u(25 * ETH) && plan.burn + u(2) >= u(25 * ETH));
        assert_eq!(plan.add, U256::ZERO);
        assert_eq!(plan.burn_value, lp_value(&p, plan.burn, &price(4)).unwrap());
        // to 100 %: add all the idle pays for
        let plan = plan_rebalance(&p, &price(4), l, u(25 * ETH), u(100 * ETH), 10_000).unwrap();
        assert_eq!(plan.burn, U256::ZERO);
        assert_eq!(
            plan.add,
            liquidity_for(&p, u(25 * ETH), u(100 * ETH)).unwrap()
        );
        assert!(plan.add0 <= u(25 * ETH) && plan.add1 <= u(100 * ETH));
        // to 80 %: capital 600, wanted 480, missing 80 of the 200 idle
        let plan = plan_rebalance(&p, &price(4), l, u(25 * ETH), u(100 * ETH), 8_000).unwrap();
        let added = lp_value(&p, plan.add, &price(4)).unwrap();
        // (the liquidity is cut in proportion, so the value lands within
        // rounding of the target on either side)
        assert!(added.abs_diff(u(80 * ETH)) < u(ETH / 1_000_000), "{added}");
        assert!(
            rebalance_within_slippage(&price(4), plan.add0, plan.add1, added, false, 1).unwrap()
        );
    }

    #[test]
    fn plans_respect_targets_steps_and_collateral() {
        let p = pool_at(4);
        // Hedge: target -50 % of about 50 token0 held; step capped at 10.
        let h = plan_hedge(
            &p,
            &price(4),
            u(100 * ETH),
            5_000,
            I256::ZERO,
            I256::ZERO,
            u(1_000 * ETH),
            2_000,
            u(10 * ETH),
        )
        .unwrap();
        assert!(h.target < short(24 * ETH));
        assert_eq!(h.delta, short(10 * ETH));
        // 10 token0 at 4 = 40 notional; 20 % = 8 collateral.
        assert_eq!(h.top_up, u(8 * ETH));
    }

    #[test]
    fn a_hedge_at_its_target_tops_up_against_equity_not_collateral() {
        let p = pool_at(4);
        let target = hedge_target(&p, u(100 * ETH), &price(4), 5_000).unwrap();
        let required = margin_for(target, &price(4), 2_000).unwrap();
        // the short lost: equity 60 % of the margin < 90 %: top up, no trade
        let equity = I256::from_raw(required * u(6) / u(10));
        let h = plan_hedge(
            &p,
            &price(4),
            u(100 * ETH),
            5_000,
            target,
            equity,
            u(1_000 * ETH),
            2_000,
            U256::MAX,
        )
        .unwrap();
        assert_eq!(h.delta, I256::ZERO);
        assert_eq!(h.top_up, required - equity.into_raw());
        // at 95 % of the margin nothing is topped up
        let h = plan_hedge(
            &p,
            &price(4),
            u(100 * ETH),
            5_000,
            target,
            I256::from_raw(required * u(95) / u(100)),
            u(1_000 * ETH),
            2_000,
            U256::MAX,
        )
        .unwrap();
        assert_eq!((h.delta, h.top_up), (I256::ZERO, U256::ZERO));
    }

    #[test]
    fn a_hedge_the_margin_cannot_carry_is_cut_to_what_it_can() {
        // wanted short 10 (notional 40 needs 8) but equity 2 + idle 2 = 4
        // carry a notional of 20: the short is cut to 5 and all idle goes in.
        let p = pool_at(4);
        let h = plan_hedge(
            &p,
            &price(4),
            u(100 * ETH),
            5_000,
            I256::ZERO,
            signed(2 * ETH as i128),
            u(2 * ETH),
            2_000,
            u(10 * ETH),
        )
        .unwrap();
        assert_eq!(h.new_size, short(5 * ETH));
        assert_eq!(h.top_up, u(2 * ETH));
        // underwater with nothing idle: close
        let h = plan_hedge(
            &p,
            &price(4),
            u(100 * ETH),
            5_000,
            short(25 * ETH),
            signed(-1),
            U256::ZERO,
            2_000,
            U256::MAX,
        )
        .unwrap();
        assert_eq!((h.new_size, h.top_up), (I256::ZERO, U256::ZERO));
    }

    #[test]
    fn entering_and_leaving_marks_take_the_worse_side() {
        // short 75 at a mark of 2,000; the pool already shows 1,960: the
        // short's gain there is 75 * 40 = 3,000.
        let v = VenueState {
            equity: signed(30_000),
            size: short(75),
            mark: price(2_000),
        };
        assert_eq!(v.equity_at(&price(1_960)).unwrap(), signed(33_000));
        assert_eq!(v.entering(&price(1_960)).unwrap(), signed(33_000));
        assert_eq!(v.leaving(&price(1_960)).unwrap(), signed(30_000));
        assert_eq!(v.entering(&price(2_040)).unwrap(), signed(30_000));
        assert_eq!(v.leaving(&price(2_040)).unwrap(), signed(27_000));
        // a flat account needs no price
        assert_eq!(
            VenueState::flat(signed(5)).leaving(&price(2_040)).unwrap(),
            signed(5)
        );
    }

    #[test]
    fn a_paid_exit_charges_its_cost_to_the_leaver() {
        // 40 % leaves an account worth 1,000 at the mark and 900 at the
        // leaving mark. The venue closes 40 % at a cost of 10 and pays
        // 0.4 * 990 = 396; 594 stays. The leaver is due 0.4 * 900 - 10 = 350;
        // 46 stays idle; the rest (600 before) hold 594 + 46 = 640: +40.
        let l = Ledger {
            hedge_active: true,
            idle1: u(7),
            equity_last: signed(1_000),
            ..Default::default()
        };
        let f = u(400_000_000_000_000_000);
        let paid = VenueExit::Paid {
            paid: u(396),
            equity_after: signed(594),
        };
        let (after, due) = settle_venue(&l, u(60), f, signed(1_000), signed(900), paid).unwrap();
        assert_eq!(due, u(350));
        assert_eq!(after.idle1, u(7 + 46));
        assert_eq!(after.equity_last, signed(594));
        assert_eq!(after.acc.hedge_total, signed(40 * ETH as i128));
        assert_eq!(after.acc.hedge_per_share, signed(40 * ETH as i128 / 60));
        // a cost above the leaver's share pays nothing, and never more than paid
        let (_, due) = settle_venue(&l, u(60), f, signed(1_000), signed(10), paid).unwrap();
        assert_eq!(due, U256::ZERO);
    }

    #[test]
    fn an_exit_in_kind_keeps_the_remaining_baseline() {
        let l = Ledger {
            hedge_active: true,
            equity_last: signed(1_001),
            ..Default::default()
        };
        let f = u(400_000_000_000_000_000);
        let (after, due) =
            settle_venue(&l, u(60), f, signed(1_001), I256::ZERO, VenueExit::InKind).unwrap();
        // 400.4 leaves (floor 400): 601 stays as the baseline
        assert_eq!((after.equity_last, due), (signed(601), U256::ZERO));
        assert_eq!(after.acc, l.acc);
        assert_eq!(
            settle_venue(
                &l,
                u(1),
                WAD + u(1),
                I256::ZERO,
                I256::ZERO,
                VenueExit::InKind
            ),
            Err(MathError::InvalidInput)
        );
    }

    #[test]
    fn a_withdrawal_without_a_venue_mark_accrues_no_hedge_pnl() {
        let p = pool_at(4);
        let l = Ledger {
            liquidity: u(10 * ETH),
            hedge_active: true,
            equity_last: signed(500),
            ..Default::default()
        };
        let none = (U256::ZERO, U256::ZERO);
        let (after, _, out) = withdraw(
            &l,
            &HolderRecord::default(),
            &p,
            none,
            None,
            u(100),
            u(50),
            u(10),
        )
        .unwrap();
        assert_eq!(after.acc, l.acc);
        assert_eq!(after.equity_last, signed(500));
        assert_eq!(out.equity_out, I256::ZERO);
        assert_eq!(out.fraction_wad, u(ETH / 10));
        assert_eq!(out.liquidity, u(ETH));
    }

    #[test]
    fn pacing_waits_the_cooldown_or_longer_to_reverse() {
        use pacing::{DOWN, NONE, REVERSAL_COOLDOWN, UP, wait};
        assert_eq!(wait(0, NONE, UP, 3_600, 100), 0);
        assert_eq!(wait(1_000, UP, UP, 3_600, 1_000), 3_600);
        assert_eq!(wait(1_000, UP, UP, 3_600, 4_600), 0);
        assert_eq!(
            wait(1_000, UP, DOWN, 3_600, 4_600),
            REVERSAL_COOLDOWN - 3_600
        );
        assert_eq!(wait(1_000, NONE, DOWN, 3_600, 2_000), 2_600);
    }

    #[test]
    fn slippage_bound() {
        assert!(within_slippage(u(99), u(100), 100).unwrap());
        assert!(!within_slippage(u(98), u(100), 100).unwrap());
    }

    #[test]
    fn signed_share_conserves_the_sum() {
        let v = signed(-10);
        let moved = signed_share(v, u(1), u(3)).unwrap();
        assert_eq!(moved, signed(-3));
        assert_eq!(v - moved, signed(-7));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        #[test]
        fn valuation_equals_the_three_functions(
            p_num in 1_u128..1_000_000_000_000,
            p_den in 1_u128..1_000_000_000_000,
            liquidity in proptest::prop_oneof![proptest::strategy::Just(0_u128), 0_u128..u128::from(u64::MAX) << 20],
            idle0 in 0_u128..u128::MAX >> 40,
            idle1 in 0_u128..u128::MAX >> 40,
            ratio in 0_u16..=10_000,
            lower in -600_i32..0,
            width in 1_i32..1_200,
            full in proptest::bool::ANY,
        ) {
            let price = Price::new(u(p_num), u(p_den)).unwrap();
            let (tick_lower, tick_upper) = if full {
                v4::full_range_ticks(60).unwrap()
            } else {
                (lower * 60, (lower + width) * 60)
            };
            let pool = PoolState { sqrt_price: price.sqrt_price_x96(Rounding::Floor), tick_lower, tick_upper };
            let h = Holdings { liquidity: u(liquidity), idle0: u(idle0), idle1: u(idle1), equity: I256::ZERO };
            let v = valuation(&pool, &h, &price, ratio).unwrap();
            proptest::prop_assert_eq!(v.lp_value, lp_value(&pool, h.liquidity, &price).unwrap());
            proptest::prop_assert_eq!(v.lp_bps, lp_bps(&pool, &h, &price).unwrap());
            proptest::prop_assert_eq!(v.hedge_target, hedge_target(&pool, h.liquidity, &price, ratio).unwrap());
        }

        /// `plan_rebalance` values everything with one sqrt price and one
        /// pair of bounds: the same plan (and the same error) as composing
        /// `lp_bps` and `lp_value`, which compute them on every call.
        #[test]
        fn rebalance_plan_equals_the_composed_functions(
            p_num in 1_u128..1_000_000_000_000,
            p_den in 1_u128..1_000_000_000_000,
            spot_bps in 9_000_u64..11_000,
            liquidity in proptest::prop_oneof![proptest::strategy::Just(0_u128), 0_u128..u128::from(u64::MAX) << 20],
            idle0 in 0_u128..u128::MAX >> 40,
            idle1 in 0_u128..u128::MAX >> 40,
            target in 0_u16..=10_000,
            lower in -600_i32..0,
            width in -1_i32..1_200,
            full in proptest::bool::ANY,
        ) {
            let price = Price::new(u(p_num), u(p_den)).unwrap();
            let (tick_lower, tick_upper) = if full {
                v4::full_range_ticks(60).unwrap()
            } else {
                (lower * 60, (lower + width) * 60)
            };
            let spot = price.sqrt_price_x96(Rounding::Floor) * U256::from(spot_bps) / U256::from(10_000_u64);
            let pool = PoolState { sqrt_price: spot, tick_lower, tick_upper };
            let reference = || -> Result<RebalancePlan, MathError> {
                let l = u(liquidity);
                let h = Holdings { liquidity: l, idle0: u(idle0), idle1: u(idle1), equity: I256::ZERO };
                let current_bps = lp_bps(&pool, &h, &price)?;
                let lp_val = lp_value(&pool, l, &price)?;
                let capital = il_math::add(il_math::add(lp_val, price.quote(h.idle0, Rounding::Floor)?)?, h.idle1)?;
                let burn = rebalance_burn(l, lp_val, capital, target)?;
                let wanted = il_math::mul_div(capital, U256::from(target), U256::from(il_math::BPS), Rounding::Floor)?;
                let add = if burn.is_zero() && wanted > lp_val {
                    let missing = il_math::sub(wanted, lp_val)?;
                    let affordable = liquidity_for(&pool, h.idle0, h.idle1)?;
                    let worth = lp_value(&pool, affordable, &price)?;
                    if worth <= missing { affordable } else { il_math::mul_div(affordable, missing, worth, Rounding::Floor)? }
                } else {
                    U256::ZERO
                };
                let (add0, add1) = add_amounts(&pool, add)?;
                Ok(RebalancePlan { current_bps, burn, add, add0, add1, burn_value: lp_value(&pool, burn, &price)? })
            };
            proptest::prop_assert_eq!(
                plan_rebalance(&pool, &price, u(liquidity), u(idle0), u(idle1), target),
                reference()
            );
        }
    }
}
