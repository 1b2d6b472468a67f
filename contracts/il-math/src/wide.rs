//! Private multi-word helpers shared by the public modules.
//!
//! Everything here is generic over ruint's `Uint<BITS, LIMBS>` so one exact
//! algorithm serves the 256-, 512-, 768- and 1152-bit intermediates the
//! closed forms need. None uses a float; `div_rem` is the only one that can
//! panic (on a zero divisor), and every caller excludes that first.

use crate::{error::MathError, fixed::Rounding};
use alloy_primitives::{U256, ruint::Uint};

/// 512-bit unsigned integer: products of two `U256`.
pub(crate) type U512 = Uint<512, 8>;
/// 768-bit unsigned integer: products of three `U256`.
pub(crate) type U768 = Uint<768, 12>;
/// 1024-bit unsigned integer: products of two `U512`.
pub(crate) type U1024 = Uint<1024, 16>;
/// 1152-bit unsigned integer: products of four `U256` and a 128-bit constant.
pub(crate) type U1152 = Uint<1152, 18>;

/// Zero-extends `x` into a type at least as wide (checked at compile time).
#[inline]
pub(crate) fn widen<const B1: usize, const L1: usize, const B2: usize, const L2: usize>(
    x: Uint<B1, L1>,
) -> Uint<B2, L2> {
    const { assert!(B2 >= B1 && L2 >= L1) };
    let mut limbs = [0_u64; L2];
    for (dst, src) in limbs.iter_mut().zip(x.as_limbs()) {
        *dst = *src;
    }
    Uint::from_limbs(limbs)
}

/// `x` in a narrower type, or `Overflow` when it does not fit.
#[inline]
pub(crate) fn narrow<const B1: usize, const L1: usize, const B2: usize, const L2: usize>(
    x: Uint<B1, L1>,
) -> Result<Uint<B2, L2>, MathError> {
    Uint::checked_from_limbs_slice(x.as_limbs()).ok_or(MathError::Overflow)
}

/// The low 256 bits of `x`. Only for values proven `< 2^256` by the caller.
#[inline]
pub(crate) fn low256(x: U512) -> U256 {
    let l = x.as_limbs();
    U256::from_limbs([l[0], l[1], l[2], l[3]])
}

/// Quotient and remainder of `n / d` for every width up to 1152 bits.
///
/// ruint monomorphises its whole division algorithm per integer width (about
/// 10 KiB of wasm each); routing every width through one 1152-bit instance
/// keeps a single copy in a contract. The algorithm trims leading zero limbs
/// first, so the wider container costs only the limb copies.
/// `d` must be non-zero (callers check).
#[inline]
pub(crate) fn div_rem<const B: usize, const L: usize>(
    n: Uint<B, L>,
    d: Uint<B, L>,
) -> (Uint<B, L>, Uint<B, L>) {
    const { assert!(B <= 1152 && L <= 18) };
    let (q, r) = div_rem_1152(widen(n), widen(d));
    // q <= n and r < d, so both fit in B bits: the truncation drops zeros only.
    (low_limbs(q), low_limbs(r))
}

#[inline(never)]
fn div_rem_1152(n: U1152, d: U1152) -> (U1152, U1152) {
    n.div_rem(d)
}

/// The low `L` limbs of `x` (callers guarantee the rest are zero).
#[inline]
fn low_limbs<const B: usize, const L: usize>(x: U1152) -> Uint<B, L> {
    let mut limbs = [0_u64; L];
    for (dst, src) in limbs.iter_mut().zip(x.as_limbs()) {
        *dst = *src;
    }
    Uint::from_limbs(limbs)
}

/// `n / d` rounded as asked.
///
/// # Errors
/// `DivisionByZero` if `d == 0`; `Overflow` never in practice (a remainder
/// implies `d >= 2`, so `q + 1 <= n`), kept to avoid an unchecked add.
#[inline]
pub(crate) fn div_round<const B: usize, const L: usize>(
    n: Uint<B, L>,
    d: Uint<B, L>,
    rounding: Rounding,
) -> Result<Uint<B, L>, MathError> {
    if d.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    let (q, r) = div_rem(n, d);
    match rounding {
        Rounding::Ceil if !r.is_zero() => q.checked_add(Uint::ONE).ok_or(MathError::Overflow),
        _ => Ok(q),
    }
}

/// Floor (largest `s` with `s*s <= x`) or ceiling (smallest `s` with
/// `s*s >= x`) of the square root of `x`, exact for every `x`.
///
/// Integer Newton iteration from above, started at a 64-bit-accurate estimate
/// (the `u128` integer square root of the top 127..128 bits), so a 256-bit
/// root needs 3 or 4 divisions.
pub(crate) fn isqrt<const B: usize, const L: usize>(
    x: Uint<B, L>,
    rounding: Rounding,
) -> Uint<B, L> {
    let s = isqrt_floor(x);
    match rounding {
        Rounding::Floor => s,
        Rounding::Ceil => {
            // cannot overflow: s <= 2^(B/2) - 1, so s*s < 2^B and s + 1 <= 2^(B/2).
            if s.wrapping_mul(s) == x {
                s
            } else {
                s.wrapping_add(Uint::ONE)
            }
        }
    }
}

fn isqrt_floor<const B: usize, const L: usize>(x: Uint<B, L>) -> Uint<B, L> {
    let bits = x.bit_len();
    if bits <= 128 {
        // fits: at most 128 significant bits.
        let small = u128::try_from(x).unwrap_or(u128::MAX);
        return Uint::from_limbs_slice(&split_u128(small.isqrt()));
    }
    // bits in (128, B]: shift right by an even amount so that 127 or 128 bits
    // remain. cannot overflow or underflow: bits >= 129.
    let shift = bits.saturating_sub(127).saturating_add(1) & !1;
    let top = u128::try_from(x.wrapping_shr(shift)).unwrap_or(u128::MAX);
    // top < 2^128 so isqrt(top) < 2^64 and the + 1 cannot overflow.
    let estimate = top.isqrt().saturating_add(1);
    // s0 = (isqrt(top) + 1) * 2^(shift/2) >= sqrt(x), since
    // x < (top + 1) * 2^shift <= (isqrt(top) + 1)^2 * 2^shift.
    // Fits: s0 <= 2^64 * 2^(shift/2) <= 2^(B/2 + 1) < 2^B.
    let mut s: Uint<B, L> = Uint::from_limbs_slice(&split_u128(estimate)).wrapping_shl(shift / 2);
    loop {
        // Newton step from above: y = floor((s + floor(x / s)) / 2) >= floor(sqrt(x))
        // by AM-GM, and y < s while s > floor(sqrt(x)); it stops at floor(sqrt(x)).
        // s >= floor(sqrt(x)) >= 2^64 > 0, so the division is defined, and
        // s + x/s < 2^(B/2 + 2) <= 2^B cannot overflow.
        let y = s.wrapping_add(div_rem(x, s).0).wrapping_shr(1);
        if y >= s {
            return s;
        }
        s = y;
    }
}

/// `[low, high]` 64-bit limbs of a `u128`.
#[inline]
fn split_u128(v: u128) -> [u64; 2] {
    // truncation intended: the two halves of v.
    #[allow(clippy::cast_possible_truncation)]
    [v as u64, (v >> 64) as u64]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isqrt_floor_and_ceil_at_square_boundaries_of_every_width() {
        // (2^k - 1)^2, its neighbours, and 2^(2k) for k across every branch.
        for k in [1_usize, 2, 31, 63, 64, 65, 100, 127, 128, 129, 200, 255] {
            let s = U512::from(1_u8)
                .wrapping_shl(k)
                .wrapping_sub(U512::from(1_u8));
            let sq = s.wrapping_mul(s);
            assert_eq!(isqrt(sq, Rounding::Floor), s, "k={k}");
            assert_eq!(isqrt(sq, Rounding::Ceil), s, "k={k}");
            let above = sq.wrapping_add(U512::from(1_u8));
            assert_eq!(isqrt(above, Rounding::Floor), s, "k={k}");
            assert_eq!(
                isqrt(above, Rounding::Ceil),
                s.wrapping_add(U512::from(1_u8)),
                "k={k}"
            );
            if k > 1 {
                // below a square (>= 4) is not a square
                let below = sq.wrapping_sub(U512::from(1_u8));
                assert_eq!(
                    isqrt(below, Rounding::Floor),
                    s.wrapping_sub(U512::from(1_u8)),
                    "k={k}"
                );
                assert_eq!(isqrt(below, Rounding::Ceil), s, "k={k}");
            }
        }
        assert_eq!(
            isqrt(U512::MAX, Rounding::Floor),
            U512::from(1_u8)
                .wrapping_shl(256)
                .wrapping_sub(U512::from(1_u8))
        );
        assert_eq!(
            isqrt(U512::MAX, Rounding::Ceil),
            U512::from(1_u8).wrapping_shl(256)
        );
        assert_eq!(isqrt(U512::ZERO, Rounding::Ceil), U512::ZERO);
    }

    #[test]
    fn narrow_refuses_values_that_do_not_fit() {
        let big = U512::from(1_u8).wrapping_shl(256);
        assert_eq!(narrow::<512, 8, 256, 4>(big), Err(MathError::Overflow));
        assert_eq!(
            narrow::<512, 8, 256, 4>(big.wrapping_sub(U512::from(1_u8))),
            Ok(U256::MAX)
        );
        assert_eq!(
            widen::<256, 4, 512, 8>(U256::MAX),
            big.wrapping_sub(U512::from(1_u8))
        );
    }

    #[test]
    fn div_round_rounds_up_only_with_a_remainder() {
        let seven = U256::from(7_u8);
        let two = U256::from(2_u8);
        assert_eq!(div_round(seven, two, Rounding::Floor), Ok(U256::from(3_u8)));
        assert_eq!(div_round(seven, two, Rounding::Ceil), Ok(U256::from(4_u8)));
        assert_eq!(
            div_round(U256::from(8_u8), two, Rounding::Ceil),
            Ok(U256::from(4_u8))
        );
        assert_eq!(
            div_round(seven, U256::ZERO, Rounding::Floor),
            Err(MathError::DivisionByZero)
        );
    }
}
