//! Exact rational prices.
//!
//! A [`Price`] is token1 raw units per token0 raw unit, held as `num / den`
//! with `num, den` in `[1, 2^256 - 1]`: never a float, never a rounded WAD.
//! Every conversion out of it (a quote, a WAD, a ratio) is one exact division
//! with an explicit [`Rounding`].

use crate::{
    error::MathError,
    fixed::{BPS, Rounding, WAD, mul_div},
    wide::{self, U512, U768},
};
use alloy_primitives::{I256, U256};
use core::cmp::Ordering;

/// Largest number of decimals accepted for an oracle answer or a token.
pub const MAX_DECIMALS: u8 = 36;

/// token1 raw units per token0 raw unit, as the exact rational `num / den`.
///
/// Range: `num, den` in `[1, 2^256 - 1]`. `PartialEq` compares the stored
/// pair (`2/1 != 4/2`); compare values with [`Price::cmp_price`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Price {
    num: U256,
    den: U256,
}

impl Price {
    /// The price 1 (`1 / 1`).
    pub const ONE: Self = Self {
        num: U256::from_limbs([1, 0, 0, 0]),
        den: U256::from_limbs([1, 0, 0, 0]),
    };

    /// The price `num / den`, stored as given (not reduced).
    ///
    /// # Errors
    /// `ZeroPrice` if `num == 0` or `den == 0`.
    pub fn new(num: U256, den: U256) -> Result<Self, MathError> {
        if num.is_zero() || den.is_zero() {
            return Err(MathError::ZeroPrice);
        }
        Ok(Self { num, den })
    }

    /// The spot price of a constant-product pool: `reserve1 / reserve0`.
    ///
    /// # Errors
    /// `ZeroPrice` if either reserve is zero.
    pub fn from_reserves(reserve0: U256, reserve1: U256) -> Result<Self, MathError> {
        Self::new(reserve1, reserve0)
    }

    /// The price `p_wad / 10^18`.
    ///
    /// # Errors
    /// `ZeroPrice` if `p_wad == 0`.
    pub fn from_wad(p_wad: U256) -> Result<Self, MathError> {
        Self::new(p_wad, WAD)
    }

    /// The price from an oracle answer (Chainlink `latestRoundData` shape):
    /// `answer * 10^decimals1 / (10^answer_decimals * 10^decimals0)`, exact.
    ///
    /// Equal powers of ten are cancelled first, so the stored pair is
    /// `(answer * 10^e, 1)` if `e = decimals1 - answer_decimals - decimals0 >= 0`
    /// and `(answer, 10^-e)` otherwise (`10^-e <= 10^72 < 2^256`).
    ///
    /// # Errors
    /// `DecimalsOutOfRange` if any decimals argument is above 36 (checked
    /// first); `NonPositivePrice` if `answer <= 0`; `Overflow` if
    /// `answer * 10^e >= 2^256`.
    pub fn from_oracle(
        answer: I256,
        answer_decimals: u8,
        decimals0: u8,
        decimals1: u8,
    ) -> Result<Self, MathError> {
        if answer_decimals > MAX_DECIMALS || decimals0 > MAX_DECIMALS || decimals1 > MAX_DECIMALS {
            return Err(MathError::DecimalsOutOfRange);
        }
        if !answer.is_positive() {
            return Err(MathError::NonPositivePrice);
        }
        let answer = answer.into_raw();
        // cannot overflow: each is <= 36, so the sum is <= 72 < 255.
        let down = answer_decimals.saturating_add(decimals0);
        match decimals1.checked_sub(down) {
            Some(up) => Self::new(crate::fixed::mul(answer, pow10(up))?, U256::from(1_u8)),
            None => Self::new(answer, pow10(down.saturating_sub(decimals1))),
        }
    }

    /// The numerator (token1 side), `>= 1`.
    pub const fn num(&self) -> U256 {
        self.num
    }

    /// The denominator (token0 side), `>= 1`.
    pub const fn den(&self) -> U256 {
        self.den
    }

    /// `amount0 * P`: the token1 amount worth `amount0` token0, rounded as asked.
    ///
    /// # Errors
    /// `Overflow` if the result is `>= 2^256`.
    pub fn quote(&self, amount0: U256, rounding: Rounding) -> Result<U256, MathError> {
        mul_div(amount0, self.num, self.den, rounding)
    }

    /// `amount1 / P`: the token0 amount worth `amount1` token1, rounded as asked.
    ///
    /// # Errors
    /// `Overflow` if the result is `>= 2^256`.
    pub fn quote_inverse(&self, amount1: U256, rounding: Rounding) -> Result<U256, MathError> {
        mul_div(amount1, self.den, self.num, rounding)
    }

    /// `P` in WAD (`P * 10^18`), rounded as asked. Resolution `1e-18`: a raw
    /// price below `1e-18` floors to 0; keep the rational where that matters.
    ///
    /// # Errors
    /// `Overflow` if the result is `>= 2^256`.
    pub fn to_wad(&self, rounding: Rounding) -> Result<U256, MathError> {
        mul_div(WAD, self.num, self.den, rounding)
    }

    /// `later / self` in WAD, exact (one rounding, of the final quotient):
    /// `10^18 * later.num * self.den / (later.den * self.num)`, formed in 768
    /// bits, so no intermediate overflows for any prices. The result itself
    /// fits whenever the ratio is below `2^256 / 10^18` (about `1.16e59`);
    /// with components `< 2^128` the ratio can reach `(2^128 - 1)^2`, so even
    /// then an extreme pair is `Overflow`, never a wrong number.
    ///
    /// # Errors
    /// `Overflow` if the result is `>= 2^256`.
    pub fn ratio_wad(&self, later: &Price, rounding: Rounding) -> Result<U256, MathError> {
        let top: U512 = wide::mul(&later.num, &self.den);
        let n: U768 = wide::mul(&top, &WAD);
        let d: U512 = wide::mul(&later.den, &self.num);
        wide::narrow(wide::div_round(n, wide::widen(d), rounding)?)
    }

    /// `ceil(|self - reference| * 10_000 / reference)`: the relative
    /// deviation in basis points, exact, rounded up (a bound check on it is
    /// never passed by rounding).
    ///
    /// # Errors
    /// `Overflow` if the result is `>= 2^256`.
    pub fn deviation_bps(&self, reference: &Price) -> Result<U256, MathError> {
        // |sn/sd - rn/rd| / (rn/rd) = |sn*rd - rn*sd| / (sd*rn)
        let a: U512 = wide::mul(&self.num, &reference.den);
        let b: U512 = wide::mul(&reference.num, &self.den);
        // cannot underflow: the larger minus the smaller.
        let diff = if a >= b {
            a.wrapping_sub(b)
        } else {
            b.wrapping_sub(a)
        };
        let n: U768 = wide::mul(&diff, &U256::from(BPS));
        let d: U512 = wide::mul(&self.den, &reference.num);
        wide::narrow(wide::div_round(n, wide::widen(d), Rounding::Ceil)?)
    }

    /// Exact comparison of the two prices' values.
    pub fn cmp_price(&self, other: &Price) -> Ordering {
        crate::fixed::cmp_products(self.num, other.den, other.num, self.den)
    }
}

/// `10^n` for `n <= 72` (`10^72 < 2^240`).
fn pow10(n: u8) -> U256 {
    let mut x = U256::from(1_u8);
    for _ in 0..n {
        // cannot overflow: n <= 72 at every call site, 10^72 < 2^256.
        x = x.wrapping_mul(U256::from(10_u8));
    }
    x
}

#[cfg(test)]
// Tests use plain operators on values chosen not to wrap; a wrap would fail them.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::test_support::{big, from_ubig, u256_nonzero_below_bits};
    use dashu::{integer::UBig, rational::RBig};
    use proptest::prelude::*;

    fn u(v: u128) -> U256 {
        U256::from(v)
    }

    fn i(v: i128) -> I256 {
        I256::try_from(v).unwrap()
    }

    fn rational(p: &Price) -> RBig {
        RBig::from_parts(big(p.num()).into(), big(p.den()))
    }

    #[test]
    fn zero_components_are_zero_price() {
        assert_eq!(Price::new(U256::ZERO, u(1)), Err(MathError::ZeroPrice));
        assert_eq!(Price::new(u(1), U256::ZERO), Err(MathError::ZeroPrice));
        assert_eq!(
            Price::from_reserves(U256::ZERO, u(5)),
            Err(MathError::ZeroPrice)
        );
        assert_eq!(
            Price::from_reserves(u(5), U256::ZERO),
            Err(MathError::ZeroPrice)
        );
        assert_eq!(Price::from_wad(U256::ZERO), Err(MathError::ZeroPrice));
    }

    #[test]
    fn from_reserves_is_reserve1_over_reserve0() {
        let p = Price::from_reserves(u(2_000), u(6_000_000)).unwrap();
        assert_eq!((p.num(), p.den()), (u(6_000_000), u(2_000)));
        assert_eq!(p.to_wad(Rounding::Floor), Ok(u(3_000) * WAD));
        let p = Price::from_wad(u(1_500_000_000_000_000_000)).unwrap();
        assert_eq!(p.quote(u(10), Rounding::Floor), Ok(u(15)));
    }

    #[test]
    fn from_oracle_eth_usd_with_weth_and_usdc_decimals() {
        // ETH/USD feed, 8 decimals, answer 3000.12345678; token0 WETH (18), token1 USDC (6).
        // P = 300012345678 * 10^6 / (10^8 * 10^18) = 300012345678 / 10^20 USDC-wei per WETH-wei.
        let p = Price::from_oracle(i(300_012_345_678), 8, 18, 6).unwrap();
        assert_eq!(
            (p.num(), p.den()),
            (u(300_012_345_678), u(100_000_000_000_000_000_000))
        );
        // 1 WETH (1e18 wei) -> 3000.12345678 USDC = 3_000_123_456.78 raw units
        assert_eq!(p.quote(WAD, Rounding::Floor), Ok(u(3_000_123_456)));
        assert_eq!(p.quote(WAD, Rounding::Ceil), Ok(u(3_000_123_457)));
        assert_eq!(
            p.quote_inverse(u(3_000_123_456_780), Rounding::Floor),
            Ok(u(1_000) * WAD)
        );
        // 1e-18 * 3000.12345678 * 1e6 / 1e18... in WAD: 3.00012345678e-9 * 1e18
        assert_eq!(p.to_wad(Rounding::Floor), Ok(u(3_000_123_456)));
        // the inverse pairing (USDC as token0, WETH as token1) scales up instead
        let q = Price::from_oracle(i(300_012_345_678), 8, 6, 18).unwrap();
        assert_eq!((q.num(), q.den()), (u(3_000_123_456_780_000), u(1)));
    }

    #[test]
    fn from_oracle_refuses_bad_answers_and_decimals() {
        assert_eq!(
            Price::from_oracle(I256::ZERO, 8, 18, 6),
            Err(MathError::NonPositivePrice)
        );
        assert_eq!(
            Price::from_oracle(i(-1), 8, 18, 6),
            Err(MathError::NonPositivePrice)
        );
        assert_eq!(
            Price::from_oracle(i(1), 37, 18, 6),
            Err(MathError::DecimalsOutOfRange)
        );
        assert_eq!(
            Price::from_oracle(i(1), 8, 37, 6),
            Err(MathError::DecimalsOutOfRange)
        );
        assert_eq!(
            Price::from_oracle(i(1), 8, 18, 37),
            Err(MathError::DecimalsOutOfRange)
        );
        assert_eq!(
            Price::from_oracle(I256::MAX, 0, 0, 36),
            Err(MathError::Overflow)
        );
        // all at the limit: 10^36 / 10^72
        let p = Price::from_oracle(i(1), 36, 36, 36).unwrap();
        assert_eq!(p.den(), pow10(36));
    }

    #[test]
    fn quotes_overflow_when_the_result_does_not_fit() {
        let p = Price::new(u(3), u(1)).unwrap();
        assert_eq!(
            p.quote(U256::MAX, Rounding::Floor),
            Err(MathError::Overflow)
        );
        assert_eq!(
            p.quote_inverse(U256::MAX, Rounding::Ceil),
            Ok(U256::MAX / u(3))
        );
        assert_eq!(
            p.quote_inverse(U256::MAX - u(1), Rounding::Ceil),
            Ok(U256::MAX / u(3))
        );
        let tiny = Price::new(u(1), U256::MAX).unwrap();
        assert_eq!(
            tiny.quote_inverse(u(2), Rounding::Floor),
            Err(MathError::Overflow)
        );
        assert_eq!(tiny.to_wad(Rounding::Floor), Ok(U256::ZERO));
        assert_eq!(tiny.to_wad(Rounding::Ceil), Ok(u(1)));
        let huge = Price::new(U256::MAX, u(1)).unwrap();
        assert_eq!(huge.to_wad(Rounding::Floor), Err(MathError::Overflow));
        // 128-bit components: a ratio of (2^128 - 1)^2 does not fit in WAD, 2^128 - 1 does
        let m = (U256::from(1_u8) << 128) - u(1);
        let low = Price::new(u(1), m).unwrap();
        let high = Price::new(m, u(1)).unwrap();
        assert_eq!(
            low.ratio_wad(&high, Rounding::Floor),
            Err(MathError::Overflow)
        );
        let one = Price::new(u(1), u(1)).unwrap();
        assert_eq!(one.ratio_wad(&high, Rounding::Floor), Ok(m * WAD));
        assert_eq!(high.ratio_wad(&low, Rounding::Floor), Ok(U256::ZERO));
        assert_eq!(high.ratio_wad(&low, Rounding::Ceil), Ok(u(1)));
        assert_eq!(
            tiny.ratio_wad(&huge, Rounding::Floor),
            Err(MathError::Overflow)
        );
        assert_eq!(tiny.deviation_bps(&huge), Ok(u(10_000)));
        assert_eq!(huge.deviation_bps(&tiny), Err(MathError::Overflow));
    }

    #[test]
    fn ratio_and_deviation_known_values() {
        let p0 = Price::new(u(100), u(1)).unwrap();
        let p1 = Price::new(u(400), u(1)).unwrap();
        assert_eq!(p0.ratio_wad(&p1, Rounding::Floor), Ok(u(4) * WAD));
        assert_eq!(p1.ratio_wad(&p0, Rounding::Floor), Ok(WAD / u(4)));
        let third = Price::new(u(1), u(3)).unwrap();
        let one = Price::new(u(7), u(7)).unwrap();
        assert_eq!(
            one.ratio_wad(&third, Rounding::Floor),
            Ok(u(333_333_333_333_333_333))
        );
        assert_eq!(
            one.ratio_wad(&third, Rounding::Ceil),
            Ok(u(333_333_333_333_333_334))
        );
        // 101 vs 100: 1% = 100 bps exactly; 100.001 vs 100: 0.1 bps -> 1 (rounded up)
        let a = Price::new(u(101), u(1)).unwrap();
        assert_eq!(a.deviation_bps(&p0), Ok(u(100)));
        let b = Price::new(u(100_001), u(1_000)).unwrap();
        assert_eq!(b.deviation_bps(&p0), Ok(u(1)));
        assert_eq!(p0.deviation_bps(&p0), Ok(U256::ZERO));
        // 99 vs 100 = 100 bps; 100 vs 99 = 101.0101.. -> 102
        let c = Price::new(u(99), u(1)).unwrap();
        assert_eq!(c.deviation_bps(&p0), Ok(u(100)));
        assert_eq!(p0.deviation_bps(&c), Ok(u(102)));
    }

    #[test]
    fn cmp_price_compares_values_not_representations() {
        let a = Price::new(u(2), u(1)).unwrap();
        let b = Price::new(u(4), u(2)).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.cmp_price(&b), Ordering::Equal);
        let c = Price::new(U256::MAX, U256::MAX - u(1)).unwrap();
        let d = Price::new(U256::MAX - u(1), U256::MAX - u(2)).unwrap();
        // (2^256-1)/(2^256-2) < (2^256-2)/(2^256-3)
        assert_eq!(c.cmp_price(&d), Ordering::Less);
        assert_eq!(d.cmp_price(&c), Ordering::Greater);
    }

    fn price_128() -> impl Strategy<Value = Price> {
        (u256_nonzero_below_bits(128), u256_nonzero_below_bits(128))
            .prop_map(|(n, d)| Price::new(n, d).unwrap())
    }

    fn price_256() -> impl Strategy<Value = Price> {
        (u256_nonzero_below_bits(256), u256_nonzero_below_bits(256))
            .prop_map(|(n, d)| Price::new(n, d).unwrap())
    }

    fn expect(
        exact_floor: UBig,
        exact_is_integer: bool,
        rounding: Rounding,
    ) -> Result<U256, MathError> {
        let v = match rounding {
            Rounding::Floor => exact_floor,
            Rounding::Ceil if exact_is_integer => exact_floor,
            Rounding::Ceil => exact_floor + UBig::ONE,
        };
        if v > big(U256::MAX) {
            Err(MathError::Overflow)
        } else {
            Ok(from_ubig(&v))
        }
    }

    fn reference(r: &RBig, rounding: Rounding) -> Result<U256, MathError> {
        let floor = r.floor();
        let is_int = r.is_int();
        expect(floor.try_into().unwrap(), is_int, rounding)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn ratio_wad_is_exact_for_128_bit_prices(p0 in price_128(), p1 in price_128()) {
            let exact = rational(&p1) / rational(&p0) * RBig::from(big(WAD));
            for rounding in [Rounding::Floor, Rounding::Ceil] {
                let got = p0.ratio_wad(&p1, rounding);
                // Overflow only when the exact result is >= 2^256
                prop_assert_eq!(got, reference(&exact, rounding));
            }
        }

        #[test]
        fn ratio_wad_and_quotes_are_exact_for_any_prices(p0 in price_256(), p1 in price_256(), amount in u256_nonzero_below_bits(256)) {
            let exact = rational(&p1) / rational(&p0) * RBig::from(big(WAD));
            let q = rational(&p0) * RBig::from(big(amount));
            let qi = RBig::from(big(amount)) / rational(&p0);
            let w = rational(&p0) * RBig::from(big(WAD));
            for rounding in [Rounding::Floor, Rounding::Ceil] {
                prop_assert_eq!(p0.ratio_wad(&p1, rounding), reference(&exact, rounding));
                prop_assert_eq!(p0.quote(amount, rounding), reference(&q, rounding));
                prop_assert_eq!(p0.quote_inverse(amount, rounding), reference(&qi, rounding));
                prop_assert_eq!(p0.to_wad(rounding), reference(&w, rounding));
            }
        }

        #[test]
        fn deviation_bps_is_the_exact_ceiling(p in price_256(), r in price_256()) {
            let (pv, rv) = (rational(&p), rational(&r));
            let diff = if pv >= rv { &pv - &rv } else { &rv - &pv };
            let exact = diff * RBig::from(UBig::from(BPS)) / rv;
            prop_assert_eq!(p.deviation_bps(&r), reference(&exact, Rounding::Ceil));
        }

        #[test]
        fn cmp_price_matches_rationals(p in price_256(), q in price_256()) {
            prop_assert_eq!(p.cmp_price(&q), rational(&p).cmp(&rational(&q)));
        }
    }
}
