//! Constant-product closed forms: impermanent loss, LP value, delta, gamma,
//! hold value, pro-rata shares and the LVR rate.
//!
//! A constant-product pool with reserves `(x, y)` keeps `k = x * y`. At a
//! price `P` (token1 per token0) an arbitraged pool holds the *fair
//! reserves* `(sqrt(k / P), sqrt(k * P))` and is worth `V(P) = 2 sqrt(k P)`
//! token1. Every function here evaluates one such formula with a single
//! rounding of the exact real value (floor or ceiling of the true result),
//! using 512- to 1152-bit intermediates and the identities
//! `floor(sqrt(floor(q))) = floor(sqrt(q))` and
//! `ceil(sqrt(ceil(q))) = ceil(sqrt(q))` for a non-negative rational `q`.
//!
//! Signed results round `Floor` toward negative infinity (a loss is never
//! understated) and `Ceil` toward positive infinity.

use crate::{
    error::MathError,
    fees::MAX_SIGMA_WAD,
    fixed::{Rounding, WAD, add, mul_div, to_negative},
    price::Price,
    wide::{self, U512, U768, U1024, U1152},
};
use alloy_primitives::{I256, U256, ruint::aliases::U128, uint};

/// Largest accepted WAD price ratio: `10^36` (a ratio of `10^18`).
pub const MAX_RATIO_WAD: U256 = uint!(1_000_000_000_000_000_000_000_000_000_000_000_000_U256);

/// `4 * 10^54`: `4 * WAD^3`, the numerator constant of `il_from_ratio`.
const FOUR_WAD_CUBED: U256 =
    uint!(4_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_U256);
/// `4 * 10^36`: `4 * WAD^2`, the numerator constant of `il_between`.
const FOUR_WAD_SQUARED: u128 = 4_000_000_000_000_000_000_000_000_000_000_000_000;

/// Impermanent loss of a constant-product position for the price ratio
/// `r = P1 / P0` given in WAD: `IL(r) = 2 sqrt(r) / (1 + r) - 1`, in WAD.
///
/// Domain: `r_wad` in `[1, 10^36]` (ratios `1e-18 ..= 1e18`).
/// Range: `[-10^18, 0]` (`-1 < IL <= 0`); `IL(1e18) = 0`.
/// Rounding: toward negative infinity, and exact: the result is
/// `floor(10^18 * IL(r))`, so its error against the real value is in
/// `(-1, 0]` wei (measured by the tests, see the crate README).
///
/// Method: `10^18 * 2 sqrt(r) / (1 + r) = sqrt(4 r WAD^3 / (WAD + r)^2)` with
/// `r` in WAD; the 302-bit quotient is floored once, then an exact integer
/// square root is floored, which is the floor of the real root.
///
/// # Errors
/// `ZeroPrice` if `r_wad == 0`; `RatioOutOfRange` if `r_wad > 10^36`.
pub fn il_from_ratio(r_wad: U256) -> Result<I256, MathError> {
    if r_wad.is_zero() {
        return Err(MathError::ZeroPrice);
    }
    if r_wad > MAX_RATIO_WAD {
        return Err(MathError::RatioOutOfRange);
    }
    // cannot overflow: r <= 10^36 < 2^120, so 4 r WAD^3 < 2^302 (in 512 bits)
    // and (WAD + r)^2 < 2^242.
    let n: U512 = wide::mul(&r_wad, &FOUR_WAD_CUBED);
    let s = r_wad.wrapping_add(WAD);
    let d = s.wrapping_mul(s);
    let q = wide::div_round(n, wide::widen(d), Rounding::Floor)?;
    il_from_squared_factor(wide::low256(q))
}

/// Impermanent loss between two exact prices, `r = p1 / p0`, in WAD:
/// `2 sqrt(p0 p1) / (p0 + p1) - 1`, with no intermediate rounding of `r`.
///
/// Domain: any two prices (all `U256` components). Range `(-10^18, 0]`.
/// Rounding: toward negative infinity, exact (`floor(10^18 * IL)`).
/// Symmetric: `il_between(a, b) == il_between(b, a)` bit for bit, and
/// `il_between(1/1, from_wad(r)) == il_from_ratio(r)`.
///
/// Method: with `A = n0 d1`, `B = n1 d0` (so `r = B / A`),
/// `10^18 * 2 sqrt(AB) / (A + B) = sqrt(4 WAD^2 A B / (A + B)^2)`, formed in
/// 1152 bits, floored once, then an exact floored square root.
///
/// # Errors
/// None in practice (kept `Result` for symmetry with `il_from_ratio`).
pub fn il_between(p0: &Price, p1: &Price) -> Result<I256, MathError> {
    let a: U512 = wide::mul(&p0.num(), &p1.den());
    let b: U512 = wide::mul(&p1.num(), &p0.den());
    let ab: U1024 = wide::mul(&a, &b);
    let n: U1152 = wide::mul(&ab, &U128::from(FOUR_WAD_SQUARED));
    // cannot overflow: a, b < 2^512 so a + b < 2^513 in 576 bits.
    let sum = wide::widen::<512, 8, 576, 9>(a).wrapping_add(wide::widen(b));
    let d: U1152 = wide::mul(&sum, &sum);
    // d > 0: a, b >= 1. The quotient is <= WAD^2 (AM-GM), so it fits in 256 bits.
    let q = wide::div_round(n, d, Rounding::Floor)?;
    il_from_squared_factor(wide::narrow(q)?)
}

/// `floor(sqrt(q)) - WAD` as a signed value, for `q = floor(WAD^2 f^2)`
/// with `f = 2 sqrt(r) / (1 + r)` in `(0, 1]`.
fn il_from_squared_factor(q: U256) -> Result<I256, MathError> {
    let g = wide::isqrt(q, Rounding::Floor);
    // g <= WAD because q <= WAD^2; `to_negative` keeps the sign explicit.
    to_negative(crate::fixed::sub(WAD, g)?)
}

/// Fair reserves of a constant-product pool at `price`:
/// `(sqrt(k / P), sqrt(k * P))` with `k = reserve0 * reserve1`, each rounded
/// as asked, exact. These are the reserves an arbitraged pool would hold at
/// `P`; at the pool's own spot price they equal the actual reserves.
///
/// Domain: all `U256` reserves and prices (exact for reserves up to 2^112 and
/// price components below 2^128 without any overflow). Units: raw token0,
/// raw token1.
///
/// # Errors
/// `Overflow` if a result is `>= 2^256`.
pub fn fair_reserves(
    reserve0: U256,
    reserve1: U256,
    price: &Price,
    rounding: Rounding,
) -> Result<(U256, U256), MathError> {
    let k: U512 = wide::mul(&reserve0, &reserve1);
    let x = sqrt_of_ratio(
        wide::mul(&k, &price.den()),
        wide::widen(price.num()),
        rounding,
    )?;
    let y = sqrt_of_ratio(
        wide::mul(&k, &price.num()),
        wide::widen(price.den()),
        rounding,
    )?;
    Ok((x, y))
}

/// Value of the whole pool at `price` (fair reserves valued at `price`):
/// `V = 2 sqrt(k P)` token1 raw units, rounded as asked, exact (computed as
/// `sqrt(4 k P)`, one rounding).
///
/// # Errors
/// `Overflow` if the result is `>= 2^256`.
pub fn lp_value(
    reserve0: U256,
    reserve1: U256,
    price: &Price,
    rounding: Rounding,
) -> Result<U256, MathError> {
    let k: U512 = wide::mul(&reserve0, &reserve1);
    let kp: U768 = wide::mul(&k, &price.num());
    // If 4 k num >= 2^768 then 4 k P > 2^512 (den < 2^256): the root does not fit.
    let four_kp = kp
        .checked_mul(U768::from(4_u8))
        .ok_or(MathError::Overflow)?;
    sqrt_of_ratio(four_kp, wide::widen(price.den()), rounding)
}

/// Delta of the pool value: `dV/dP = sqrt(k / P)` (token0 raw units, i.e. the
/// token0 fair reserve), rounded as asked, exact.
///
/// # Errors
/// `Overflow` if the result is `>= 2^256`.
pub fn lp_delta(
    reserve0: U256,
    reserve1: U256,
    price: &Price,
    rounding: Rounding,
) -> Result<U256, MathError> {
    let k: U512 = wide::mul(&reserve0, &reserve1);
    sqrt_of_ratio(
        wide::mul(&k, &price.den()),
        wide::widen(price.num()),
        rounding,
    )
}

/// Dollar gamma of the pool: `Gamma * P^2 = -V / 4 = -sqrt(k P) / 2`, in
/// token1 raw units, exact, rounded as asked (`Floor` toward negative
/// infinity: the curvature loss is never understated).
///
/// Why this form: `V(P) = 2 sqrt(k P)` gives `V'' = -sqrt(k) P^(-3/2) / 2`,
/// so `Gamma * P^2 = -V / 4`, and the P&L of a small move is
/// `1/2 * Gamma * P^2 * (dP / P)^2 = -V/8 * (dP/P)^2`: it is in token1 units
/// and independent of how `P` is scaled, which `Gamma` alone is not.
///
/// # Errors
/// `Overflow` if the magnitude is `> 2^255`.
pub fn lp_dollar_gamma(
    reserve0: U256,
    reserve1: U256,
    price: &Price,
    rounding: Rounding,
) -> Result<I256, MathError> {
    let k: U512 = wide::mul(&reserve0, &reserve1);
    let kp: U768 = wide::mul(&k, &price.num());
    let four_den: U768 = wide::widen::<512, 8, 768, 12>(wide::mul(&price.den(), &U256::from(4_u8)));
    // A negative value rounds toward -inf when its magnitude rounds up.
    let magnitude_rounding = match rounding {
        Rounding::Floor => Rounding::Ceil,
        Rounding::Ceil => Rounding::Floor,
    };
    to_negative(sqrt_of_ratio(kp, four_den, magnitude_rounding)?)
}

/// Token amounts of a position of liquidity `L` at `price`:
/// `(L / sqrt(P), L * sqrt(P))`, rounded as asked, exact. Added to the
/// specification because the issue asks for "token amounts of a position of
/// liquidity L"; for a pool, `L = sqrt(k)` and this equals `fair_reserves`.
///
/// # Errors
/// `Overflow` if a result is `>= 2^256`.
pub fn liquidity_amounts(
    liquidity: U256,
    price: &Price,
    rounding: Rounding,
) -> Result<(U256, U256), MathError> {
    let l2: U512 = wide::mul(&liquidity, &liquidity);
    let x = sqrt_of_ratio(
        wide::mul(&l2, &price.den()),
        wide::widen(price.num()),
        rounding,
    )?;
    let y = sqrt_of_ratio(
        wide::mul(&l2, &price.num()),
        wide::widen(price.den()),
        rounding,
    )?;
    Ok((x, y))
}

/// Value of holding `(amount0, amount1)` at `price`: `amount0 * P + amount1`
/// token1 raw units; the one division (in `amount0 * P`) rounds as asked.
///
/// # Errors
/// `Overflow` if the result is `>= 2^256`.
pub fn hold_value(
    amount0: U256,
    amount1: U256,
    price: &Price,
    rounding: Rounding,
) -> Result<U256, MathError> {
    add(price.quote(amount0, rounding)?, amount1)
}

/// Pro-rata part `amount * shares / supply`, exact, rounded as asked.
///
/// # Errors
/// `DivisionByZero` if `supply == 0`; `Overflow` if the result is `>= 2^256`
/// (only possible when `shares > supply`).
pub fn share_of(
    amount: U256,
    shares: U256,
    supply: U256,
    rounding: Rounding,
) -> Result<U256, MathError> {
    mul_div(amount, shares, supply, rounding)
}

/// Loss-versus-rebalancing rate of a constant-product pool: `sigma^2 / 8`,
/// as a WAD fraction of pool value per unit of the time in which `sigma` is
/// annualised (per year for an annual volatility). Floor.
///
/// Domain: `sigma_wad` in `[0, MAX_SIGMA_WAD]` (5000 %/yr; the same bound
/// the fee tiers use). Range: `[0, 312.5e18]`.
///
/// # Errors
/// `VolatilityOutOfRange` if `sigma_wad > MAX_SIGMA_WAD`.
pub fn lvr_rate(sigma_wad: U256) -> Result<U256, MathError> {
    if sigma_wad > MAX_SIGMA_WAD {
        return Err(MathError::VolatilityOutOfRange);
    }
    // cannot overflow: 8 * WAD < 2^63.
    mul_div(
        sigma_wad,
        sigma_wad,
        WAD.wrapping_mul(U256::from(8_u8)),
        Rounding::Floor,
    )
}

/// `sqrt(n / d)` rounded as asked, exact: `n / d` is rounded the same way
/// first, which leaves the rounded root unchanged.
///
/// # Errors
/// `DivisionByZero` if `d == 0`; `Overflow` if the root is `>= 2^256`.
fn sqrt_of_ratio(n: U768, d: U768, rounding: Rounding) -> Result<U256, MathError> {
    let q: U512 = wide::narrow(wide::div_round(n, d, rounding)?)?;
    wide::narrow(wide::isqrt(q, rounding))
}

#[cfg(test)]
// Tests use plain operators on values chosen not to wrap; a wrap would fail them.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    extern crate std;
    use super::*;
    use crate::test_support::{big, dec, ibig, u256_nonzero_below_bits};
    use dashu::{
        base::SquareRoot,
        float::DBig,
        integer::{IBig, UBig},
    };
    use proptest::prelude::*;
    use std::{println, vec::Vec};

    fn u(v: u128) -> U256 {
        U256::from(v)
    }

    fn i(v: i128) -> I256 {
        I256::try_from(v).unwrap()
    }

    fn wad_pow10(k: i32) -> U256 {
        // 10^(18 + k) for k in [-18, 18]
        U256::from(10_u8).pow(U256::from(18 + k))
    }

    #[test]
    fn constants_are_what_they_say() {
        assert_eq!(MAX_RATIO_WAD, wad_pow10(18));
        assert_eq!(FOUR_WAD_CUBED, u(4) * WAD * WAD * WAD);
        assert_eq!(U256::from(FOUR_WAD_SQUARED), u(4) * WAD * WAD);
    }

    #[test]
    fn il_known_values() {
        // (r_wad, floor(1e18 * IL)) computed with 80-digit decimals:
        // IL(2) = -0.057190958417936634132..., IL(3) = -0.133974596215561353236...
        // IL(1e9) = -0.999936754446859877966...
        let cases: [(U256, i128); 9] = [
            (WAD, 0),
            (u(4) * WAD, -200_000_000_000_000_000),
            (WAD / u(4), -200_000_000_000_000_000),
            (u(2) * WAD, -57_190_958_417_936_635),
            (WAD / u(2), -57_190_958_417_936_635),
            (u(3) * WAD, -133_974_596_215_561_354),
            (wad_pow10(9), -999_936_754_446_859_878),
            (wad_pow10(-9), -999_936_754_446_859_878),
            // 9/16: 2 * 3/4 / (25/16) = 24/25 -> -0.04 exactly
            (u(9) * WAD / u(16), -40_000_000_000_000_000),
        ];
        for (r, il) in cases {
            assert_eq!(il_from_ratio(r), Ok(i(il)), "r_wad = {r}");
        }
    }

    #[test]
    fn il_at_the_ends_of_the_domain() {
        // r = 1e-18 and 1e18: IL = 2e-9 / (1 + 1e-18) - 1 = -0.999999998 - 2e-27 + ... -> floor
        assert_eq!(il_from_ratio(u(1)), Ok(i(-999_999_998_000_000_001)));
        assert_eq!(
            il_from_ratio(MAX_RATIO_WAD),
            Ok(i(-999_999_998_000_000_001))
        );
    }

    #[test]
    fn il_from_ratio_refuses_zero_and_huge_ratios() {
        assert_eq!(il_from_ratio(U256::ZERO), Err(MathError::ZeroPrice));
        assert_eq!(
            il_from_ratio(MAX_RATIO_WAD + u(1)),
            Err(MathError::RatioOutOfRange)
        );
        assert_eq!(il_from_ratio(U256::MAX), Err(MathError::RatioOutOfRange));
    }

    #[test]
    fn il_is_exactly_symmetric_when_the_inverse_ratio_is_exact_in_wad() {
        // r = 2^a 5^b 10^c with 1/r also a whole number of wei
        for a in 0..=18_u32 {
            for b in [0_u32, 1, 5, 18] {
                let up = U256::from(2_u8).pow(U256::from(a)) * U256::from(5_u8).pow(U256::from(b));
                if up > WAD {
                    continue;
                }
                let r = WAD * up;
                let inv = WAD / up;
                assert_eq!(WAD * WAD % r, U256::ZERO);
                assert_eq!(il_from_ratio(r), il_from_ratio(inv), "2^{a} 5^{b}");
            }
        }
    }

    #[test]
    fn il_between_agrees_with_il_from_ratio() {
        let one = Price::new(u(1), u(1)).unwrap();
        for r in [
            u(1),
            u(7),
            WAD / u(3),
            WAD,
            u(2) * WAD,
            wad_pow10(9),
            MAX_RATIO_WAD,
        ] {
            let p = Price::from_wad(r).unwrap();
            assert_eq!(il_between(&one, &p), il_from_ratio(r));
            assert_eq!(il_between(&p, &one), il_from_ratio(r));
        }
        // prices at the top of U256: both products are 1024 bits wide
        let a = Price::new(U256::MAX, u(1)).unwrap();
        let b = Price::new(u(1), U256::MAX).unwrap();
        assert_eq!(il_between(&a, &a), Ok(I256::ZERO));
        assert_eq!(il_between(&a, &b), Ok(i(-1_000_000_000_000_000_000)));
        let c = Price::new(U256::MAX, U256::MAX - u(1)).unwrap();
        assert_eq!(il_between(&a, &c), il_between(&c, &a));
    }

    /// Exact real value of `1e18 * IL(r)` for `r = x / 1e18`, 100 digits.
    fn il_exact(x: U256) -> DBig {
        let w = dec(&IBig::from(big(WAD)));
        let xd = dec(&IBig::from(big(x)));
        let root = (&xd * &w).sqrt();
        DBig::from(2_u8) * &w * root / (&w + &xd) - w
    }

    /// `got` is the floor of the real value: `0 <= exact - got < 1`. Returns the error.
    fn floor_error(x: U256, got: I256) -> DBig {
        let err = il_exact(x) - dec(&ibig(got));
        assert!(
            err >= DBig::ZERO,
            "r_wad = {x}: result above the real value by {err}"
        );
        assert!(
            err < DBig::ONE,
            "r_wad = {x}: result more than 1 wei below the real value: {err}"
        );
        err
    }

    /// Deterministic log-uniform sweep of `r_wad` over `[lo, hi]` (decades).
    fn sweep(lo_exp: i32, hi_exp: i32, per_decade: u32) -> Vec<U256> {
        let mut out = Vec::new();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for e in lo_exp..hi_exp {
            let base = U256::from(10_u8).pow(U256::from(e));
            for _ in 0..per_decade {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // mantissa in [1, 10): base * (1e9 + state % 9e9) / 1e9
                let m = U256::from(1_000_000_000_u64 + state % 9_000_000_000);
                out.push(base * m / U256::from(1_000_000_000_u64));
            }
        }
        out.push(U256::from(10_u8).pow(U256::from(hi_exp)));
        out
    }

    #[test]
    fn il_from_ratio_max_error_is_below_one_wei_across_1e_minus_9_to_1e9() {
        // ratios 1e-9..1e9 are r_wad 1e9..1e27; 400 points per decade, plus the
        // special points around 1 where the loss is tiny.
        let mut max = DBig::ZERO;
        let mut points = sweep(9, 27, 400);
        for d in [1_u128, 2, 3, 1_000, 1_000_000_000] {
            points.push(WAD + u(d));
            points.push(WAD - u(d));
        }
        for &x in &points {
            let err = floor_error(x, il_from_ratio(x).unwrap());
            if err > max {
                max = err;
            }
        }
        println!(
            "il_from_ratio: {} points over r in [1e-9, 1e9]: max error (exact - result) = {} wei; asserted 0 <= error < 1 at every point",
            points.len(),
            max.clone().with_precision(24).value()
        );
        assert!(max < DBig::ONE);
    }

    #[test]
    fn il_from_ratio_is_floor_exact_over_the_whole_domain() {
        // r_wad 1 ..= 1e36, 40 points per decade
        let mut max = DBig::ZERO;
        let points = sweep(0, 36, 40);
        for &x in &points {
            let err = floor_error(x, il_from_ratio(x).unwrap());
            if err > max {
                max = err;
            }
        }
        println!(
            "il_from_ratio: {} points over r_wad in [1, 1e36]: max error (exact - result) = {} wei; asserted 0 <= error < 1 at every point",
            points.len(),
            max.clone().with_precision(24).value()
        );
    }

    fn r_wad_log_uniform(lo_exp: u32, hi_exp: u32) -> impl Strategy<Value = U256> {
        // a uniform exponent then a uniform mantissa in [1, 10)
        (
            lo_exp..hi_exp,
            1_000_000_000_000_000_000_u128..10_000_000_000_000_000_000,
        )
            .prop_map(|(e, m)| U256::from(10_u8).pow(U256::from(e)) * U256::from(m) / WAD)
    }

    /// Certificate of the exact floor: g^2 (A+B)^2 <= 4 W^2 A B < (g+1)^2 (A+B)^2.
    fn assert_il_floor_certificate(a: &UBig, b: &UBig, il: I256) {
        let w = big(WAD);
        let g = ibig(il) + IBig::from(w.clone());
        assert!(g >= IBig::ZERO);
        let g: UBig = g.try_into().unwrap();
        let s2 = (a + b) * (a + b);
        let n = UBig::from(4_u8) * &w * &w * a * b;
        assert!(&g * &g * &s2 <= n, "not a lower bound");
        assert!(
            (&g + UBig::ONE) * (&g + UBig::ONE) * &s2 > n,
            "not the floor"
        );
    }

    fn price_below_bits(bits: usize) -> impl Strategy<Value = Price> {
        (u256_nonzero_below_bits(bits), u256_nonzero_below_bits(bits))
            .prop_map(|(n, d)| Price::new(n, d).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn il_from_ratio_is_the_exact_floor_for_ratios_1e_minus_9_to_1e9(x in r_wad_log_uniform(9, 27)) {
            let il = il_from_ratio(x).unwrap();
            floor_error(x, il);
            assert_il_floor_certificate(&big(x), &big(WAD), il);
        }

        #[test]
        fn il_from_ratio_is_the_exact_floor_over_the_whole_domain(x in r_wad_log_uniform(0, 36)) {
            let il = il_from_ratio(x).unwrap();
            prop_assert!(il <= I256::ZERO && il > i(-1_000_000_000_000_000_000));
            assert_il_floor_certificate(&big(x), &big(WAD), il);
        }

        #[test]
        fn il_from_ratio_brackets_the_inverse_ratio(x in r_wad_log_uniform(18, 36)) {
            // 1/r lies in [floor(W^2/x), ceil(W^2/x)] and IL increases below 1.
            let ww = WAD * WAD;
            let lo = ww / x;
            let hi = if ww % x == U256::ZERO { lo } else { lo + u(1) };
            let il = il_from_ratio(x).unwrap();
            if !lo.is_zero() {
                prop_assert!(il_from_ratio(lo).unwrap() <= il);
            }
            prop_assert!(il <= il_from_ratio(hi).unwrap());
        }

        #[test]
        fn il_from_ratio_is_monotone_on_each_side_of_one(x in r_wad_log_uniform(0, 36), y in r_wad_log_uniform(0, 36)) {
            let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
            let (il_lo, il_hi) = (il_from_ratio(lo).unwrap(), il_from_ratio(hi).unwrap());
            if hi <= WAD {
                prop_assert!(il_lo <= il_hi, "IL must increase toward r = 1 from below");
            }
            if lo >= WAD {
                prop_assert!(il_lo >= il_hi, "IL must decrease above r = 1");
            }
        }

        #[test]
        fn il_between_is_exact_and_symmetric_for_128_bit_prices(p0 in price_below_bits(128), p1 in price_below_bits(128)) {
            let il = il_between(&p0, &p1).unwrap();
            prop_assert_eq!(il_between(&p1, &p0), Ok(il));
            let a = big(p0.num()) * big(p1.den());
            let b = big(p1.num()) * big(p0.den());
            assert_il_floor_certificate(&a, &b, il);
        }

        #[test]
        fn il_between_is_exact_and_symmetric_for_any_prices(p0 in price_below_bits(256), p1 in price_below_bits(256)) {
            let il = il_between(&p0, &p1).unwrap();
            prop_assert_eq!(il_between(&p1, &p0), Ok(il));
            let a = big(p0.num()) * big(p1.den());
            let b = big(p1.num()) * big(p0.den());
            assert_il_floor_certificate(&a, &b, il);
        }
    }

    // ----- LP position -----

    #[test]
    fn fair_reserves_at_the_spot_price_are_the_reserves() {
        let (r0, r1) = (u(1_000) * WAD, u(3_000_000) * U256::from(1_000_000_u64));
        let spot = Price::from_reserves(r0, r1).unwrap();
        for rounding in [Rounding::Floor, Rounding::Ceil] {
            assert_eq!(fair_reserves(r0, r1, &spot, rounding), Ok((r0, r1)));
            assert_eq!(lp_value(r0, r1, &spot, rounding), Ok(r1 * u(2)));
            assert_eq!(lp_delta(r0, r1, &spot, rounding), Ok(r0));
        }
        // Gamma P^2 = -V/4 = -r1/2
        assert_eq!(
            lp_dollar_gamma(r0, r1, &spot, Rounding::Floor),
            Ok(-to_signed_u(r1 / u(2)))
        );
    }

    fn to_signed_u(x: U256) -> I256 {
        crate::fixed::to_signed(x).unwrap()
    }

    #[test]
    fn lp_known_values_after_a_price_move() {
        // k = 100 * 400 = 40_000, P from 4 to 16: fair (50, 800), V = 1600
        let p = Price::new(u(16), u(1)).unwrap();
        assert_eq!(
            fair_reserves(u(100), u(400), &p, Rounding::Floor),
            Ok((u(50), u(800)))
        );
        assert_eq!(lp_value(u(100), u(400), &p, Rounding::Floor), Ok(u(1_600)));
        assert_eq!(
            lp_dollar_gamma(u(100), u(400), &p, Rounding::Floor),
            Ok(i(-400))
        );
        // hold value of the original (100, 400) at 16: 2000; IL = 1600/2000 - 1 = -0.2
        assert_eq!(
            hold_value(u(100), u(400), &p, Rounding::Floor),
            Ok(u(2_000))
        );
        // k = 2, P = 1: sqrt(2) = 1.414.. -> floor 1, ceil 2; V = 2 sqrt 2 = 2.83 -> 2 / 3
        let one = Price::new(u(1), u(1)).unwrap();
        assert_eq!(
            fair_reserves(u(1), u(2), &one, Rounding::Floor),
            Ok((u(1), u(1)))
        );
        assert_eq!(
            fair_reserves(u(1), u(2), &one, Rounding::Ceil),
            Ok((u(2), u(2)))
        );
        assert_eq!(lp_value(u(1), u(2), &one, Rounding::Floor), Ok(u(2)));
        assert_eq!(lp_value(u(1), u(2), &one, Rounding::Ceil), Ok(u(3)));
        // -V/4 = -sqrt(2)/2 = -0.707: floor -1, ceil 0
        assert_eq!(
            lp_dollar_gamma(u(1), u(2), &one, Rounding::Floor),
            Ok(i(-1))
        );
        assert_eq!(
            lp_dollar_gamma(u(1), u(2), &one, Rounding::Ceil),
            Ok(I256::ZERO)
        );
        assert_eq!(
            liquidity_amounts(u(200), &Price::new(u(4), u(1)).unwrap(), Rounding::Floor),
            Ok((u(100), u(400)))
        );
    }

    #[test]
    fn lp_functions_overflow_only_when_the_result_does_not_fit() {
        let huge = Price::new(U256::MAX, u(1)).unwrap();
        let tiny = Price::new(u(1), U256::MAX).unwrap();
        // sqrt(k P) with k = (2^256-1)^2 and P = 2^256-1 is ~2^384
        assert_eq!(
            fair_reserves(U256::MAX, U256::MAX, &huge, Rounding::Floor),
            Err(MathError::Overflow)
        );
        assert_eq!(
            fair_reserves(U256::MAX, U256::MAX, &tiny, Rounding::Floor),
            Err(MathError::Overflow)
        );
        assert_eq!(
            lp_value(U256::MAX, U256::MAX, &huge, Rounding::Floor),
            Err(MathError::Overflow)
        );
        assert_eq!(
            lp_delta(U256::MAX, U256::MAX, &tiny, Rounding::Floor),
            Err(MathError::Overflow)
        );
        assert_eq!(
            lp_dollar_gamma(U256::MAX, U256::MAX, &huge, Rounding::Floor),
            Err(MathError::Overflow)
        );
        // the same reserves at P = 1 fit exactly: sqrt(k) = 2^256 - 1, but V = 2 sqrt(k) does not
        let one = Price::new(u(1), u(1)).unwrap();
        assert_eq!(
            fair_reserves(U256::MAX, U256::MAX, &one, Rounding::Ceil),
            Ok((U256::MAX, U256::MAX))
        );
        assert_eq!(
            lp_value(U256::MAX, U256::MAX, &one, Rounding::Floor),
            Err(MathError::Overflow)
        );
        // -V/4 = -(2^256 - 1)/2 = -2^255 + 1/2: Floor gives I256::MIN, Ceil one above
        assert_eq!(
            lp_dollar_gamma(U256::MAX, U256::MAX, &one, Rounding::Floor),
            Ok(I256::MIN)
        );
        assert_eq!(
            lp_dollar_gamma(U256::MAX, U256::MAX, &one, Rounding::Ceil),
            Ok(I256::MIN + I256::ONE)
        );
        assert_eq!(
            liquidity_amounts(U256::MAX, &huge, Rounding::Floor),
            Err(MathError::Overflow)
        );
        // 4 k num >= 2^768 (it would wrap to ~2^767) with a 256-bit den:
        // V = 2 sqrt(1.5 * 2^510) ~ 1.22 * 2^256 does not fit
        let p = Price::new(u(3) << 254, U256::MAX).unwrap();
        assert_eq!(
            lp_value(U256::MAX, U256::from(1_u8) << 255, &p, Rounding::Floor),
            Err(MathError::Overflow)
        );
        assert_eq!(
            hold_value(U256::MAX, u(1), &one, Rounding::Floor),
            Err(MathError::Overflow)
        );
        assert_eq!(
            hold_value(U256::MAX, u(1), &huge, Rounding::Floor),
            Err(MathError::Overflow)
        );
    }

    #[test]
    fn share_of_is_pro_rata_and_refuses_an_empty_supply() {
        assert_eq!(share_of(u(1_000), u(1), u(3), Rounding::Floor), Ok(u(333)));
        assert_eq!(share_of(u(1_000), u(1), u(3), Rounding::Ceil), Ok(u(334)));
        assert_eq!(
            share_of(u(1_000), u(1), U256::ZERO, Rounding::Floor),
            Err(MathError::DivisionByZero)
        );
        assert_eq!(
            share_of(U256::MAX, u(2), u(1), Rounding::Floor),
            Err(MathError::Overflow)
        );
    }

    #[test]
    fn lvr_rate_is_sigma_squared_over_eight() {
        assert_eq!(
            lvr_rate(u(800_000_000_000_000_000)),
            Ok(u(80_000_000_000_000_000))
        );
        assert_eq!(lvr_rate(WAD), Ok(u(125_000_000_000_000_000)));
        assert_eq!(lvr_rate(U256::ZERO), Ok(U256::ZERO));
        // sigma = 1e-9 (1e9 wei): 1e-18 / 8 floors to 0
        assert_eq!(lvr_rate(u(1_000_000_000)), Ok(U256::ZERO));
        assert_eq!(lvr_rate(MAX_SIGMA_WAD), Ok(u(312_500_000_000_000_000_000)));
        assert_eq!(
            lvr_rate(MAX_SIGMA_WAD + u(1)),
            Err(MathError::VolatilityOutOfRange)
        );
    }

    fn reserve() -> impl Strategy<Value = U256> {
        u256_nonzero_below_bits(112)
    }

    /// Exact floor or ceiling of sqrt(n / d), by dashu.
    fn ref_sqrt_ratio(n: &UBig, d: &UBig, rounding: Rounding) -> UBig {
        let fl = (n / d).sqrt();
        match rounding {
            Rounding::Floor => fl,
            // ceil: smallest c with c^2 d >= n
            Rounding::Ceil => {
                if &fl * &fl * d >= *n {
                    fl
                } else {
                    fl + UBig::ONE
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn lp_closed_forms_are_exact_for_112_bit_reserves_and_128_bit_prices(
            r0 in reserve(), r1 in reserve(), p in price_below_bits(128), floor in any::<bool>()
        ) {
            let rounding = if floor { Rounding::Floor } else { Rounding::Ceil };
            let k = big(r0) * big(r1);
            let (n, d) = (big(p.num()), big(p.den()));
            let (x, y) = fair_reserves(r0, r1, &p, rounding).unwrap();
            prop_assert_eq!(big(x), ref_sqrt_ratio(&(&k * &d), &n, rounding));
            prop_assert_eq!(big(y), ref_sqrt_ratio(&(&k * &n), &d, rounding));
            prop_assert_eq!(lp_delta(r0, r1, &p, rounding), Ok(x));
            let v = lp_value(r0, r1, &p, rounding);
            let v_ref = ref_sqrt_ratio(&(UBig::from(4_u8) * &k * &n), &d, rounding);
            prop_assert_eq!(v.map(big), Ok(v_ref));
            let g = lp_dollar_gamma(r0, r1, &p, rounding).unwrap();
            let other = if floor { Rounding::Ceil } else { Rounding::Floor };
            let g_ref = -IBig::from(ref_sqrt_ratio(&(&k * &n), &(UBig::from(4_u8) * &d), other));
            prop_assert_eq!(ibig(g), g_ref);
            // V = x P + y at fair reserves: the floors bracket it
            if floor {
                let hold = hold_value(x, y, &p, Rounding::Floor).unwrap();
                prop_assert!(hold <= v.unwrap());
            }
        }

        #[test]
        fn lp_closed_forms_are_exact_or_overflow_for_any_inputs(
            r0 in u256_nonzero_below_bits(256), r1 in u256_nonzero_below_bits(256), p in price_below_bits(256), floor in any::<bool>()
        ) {
            let rounding = if floor { Rounding::Floor } else { Rounding::Ceil };
            let k = big(r0) * big(r1);
            let (n, d) = (big(p.num()), big(p.den()));
            let max = big(U256::MAX);
            let check = |got: Result<U256, MathError>, want: UBig| {
                if want > max { got == Err(MathError::Overflow) } else { got.map(big) == Ok(want) }
            };
            let (x_ref, y_ref) = (ref_sqrt_ratio(&(&k * &d), &n, rounding), ref_sqrt_ratio(&(&k * &n), &d, rounding));
            match fair_reserves(r0, r1, &p, rounding) {
                Ok((x, y)) => prop_assert!(big(x) == x_ref && big(y) == y_ref),
                Err(e) => prop_assert!(e == MathError::Overflow && (x_ref > max || y_ref > max)),
            }
            prop_assert!(check(lp_value(r0, r1, &p, rounding), ref_sqrt_ratio(&(UBig::from(4_u8) * &k * &n), &d, rounding)));
            prop_assert!(check(lp_delta(r0, r1, &p, rounding), x_ref));
        }

        #[test]
        fn hold_and_share_are_exact(a0 in reserve(), a1 in reserve(), p in price_below_bits(128), s in reserve(), extra in reserve()) {
            let supply = s + extra;
            let hv = hold_value(a0, a1, &p, Rounding::Floor).unwrap();
            prop_assert_eq!(big(hv), big(a0) * big(p.num()) / big(p.den()) + big(a1));
            let part = share_of(a0, s, supply, Rounding::Floor).unwrap();
            prop_assert_eq!(big(part), big(a0) * big(s) / big(supply));
            prop_assert!(part <= a0);
        }
    }
}
