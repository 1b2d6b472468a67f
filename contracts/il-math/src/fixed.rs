//! WAD fixed point, exact `mul_div`, exact integer square roots, checked and
//! signed helpers.
//!
//! # Representation
//! - Unsigned values are `U256`: range `[0, 2^256 - 1]`, resolution 1.
//! - A WAD number `x` stands for `x / 10^18`: range `[0, ~1.16e59]`,
//!   resolution `1e-18`.
//! - Signed values (losses, PnL) are `I256` (two's complement): range
//!   `[-2^255, 2^255 - 1]`.
//!
//! # Rounding convention
//! Every division and square root takes a [`Rounding`] and is exact for it:
//! the result is the floor or the ceiling of the true real value, never an
//! approximation of it. For signed results `Floor` means toward negative
//! infinity and `Ceil` toward positive infinity (so `Floor` never understates
//! a loss). Callers choose the direction that favours the protocol.
//!
//! # Errors
//! Results that do not fit their type are `Overflow` (`Underflow` for an
//! unsigned subtraction below zero), never a wrapped or saturated value.

use crate::{
    error::MathError,
    wide::{self, U512},
};
use alloy_primitives::{I256, U256, ruint::aliases::U256 as RU256};
use core::cmp::Ordering;

/// `10^18`: one in WAD fixed point.
pub const WAD: U256 = RU256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
/// `10^4`: one in basis points (1e-4).
pub const BPS: u64 = 10_000;
/// `10^6`: one in pips (1e-6), the unit of fees.
pub const PIPS: u64 = 1_000_000;

/// Direction of rounding of an inexact result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Toward negative infinity (the floor).
    Floor,
    /// Toward positive infinity (the ceiling).
    Ceil,
}

/// `a * b / denominator`, exact, rounded as asked.
///
/// Domain: all `U256`. The product is formed in 512 bits, so it never
/// overflows; only the final quotient must fit in 256 bits.
///
/// # Errors
/// `DivisionByZero` if `denominator == 0`; `Overflow` if the rounded quotient
/// is `>= 2^256`.
pub fn mul_div(a: U256, b: U256, denominator: U256, rounding: Rounding) -> Result<U256, MathError> {
    if denominator.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    let product: U512 = wide::mul(&a, &b);
    let q = wide::div_round(product, wide::widen(denominator), rounding)?;
    wide::narrow(q)
}

/// `a * b / 10^18`: the product of two WAD numbers, in WAD, rounded as asked.
///
/// # Errors
/// `Overflow` if the result is `>= 2^256`.
pub fn wad_mul(a: U256, b: U256, rounding: Rounding) -> Result<U256, MathError> {
    mul_div(a, b, WAD, rounding)
}

/// `a * 10^18 / b`: the quotient of two WAD numbers, in WAD, rounded as asked.
///
/// # Errors
/// `DivisionByZero` if `b == 0`; `Overflow` if the result is `>= 2^256`.
pub fn wad_div(a: U256, b: U256, rounding: Rounding) -> Result<U256, MathError> {
    mul_div(a, WAD, b, rounding)
}

/// Square root of `x`: `Floor` gives the largest `s` with `s*s <= x`, `Ceil`
/// the smallest `s` with `s*s >= x`. Exact for every `U256`; the result is
/// `< 2^128` (`<= 2^128` for `Ceil`), so it cannot fail.
pub fn sqrt(x: U256, rounding: Rounding) -> U256 {
    wide::isqrt(x, rounding)
}

/// Square root of the 512-bit product `a * b`, exact, rounded as asked.
///
/// Domain: all `U256`; `a * b <= (2^256 - 1)^2`, so the root (even the
/// ceiling) is `<= 2^256 - 1` and always fits. Used for `sqrt(k * P)` with
/// `k = reserve0 * reserve1` up to `2^224`.
pub fn sqrt_product(a: U256, b: U256, rounding: Rounding) -> U256 {
    let product: U512 = wide::mul(&a, &b);
    // cannot truncate: the root of a value < 2^512 is < 2^256 (see above).
    wide::low256(wide::isqrt(product, rounding))
}

/// Exact comparison of `a * b` with `c * d` (both formed in 512 bits).
pub fn cmp_products(a: U256, b: U256, c: U256, d: U256) -> Ordering {
    let left: U512 = wide::mul(&a, &b);
    let right: U512 = wide::mul(&c, &d);
    left.cmp(&right)
}

/// `a + b`.
///
/// # Errors
/// `Overflow` if the sum is `>= 2^256`.
pub fn add(a: U256, b: U256) -> Result<U256, MathError> {
    a.checked_add(b).ok_or(MathError::Overflow)
}

/// `a - b`.
///
/// # Errors
/// `Underflow` if `b > a`.
pub fn sub(a: U256, b: U256) -> Result<U256, MathError> {
    a.checked_sub(b).ok_or(MathError::Underflow)
}

/// `a * b`.
///
/// # Errors
/// `Overflow` if the product is `>= 2^256`.
pub fn mul(a: U256, b: U256) -> Result<U256, MathError> {
    wide::narrow(wide::mul::<256, 4, 256, 4, 512, 8>(&a, &b))
}

/// `a` as a signed value.
///
/// # Errors
/// `Overflow` if `a >= 2^255`.
pub fn to_signed(a: U256) -> Result<I256, MathError> {
    I256::checked_from_sign_and_abs(alloy_primitives::Sign::Positive, a).ok_or(MathError::Overflow)
}

/// `-a` as a signed value (`a` a magnitude).
///
/// # Errors
/// `Overflow` if `a > 2^255`.
pub fn to_negative(a: U256) -> Result<I256, MathError> {
    I256::checked_from_sign_and_abs(alloy_primitives::Sign::Negative, a).ok_or(MathError::Overflow)
}

/// `a - b` as a signed value, exact.
///
/// # Errors
/// `Overflow` if the difference is outside `[-2^255, 2^255 - 1]`.
pub fn signed_diff(a: U256, b: U256) -> Result<I256, MathError> {
    match a.checked_sub(b) {
        Some(d) => to_signed(d),
        // cannot underflow: this branch has b > a.
        None => to_negative(b.wrapping_sub(a)),
    }
}

/// `a * b` for a signed `a`, exact.
///
/// # Errors
/// `Overflow` when the product is outside the `I256` range.
pub fn signed_mul(a: I256, b: U256) -> Result<I256, MathError> {
    let magnitude = mul(a.unsigned_abs(), b)?;
    if a.is_negative() {
        to_negative(magnitude)
    } else {
        to_signed(magnitude)
    }
}

/// `a * b / d` for a signed `a`, exact, rounded as asked: `Floor` toward
/// negative infinity, `Ceil` toward positive infinity.
///
/// # Errors
/// `DivisionByZero` if `d == 0`; `Overflow` if the result is outside
/// `[-2^255, 2^255 - 1]`.
pub fn signed_mul_div(a: I256, b: U256, d: U256, rounding: Rounding) -> Result<I256, MathError> {
    let magnitude = a.unsigned_abs();
    if a.is_negative() {
        // -(|a| b / d): rounding the magnitude the other way rounds the value as asked.
        let away = match rounding {
            Rounding::Floor => Rounding::Ceil,
            Rounding::Ceil => Rounding::Floor,
        };
        // a magnitude >= 2^256 (Overflow from mul_div) is below -2^255 as well.
        to_negative(mul_div(magnitude, b, d, away)?)
    } else {
        to_signed(mul_div(magnitude, b, d, rounding)?)
    }
}

#[cfg(test)]
// Tests use plain operators on values chosen not to wrap; a wrap would fail them.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::test_support::{big, from_ubig, ibig, u256_any_magnitude};
    use dashu::integer::{IBig, UBig};
    use proptest::prelude::*;

    fn u(v: u128) -> U256 {
        U256::from(v)
    }

    #[test]
    fn wad_is_ten_to_the_eighteen() {
        assert_eq!(WAD, U256::from(10_u64).pow(U256::from(18_u8)));
    }

    #[test]
    fn mul_div_rounding_table() {
        use Rounding::{Ceil, Floor};
        // (a, b, d, floor, ceil)
        let cases: [(U256, U256, U256, U256, U256); 7] = [
            (u(7), u(3), u(2), u(10), u(11)),
            (u(6), u(4), u(3), u(8), u(8)),
            (u(0), u(5), u(3), u(0), u(0)),
            (u(1), u(1), u(3), u(0), u(1)),
            // 2^256 - 1 squared over itself: the 512-bit intermediate matters.
            (U256::MAX, U256::MAX, U256::MAX, U256::MAX, U256::MAX),
            // (2^256-1)(2^256-2)/(2^256-1) = 2^256 - 2 exactly.
            (
                U256::MAX,
                U256::MAX - u(1),
                U256::MAX,
                U256::MAX - u(1),
                U256::MAX - u(1),
            ),
            // 3 (2^256 - 1) / 4 = 3 * 2^254 - 3/4: floor and ceil differ at the top.
            (U256::MAX, u(3), u(4), (u(3) << 254) - u(1), u(3) << 254),
        ];
        for (a, b, d, floor, ceil) in cases {
            assert_eq!(mul_div(a, b, d, Floor), Ok(floor), "{a} {b} {d}");
            assert_eq!(mul_div(a, b, d, Ceil), Ok(ceil), "{a} {b} {d}");
        }
        // (2^255)(2^255 + 1) / 2^254 = 2^256 + 2: overflow both ways.
        let h = U256::from(1_u8) << 255;
        assert_eq!(
            mul_div(h, h + u(1), U256::from(1_u8) << 254, Floor),
            Err(MathError::Overflow)
        );
        // (2^256 - 1) * 3 / 3 fits exactly; * 3 / 2 does not.
        assert_eq!(mul_div(U256::MAX, u(3), u(3), Ceil), Ok(U256::MAX));
        assert_eq!(
            mul_div(U256::MAX, u(3), u(2), Floor),
            Err(MathError::Overflow)
        );
    }

    #[test]
    fn mul_div_ceil_overflows_when_only_the_rounding_does_not_fit() {
        // a = (7 * 2^256 - 4) / 9 (an integer: 2^256 = 7 mod 9), b = 9, d = 7:
        // a * b / d = 2^256 - 4/7, so the floor is 2^256 - 1 and the ceiling 2^256.
        let a = from_ubig(&(((UBig::from(7_u8) << 256) - UBig::from(4_u8)) / UBig::from(9_u8)));
        assert_eq!(mul_div(a, u(9), u(7), Rounding::Floor), Ok(U256::MAX));
        assert_eq!(
            mul_div(a, u(9), u(7), Rounding::Ceil),
            Err(MathError::Overflow)
        );
        // and (2^256 - 1)^2 / (2^256 - 2) = 2^256 + 1/(2^256 - 2): even the floor overflows
        assert_eq!(
            mul_div(U256::MAX, U256::MAX, U256::MAX - u(1), Rounding::Floor),
            Err(MathError::Overflow)
        );
    }

    #[test]
    fn mul_div_by_zero_is_division_by_zero() {
        assert_eq!(
            mul_div(u(1), u(1), U256::ZERO, Rounding::Floor),
            Err(MathError::DivisionByZero)
        );
        assert_eq!(
            wad_div(u(1), U256::ZERO, Rounding::Ceil),
            Err(MathError::DivisionByZero)
        );
    }

    #[test]
    fn wad_mul_and_div_round_as_asked() {
        // 1.5 * 1.5 = 2.25
        let one_and_half = u(1_500_000_000_000_000_000);
        assert_eq!(
            wad_mul(one_and_half, one_and_half, Rounding::Floor),
            Ok(u(2_250_000_000_000_000_000))
        );
        // 1 / 3 = 0.333...
        assert_eq!(
            wad_div(WAD, u(3) * WAD, Rounding::Floor),
            Ok(u(333_333_333_333_333_333))
        );
        assert_eq!(
            wad_div(WAD, u(3) * WAD, Rounding::Ceil),
            Ok(u(333_333_333_333_333_334))
        );
        assert_eq!(
            wad_mul(U256::MAX, u(2) * WAD, Rounding::Floor),
            Err(MathError::Overflow)
        );
    }

    #[test]
    fn sqrt_of_perfect_squares_and_neighbours() {
        for s in [
            0_u128,
            1,
            2,
            3,
            10,
            1_000_000_007,
            u64::MAX as u128,
            (1_u128 << 100) + 12_345,
        ] {
            let s = u(s);
            let sq = s * s;
            assert_eq!(sqrt(sq, Rounding::Floor), s);
            assert_eq!(sqrt(sq, Rounding::Ceil), s);
            if s >= u(2) {
                // neighbours of a square are not squares from 2 on (0 and 1 are both squares)
                assert_eq!(sqrt(sq + u(1), Rounding::Floor), s);
                assert_eq!(sqrt(sq + u(1), Rounding::Ceil), s + u(1));
                assert_eq!(sqrt(sq - u(1), Rounding::Floor), s - u(1));
                assert_eq!(sqrt(sq - u(1), Rounding::Ceil), s);
            }
        }
        // (x, floor, ceil) at the bottom of the range
        for (x, f, c) in [
            (0_u128, 0_u128, 0_u128),
            (1, 1, 1),
            (2, 1, 2),
            (3, 1, 2),
            (4, 2, 2),
            (5, 2, 3),
            (8, 2, 3),
        ] {
            assert_eq!(
                (sqrt(u(x), Rounding::Floor), sqrt(u(x), Rounding::Ceil)),
                (u(f), u(c)),
                "x = {x}"
            );
        }
        let top = (U256::from(1_u8) << 128) - u(1);
        assert_eq!(sqrt(U256::MAX, Rounding::Floor), top);
        assert_eq!(sqrt(U256::MAX, Rounding::Ceil), U256::from(1_u8) << 128);
        assert_eq!(
            sqrt(u(1_000_000) * WAD * WAD, Rounding::Floor),
            u(1000) * WAD
        );
    }

    #[test]
    fn sqrt_product_is_exact_at_the_top_of_the_range() {
        assert_eq!(
            sqrt_product(U256::MAX, U256::MAX, Rounding::Floor),
            U256::MAX
        );
        assert_eq!(
            sqrt_product(U256::MAX, U256::MAX, Rounding::Ceil),
            U256::MAX
        );
        // (2^256-1)(2^256-2) = (2^256 - 1.5)^2 - 0.25: floor 2^256-2, ceil 2^256-1
        assert_eq!(
            sqrt_product(U256::MAX, U256::MAX - u(1), Rounding::Floor),
            U256::MAX - u(1)
        );
        assert_eq!(
            sqrt_product(U256::MAX, U256::MAX - u(1), Rounding::Ceil),
            U256::MAX
        );
        // k = 2^224 (reserves 2^112 each) times P = 2^32: root 2^128
        let k = U256::from(1_u8) << 224;
        assert_eq!(
            sqrt_product(k, u(1 << 32), Rounding::Floor),
            U256::from(1_u8) << 128
        );
        assert_eq!(sqrt_product(u(2), u(8), Rounding::Ceil), u(4));
        assert_eq!(sqrt_product(u(2), u(3), Rounding::Floor), u(2));
        assert_eq!(sqrt_product(u(2), u(3), Rounding::Ceil), u(3));
    }

    #[test]
    fn cmp_products_sees_past_256_bits() {
        // (2^256-1)^2 vs (2^256-2)*2^256... cannot be formed in U256; check both orders.
        assert_eq!(
            cmp_products(U256::MAX, U256::MAX, U256::MAX, U256::MAX),
            Ordering::Equal
        );
        assert_eq!(
            cmp_products(U256::MAX, U256::MAX, U256::MAX, U256::MAX - u(1)),
            Ordering::Greater
        );
        assert_eq!(cmp_products(u(2), u(6), u(3), u(4)), Ordering::Equal);
        assert_eq!(cmp_products(u(2), u(5), u(3), u(4)), Ordering::Less);
        // wrapped products would compare 0 with 0 here
        let h = U256::from(1_u8) << 128;
        assert_eq!(cmp_products(h, h, u(1), u(1)), Ordering::Greater);
    }

    #[test]
    fn checked_helpers_name_their_failure() {
        assert_eq!(add(U256::MAX, u(1)), Err(MathError::Overflow));
        assert_eq!(add(u(2), u(3)), Ok(u(5)));
        assert_eq!(sub(u(2), u(3)), Err(MathError::Underflow));
        assert_eq!(sub(u(3), u(2)), Ok(u(1)));
        assert_eq!(mul(U256::MAX, u(2)), Err(MathError::Overflow));
        assert_eq!(mul(u(6), u(7)), Ok(u(42)));
    }

    #[test]
    fn signed_conversions_cover_the_whole_i256_range() {
        let half = U256::from(1_u8) << 255;
        assert_eq!(to_signed(half - u(1)), Ok(I256::MAX));
        assert_eq!(to_signed(half), Err(MathError::Overflow));
        assert_eq!(to_negative(half), Ok(I256::MIN));
        assert_eq!(to_negative(half + u(1)), Err(MathError::Overflow));
        assert_eq!(to_negative(U256::ZERO), Ok(I256::ZERO));
        assert_eq!(signed_diff(u(3), u(5)), Ok(I256::try_from(-2_i64).unwrap()));
        assert_eq!(signed_diff(u(5), u(3)), Ok(I256::try_from(2_i64).unwrap()));
        assert_eq!(signed_diff(U256::ZERO, half), Ok(I256::MIN));
        assert_eq!(
            signed_diff(U256::ZERO, half + u(1)),
            Err(MathError::Overflow)
        );
        assert_eq!(signed_diff(half, U256::ZERO), Err(MathError::Overflow));
    }

    #[test]
    fn signed_mul_div_floor_goes_toward_negative_infinity() {
        let i = |v: i64| I256::try_from(v).unwrap();
        // -7 * 1 / 2 = -3.5
        assert_eq!(
            signed_mul_div(i(-7), u(1), u(2), Rounding::Floor),
            Ok(i(-4))
        );
        assert_eq!(signed_mul_div(i(-7), u(1), u(2), Rounding::Ceil), Ok(i(-3)));
        assert_eq!(signed_mul_div(i(7), u(1), u(2), Rounding::Floor), Ok(i(3)));
        assert_eq!(signed_mul_div(i(7), u(1), u(2), Rounding::Ceil), Ok(i(4)));
        assert_eq!(
            signed_mul_div(i(-6), u(1), u(2), Rounding::Floor),
            Ok(i(-3))
        );
        assert_eq!(
            signed_mul_div(i(-1), u(1), U256::ZERO, Rounding::Floor),
            Err(MathError::DivisionByZero)
        );
        assert_eq!(
            signed_mul_div(I256::MIN, u(1), u(1), Rounding::Floor),
            Ok(I256::MIN)
        );
        assert_eq!(
            signed_mul_div(I256::MIN, u(2), u(1), Rounding::Floor),
            Err(MathError::Overflow)
        );
        assert_eq!(
            signed_mul_div(I256::MAX, u(2), u(1), Rounding::Floor),
            Err(MathError::Overflow)
        );
        // -(2^255) * 3 / 2 rounds to a magnitude below 2^256 but beyond I256::MIN
        assert_eq!(
            signed_mul_div(I256::MIN, u(3), u(2), Rounding::Ceil),
            Err(MathError::Overflow)
        );
    }

    fn ubig(x: U256) -> UBig {
        big(x)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn mul_div_is_exact_with_both_roundings(a in u256_any_magnitude(), b in u256_any_magnitude(), d in u256_any_magnitude()) {
            prop_assume!(!d.is_zero());
            let n = ubig(a) * ubig(b);
            let dd = ubig(d);
            let floor = &n / &dd;
            let ceil = if (&n % &dd) == UBig::ZERO { floor.clone() } else { &floor + UBig::ONE };
            let max = ubig(U256::MAX);
            let expect_floor = if floor > max { Err(MathError::Overflow) } else { Ok(from_ubig(&floor)) };
            let expect_ceil = if ceil > max { Err(MathError::Overflow) } else { Ok(from_ubig(&ceil)) };
            prop_assert_eq!(mul_div(a, b, d, Rounding::Floor), expect_floor);
            prop_assert_eq!(mul_div(a, b, d, Rounding::Ceil), expect_ceil);
        }

        #[test]
        fn mul_div_is_exact_when_the_result_fits(a in u256_any_magnitude(), b in u256_any_magnitude(), extra in u256_any_magnitude()) {
            // d > (a*b) / 2^256, so the floor always fits: the dense part of the domain.
            let n = ubig(a) * ubig(b);
            let hi = from_ubig(&(&n >> 256));
            let d = hi.saturating_add(U256::from(1_u8)).saturating_add(extra);
            let dd = ubig(d);
            let floor = &n / &dd;
            prop_assert_eq!(mul_div(a, b, d, Rounding::Floor).map(ubig), Ok(floor.clone()));
            let ceil = if (&n % &dd) == UBig::ZERO { floor } else { floor + UBig::ONE };
            let got = mul_div(a, b, d, Rounding::Ceil);
            if ceil > ubig(U256::MAX) {
                prop_assert_eq!(got, Err(MathError::Overflow));
            } else {
                prop_assert_eq!(got.map(ubig), Ok(ceil));
            }
            // the identity a*b/b == a (b != 0) with both roundings
            if !b.is_zero() {
                prop_assert_eq!(mul_div(a, b, b, Rounding::Floor), Ok(a));
                prop_assert_eq!(mul_div(a, b, b, Rounding::Ceil), Ok(a));
            }
        }

        #[test]
        fn sqrt_is_floor_and_ceil_exact_over_all_u256(x in u256_any_magnitude()) {
            let f = sqrt(x, Rounding::Floor);
            let c = sqrt(x, Rounding::Ceil);
            let xb = ubig(x);
            let fb = ubig(f);
            let cb = ubig(c);
            prop_assert!(&fb * &fb <= xb);
            prop_assert!((&fb + UBig::ONE) * (&fb + UBig::ONE) > xb);
            prop_assert!(&cb * &cb >= xb);
            prop_assert!(cb == UBig::ZERO || (&cb - UBig::ONE) * (&cb - UBig::ONE) < xb);
        }

        #[test]
        fn sqrt_product_is_exact_over_all_u256_pairs(a in u256_any_magnitude(), b in u256_any_magnitude()) {
            let p = ubig(a) * ubig(b);
            let f = ubig(sqrt_product(a, b, Rounding::Floor));
            let c = ubig(sqrt_product(a, b, Rounding::Ceil));
            // dashu's own integer square root is the independent reference
            let r = dashu::base::SquareRoot::sqrt(&p);
            prop_assert_eq!(&f, &r);
            let expect_c = if &r * &r == p { r.clone() } else { &r + UBig::ONE };
            prop_assert_eq!(c, expect_c);
        }

        #[test]
        fn cmp_products_matches_big_integers(a in u256_any_magnitude(), b in u256_any_magnitude(), c in u256_any_magnitude(), d in u256_any_magnitude()) {
            prop_assert_eq!(cmp_products(a, b, c, d), (ubig(a) * ubig(b)).cmp(&(ubig(c) * ubig(d))));
            prop_assert_eq!(cmp_products(a, b, b, a), Ordering::Equal);
        }

        #[test]
        fn signed_mul_div_matches_big_integers(a in u256_any_magnitude(), neg in any::<bool>(), b in u256_any_magnitude(), d in u256_any_magnitude()) {
            prop_assume!(!d.is_zero());
            let a_signed = if neg { to_negative(a >> 1) } else { to_signed(a >> 1) }.unwrap();
            let n = IBig::from(ubig(a >> 1)) * IBig::from(ubig(b));
            let n = if neg { -n } else { n };
            let dd = IBig::from(ubig(d));
            let floor = dashu::base::DivEuclid::div_euclid(&n, &dd);
            let ceil = if &floor * &dd == n { floor.clone() } else { &floor + IBig::ONE };
            let lo = -IBig::from(UBig::ONE << 255);
            let hi = IBig::from(UBig::ONE << 255) - IBig::ONE;
            for (rounding, exact) in [(Rounding::Floor, floor), (Rounding::Ceil, ceil)] {
                let got = signed_mul_div(a_signed, b, d, rounding);
                if exact < lo || exact > hi {
                    prop_assert_eq!(got, Err(MathError::Overflow));
                } else {
                    prop_assert_eq!(got.map(ibig), Ok(exact));
                }
            }
        }
    }
}
