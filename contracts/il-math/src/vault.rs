//! The vault's valuation, accounting and bounds as pure functions, shared by
//! the vault contract (checkpoints, deposits, withdrawals), the manager
//! (rebalance and hedge amounts), the lens (views) and the keeper's
//! backtest, so they all apply the same rules to the wei. Every division
//! states its rounding, always in the vault's favour: assets and credited
//! income round down, what a depositor owes rounds up.

use alloy_primitives::{I256, U256};

use crate as il_math;
use crate::{MathError, Price, Rounding, WAD};

/// What the vault holds. `lp` pool shares, idle tokens, and the signed equity
/// of its account at the hedge venue (token1 raw units).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Holdings {
    pub lp: U256,
    pub idle0: U256,
    pub idle1: U256,
    pub equity: I256,
}

/// The pool as the vault sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolState {
    pub reserve0: U256,
    pub reserve1: U256,
    pub supply: U256,
}

impl PoolState {
    /// The pool's spot price, `reserve1 / reserve0`: what a swap in the same
    /// transaction can move (never used to value; only as the second mark).
    ///
    /// # Errors
    /// `ZeroPrice` for an empty pool.
    pub fn spot(&self) -> Result<Price, MathError> {
        Price::from_reserves(self.reserve0, self.reserve1)
    }
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

/// Value of `lp` pool shares at `price`, at FAIR reserves (those an
/// arbitraged pool holds at that price: `2 * sqrt(k * P)` for the whole
/// pool), so a swap in the same transaction cannot move it. Floor.
pub fn lp_value(pool: &PoolState, lp: U256, price: &Price) -> Result<U256, MathError> {
    if lp.is_zero() {
        return Ok(U256::ZERO);
    }
    let whole = il_math::lp_value(pool.reserve0, pool.reserve1, price, Rounding::Floor)?;
    il_math::share_of(whole, lp, pool.supply, Rounding::Floor)
}

/// Token amounts `lp` pool shares redeem for at SPOT reserves (what `burn`
/// pays now; what a deposit must match). Floor.
pub fn lp_amounts(pool: &PoolState, lp: U256) -> Result<(U256, U256), MathError> {
    if lp.is_zero() {
        return Ok((U256::ZERO, U256::ZERO));
    }
    Ok((
        il_math::share_of(pool.reserve0, lp, pool.supply, Rounding::Floor)?,
        il_math::share_of(pool.reserve1, lp, pool.supply, Rounding::Floor)?,
    ))
}

/// The vault's value in token1 at `price`: LP at fair value, idle tokens,
/// and the hedge equity when positive (a negative equity is the venue's
/// loss, not the depositors' debt: the venue liquidates before). Floor.
pub fn vault_value(pool: &PoolState, h: &Holdings, price: &Price) -> Result<U256, MathError> {
    let lp = lp_value(pool, h.lp, price)?;
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

/// The pool's growth index `sqrt(reserve0 * reserve1) / supply` in WAD:
/// liquidity per pool share. Minting and burning keep it (up to rounding
/// in the pool's favour); only fees and donations raise it. Floor.
pub fn growth(pool: &PoolState) -> Result<U256, MathError> {
    if pool.supply.is_zero() {
        return Ok(U256::ZERO);
    }
    let liquidity = il_math::sqrt_product(pool.reserve0, pool.reserve1, Rounding::Floor);
    il_math::mul_div(liquidity, WAD, pool.supply, Rounding::Floor)
}

/// Token1 value of `liquidity_wad / 1e18` units of constant-product
/// liquidity at `price`: `2 * L * sqrt(P)`. Floor.
pub fn liquidity_value(liquidity_wad: U256, price: &Price) -> Result<U256, MathError> {
    let scaled = il_math::lp_value(liquidity_wad, liquidity_wad, price, Rounding::Floor)?;
    il_math::mul_div(scaled, U256::from(1u8), WAD, Rounding::Floor)
}

/// A WAD-scaled signed amount in raw units, rounded toward -infinity.
pub fn from_wad_floor(x: I256) -> Result<I256, MathError> {
    il_math::signed_mul_div(x, U256::from(1u8), WAD, Rounding::Floor)
}

/// The short the hedge should hold: `ratio_bps / 1e4` of the token0 the
/// vault's LP holds at fair reserves, as a negative size (token0 raw units).
/// The magnitude rounds down (never over-hedge by rounding).
pub fn hedge_target(
    pool: &PoolState,
    lp: U256,
    price: &Price,
    ratio_bps: u16,
) -> Result<I256, MathError> {
    if lp.is_zero() || ratio_bps == 0 {
        return Ok(I256::ZERO);
    }
    let (fair0, _) = il_math::fair_reserves(pool.reserve0, pool.reserve1, price, Rounding::Floor)?;
    let held0 = il_math::share_of(fair0, lp, pool.supply, Rounding::Floor)?;
    let target = il_math::mul_div(
        held0,
        U256::from(ratio_bps),
        U256::from(il_math::BPS),
        Rounding::Floor,
    )?;
    il_math::to_negative(target)
}

/// Share of the capital (LP + idle, at `price`) that sits in the pool, bps.
/// Floor. An empty vault reports 0.
pub fn lp_bps(pool: &PoolState, h: &Holdings, price: &Price) -> Result<u16, MathError> {
    let lp = lp_value(pool, h.lp, price)?;
    let total = il_math::add(
        il_math::add(lp, price.quote(h.idle0, Rounding::Floor)?)?,
        h.idle1,
    )?;
    if total.is_zero() {
        return Ok(0);
    }
    let bps = il_math::mul_div(lp, U256::from(il_math::BPS), total, Rounding::Floor)?;
    // cannot truncate: lp <= total, so bps <= 10_000.
    Ok(bps.to::<u16>())
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

/// The largest amounts at the pool's spot ratio that fit in `(max0, max1)`
/// (what `mint` turns into liquidity without donating the excess).
pub fn at_pool_ratio(pool: &PoolState, max0: U256, max1: U256) -> Result<(U256, U256), MathError> {
    if pool.reserve0.is_zero() || pool.reserve1.is_zero() {
        return Err(MathError::ZeroPrice);
    }
    let need1 = il_math::mul_div(max0, pool.reserve1, pool.reserve0, Rounding::Ceil)?;
    if need1 <= max1 {
        return Ok((max0, need1));
    }
    let fit0 = il_math::mul_div(max1, pool.reserve0, pool.reserve1, Rounding::Floor)?;
    Ok((fit0, max1))
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
    /// The part added to the pool (at its spot ratio); the rest stays idle.
    pub to_pool0: U256,
    pub to_pool1: U256,
    /// The vault's totals before the deposit (LP at spot + idle, and for
    /// token1 the positive hedge equity).
    pub total0: U256,
    pub total1: U256,
}

/// The deposit rule. The first deposit (`supply == 0`) takes the amounts as
/// given, mints `sqrt(max0 * max1) - minimum_shares` (the minimum is locked
/// by the caller) and adds to the pool as much as matches its ratio.
/// Later deposits are proportional to the vault's totals (shares floor,
/// amounts ceil, see [`proportional_deposit`]) and add to the pool the
/// pool's share of each token.
#[allow(clippy::too_many_arguments)]
pub fn quote_deposit(
    pool: &PoolState,
    lp: U256,
    idle0: U256,
    idle1: U256,
    equity: I256,
    supply: U256,
    max0: U256,
    max1: U256,
    minimum_shares: u64,
) -> Result<DepositQuote, MathError> {
    if supply.is_zero() {
        let root = il_math::sqrt_product(max0, max1, Rounding::Floor);
        let (to_pool0, to_pool1) = at_pool_ratio(pool, max0, max1)?;
        return Ok(DepositQuote {
            shares: root.saturating_sub(U256::from(minimum_shares)),
            amount0: max0,
            amount1: max1,
            to_pool0,
            to_pool1,
            total0: U256::ZERO,
            total1: U256::ZERO,
        });
    }
    let (in_pool0, in_pool1) = lp_amounts(pool, lp)?;
    let equity = if equity.is_negative() {
        U256::ZERO
    } else {
        equity.into_raw()
    };
    let total0 = il_math::add(in_pool0, idle0)?;
    let total1 = il_math::add(il_math::add(in_pool1, idle1)?, equity)?;
    let (shares, amount0, amount1) = proportional_deposit(max0, max1, total0, total1, supply)?;
    let part0 = if total0.is_zero() {
        U256::ZERO
    } else {
        il_math::mul_div(amount0, in_pool0, total0, Rounding::Floor)?
    };
    let part1 = if total1.is_zero() {
        U256::ZERO
    } else {
        il_math::mul_div(amount1, in_pool1, total1, Rounding::Floor)?
    };
    let (to_pool0, to_pool1) = at_pool_ratio(pool, part0, part1)?;
    Ok(DepositQuote {
        shares,
        amount0,
        amount1,
        to_pool0,
        to_pool1,
        total0,
        total1,
    })
}

/// The vault-wide accounting accumulators (see the vault's documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accruals {
    /// Fee liquidity per share, WAD-scaled liquidity units.
    pub fee_per_share: U256,
    /// Fee liquidity earned by the whole vault, WAD-scaled.
    pub fee_total: U256,
    /// Hedge PnL per share, WAD-scaled token1.
    pub hedge_per_share: I256,
    /// Hedge PnL of the whole vault, WAD-scaled token1.
    pub hedge_total: I256,
}

/// What a checkpoint adds to `acc`: the vault's `lp` earned fee liquidity
/// `lp * (growth_now - growth_last)` (nothing if the index did not rise, or
/// before it was first recorded), and the venue equity moved by
/// `equity_now - equity_last` (collateral moves are excluded by the caller,
/// which adjusts `equity_last` when it moves collateral). Per-share credits
/// round toward -infinity; totals are exact. With no shares, nothing accrues.
pub fn advance(
    acc: Accruals,
    supply: U256,
    lp: U256,
    growth_last: U256,
    growth_now: U256,
    equity_last: I256,
    equity_now: I256,
) -> Result<Accruals, MathError> {
    if supply.is_zero() {
        return Ok(acc);
    }
    let mut out = acc;
    if !growth_last.is_zero() && growth_now > growth_last {
        let gain = il_math::mul(lp, il_math::sub(growth_now, growth_last)?)?;
        out.fee_per_share = il_math::add(
            out.fee_per_share,
            il_math::mul_div(gain, U256::from(1u8), supply, Rounding::Floor)?,
        )?;
        out.fee_total = il_math::add(out.fee_total, gain)?;
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
    /// Fee liquidity (WAD-scaled) credited up to `fee_debt`.
    pub fee_liquidity: U256,
    pub fee_debt: U256,
    /// Hedge PnL (WAD-scaled token1) credited up to `hedge_debt`.
    pub hedge_pnl: I256,
    pub hedge_debt: I256,
}

impl HolderRecord {
    /// The record with what `shares` earned up to `acc` credited, and the
    /// debts moved to `acc` (MasterChef-style settlement).
    pub fn settled(self, shares: U256, acc: &Accruals) -> Result<Self, MathError> {
        let fee = il_math::mul(shares, il_math::sub(acc.fee_per_share, self.fee_debt)?)?;
        let hedge = accrued(shares, acc.hedge_per_share, self.hedge_debt)?;
        Ok(Self {
            fee_liquidity: il_math::add(self.fee_liquidity, fee)?,
            fee_debt: acc.fee_per_share,
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
    pub fn portion(&self, part: U256, whole: U256) -> Result<Self, MathError> {
        Ok(Self {
            hold0: il_math::share_of(self.hold0, part, whole, Rounding::Floor)?,
            hold1: il_math::share_of(self.hold1, part, whole, Rounding::Floor)?,
            fee_liquidity: il_math::share_of(self.fee_liquidity, part, whole, Rounding::Floor)?,
            fee_debt: self.fee_debt,
            hedge_pnl: signed_share(self.hedge_pnl, part, whole)?,
            hedge_debt: self.hedge_debt,
        })
    }

    /// `self` less a `portion` of it (debts unchanged).
    pub fn minus(&self, portion: &Self) -> Result<Self, MathError> {
        Ok(Self {
            hold0: il_math::sub(self.hold0, portion.hold0)?,
            hold1: il_math::sub(self.hold1, portion.hold1)?,
            fee_liquidity: il_math::sub(self.fee_liquidity, portion.fee_liquidity)?,
            hedge_pnl: self
                .hedge_pnl
                .checked_sub(portion.hedge_pnl)
                .ok_or(MathError::Overflow)?,
            ..*self
        })
    }

    /// `self` plus a `portion` moved in (debts unchanged: both sides are
    /// settled to the same accumulators first).
    pub fn plus(&self, portion: &Self) -> Result<Self, MathError> {
        Ok(Self {
            hold0: il_math::add(self.hold0, portion.hold0)?,
            hold1: il_math::add(self.hold1, portion.hold1)?,
            fee_liquidity: il_math::add(self.fee_liquidity, portion.fee_liquidity)?,
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

/// Values a position: `value` (token1), benchmark `(hold0, hold1)`, earned
/// fee liquidity (WAD-scaled) and hedge PnL (WAD-scaled token1), at `price`.
/// IL is what remains of `value - hold` after fees and hedge PnL.
pub fn split(
    value: U256,
    hold0: U256,
    hold1: U256,
    fee_liquidity: U256,
    hedge_wad: I256,
    price: &Price,
) -> Result<Split, MathError> {
    let hold = hold_value(hold0, hold1, price)?;
    let pnl = il_math::signed_diff(value, hold)?;
    let fees = il_math::to_signed(liquidity_value(fee_liquidity, price)?)?;
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

/// Pool shares to burn so that the LP (worth `lp_value`, in `lp` shares)
/// becomes `target_bps` of `capital`: `lp - ceil(lp * wanted / lp_value)`
/// (keeps slightly more, never overshoots). Zero when nothing to burn.
pub fn rebalance_burn(
    lp: U256,
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
    let keep = il_math::mul_div(lp, wanted, lp_value, Rounding::Ceil)?;
    Ok(lp.saturating_sub(keep))
}

/// Idle amounts to add to the pool (at its spot ratio) so that the LP
/// (worth `lp_value`) becomes `target_bps` of `capital` at `price`, limited
/// by `(idle0, idle1)`: the value to add is `wanted - lp_value`, and
/// `(x, x * r1 / r0)` is worth `x * (P + r1 / r0)`.
pub fn rebalance_add(
    pool: &PoolState,
    price: &Price,
    lp_value: U256,
    capital: U256,
    target_bps: u16,
    idle0: U256,
    idle1: U256,
) -> Result<(U256, U256), MathError> {
    let wanted = il_math::mul_div(
        capital,
        U256::from(target_bps),
        U256::from(il_math::BPS),
        Rounding::Floor,
    )?;
    if wanted <= lp_value {
        return Ok((U256::ZERO, U256::ZERO));
    }
    let add_value = il_math::sub(wanted, lp_value)?;
    let per0 = il_math::add(price.quote(pool.reserve0, Rounding::Ceil)?, pool.reserve1)?;
    let x0 = il_math::mul_div(add_value, pool.reserve0, per0, Rounding::Floor)?;
    at_pool_ratio(pool, x0.min(idle0), idle1)
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
    /// Pool shares held.
    pub lp: U256,
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
    /// Pool growth index (WAD) and venue equity at the last checkpoint.
    pub growth_last: U256,
    pub equity_last: I256,
}

impl Ledger {
    /// Words of a ledger record.
    pub const WORDS: usize = 12;

    /// The record, in field order (signed values as two's complement).
    pub fn to_words(&self) -> [U256; Self::WORDS] {
        [
            self.lp,
            self.idle0,
            self.idle1,
            U256::from(u8::from(self.hedge_active)),
            self.hold0,
            self.hold1,
            self.acc.fee_per_share,
            self.acc.fee_total,
            self.acc.hedge_per_share.into_raw(),
            self.acc.hedge_total.into_raw(),
            self.growth_last,
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
            lp: w[0],
            idle0: w[1],
            idle1: w[2],
            hedge_active: !w[3].is_zero(),
            hold0: w[4],
            hold1: w[5],
            acc: Accruals {
                fee_per_share: w[6],
                fee_total: w[7],
                hedge_per_share: I256::from_raw(w[8]),
                hedge_total: I256::from_raw(w[9]),
            },
            growth_last: w[10],
            equity_last: I256::from_raw(w[11]),
        })
    }

    fn holdings(&self, equity: I256) -> Holdings {
        Holdings {
            lp: self.lp,
            idle0: self.idle0,
            idle1: self.idle1,
            equity,
        }
    }
}

impl HolderRecord {
    /// Words of a holder record.
    pub const WORDS: usize = 6;

    /// The record, in field order (signed values as two's complement).
    pub fn to_words(&self) -> [U256; Self::WORDS] {
        [
            self.hold0,
            self.hold1,
            self.fee_liquidity,
            self.fee_debt,
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
            fee_liquidity: w[2],
            fee_debt: w[3],
            hedge_pnl: I256::from_raw(w[4]),
            hedge_debt: I256::from_raw(w[5]),
        })
    }
}

/// Brings the ledger's accumulators to now: `pool` as read now, `equity`
/// the venue equity now (zero without a venue account), `supply` the
/// vault's shares. See [`advance`].
pub fn checkpoint(
    ledger: &Ledger,
    pool: &PoolState,
    equity: I256,
    supply: U256,
) -> Result<Ledger, MathError> {
    let growth_now = growth(pool)?;
    let equity = if ledger.hedge_active {
        equity
    } else {
        I256::ZERO
    };
    let acc = advance(
        ledger.acc,
        supply,
        ledger.lp,
        ledger.growth_last,
        growth_now,
        ledger.equity_last,
        equity,
    )?;
    Ok(Ledger {
        acc,
        growth_last: ledger.growth_last.max(growth_now),
        equity_last: equity,
        ..*ledger
    })
}

/// A deposit (see [`quote_deposit`]): the ledger after it (accumulators
/// advanced; idle grown by what does not go to the pool; the pool shares
/// the mint returns are the caller's to add), the receiver's record
/// (settled, benchmark grown) and the quote. The venue equity is bought
/// into at [`VenueState::entering`] (the higher of the oracle and the spot
/// marks); the accumulators advance at the oracle mark.
#[allow(clippy::too_many_arguments)]
pub fn deposit(
    ledger: &Ledger,
    holder: &HolderRecord,
    pool: &PoolState,
    venue: &VenueState,
    supply: U256,
    balance: U256,
    max0: U256,
    max1: U256,
    minimum_shares: u64,
) -> Result<(Ledger, HolderRecord, DepositQuote), MathError> {
    let mut l = checkpoint(ledger, pool, venue.equity, supply)?;
    let equity = if l.hedge_active {
        venue.entering(&pool.spot()?)?
    } else {
        I256::ZERO
    };
    let q = quote_deposit(
        pool,
        l.lp,
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
    l.idle0 = il_math::add(l.idle0, il_math::sub(q.amount0, q.to_pool0)?)?;
    l.idle1 = il_math::add(l.idle1, il_math::sub(q.amount1, q.to_pool1)?)?;
    Ok((l, h, q))
}

/// What a withdrawal of `shares` takes out (see [`withdraw`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Redemption {
    /// Pool shares to burn (their tokens go to the receiver).
    pub lp: U256,
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
/// ledger after it (accumulators advanced, the pro-rata LP and idle
/// removed, the holder's benchmark and credits removed from the totals),
/// the holder's record after it, and what to pay out. Every part rounds
/// down. The venue part is settled by the caller with [`settle_venue`].
///
/// `venue` is `None` when the venue cannot value the account now (a stale
/// or failing feed): withdrawals never wait for it. The accumulators then
/// stay where the last checkpoint left them (what the account gained or lost
/// since leaves inside the part handed over in kind), and `equity_out` is 0.
#[allow(clippy::too_many_arguments)]
pub fn withdraw(
    ledger: &Ledger,
    holder: &HolderRecord,
    pool: &PoolState,
    venue: Option<&VenueState>,
    supply: U256,
    balance: U256,
    shares: U256,
) -> Result<(Ledger, HolderRecord, Redemption), MathError> {
    if shares > balance || balance > supply {
        return Err(MathError::InvalidInput);
    }
    let equity_now = venue.map_or(ledger.equity_last, |v| v.equity);
    let mut l = checkpoint(ledger, pool, equity_now, supply)?;
    let equity_out = match venue {
        Some(v) if l.hedge_active => v.leaving(&pool.spot()?)?,
        _ => I256::ZERO,
    };
    let out = Redemption {
        lp: il_math::share_of(l.lp, shares, supply, Rounding::Floor)?,
        idle0: il_math::share_of(l.idle0, shares, supply, Rounding::Floor)?,
        idle1: il_math::share_of(l.idle1, shares, supply, Rounding::Floor)?,
        fraction_wad: if l.hedge_active {
            il_math::mul_div(shares, WAD, supply, Rounding::Floor)?
        } else {
            U256::ZERO
        },
        equity_out,
    };
    l.lp = il_math::sub(l.lp, out.lp)?;
    l.idle0 = il_math::sub(l.idle0, out.idle0)?;
    l.idle1 = il_math::sub(l.idle1, out.idle1)?;
    let h = holder.settled(balance, &l.acc)?;
    let part = h.portion(shares, balance)?;
    let h = h.minus(&part)?;
    l.hold0 = il_math::sub(l.hold0, part.hold0)?;
    l.hold1 = il_math::sub(l.hold1, part.hold1)?;
    l.acc.fee_total = il_math::sub(l.acc.fee_total, part.fee_liquidity)?;
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

/// Vault-wide accounting at `price` (accumulators brought to now).
pub fn vault_split(
    ledger: &Ledger,
    pool: &PoolState,
    price: &Price,
    equity: I256,
    supply: U256,
) -> Result<Split, MathError> {
    let l = checkpoint(ledger, pool, equity, supply)?;
    let value = vault_value(pool, &l.holdings(l.equity_last), price)?;
    split(
        value,
        l.hold0,
        l.hold1,
        l.acc.fee_total,
        l.acc.hedge_total,
        price,
    )
}

/// One holder's accounting at `price`: `balance` of `supply` shares.
#[allow(clippy::too_many_arguments)]
pub fn holder_split(
    ledger: &Ledger,
    holder: &HolderRecord,
    pool: &PoolState,
    price: &Price,
    equity: I256,
    supply: U256,
    balance: U256,
) -> Result<Split, MathError> {
    let l = checkpoint(ledger, pool, equity, supply)?;
    let total = vault_value(pool, &l.holdings(l.equity_last), price)?;
    let value = if supply.is_zero() {
        U256::ZERO
    } else {
        il_math::share_of(total, balance, supply, Rounding::Floor)?
    };
    let h = holder.settled(balance, &l.acc)?;
    split(value, h.hold0, h.hold1, h.fee_liquidity, h.hedge_pnl, price)
}

/// A rebalance toward `target_bps` of the capital (LP at fair value + idle,
/// at `price`) in the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RebalancePlan {
    /// The share of capital in the pool now, bps.
    pub current_bps: u16,
    /// Pool shares to burn (zero when adding).
    pub burn_lp: U256,
    /// Idle tokens to add, at the pool's ratio (zero when burning).
    pub add0: U256,
    pub add1: U256,
    /// Fair value (at `price`) of the pool shares burned, for the slippage check.
    pub burn_value: U256,
}

/// Plans a rebalance (see [`rebalance_burn`], [`rebalance_add`]).
pub fn plan_rebalance(
    pool: &PoolState,
    price: &Price,
    lp: U256,
    idle0: U256,
    idle1: U256,
    target_bps: u16,
) -> Result<RebalancePlan, MathError> {
    let h = Holdings {
        lp,
        idle0,
        idle1,
        equity: I256::ZERO,
    };
    let current_bps = lp_bps(pool, &h, price)?;
    let lp_val = lp_value(pool, lp, price)?;
    let capital = il_math::add(
        il_math::add(lp_val, price.quote(idle0, Rounding::Floor)?)?,
        idle1,
    )?;
    let burn_lp = rebalance_burn(lp, lp_val, capital, target_bps)?;
    let (add0, add1) = if burn_lp.is_zero() {
        rebalance_add(pool, price, lp_val, capital, target_bps, idle0, idle1)?
    } else {
        (U256::ZERO, U256::ZERO)
    };
    Ok(RebalancePlan {
        current_bps,
        burn_lp,
        add0,
        add1,
        burn_value: lp_value(pool, burn_lp, price)?,
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

    const ETH: u128 = 1_000_000_000_000_000_000;

    fn pool(r0: u128, r1: u128, s: u128) -> PoolState {
        PoolState {
            reserve0: u(r0),
            reserve1: u(r1),
            supply: u(s),
        }
    }

    #[test]
    fn lp_value_is_fair_value_share() {
        // 100 token0 and 400 token1: spot 4; k = 40_000 e36; at P = 4 the
        // whole pool is worth 2*sqrt(k*4) = 800 token1.
        let p = pool(100 * ETH, 400 * ETH, 200 * ETH);
        let price = Price::from_reserves(u(100 * ETH), u(400 * ETH)).unwrap();
        assert_eq!(lp_value(&p, u(50 * ETH), &price).unwrap(), u(200 * ETH));
        // At P = 1 the fair value is 2*sqrt(k) = 400 for the whole pool,
        // whatever the (manipulable) spot reserves say.
        let one = Price::new(u(1), u(1)).unwrap();
        assert_eq!(lp_value(&p, u(200 * ETH), &one).unwrap(), u(400 * ETH));
    }

    #[test]
    fn vault_value_ignores_negative_equity() {
        let p = pool(100, 400, 200);
        let price = Price::from_reserves(u(100), u(400)).unwrap();
        let h = Holdings {
            lp: U256::ZERO,
            idle0: u(10),
            idle1: u(5),
            equity: I256::try_from(-7).unwrap(),
        };
        assert_eq!(vault_value(&p, &h, &price).unwrap(), u(45));
        let h = Holdings {
            equity: I256::try_from(7).unwrap(),
            ..h
        };
        assert_eq!(vault_value(&p, &h, &price).unwrap(), u(52));
    }

    #[test]
    fn hold_value_rounds_up() {
        let price = Price::new(u(1), u(3)).unwrap();
        assert_eq!(hold_value(u(1), u(0), &price).unwrap(), u(1));
    }

    #[test]
    fn growth_is_liquidity_per_share() {
        assert_eq!(
            growth(&pool(100 * ETH, 400 * ETH, 200 * ETH)).unwrap(),
            u(ETH)
        );
        assert_eq!(
            growth(&pool(100 * ETH, 400 * ETH, 100 * ETH)).unwrap(),
            u(2 * ETH)
        );
        assert_eq!(growth(&pool(0, 0, 0)).unwrap(), U256::ZERO);
    }

    #[test]
    fn liquidity_value_is_two_l_sqrt_p() {
        let price = Price::new(u(4), u(1)).unwrap();
        // L = 3 (WAD-scaled) at P = 4: 2 * 3 * 2 = 12.
        assert_eq!(liquidity_value(u(3 * ETH), &price).unwrap(), u(12));
    }

    #[test]
    fn hedge_target_is_negative_ratio_of_fair_token0() {
        let p = pool(100 * ETH, 400 * ETH, 200 * ETH);
        let price = Price::from_reserves(u(100 * ETH), u(400 * ETH)).unwrap();
        let t = hedge_target(&p, u(100 * ETH), &price, 5_000).unwrap();
        assert_eq!(t, -I256::try_from(25 * ETH).unwrap());
        assert_eq!(
            hedge_target(&p, U256::ZERO, &price, 5_000).unwrap(),
            I256::ZERO
        );
    }

    #[test]
    fn lp_bps_measures_capital_in_pool() {
        let p = pool(100 * ETH, 400 * ETH, 200 * ETH);
        let price = Price::from_reserves(u(100 * ETH), u(400 * ETH)).unwrap();
        // LP worth 200, idle worth 1*4 + 196 = 200: half.
        let h = Holdings {
            lp: u(50 * ETH),
            idle0: u(ETH),
            idle1: u(196 * ETH),
            equity: I256::ZERO,
        };
        assert_eq!(lp_bps(&p, &h, &price).unwrap(), 5_000);
        assert_eq!(lp_bps(&p, &Holdings::default(), &price).unwrap(), 0);
    }

    #[test]
    fn proportional_deposit_rounds_in_favour_of_vault() {
        // Vault holds 3 and 7 with 10 shares; max (1, 10): limited by token0.
        let (s, a0, a1) = proportional_deposit(u(1), u(10), u(3), u(7), u(10)).unwrap();
        assert_eq!(s, u(3)); // floor(1 * 10 / 3)
        assert_eq!(a0, u(1)); // ceil(3 * 3 / 10)
        assert_eq!(a1, u(3)); // ceil(3 * 7 / 10)
        assert!(a0 <= u(1) && a1 <= u(10));
    }

    #[test]
    fn at_pool_ratio_never_exceeds_maxima() {
        let p = pool(100, 400, 200);
        assert_eq!(at_pool_ratio(&p, u(10), u(100)).unwrap(), (u(10), u(40)));
        assert_eq!(at_pool_ratio(&p, u(10), u(20)).unwrap(), (u(5), u(20)));
        assert_eq!(
            at_pool_ratio(&pool(0, 1, 1), u(1), u(1)),
            Err(MathError::ZeroPrice)
        );
    }

    #[test]
    fn per_share_rounds_toward_minus_infinity() {
        assert_eq!(
            per_share(I256::try_from(1).unwrap(), u(3)).unwrap(),
            I256::try_from(333_333_333_333_333_333i128).unwrap()
        );
        assert_eq!(
            per_share(I256::try_from(-1).unwrap(), u(3)).unwrap(),
            I256::try_from(-333_333_333_333_333_334i128).unwrap()
        );
    }

    #[test]
    fn advance_credits_fee_growth_and_equity_change() {
        let acc = advance(
            Accruals::default(),
            u(10),
            u(5),
            u(2 * ETH),
            u(3 * ETH),
            I256::ZERO,
            I256::try_from(20).unwrap(),
        )
        .unwrap();
        assert_eq!(acc.fee_total, u(5 * ETH));
        assert_eq!(acc.fee_per_share, u(ETH / 2));
        assert_eq!(acc.hedge_total, I256::try_from(20 * ETH).unwrap());
        assert_eq!(acc.hedge_per_share, I256::try_from(2 * ETH).unwrap());
        // A falling index (rounding) or an unrecorded one credits nothing.
        assert_eq!(
            advance(
                acc,
                u(10),
                u(5),
                u(3 * ETH),
                u(2 * ETH),
                I256::ZERO,
                I256::ZERO
            )
            .unwrap(),
            acc
        );
        assert_eq!(
            advance(
                acc,
                u(10),
                u(5),
                U256::ZERO,
                u(2 * ETH),
                I256::ZERO,
                I256::ZERO
            )
            .unwrap(),
            acc
        );
        // No shares: nothing accrues.
        assert_eq!(
            advance(
                acc,
                U256::ZERO,
                u(5),
                u(ETH),
                u(9 * ETH),
                I256::ZERO,
                I256::ONE
            )
            .unwrap(),
            acc
        );
    }

    #[test]
    fn holder_settles_moves_and_conserves() {
        let acc = Accruals {
            fee_per_share: u(7),
            fee_total: u(70),
            hedge_per_share: I256::try_from(-3).unwrap(),
            hedge_total: I256::try_from(-30).unwrap(),
        };
        let h = HolderRecord {
            hold0: u(10),
            hold1: u(20),
            ..Default::default()
        }
        .settled(u(10), &acc)
        .unwrap();
        assert_eq!(h.fee_liquidity, u(70));
        assert_eq!(h.hedge_pnl, I256::try_from(-30).unwrap());
        assert_eq!(h.fee_debt, u(7));
        let part = h.portion(u(3), u(10)).unwrap();
        assert_eq!(
            (part.hold0, part.hold1, part.fee_liquidity, part.hedge_pnl),
            (u(3), u(6), u(21), I256::try_from(-9).unwrap())
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
            u(3 * ETH),
            I256::try_from(-5 * ETH as i128 - 1).unwrap(),
            &price,
        )
        .unwrap();
        // hold = 10*2 + 30 = 50; fees = 2*3*sqrt(2) = 8 (floor); hedge = floor(-5.000..1) = -6.
        assert_eq!(s.hold, u(50));
        assert_eq!(s.fees, I256::try_from(8).unwrap());
        assert_eq!(s.hedge, I256::try_from(-6).unwrap());
        assert_eq!(s.pnl, I256::try_from(50).unwrap());
        assert_eq!(s.il + s.fees + s.hedge, s.pnl);
    }

    #[test]
    fn rebalance_amounts_hit_the_target_without_overshoot() {
        // LP 100 shares worth 400, idle worth 0: to 50 % burn ~50 shares.
        let burn = rebalance_burn(u(100), u(400), u(400), 5_000).unwrap();
        assert_eq!(burn, u(50));
        assert_eq!(
            rebalance_burn(u(100), u(400), u(400), 10_000).unwrap(),
            U256::ZERO
        );
        let p = pool(100 * ETH, 400 * ETH, 200 * ETH);
        let price = Price::from_reserves(u(100 * ETH), u(400 * ETH)).unwrap();
        // LP worth 200, idle 25 token0 (100) + 100 token1: capital 400; to 100 %
        // add 200 of value = 25 token0 + 100 token1.
        let (a0, a1) = rebalance_add(
            &p,
            &price,
            u(200 * ETH),
            u(400 * ETH),
            10_000,
            u(25 * ETH),
            u(100 * ETH),
        )
        .unwrap();
        assert_eq!((a0, a1), (u(25 * ETH), u(100 * ETH)));
        // Limited by idle token1.
        let (a0, a1) = rebalance_add(
            &p,
            &price,
            u(200 * ETH),
            u(400 * ETH),
            10_000,
            u(25 * ETH),
            u(40 * ETH),
        )
        .unwrap();
        assert_eq!((a0, a1), (u(10 * ETH), u(40 * ETH)));
    }

    #[test]
    fn first_deposit_then_proportional_deposits() {
        let p = pool(100 * ETH, 400 * ETH, 200 * ETH);
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
        // sqrt(1e18 * 5e18) = 2.236e18; the pool's ratio takes 1 token0 + 4 token1.
        assert_eq!(q.shares, u(2_236_067_977_499_789_696 - 1_000));
        assert_eq!((q.to_pool0, q.to_pool1), (u(ETH), u(4 * ETH)));
        // Vault: 10 pool shares (5 token0 + 20 token1 at spot) + 1 idle token1,
        // 100 shares: a deposit of (1, 10) is limited by token0 (20 shares).
        let q = quote_deposit(
            &p,
            u(10 * ETH),
            U256::ZERO,
            u(ETH),
            I256::ZERO,
            u(100 * ETH),
            u(ETH),
            u(10 * ETH),
            1_000,
        )
        .unwrap();
        assert_eq!((q.total0, q.total1), (u(5 * ETH), u(21 * ETH)));
        assert_eq!(q.shares, u(20 * ETH));
        assert_eq!((q.amount0, q.amount1), (u(ETH), u(21 * ETH / 5)));
        assert_eq!((q.to_pool0, q.to_pool1), (u(ETH), u(4 * ETH)));
    }

    fn ledger_with(lp: u128, idle0: u128, idle1: u128) -> Ledger {
        Ledger {
            lp: u(lp),
            idle0: u(idle0),
            idle1: u(idle1),
            ..Default::default()
        }
    }

    #[test]
    fn records_round_trip_through_words() {
        let l = Ledger {
            lp: u(1),
            idle0: u(2),
            idle1: u(3),
            hedge_active: true,
            hold0: u(4),
            hold1: u(5),
            acc: Accruals {
                fee_per_share: u(6),
                fee_total: u(7),
                hedge_per_share: I256::try_from(-8).unwrap(),
                hedge_total: I256::try_from(-9).unwrap(),
            },
            growth_last: u(10),
            equity_last: I256::try_from(-11).unwrap(),
        };
        assert_eq!(Ledger::from_words(&l.to_words()).unwrap(), l);
        assert_eq!(
            Ledger::from_words(&l.to_words()[..11]),
            Err(MathError::InvalidInput)
        );
        let h = HolderRecord {
            hold0: u(1),
            hold1: u(2),
            fee_liquidity: u(3),
            fee_debt: u(4),
            hedge_pnl: I256::try_from(-5).unwrap(),
            hedge_debt: I256::try_from(6).unwrap(),
        };
        assert_eq!(HolderRecord::from_words(&h.to_words()).unwrap(), h);
    }

    #[test]
    fn deposit_then_withdraw_everything_returns_the_holder_to_zero() {
        let p = pool(100 * ETH, 400 * ETH, 200 * ETH);
        let (l, h, q) = deposit(
            &Ledger::default(),
            &HolderRecord::default(),
            &p,
            &VenueState::flat(I256::ZERO),
            U256::ZERO,
            U256::ZERO,
            u(ETH),
            u(4 * ETH),
            1_000,
        )
        .unwrap();
        assert_eq!((q.to_pool0, q.to_pool1), (u(ETH), u(4 * ETH)));
        assert_eq!((l.idle0, l.idle1), (U256::ZERO, U256::ZERO));
        assert_eq!(
            (h.hold0, h.hold1, l.hold0, l.hold1),
            (u(ETH), u(4 * ETH), u(ETH), u(4 * ETH))
        );
        // The caller minted 2 pool shares; supply = shares + locked.
        let l = Ledger {
            lp: u(2 * ETH),
            ..l
        };
        let supply = il_math::add(q.shares, u(1_000)).unwrap();
        let flat = VenueState::flat(I256::ZERO);
        let (l, h, out) = withdraw(&l, &h, &p, Some(&flat), supply, q.shares, q.shares).unwrap();
        assert!(out.lp < u(2 * ETH) && out.lp > u(2 * ETH - 1_000_000));
        assert_eq!(
            h,
            HolderRecord {
                fee_debt: h.fee_debt,
                hedge_debt: h.hedge_debt,
                ..Default::default()
            }
        );
        assert_eq!((l.hold0, l.hold1), (U256::ZERO, U256::ZERO));
        assert_eq!(
            withdraw(&l, &h, &p, Some(&flat), supply, U256::ZERO, u(1)),
            Err(MathError::InvalidInput)
        );
    }

    #[test]
    fn fees_accrue_to_holders_through_checkpoints() {
        // 10 pool shares of a pool whose growth index rises from 1 to 2: the
        // vault earned 10 liquidity units, credited to its 5 shares.
        let l = Ledger {
            lp: u(10),
            growth_last: u(ETH),
            ..Default::default()
        };
        let p = pool(400, 400, 200); // sqrt(k)/S = 2
        let l = checkpoint(&l, &p, I256::ZERO, u(5)).unwrap();
        assert_eq!(l.acc.fee_total, u(10 * ETH));
        assert_eq!(l.growth_last, u(2 * ETH));
        let h = HolderRecord::default().settled(u(5), &l.acc).unwrap();
        assert_eq!(h.fee_liquidity, u(10 * ETH));
        // Equity moves only count once the venue account exists.
        let l2 = checkpoint(&l, &p, I256::try_from(7).unwrap(), u(5)).unwrap();
        assert_eq!(l2.acc.hedge_total, I256::ZERO);
        let l3 = checkpoint(
            &Ledger {
                hedge_active: true,
                ..l
            },
            &p,
            I256::try_from(7).unwrap(),
            u(5),
        )
        .unwrap();
        assert_eq!(l3.acc.hedge_total, I256::try_from(7 * ETH).unwrap());
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
        // Hold 100 token0 + 400 token1 at P=4 in a pool of exactly that;
        // at P=16 the LP is worth 2*sqrt(k*16) = 1600 and hold 100*16+400 = 2000.
        let p = pool(100 * ETH, 400 * ETH, 200 * ETH);
        let l = Ledger {
            lp: u(200 * ETH),
            hold0: u(100 * ETH),
            hold1: u(400 * ETH),
            growth_last: growth(&p).unwrap(),
            ..Default::default()
        };
        let s = vault_split(
            &l,
            &p,
            &Price::new(u(16), u(1)).unwrap(),
            I256::ZERO,
            u(200 * ETH),
        )
        .unwrap();
        assert_eq!((s.value, s.hold), (u(1600 * ETH), u(2000 * ETH)));
        assert_eq!(s.il, I256::try_from(-400 * ETH as i128).unwrap());
        assert_eq!((s.fees, s.hedge), (I256::ZERO, I256::ZERO));
        // IL / hold = -0.2 = IL(4).
        assert_eq!(
            il_math::il_from_ratio(u(4 * ETH)).unwrap(),
            I256::try_from(-200_000_000_000_000_000i128).unwrap()
        );
    }

    #[test]
    fn plans_respect_targets_steps_and_collateral() {
        let p = pool(100 * ETH, 400 * ETH, 200 * ETH);
        let price = Price::from_reserves(u(100 * ETH), u(400 * ETH)).unwrap();
        let plan =
            plan_rebalance(&p, &price, u(100 * ETH), U256::ZERO, u(400 * ETH), 2_500).unwrap();
        assert_eq!(plan.current_bps, 5_000);
        assert_eq!(plan.burn_lp, u(50 * ETH));
        assert_eq!(plan.burn_value, u(200 * ETH));
        assert!(
            rebalance_within_slippage(&price, u(25 * ETH), u(100 * ETH), plan.burn_value, true, 0)
                .unwrap()
        );
        let _ = ledger_with(0, 0, 0);
        // Hedge: target -50 % of 50 token0 held = -25; step capped at 10.
        let h = plan_hedge(
            &p,
            &price,
            u(100 * ETH),
            5_000,
            I256::ZERO,
            I256::ZERO,
            u(1_000 * ETH),
            2_000,
            u(10 * ETH),
        )
        .unwrap();
        assert_eq!(h.target, -I256::try_from(25 * ETH).unwrap());
        assert_eq!(h.delta, -I256::try_from(10 * ETH).unwrap());
        // 10 token0 at 4 = 40 notional; 20 % = 8 collateral.
        assert_eq!(h.top_up, u(8 * ETH));
    }

    fn short(x: u128) -> I256 {
        -I256::try_from(x).unwrap()
    }

    fn signed(x: i128) -> I256 {
        I256::try_from(x).unwrap()
    }

    #[test]
    fn a_hedge_at_its_target_tops_up_against_equity_not_collateral() {
        // at target (-25 at P = 4: notional 100, 20 % = 20) but the short
        // lost: equity 12 < 18 (90 % of 20), so 8 comes from idle with no
        // trade; at 18 nothing is topped up.
        let p = pool(100 * ETH, 400 * ETH, 200 * ETH);
        let price = p.spot().unwrap();
        let h = plan_hedge(
            &p,
            &price,
            u(100 * ETH),
            5_000,
            short(25 * ETH),
            signed(12 * ETH as i128),
            u(1_000 * ETH),
            2_000,
            U256::MAX,
        )
        .unwrap();
        assert_eq!((h.delta, h.top_up), (I256::ZERO, u(8 * ETH)));
        let h = plan_hedge(
            &p,
            &price,
            u(100 * ETH),
            5_000,
            short(25 * ETH),
            signed(18 * ETH as i128),
            u(1_000 * ETH),
            2_000,
            U256::MAX,
        )
        .unwrap();
        assert_eq!((h.delta, h.top_up), (I256::ZERO, U256::ZERO));
    }

    #[test]
    fn a_hedge_the_margin_cannot_carry_is_cut_to_what_it_can() {
        // target -25 (notional 100 needs 20) but equity 6 + idle 4 = 10
        // carry a notional of 50: the short is cut to 12.5 and all idle goes in.
        let p = pool(100 * ETH, 400 * ETH, 200 * ETH);
        let price = p.spot().unwrap();
        let h = plan_hedge(
            &p,
            &price,
            u(100 * ETH),
            5_000,
            short(25 * ETH),
            signed(6 * ETH as i128),
            u(4 * ETH),
            2_000,
            U256::MAX,
        )
        .unwrap();
        assert_eq!(h.new_size, short(25 * ETH / 2));
        assert_eq!(h.delta, signed(25 * ETH as i128 / 2));
        assert_eq!(h.top_up, u(4 * ETH));
        // underwater with nothing idle: close
        let h = plan_hedge(
            &p,
            &price,
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
        let mark = Price::new(u(2_000), u(1)).unwrap();
        let spot = Price::new(u(1_960), u(1)).unwrap();
        let v = VenueState {
            equity: signed(30_000),
            size: short(75),
            mark,
        };
        assert_eq!(v.equity_at(&spot).unwrap(), signed(33_000));
        assert_eq!(v.entering(&spot).unwrap(), signed(33_000));
        assert_eq!(v.leaving(&spot).unwrap(), signed(30_000));
        let up = Price::new(u(2_040), u(1)).unwrap();
        assert_eq!(v.entering(&up).unwrap(), signed(30_000));
        assert_eq!(v.leaving(&up).unwrap(), signed(27_000));
        // a flat account needs no price
        assert_eq!(VenueState::flat(signed(5)).leaving(&up).unwrap(), signed(5));
    }

    #[test]
    fn a_paid_exit_charges_its_cost_to_the_leaver() {
        // 40 % leaves an account worth 1,000 at the mark and 900 at the
        // leaving mark. The venue closes 40 % at a cost of 10 and pays
        // 0.4 * 990 = 396; 594 stays. The leaver is due 0.4 * 900 - 10 = 350;
        // 46 stays idle; the rest (600 before) hold 594 + 46 = 640: +40,
        // the leaver's part at the mark rather than at the leaving mark.
        let l = Ledger {
            hedge_active: true,
            idle1: u(7),
            equity_last: signed(1_000),
            ..Default::default()
        };
        let f = u(400_000_000_000_000_000);
        let (after, due) = settle_venue(
            &l,
            u(60),
            f,
            signed(1_000),
            signed(900),
            VenueExit::Paid {
                paid: u(396),
                equity_after: signed(594),
            },
        )
        .unwrap();
        assert_eq!(due, u(350));
        assert_eq!(after.idle1, u(7 + 46));
        assert_eq!(after.equity_last, signed(594));
        assert_eq!(after.acc.hedge_total, signed(40 * ETH as i128));
        // per share: 40 / 60, floored in WAD
        assert_eq!(after.acc.hedge_per_share, signed(40 * ETH as i128 / 60));
        // a cost above the leaver's share pays nothing, and never more than paid
        let (_, due) = settle_venue(
            &l,
            u(60),
            f,
            signed(1_000),
            signed(10),
            VenueExit::Paid {
                paid: u(396),
                equity_after: signed(594),
            },
        )
        .unwrap();
        assert_eq!(due, U256::ZERO);
    }

    #[test]
    fn an_exit_in_kind_keeps_the_remaining_baseline() {
        let l = Ledger {
            hedge_active: true,
            equity_last: signed(1_001),
            ..Default::default()
        };
        let (after, due) = settle_venue(
            &l,
            u(60),
            u(400_000_000_000_000_000),
            signed(1_001),
            I256::ZERO,
            VenueExit::InKind,
        )
        .unwrap();
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
        let p = pool(100 * ETH, 400 * ETH, 200 * ETH);
        let l = Ledger {
            lp: u(10 * ETH),
            hedge_active: true,
            growth_last: growth(&p).unwrap(),
            equity_last: signed(500),
            ..Default::default()
        };
        let (after, _, out) =
            withdraw(&l, &HolderRecord::default(), &p, None, u(100), u(50), u(10)).unwrap();
        assert_eq!(after.acc, l.acc);
        assert_eq!(after.equity_last, signed(500));
        assert_eq!(out.equity_out, I256::ZERO);
        assert_eq!(out.fraction_wad, u(ETH / 10));
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
        let v = I256::try_from(-10).unwrap();
        let moved = signed_share(v, u(1), u(3)).unwrap();
        assert_eq!(moved, I256::try_from(-3).unwrap());
        assert_eq!(v - moved, I256::try_from(-7).unwrap());
    }
}
