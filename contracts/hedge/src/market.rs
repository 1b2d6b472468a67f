//! The venue's exposure as the traders' counterparty: what it owes, how much
//! open interest its house may carry, and what opening size costs. Pure
//! functions, no storage and no calls, so every rounding can be tested on
//! its own.
//!
//! # Units
//! - Sides: `long` is the sum of the positive sizes, `short` the sum of the
//!   magnitudes of the negative ones (token0 raw units); each side's entry
//!   is the sum of its accounts' entry notionals (token1 raw units, signed).
//! - Notionals, the house and charges: token1 raw units.
//! - `cover_bps`: the price move, in basis points, the house must be able to
//!   pay the larger side for (see [`open_charge`]). Rates: pips (1e-6).
//!
//! # Rounding (always in the venue's favour)
//! - what the house owes: each side's PnL at the mark rounded up;
//! - notionals: rounded up; capacity and the cap: rounded down;
//! - charges: rounded up.

use alloy_primitives::{I256, U256};
use il_math::{BPS, MathError, PIPS, Price, Rounding, mul_div, to_negative, to_signed};

use crate::{
    HedgeError, HedgeOpenInterestCap,
    position::{Position, ceil_share, notional, signed_add, signed_sub, value},
};

/// The open interest of the venue, by side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Book {
    /// Sum of the long sizes, token0 raw.
    pub long: U256,
    /// Sum of the short sizes' magnitudes, token0 raw.
    pub short: U256,
    /// Sum of the long accounts' entry notionals, token1 raw, signed.
    pub long_entry: I256,
    /// Sum of the short accounts' entry notionals, token1 raw, signed.
    pub short_entry: I256,
}

/// `max(x, 0)` as an unsigned value.
pub fn positive_part(x: I256) -> U256 {
    if x.is_positive() {
        x.unsigned_abs()
    } else {
        U256::ZERO
    }
}

impl Book {
    /// What the house owes the traders at `P`: the positive part of each
    /// side's PnL, `ceil(size * P) - entry` (summed per side, so a side's
    /// winners net against its losers), added over both sides, rounded up.
    /// No price is read by the caller when both sides are empty (then it
    /// is 0: a flat account carries no entry).
    ///
    /// # Errors
    /// `Overflow` when a value leaves its range.
    #[inline(never)]
    pub fn owed(&self, price: &Price) -> Result<U256, MathError> {
        let long = signed_sub(
            value(to_signed(self.long)?, price, Rounding::Ceil)?,
            self.long_entry,
        )?;
        let short = signed_sub(
            value(to_negative(self.short)?, price, Rounding::Ceil)?,
            self.short_entry,
        )?;
        il_math::add(positive_part(long), positive_part(short))
    }

    /// Counts `p` into (`add`) or out of its side: a negative size is short,
    /// anything else long (a flat account carries no entry).
    ///
    /// # Errors
    /// `Overflow`/`Underflow` when a sum leaves its range.
    #[inline(never)]
    pub fn count(&mut self, p: &Position, add: bool) -> Result<(), MathError> {
        let (size, entry) = if p.size.is_negative() {
            (&mut self.short, &mut self.short_entry)
        } else {
            (&mut self.long, &mut self.long_entry)
        };
        let magnitude = p.size.unsigned_abs();
        if add {
            *size = il_math::add(*size, magnitude)?;
            *entry = signed_add(*entry, p.entry)?;
        } else {
            *size = il_math::sub(*size, magnitude)?;
            *entry = signed_sub(*entry, p.entry)?;
        }
        Ok(())
    }

    /// The size of one side: the long side when `long`, else the short one.
    pub fn side(&self, long: bool) -> U256 {
        if long { self.long } else { self.short }
    }

    /// What the house must keep for the book at `P`: what it owes
    /// ([`Self::owed`]) plus `cover_bps` of the larger side's notional
    /// (rounded up), the most that side can win on a move of `cover_bps`.
    /// The owner's `defund` leaves at least this much in the house.
    ///
    /// # Errors
    /// `Overflow` when a value leaves its range.
    #[inline(never)]
    pub fn reserve(&self, price: &Price, cover_bps: u64) -> Result<U256, MathError> {
        let larger = price.quote(self.long.max(self.short), Rounding::Ceil)?;
        il_math::add(self.owed(price)?, ceil_share(larger, cover_bps, BPS)?)
    }
}

/// The cap check and the charge for opening `opened` (signed, non-zero,
/// token0 raw) on its side of `book` at `P`, with the house holding
/// `house`. `n = ceil(|opened| * P)` is the opened notional and `s` the
/// notional of that side before (rounded up).
///
/// Cap: the side may hold at most `cap = floor(capacity * 10_000 /
/// cover_bps)` of notional after the trade, with `capacity = house - owed`
/// ([`Book::owed`]; 0 when the house holds no more than it owes): only what
/// the house can pay its gain on a move of `cover_bps`, beyond what it
/// already owes. For integers `s + n <= cap` is `(s + n) * cover_bps <=
/// capacity * 10_000`.
///
/// Charge (to the house, on top of the trade fee):
/// `ceil(n * spread_pips / 1e6) + ceil(ceil(n * (2s + n) / capacity) *
/// impact_pips * cover_bps / (2 * 1e6 * 10_000))`. The second term is a
/// price impact whose rate on the marginal unit grows linearly with the
/// side's open interest, from 0 to `impact_pips` at the cap: its total over
/// a side going from `s` to `s + n` is the integral, `impact * ((s + n)^2 -
/// s^2) / (2 * cap)`, so splitting a trade into pieces does not make it
/// cheaper. Each term exceeds its exact value by less than 2 units (the
/// roundings up); under the cap each is at most its rate times `n` plus
/// those units.
///
/// # Errors
/// `HedgeOpenInterestCap(s + n, cap)` when the side would exceed the cap
/// (always when the house holds no more than it owes); `HedgeMathError`
/// when a value leaves its range (or `cover_bps` is 0).
#[inline(never)]
pub fn open_charge(
    book: &Book,
    house: I256,
    price: &Price,
    opened: I256,
    spread_pips: u64,
    impact_pips: u64,
    cover_bps: u64,
) -> Result<U256, HedgeError> {
    let s = price.quote(book.side(!opened.is_negative()), Rounding::Ceil)?;
    let n = notional(opened, price)?;
    let capacity = il_math::sub(positive_part(house), book.owed(price)?).unwrap_or_default();
    let open_interest = il_math::add(s, n)?;
    let cap = mul_div(
        capacity,
        U256::from(BPS),
        U256::from(cover_bps),
        Rounding::Floor,
    )?;
    if open_interest > cap {
        return Err(HedgeOpenInterestCap {
            openInterest: open_interest,
            cap,
        }
        .into());
    }
    // capacity > 0 here: n > 0 and n <= cap.
    let spread = ceil_share(n, spread_pips, PIPS)?;
    let area = mul_div(
        n,
        il_math::add(il_math::add(s, s)?, n)?,
        capacity,
        Rounding::Ceil,
    )?;
    // saturating: within the bounds the product is at most 1e5 * 1e4.
    let rate = impact_pips.saturating_mul(cover_bps);
    // cannot overflow: 2 * 1e6 * 1e4.
    let impact = ceil_share(area, rate, PIPS.wrapping_mul(BPS).wrapping_mul(2))?;
    Ok(il_math::add(spread, impact)?)
}

#[cfg(test)]
mod tests;
