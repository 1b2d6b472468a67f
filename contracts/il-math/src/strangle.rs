//! Long-strangle sizing that covers impermanent loss over a price interval:
//! arXiv 2503.21967 ("Pool Value Replication (CPM) and Impermanent Loss
//! Hedging"), Proposition 4.1.
//!
//! # The statement (transcribed)
//! A LP deposits capital `c` (token1) at price `P0`. Its impermanent loss at
//! a final price `P` is `IL(P) = c (sqrt(P/P0) - (P/P0 + 1)/2) <= 0`. It buys
//! `q_c` calls (strike `K_c`, premium `d_c`) and `q_p` puts (strike `K_p`,
//! premium `d_p`) for `D = q_c d_c + q_p d_p`. With pool return `r_p` over
//! the horizon, the hedged PnL
//! `f(P) = r_p c + q_c (P - K_c)^+ + q_p (K_p - P)^+ - D + IL(P)`
//! is `>= 0` for every `P` in `[P_i, P_s]` (with `P_i <= K_p <= K_c <= P_s`
//! and `P_i <= P0 <= P_s`) if simultaneously
//! 1. `q_p >= (c/2) (1/sqrt(P_i P0) - 1/P0)`,
//! 2. `q_c >= (c/2) (1/P0 - 1/sqrt(P_s P0))`,
//! 3. `D - min(IL(K_c), IL(K_p)) <= r_p c`.
//!
//! Why it holds: `IL` is concave with its maximum 0 at `P0`, so between the
//! strikes `f >= r_p c - D + min(IL(K_c), IL(K_p))` (condition 3); beyond a
//! strike `f' = q + IL'(P)` and conditions 1 and 2 bound `|IL'|` on the
//! interval, so `f` only grows away from the strikes.
//!
//! # Units and rounding
//! All inputs and outputs are WAD numbers: prices in token1 per token0,
//! capital, premiums (per option on one token0) and costs in token1,
//! quantities in token0 (options on one token0 each), `pool_return` a
//! fraction. Quantities and cost round up, IL values down (toward negative
//! infinity) and `r_p c` down, each exactly (one rounding of the real value),
//! so `covered` is never claimed when the exact answer is false.

use crate::{
    error::MathError,
    fixed::{Rounding, WAD, mul_div, signed_mul_div, to_negative},
    wide::{self, U512, U768, U1152},
};
use alloy_primitives::{I256, U256, ruint::Uint};

/// 896-bit unsigned integer: `WAD^2 * capital^2 * price` (at most 888 bits).
type U896 = Uint<896, 14>;

/// Inputs of the sizing, all WAD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrangleParams {
    /// Capital `c` deposited in the pool, token1 (WAD). Must be non-zero.
    pub capital: U256,
    /// Price at deposit `P0`, token1 per token0 (WAD).
    pub p0: U256,
    /// Lower end `P_i` of the covered interval (WAD).
    pub p_lower: U256,
    /// Upper end `P_s` of the covered interval (WAD).
    pub p_upper: U256,
    /// Call strike `K_c` (WAD).
    pub call_strike: U256,
    /// Put strike `K_p` (WAD).
    pub put_strike: U256,
    /// Premium of one call on one token0, token1 (WAD); negative is refused.
    pub call_premium: I256,
    /// Premium of one put on one token0, token1 (WAD); negative is refused.
    pub put_premium: I256,
    /// Pool return `r_p` over the horizon (WAD fraction, may be negative).
    pub pool_return: I256,
}

/// Result of the sizing, all WAD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrangleSizing {
    /// `ceil((c/2) (1/sqrt(P_i P0) - 1/P0))`: condition 1, token0 (WAD).
    pub min_put_qty: U256,
    /// `ceil((c/2) (1/P0 - 1/sqrt(P_s P0)))`: condition 2, token0 (WAD).
    pub min_call_qty: U256,
    /// The balanced strangle: `max(min_put_qty, min_call_qty)`, bought on both legs.
    pub qty: U256,
    /// `ceil(qty * (d_c + d_p))`: its cost `D`, token1 (WAD).
    pub cost: U256,
    /// `IL(K_p)` rounded toward negative infinity, token1 (WAD), `<= 0`.
    pub il_at_put_strike: I256,
    /// `IL(K_c)` rounded toward negative infinity, token1 (WAD), `<= 0`.
    pub il_at_call_strike: I256,
    /// Condition 3 for the balanced strangle, evaluated conservatively:
    /// `cost - min(il_at_call_strike, il_at_put_strike) <= floor(r_p c)`.
    pub covered: bool,
}

/// Sizes the balanced long strangle of Proposition 4.1 (see the module docs).
///
/// Domain: every `U256` value; intermediates are up to 1152 bits, so the
/// only overflow is a result that does not fit its field.
///
/// # Errors
/// In this order: `ZeroCapital` if `capital == 0`; `ZeroPrice` if any of the
/// five prices is 0; `InvalidInterval` if `p_lower >= p_upper`;
/// `PriceOutsideInterval` if `p0` is outside `[p_lower, p_upper]`;
/// `InvalidStrike` unless `p_lower <= put_strike <= call_strike <= p_upper`;
/// `NegativePremium` if a premium is negative; `Overflow` if a quantity or
/// the cost is `>= 2^256` or an IL is below `-2^255`.
pub fn size_strangle(params: &StrangleParams) -> Result<StrangleSizing, MathError> {
    let p = params;
    if p.capital.is_zero() {
        return Err(MathError::ZeroCapital);
    }
    if [p.p0, p.p_lower, p.p_upper, p.call_strike, p.put_strike]
        .iter()
        .any(|x| x.is_zero())
    {
        return Err(MathError::ZeroPrice);
    }
    if p.p_lower >= p.p_upper {
        return Err(MathError::InvalidInterval);
    }
    if p.p0 < p.p_lower || p.p0 > p.p_upper {
        return Err(MathError::PriceOutsideInterval);
    }
    if !(p.p_lower <= p.put_strike && p.put_strike <= p.call_strike && p.call_strike <= p.p_upper) {
        return Err(MathError::InvalidStrike);
    }
    if p.call_premium.is_negative() || p.put_premium.is_negative() {
        return Err(MathError::NegativePremium);
    }

    let min_put_qty = min_put_qty(p.capital, p.p0, p.p_lower)?;
    let min_call_qty = min_call_qty(p.capital, p.p0, p.p_upper)?;
    let qty = min_put_qty.max(min_call_qty);
    // cannot overflow: both premiums are in [0, 2^255).
    let premiums = p
        .call_premium
        .into_raw()
        .wrapping_add(p.put_premium.into_raw());
    let cost = mul_div(qty, premiums, WAD, Rounding::Ceil)?;
    let il_at_put_strike = to_negative(il_magnitude_ceil(p.capital, p.p0, p.put_strike)?)?;
    let il_at_call_strike = to_negative(il_magnitude_ceil(p.capital, p.p0, p.call_strike)?)?;

    // Condition 3 with every term rounded against coverage.
    let worst_il = il_at_put_strike
        .unsigned_abs()
        .max(il_at_call_strike.unsigned_abs());
    let income = signed_mul_div(p.pool_return, p.capital, WAD, Rounding::Floor)?;
    let covered = !income.is_negative()
        && cost
            .checked_add(worst_il)
            .is_some_and(|need| need <= income.into_raw());

    Ok(StrangleSizing {
        min_put_qty,
        min_call_qty,
        qty,
        cost,
        il_at_put_strike,
        il_at_call_strike,
        covered,
    })
}

/// `ceil((W C / 2) (1/sqrt(Pi p0) - 1/p0))` with `C`, `p0`, `Pi` in WAD.
///
/// With `Z = W C sqrt(p0 / Pi)` (so `Z >= W C`), the value is
/// `(Z - W C) / (2 p0)` and its ceiling is `ceil((ceil(Z) - W C) / (2 p0))`
/// (for an integer `n`, `2 p0 n + W C >= Z` iff `>= ceil(Z)`), with
/// `ceil(Z) = ceil(sqrt(ceil(W^2 C^2 p0 / Pi)))`.
fn min_put_qty(capital: U256, p0: U256, p_lower: U256) -> Result<U256, MathError> {
    let z_ceil = scaled_root(capital, p0, p_lower, Rounding::Ceil)?;
    let wc: U512 = wide::mul(&WAD, &capital);
    // cannot underflow: p0 >= Pi makes Z >= W C, and ceil(Z) >= Z.
    let top = z_ceil
        .checked_sub(wide::widen(wc))
        .ok_or(MathError::Underflow)?;
    ceil_div_two_p0(top, p0)
}

/// `ceil((W C / 2) (1/p0 - 1/sqrt(Ps p0)))` with `C`, `p0`, `Ps` in WAD.
///
/// With `Z = W C sqrt(p0 / Ps)` (so `Z <= W C`), the value is
/// `(W C - Z) / (2 p0)` and its ceiling is `ceil((W C - floor(Z)) / (2 p0))`.
fn min_call_qty(capital: U256, p0: U256, p_upper: U256) -> Result<U256, MathError> {
    let z_floor = scaled_root(capital, p0, p_upper, Rounding::Floor)?;
    let wc: U896 = wide::widen::<512, 8, 896, 14>(wide::mul(&WAD, &capital));
    // cannot underflow: p0 <= Ps makes floor(Z) <= Z <= W C.
    let top = wc.checked_sub(z_floor).ok_or(MathError::Underflow)?;
    ceil_div_two_p0(top, p0)
}

/// `sqrt(W^2 C^2 p0 / bound)` rounded as asked (both roundings exact).
fn scaled_root(
    capital: U256,
    p0: U256,
    bound: U256,
    rounding: Rounding,
) -> Result<U896, MathError> {
    let c2: U512 = wide::mul(&capital, &capital);
    let c2p: U768 = wide::mul(&c2, &p0);
    let n: U896 = wide::mul(
        &c2p,
        &alloy_primitives::ruint::aliases::U128::from(WAD_SQUARED),
    );
    let q = wide::div_round(n, wide::widen(bound), rounding)?;
    Ok(wide::isqrt(q, rounding))
}

/// `ceil(top / (2 p0))` as a `U256`.
fn ceil_div_two_p0(top: U896, p0: U256) -> Result<U256, MathError> {
    // cannot overflow: 2 p0 < 2^257 in 896 bits.
    let two_p0 = wide::widen::<256, 4, 896, 14>(p0).wrapping_shl(1);
    wide::narrow(wide::div_round(top, two_p0, Rounding::Ceil)?)
}

/// `|IL(K)|` in WAD rounded up: `ceil(C (K + p0 - 2 sqrt(K p0)) / (2 p0))`.
///
/// With `T = 2 C sqrt(K p0)`, for an integer `n`,
/// `2 p0 n >= C (K + p0) - T` iff `2 p0 n >= C (K + p0) - floor(T)`, so the
/// ceiling is `ceil((C (K + p0) - floor(sqrt(4 C^2 K p0))) / (2 p0))`.
fn il_magnitude_ceil(capital: U256, p0: U256, strike: U256) -> Result<U256, MathError> {
    let c2: U512 = wide::mul(&capital, &capital);
    let kp: U512 = wide::mul(&strike, &p0);
    let c2kp: U1152 = wide::widen::<1024, 16, 1152, 18>(wide::mul(&c2, &kp));
    // cannot overflow: c2kp < 2^1024, times 4 < 2^1026.
    let t_floor = wide::isqrt(c2kp.wrapping_shl(2), Rounding::Floor);
    // cannot overflow: K + p0 < 2^257 and C (K + p0) < 2^513, both in 1152 bits.
    let k_plus_p0 = wide::widen::<256, 4, 1152, 18>(strike).wrapping_add(wide::widen(p0));
    let linear = k_plus_p0.wrapping_mul(wide::widen(capital));
    // cannot underflow: 2 sqrt(K p0) <= K + p0 (AM-GM), so floor(T) <= C (K + p0).
    let top = linear.checked_sub(t_floor).ok_or(MathError::Underflow)?;
    let two_p0 = wide::widen::<256, 4, 1152, 18>(p0).wrapping_shl(1);
    wide::narrow(wide::div_round(top, two_p0, Rounding::Ceil)?)
}

/// `10^36`.
const WAD_SQUARED: u128 = 1_000_000_000_000_000_000_000_000_000_000_000_000;

#[cfg(test)]
// Tests use plain operators on values chosen not to wrap; a wrap would fail them.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    extern crate std;
    use super::*;
    use crate::test_support::{big, dec, ibig};
    use dashu::{
        base::SquareRoot,
        float::DBig,
        integer::{IBig, UBig},
    };
    use proptest::prelude::*;

    fn u(v: u128) -> U256 {
        U256::from(v)
    }

    fn w(v: u128) -> U256 {
        U256::from(v) * WAD
    }

    fn i(v: i128) -> I256 {
        I256::try_from(v).unwrap()
    }

    /// The worked example, by hand:
    /// c = 1000, P0 = 100, [P_i, P_s] = [81, 121], K_p = 81, K_c = 121,
    /// d_c = 2, d_p = 1.5.
    /// - sqrt(P_i P0) = 90: q_p = 500 (1/90 - 1/100) = 500/900 = 0.5555...
    ///   -> ceil in WAD 555_555_555_555_555_556.
    /// - sqrt(P_s P0) = 110: q_c = 500 (1/100 - 1/110) = 500/1100 = 0.4545...
    ///   -> 454_545_454_545_454_546.
    /// - qty = q_p; D = qty * 3.5 = 1.944444444444444446 (exact in WAD).
    /// - IL(K) = -(c / (2 P0)) (sqrt(K) - sqrt(P0))^2 = -5 (9 - 10)^2 = -5 at 81,
    ///   -5 (11 - 10)^2 = -5 at 121.
    /// - D - min IL = 6.944444444444444446: covered iff r_p c >= that, so
    ///   r_p = 0.7 % (7) is covered and r_p = 0.69 % (6.9) is not.
    fn example(pool_return: I256) -> StrangleParams {
        StrangleParams {
            capital: w(1_000),
            p0: w(100),
            p_lower: w(81),
            p_upper: w(121),
            call_strike: w(121),
            put_strike: w(81),
            call_premium: i(2_000_000_000_000_000_000),
            put_premium: i(1_500_000_000_000_000_000),
            pool_return,
        }
    }

    #[test]
    fn worked_example_by_hand() {
        let s = size_strangle(&example(i(7_000_000_000_000_000))).unwrap();
        assert_eq!(s.min_put_qty, u(555_555_555_555_555_556));
        assert_eq!(s.min_call_qty, u(454_545_454_545_454_546));
        assert_eq!(s.qty, u(555_555_555_555_555_556));
        assert_eq!(s.cost, u(1_944_444_444_444_444_446));
        assert_eq!(s.il_at_put_strike, i(-5_000_000_000_000_000_000));
        assert_eq!(s.il_at_call_strike, i(-5_000_000_000_000_000_000));
        assert!(s.covered);
        let s = size_strangle(&example(i(6_900_000_000_000_000))).unwrap();
        assert!(!s.covered);
        // at the boundary: r_p c must reach 6.944444444444444446 (c = 1000)
        assert!(
            size_strangle(&example(i(6_944_444_444_444_445)))
                .unwrap()
                .covered
        );
        assert!(
            !size_strangle(&example(i(6_944_444_444_444_444)))
                .unwrap()
                .covered
        );
        let s = size_strangle(&example(i(-1))).unwrap();
        assert!(
            !s.covered,
            "a negative pool return never covers a positive cost"
        );
    }

    #[test]
    fn pool_income_is_rounded_down_at_the_coverage_boundary() {
        // capital 0.3 + 1 wei: one wei of r_p moves r_p c by ~0.3 wei, so the
        // boundary falls inside a wei and only a floor of r_p c is conservative.
        let mut p = example(I256::ZERO);
        p.capital = u(300_000_000_000_000_001);
        let s = size_strangle(&p).unwrap();
        let need = s.cost + worst_rounded(&s);
        assert_ne!(
            need * WAD % p.capital,
            U256::ZERO,
            "boundary must not be a whole wei"
        );
        let r = need * WAD / p.capital; // r c / W in (need - 1, need)
        p.pool_return = crate::fixed::to_signed(r).unwrap();
        assert!(!size_strangle(&p).unwrap().covered);
        p.pool_return = crate::fixed::to_signed(r + u(1)).unwrap();
        assert!(size_strangle(&p).unwrap().covered);
    }

    #[test]
    fn strikes_at_p0_have_no_loss_and_irrational_strikes_round_down() {
        let mut p = example(I256::ZERO);
        p.put_strike = w(100);
        p.call_strike = w(100);
        let s = size_strangle(&p).unwrap();
        assert_eq!(
            (s.il_at_put_strike, s.il_at_call_strike),
            (I256::ZERO, I256::ZERO)
        );
        assert!(
            !s.covered,
            "a positive cost with no pool return is not covered"
        );
        // free options and no loss between the strikes: 0 <= 0 is covered
        p.call_premium = I256::ZERO;
        p.put_premium = I256::ZERO;
        let s = size_strangle(&p).unwrap();
        assert_eq!(s.cost, U256::ZERO);
        assert!(s.covered);
        // IL(90) = -5 (sqrt 90 - 10)^2 = -1.316701949486200400.33... -> floor
        p.put_strike = w(90);
        let s = size_strangle(&p).unwrap();
        assert_eq!(s.il_at_put_strike, i(-1_316_701_949_486_200_401));
        assert!(!s.covered);
    }

    #[test]
    fn every_bad_parameter_has_its_error() {
        let ok = example(I256::ZERO);
        type Mutation = fn(&mut StrangleParams);
        let cases: [(Mutation, MathError); 13] = [
            (|p| p.capital = U256::ZERO, MathError::ZeroCapital),
            (|p| p.p0 = U256::ZERO, MathError::ZeroPrice),
            (|p| p.p_lower = U256::ZERO, MathError::ZeroPrice),
            (|p| p.put_strike = U256::ZERO, MathError::ZeroPrice),
            (|p| p.p_upper = p.p_lower, MathError::InvalidInterval),
            (|p| p.p_upper = u(1), MathError::InvalidInterval),
            (|p| p.p0 = w(80), MathError::PriceOutsideInterval),
            (|p| p.p0 = w(122), MathError::PriceOutsideInterval),
            (|p| p.put_strike = w(80), MathError::InvalidStrike),
            (|p| p.call_strike = w(122), MathError::InvalidStrike),
            (
                |p| (p.put_strike, p.call_strike) = (w(110), w(90)),
                MathError::InvalidStrike,
            ),
            (|p| p.call_premium = i(-1), MathError::NegativePremium),
            (|p| p.put_premium = i(-1), MathError::NegativePremium),
        ];
        for (mutate, error) in cases {
            let mut p = ok;
            mutate(&mut p);
            assert_eq!(size_strangle(&p), Err(error), "{p:?}");
        }
        // a quantity that does not fit: (W C / 2)(1/sqrt(1 * 4) - 1/4) = W C / 8 > 2^256
        let mut p = ok;
        p.capital = U256::MAX;
        (p.p0, p.p_lower, p.p_upper, p.put_strike, p.call_strike) = (u(4), u(1), u(8), u(1), u(8));
        assert_eq!(size_strangle(&p), Err(MathError::Overflow));
        // a cost that does not fit: 555.5 options at 2^255 each
        let mut p = ok;
        p.capital = w(1_000_000);
        p.call_premium = I256::MAX;
        assert_eq!(size_strangle(&p), Err(MathError::Overflow));
    }

    // ----- property tests against 100-digit decimals and integer certificates -----

    /// Log-uniform capital (10^ce) and p0 (10^pe); interval and strikes as
    /// fractions of p0.
    fn params_in(
        ce: core::ops::Range<u32>,
        pe: core::ops::Range<u32>,
    ) -> impl Strategy<Value = StrangleParams> {
        (
            (ce, 1_u64..10),
            (pe, 1_u64..10),
            (
                1_u64..999_999,
                1_u64..9_000_000,
                0_u64..=1_000_000,
                0_u64..=1_000_000,
            ),
            (
                0_u128..100_000_000_000_000_000_000,
                0_u128..100_000_000_000_000_000_000,
            ),
            -200_000_000_000_000_000_i64..200_000_000_000_000_000,
        )
            .prop_map(|((ce, cm), (pe, pm), (lo, hi, kp, kc), (dc, dp), rp)| {
                let ppm = U256::from(1_000_000_u64);
                let capital = U256::from(cm) * U256::from(10_u8).pow(U256::from(ce));
                let p0 = U256::from(pm) * U256::from(10_u8).pow(U256::from(pe));
                let p_lower = p0 * U256::from(lo) / ppm + U256::from(1_u8); // in (0, p0]
                let p_upper = p0 + p0 * U256::from(hi) / ppm + U256::from(1_u8); // > p0
                let put_strike = p_lower + (p0 - p_lower) * U256::from(kp) / ppm;
                let call_strike = p0 + (p_upper - p0) * U256::from(kc) / ppm;
                StrangleParams {
                    capital,
                    p0,
                    p_lower,
                    p_upper,
                    call_strike,
                    put_strike,
                    call_premium: I256::try_from(dc).unwrap(),
                    put_premium: I256::try_from(dp).unwrap(),
                    pool_return: I256::try_from(rp).unwrap(),
                }
            })
    }

    /// WAD-sized values: capital 1e-3..1e12, prices 1e-6..1e18 (token1 per token0).
    fn params() -> impl Strategy<Value = StrangleParams> {
        params_in(15..30, 12..36)
    }

    /// Whole range of magnitudes, down to 1-wei prices where `2 p0` is tiny and
    /// every rounding step of the quantities shows.
    fn params_any() -> impl Strategy<Value = StrangleParams> {
        prop_oneof![params_in(0..45, 0..4), params_in(0..45, 0..40)]
    }

    fn b(x: U256) -> UBig {
        big(x)
    }

    /// `q` is the least integer `>= (W C / 2)(1/sqrt(Pi p0) - 1/p0)`.
    fn check_put_qty(p: &StrangleParams, q: U256) {
        let (wc, p0, pi) = (b(WAD) * b(p.capital), b(p.p0), b(p.p_lower));
        let target = &wc * &wc * &p0;
        let holds = |q: &UBig| &pi * (UBig::from(2_u8) * &p0 * q + &wc).pow(2) >= target;
        assert!(holds(&b(q)), "min_put_qty below the bound");
        assert!(
            q.is_zero() || !holds(&(b(q) - UBig::ONE)),
            "min_put_qty not the least"
        );
    }

    /// `q` is the least integer `>= (W C / 2)(1/p0 - 1/sqrt(Ps p0))`.
    fn check_call_qty(p: &StrangleParams, q: U256) {
        let (wc, p0, ps) = (b(WAD) * b(p.capital), b(p.p0), b(p.p_upper));
        let target = &wc * &wc * &p0;
        let holds = |q: &UBig| {
            let two_p0_q = UBig::from(2_u8) * &p0 * q;
            two_p0_q >= wc || target >= &ps * (&wc - two_p0_q).pow(2)
        };
        assert!(holds(&b(q)), "min_call_qty below the bound");
        assert!(
            q.is_zero() || !holds(&(b(q) - UBig::ONE)),
            "min_call_qty not the least"
        );
    }

    /// `il == -n` with `n` the least integer `>= C (K + p0 - 2 sqrt(K p0)) / (2 p0)`.
    fn check_il(p: &StrangleParams, k: U256, il: I256) {
        let (c, p0, k) = (b(p.capital), b(p.p0), b(k));
        let n: UBig = (-ibig(il)).try_into().expect("IL <= 0");
        let holds = |n: &UBig| {
            let lhs = IBig::from(&c * (&k + &p0)) - IBig::from(UBig::from(2_u8) * &p0 * n);
            lhs <= IBig::ZERO
                || UBig::from(4_u8) * &c * &c * &k * &p0 >= UBig::try_from(lhs).unwrap().pow(2)
        };
        assert!(holds(&n), "IL above its real value");
        assert!(n.is_zero() || !holds(&(&n - UBig::ONE)), "IL not the floor");
    }

    fn worst_rounded(s: &StrangleSizing) -> U256 {
        s.il_at_put_strike
            .unsigned_abs()
            .max(s.il_at_call_strike.unsigned_abs())
    }

    #[test]
    fn quantities_and_losses_are_exact_for_every_small_input() {
        // Exhaustive over wei-sized prices and capital, where 2 p0 is tiny and a
        // wrong rounding of any root changes the result in a visible share of cases.
        let mut checked = 0_u32;
        for capital in 1..=40_u128 {
            for p0 in 1..=12_u128 {
                for lower in 1..=p0 {
                    for upper in p0 + 1..=p0 + 4 {
                        let p = StrangleParams {
                            capital: u(capital),
                            p0: u(p0),
                            p_lower: u(lower),
                            p_upper: u(upper),
                            call_strike: u(upper),
                            put_strike: u(lower),
                            call_premium: I256::ZERO,
                            put_premium: I256::ZERO,
                            pool_return: I256::ZERO,
                        };
                        let s = size_strangle(&p).unwrap();
                        check_put_qty(&p, s.min_put_qty);
                        check_call_qty(&p, s.min_call_qty);
                        check_il(&p, p.put_strike, s.il_at_put_strike);
                        check_il(&p, p.call_strike, s.il_at_call_strike);
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 40 * 78 * 4);
    }

    fn d(x: U256) -> DBig {
        dec(&IBig::from(b(x)))
    }

    fn di(x: I256) -> DBig {
        dec(&ibig(x))
    }

    /// Real IL(P) in WAD with 100 digits.
    fn il_real(p: &StrangleParams, price: &DBig) -> DBig {
        let (c, p0) = (d(p.capital), d(p.p0));
        let ratio = price / &p0;
        c * (ratio.sqrt() - (ratio + DBig::ONE) / DBig::from(2_u8))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn sizing_is_exact_and_conservative(p in prop_oneof![params(), params_any()]) {
            let s = size_strangle(&p).unwrap();
            check_put_qty(&p, s.min_put_qty);
            check_call_qty(&p, s.min_call_qty);
            prop_assert_eq!(s.qty, s.min_put_qty.max(s.min_call_qty));
            let prem = b(p.call_premium.into_raw()) + b(p.put_premium.into_raw());
            let cost_num = b(s.qty) * &prem;
            prop_assert_eq!(b(s.cost), (&cost_num + b(WAD) - UBig::ONE) / b(WAD));
            check_il(&p, p.put_strike, s.il_at_put_strike);
            check_il(&p, p.call_strike, s.il_at_call_strike);

            // covered => the exact condition 3 holds with the exact real q.
            let w = d(WAD);
            let c = d(p.capital);
            let (p0, pi, ps) = (d(p.p0), d(p.p_lower), d(p.p_upper));
            let half_c = &c / DBig::from(2_u8);
            let q_put = &half_c * (&w / (&pi * &p0).sqrt() - &w / &p0);
            let q_call = &half_c * (&w / &p0 - &w / (&ps * &p0).sqrt());
            let q = if q_put > q_call { q_put } else { q_call };
            let cost_real = &q * dec(&IBig::from(prem)) / &w;
            let il_kp = il_real(&p, &d(p.put_strike));
            let il_kc = il_real(&p, &d(p.call_strike));
            let worst = if il_kp < il_kc { il_kp } else { il_kc };
            let income = di(p.pool_return) * &c / &w;
            if s.covered {
                prop_assert!(cost_real - worst <= income);
            }
            // and `covered` is exactly the stated conservative test
            let need = b(s.cost) + b(worst_rounded(&s));
            let income_floor = dashu::base::DivEuclid::div_euclid(ibig(p.pool_return) * IBig::from(b(p.capital)), IBig::from(b(WAD)));
            prop_assert_eq!(s.covered, income_floor >= IBig::from(need));
        }

        #[test]
        fn covered_means_the_hedged_pnl_is_non_negative_on_the_interval(p in prop_oneof![params(), params_any()], steps in 2_u32..40, slack in 0_u64..1_000) {
            // the smallest pool return that `size_strangle` calls covered (plus a little)
            let s = size_strangle(&p).unwrap();
            let worst = s.il_at_put_strike.unsigned_abs().max(s.il_at_call_strike.unsigned_abs());
            let need = s.cost + worst;
            let r = mul_div(need, WAD, p.capital, Rounding::Ceil).unwrap() + U256::from(slack);
            let p = StrangleParams { pool_return: crate::fixed::to_signed(r).unwrap(), ..p };
            let s = size_strangle(&p).unwrap();
            prop_assert!(s.covered);
            let w = d(WAD);
            let (pi, ps) = (d(p.p_lower), d(p.p_upper));
            let (kp, kc) = (d(p.put_strike), d(p.call_strike));
            let q = d(s.qty) / &w;
            let income = di(p.pool_return) * d(p.capital) / &w;
            for j in 0..=steps {
                let price = &pi + (&ps - &pi) * DBig::from(j) / DBig::from(steps);
                let call = if price > kc { &q * (&price - &kc) } else { DBig::ZERO };
                let put = if price < kp { &q * (&kp - &price) } else { DBig::ZERO };
                let f = &income + call + put - d(s.cost) + il_real(&p, &price);
                prop_assert!(f >= DBig::ZERO, "f({price}) = {f} < 0");
            }
        }
    }

    #[test]
    fn exact_square_roots_round_trip() {
        // the two roots used above agree with dashu at a perfect square
        let c2kp = b(w(1_000)) * b(w(1_000)) * b(w(121)) * b(w(100));
        assert_eq!(
            (UBig::from(4_u8) * c2kp).sqrt(),
            UBig::from(2_u8) * b(w(1_000)) * b(w(110))
        );
    }
}
