//! Position arithmetic of one account: pure functions, no storage and no
//! calls, so every rounding can be tested on its own.
//!
//! # Units
//! - `collateral`: collateral token (token1) raw units, `[0, 2^255)`.
//! - `size`: base token (token0) raw units, signed (negative = short).
//! - `entry`: entry notional, token1 raw units, signed: the cost basis of
//!   the open size (`> 0` for a long, `< 0` for a short), plus any loss a
//!   partial close could not collect (see [`Position::close`]).
//! - Price `P`: token1 raw units per token0 raw unit, the exact rational
//!   [`Price`].
//!
//! Equity is `collateral + size * P - entry`. Margins are basis points of the
//! notional `|size| * P`.
//!
//! # Rounding (always in the venue's favour)
//! - value of the size in equity and realised PnL: `floor(size * P)` (toward
//!   negative infinity, for longs and shorts alike);
//! - cost basis of opened size: `ceil(size * P)`; notional for margins and
//!   fees: `ceil(|size| * P)`; margins, fees and penalties: the ceiling of
//!   their share of that notional;
//! - payments out (exit): the floor.
//!
//! So a trader's lifetime PnL is `sum floor(closed * P) - sum ceil(opened * P)`,
//! never more than the exact value; the cost basis split between a partial
//! close and the rest cancels out over the life of a position.

use alloy_primitives::{I256, U256};
use il_math::{BPS, MathError, PIPS, Price, Rounding, WAD, mul_div, signed_mul_div, to_signed};

use crate::{HedgeError, HedgeInsufficientCollateral};

/// One account of the venue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// Collateral, token1 raw units.
    pub collateral: U256,
    /// Open size, token0 raw units (negative = short).
    pub size: I256,
    /// Entry notional (cost basis), token1 raw units, signed.
    pub entry: I256,
}

/// The result of a trade on a [`Position`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill {
    /// The position after the trade, fee paid.
    pub after: Position,
    /// PnL realised by the part that closed open size (0 when none did),
    /// token1 raw units, rounded down for the trader.
    pub realized: I256,
    /// Fee taken from collateral, token1 raw units.
    pub fee: U256,
    /// Loss of a fully closed position that its collateral could not cover;
    /// the house absorbs it.
    pub bad_debt: U256,
    /// True when the trade opened size (an increase, or the new side of a
    /// flip): the caller then checks the initial margin.
    pub opens: bool,
}

/// `size * P` in token1 raw units, signed, rounded as asked (`Floor` toward
/// negative infinity).
///
/// # Errors
/// `Overflow` if the value is outside `[-2^255, 2^255 - 1]`.
#[inline(never)]
pub fn value(size: I256, price: &Price, rounding: Rounding) -> Result<I256, MathError> {
    signed_mul_div(size, price.num(), price.den(), rounding)
}

/// `ceil(|size| * P)`: the notional of `size`, token1 raw units, rounded up.
///
/// # Errors
/// `Overflow` if the notional is `>= 2^256`.
#[inline(never)]
pub fn notional(size: I256, price: &Price) -> Result<U256, MathError> {
    price.quote(size.unsigned_abs(), Rounding::Ceil)
}

/// `ceil(amount * rate / one)`: a fee, margin or penalty (`rate` in pips with
/// `one = PIPS`, or in bps with `one = BPS`), rounded up.
///
/// # Errors
/// `Overflow` if the result is `>= 2^256` (only when `rate > one`).
#[inline(never)]
pub fn ceil_share(amount: U256, rate: u64, one: u64) -> Result<U256, MathError> {
    mul_div(amount, U256::from(rate), U256::from(one), Rounding::Ceil)
}

/// `a + b` for signed values.
///
/// # Errors
/// `Overflow` outside `[-2^255, 2^255 - 1]`.
#[inline(never)]
pub fn signed_add(a: I256, b: I256) -> Result<I256, MathError> {
    a.checked_add(b).ok_or(MathError::Overflow)
}

/// `a - b` for signed values.
///
/// # Errors
/// `Overflow` outside `[-2^255, 2^255 - 1]`.
#[inline(never)]
pub fn signed_sub(a: I256, b: I256) -> Result<I256, MathError> {
    a.checked_sub(b).ok_or(MathError::Overflow)
}

/// The cost basis of `part` of an open `size` (same sign, `|part| <= |size|`)
/// whose entry notional is `entry`: all of `entry` when `part == size`, else
/// `entry * |part| / |size|` rounded toward positive infinity (so the part
/// carries at least its share of the basis: less equity, never more).
///
/// # Errors
/// `Overflow` if the result leaves the `I256` range.
#[inline(never)]
pub fn basis(entry: I256, part: I256, size: I256) -> Result<I256, MathError> {
    if part == size {
        return Ok(entry);
    }
    signed_mul_div(
        entry,
        part.unsigned_abs(),
        size.unsigned_abs(),
        Rounding::Ceil,
    )
}

/// The size a trade of `delta` on an open `size` opens: all of `delta` when
/// it adds to the position (or opens from flat), the part past zero when it
/// flips the side, nothing when it only reduces.
///
/// # Errors
/// `Overflow` if `size + delta` leaves the `I256` range.
#[inline(never)]
pub fn opened(size: I256, delta: I256) -> Result<I256, MathError> {
    let new_size = signed_add(size, delta)?;
    if size.is_zero() || size.is_negative() == delta.is_negative() {
        Ok(delta)
    } else if delta.unsigned_abs() > size.unsigned_abs() {
        Ok(new_size)
    } else {
        Ok(I256::ZERO)
    }
}

/// `|a|` with the sign of `like` (`like` non-zero), or zero.
#[inline(never)]
fn with_sign_of(a: U256, like: I256) -> Result<I256, MathError> {
    if like.is_negative() {
        il_math::to_negative(a)
    } else {
        to_signed(a)
    }
}

impl Position {
    /// `collateral + floor(size * P) - entry`, token1 raw units (may be
    /// negative: the position lost more than its collateral).
    ///
    /// # Errors
    /// `Overflow` outside the `I256` range.
    #[inline(never)]
    pub fn equity(&self, price: &Price) -> Result<I256, MathError> {
        let collateral = to_signed(self.collateral)?;
        signed_sub(
            signed_add(collateral, value(self.size, price, Rounding::Floor)?)?,
            self.entry,
        )
    }

    /// Margin of the open size at `bps` basis points of its notional:
    /// `ceil(ceil(|size| * P) * bps / 10_000)`, token1 raw units (0 when flat).
    ///
    /// # Errors
    /// `Overflow` if the notional is `>= 2^256`.
    #[inline(never)]
    pub fn margin(&self, price: &Price, bps: u64) -> Result<U256, MathError> {
        ceil_share(notional(self.size, price)?, bps, BPS)
    }

    /// Closes `closing` of the open size at `P`: `closing` has the sign of
    /// `size` and `|closing| <= |size|` (the caller guarantees both).
    ///
    /// The closed part's cost basis is `entry * |closing| / |size|` rounded
    /// toward positive infinity (all of `entry` on a full close), its PnL is
    /// `floor(closing * P) - basis`. A gain is credited to collateral. A loss
    /// is taken from collateral; what collateral cannot cover stays in the
    /// remaining position's `entry` (equity unchanged, the liability remains
    /// and margin calls see it) or, on a full close, is bad debt.
    ///
    /// Returns the position after, the realised PnL and the bad debt.
    ///
    /// # Errors
    /// `Overflow` when a value leaves its range.
    #[inline(never)]
    pub fn close(&self, closing: I256, price: &Price) -> Result<(Position, I256, U256), MathError> {
        let full = closing == self.size;
        let basis = basis(self.entry, closing, self.size)?;
        let realized = signed_sub(value(closing, price, Rounding::Floor)?, basis)?;
        let mut after = Position {
            collateral: self.collateral,
            size: signed_sub(self.size, closing)?,
            entry: signed_sub(self.entry, basis)?,
        };
        let mut bad_debt = U256::ZERO;
        let magnitude = realized.unsigned_abs();
        if realized.is_negative() {
            let collected = magnitude.min(after.collateral);
            // cannot underflow: collected <= collateral and collected <= magnitude.
            after.collateral = after.collateral.wrapping_sub(collected);
            let uncollected = magnitude.wrapping_sub(collected);
            if full {
                bad_debt = uncollected;
            } else {
                after.entry = signed_add(after.entry, to_signed(uncollected)?)?;
            }
        } else {
            after.collateral = il_math::add(after.collateral, magnitude)?;
        }
        Ok((after, realized, bad_debt))
    }

    /// Trades `delta` (non-zero, token0 raw units; positive buys) at `P` with
    /// a fee of `fee_pips` on the traded notional,
    /// `ceil(ceil(|delta| * P) * fee_pips / 10^6)`, plus `open_charge` when
    /// the trade opens size (the venue's spread and impact on the opened
    /// notional, computed by the caller with [`crate::market::open_charge`]),
    /// taken from collateral.
    ///
    /// Reducing the open size closes it pro rata ([`Self::close`]); going
    /// past zero closes all, then opens the rest on the other side; adding
    /// to the open size (or opening from flat) opens ([`opened`]). Opened
    /// size costs `ceil(opened * P)`. A trade that only reduces pays at most
    /// the collateral it has left as fee (reducing risk is never blocked); a
    /// trade that opens must pay the whole fee and charge.
    ///
    /// # Errors
    /// `HedgeInsufficientCollateral(collateral, fee + charge)` when a trade
    /// that opens cannot pay them; `HedgeMathError` when a value leaves its
    /// range.
    #[inline(never)]
    pub fn trade(
        &self,
        delta: I256,
        price: &Price,
        fee_pips: u64,
        open_charge: U256,
    ) -> Result<Fill, HedgeError> {
        let new_size = signed_add(self.size, delta)?;
        let opened = opened(self.size, delta)?;
        let (mut after, realized, bad_debt) = if opened == delta {
            (*self, I256::ZERO, U256::ZERO)
        } else {
            let closing = if opened.is_zero() {
                // |delta| <= |size|: the closed size is -delta.
                with_sign_of(delta.unsigned_abs(), self.size)?
            } else {
                self.size
            };
            self.close(closing, price)?
        };
        let opens = !opened.is_zero();
        let mut due = ceil_share(notional(delta, price)?, fee_pips, PIPS)?;
        if opens {
            after.entry = signed_add(after.entry, value(opened, price, Rounding::Ceil)?)?;
            after.size = new_size;
            due = il_math::add(due, open_charge)?;
        }
        let fee = if opens {
            if due > after.collateral {
                return Err(HedgeInsufficientCollateral {
                    available: after.collateral,
                    needed: due,
                }
                .into());
            }
            due
        } else {
            due.min(after.collateral)
        };
        // cannot underflow: fee <= collateral on both branches above.
        after.collateral = after.collateral.wrapping_sub(fee);
        Ok(Fill {
            after,
            realized,
            fee,
            bad_debt,
            opens,
        })
    }

    /// The part of `self` that moving `fraction_wad` (in `(0, 1e18]`) of it
    /// takes: the size `|size| * fraction / 1e18` and the collateral
    /// `collateral * fraction / 1e18`, both rounded toward zero, and the
    /// [`basis`] of that size (rounded toward positive infinity; all of the
    /// entry when all the size moves, none when none does). So the moved
    /// part is never more than its share (no more collateral or size, no
    /// less cost basis), and a flat part never carries an entry. Each field
    /// of the part has the sign of `self`'s (or is zero) and at most its
    /// magnitude.
    ///
    /// Returns the part, what is left of `self` (`self` minus the part:
    /// the two sum to `self` exactly) and `receiver` plus the part.
    ///
    /// # Errors
    /// `Overflow` when `receiver` plus the part leaves a field's range (or
    /// `fraction_wad > 1e18` made a value leave its range).
    #[inline(never)]
    pub fn split(
        &self,
        fraction_wad: U256,
        receiver: &Position,
    ) -> Result<(Position, Position, Position), MathError> {
        let size = fraction_of(self.size, fraction_wad)?;
        let part = Position {
            collateral: mul_div(self.collateral, fraction_wad, WAD, Rounding::Floor)?,
            size,
            entry: basis(self.entry, size, self.size)?,
        };
        // cannot overflow: each field of the part has the field's sign (or
        // is zero) and at most its magnitude.
        let kept = Position {
            collateral: self.collateral.wrapping_sub(part.collateral),
            size: self.size.wrapping_sub(part.size),
            entry: self.entry.wrapping_sub(part.entry),
        };
        let merged = Position {
            collateral: il_math::add(receiver.collateral, part.collateral)?,
            size: signed_add(receiver.size, part.size)?,
            entry: signed_add(receiver.entry, part.entry)?,
        };
        Ok((part, kept, merged))
    }

    /// What an exit of `fraction_wad` (in `(0, 1e18]`) pays out after its
    /// close has been applied to `self`: `floor(max(equity, 0) * fraction /
    /// 1e18)`, capped at the collateral (the only thing that can be paid).
    /// With no open size the equity is the collateral and no price is read.
    ///
    /// # Errors
    /// `Overflow` when a value leaves its range.
    #[inline(never)]
    pub fn exit_payment(
        &self,
        fraction_wad: U256,
        price: Option<&Price>,
    ) -> Result<U256, MathError> {
        let equity = match price {
            Some(price) if !self.size.is_zero() => self.equity(price)?,
            _ => to_signed(self.collateral)?,
        };
        if !equity.is_positive() {
            return Ok(U256::ZERO);
        }
        let share = mul_div(equity.unsigned_abs(), fraction_wad, WAD, Rounding::Floor)?;
        Ok(share.min(self.collateral))
    }
}

/// The signed size closing `fraction_wad` of `size`: `|size| * fraction /
/// 1e18` rounded toward zero, with the sign of `size` (all of it at `1e18`).
///
/// # Errors
/// `Overflow` only if `fraction_wad > 1e18` made it leave the range.
#[inline(never)]
pub fn fraction_of(size: I256, fraction_wad: U256) -> Result<I256, MathError> {
    let magnitude = mul_div(size.unsigned_abs(), fraction_wad, WAD, Rounding::Floor)?;
    with_sign_of(magnitude, size)
}

#[cfg(test)]
mod tests;
