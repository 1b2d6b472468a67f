//! The keeper's bridge to il-math: serde-friendly mirrors of its types
//! ([`Price`], [`Tier`]) and thin wrappers that fix the rounding direction
//! the keeper wants, so every exact number in the keeper comes from the
//! same code the contracts run.

use alloy_primitives::{I256, U256};
use il_math::{FeeTier, MathError, Rounding, StrangleParams, StrangleSizing};
use serde::{Deserialize, Serialize};

use crate::decimal::{Decimal, DecimalError, parse_decimal};
use crate::policy::dec;

/// An exact price `num / den` (token1 raw per token0 raw), serialised with
/// decimal strings. Mirrors `il_math::Price`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    /// Numerator (> 0).
    #[serde(with = "dec")]
    pub num: U256,
    /// Denominator (> 0).
    #[serde(with = "dec")]
    pub den: U256,
}

/// Why a value could not become an exact price.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    /// Zero, negative or non-finite.
    #[error("price must be positive, got {0}")]
    NotPositive(String),
    /// Bad decimal text.
    #[error(transparent)]
    Decimal(#[from] DecimalError),
}

impl Price {
    /// The exact value of a decimal (`"2000.5"` -> `20005 / 10`).
    ///
    /// # Errors
    /// [`PriceError::NotPositive`] for zero or negative values.
    pub fn from_decimal(d: &Decimal) -> Result<Self, PriceError> {
        if d.is_negative() || d.is_zero() {
            return Err(PriceError::NotPositive(d.to_string()));
        }
        let (num, den) = d.to_rational();
        Ok(Self { num, den })
    }

    /// Parses decimal text exactly.
    ///
    /// # Errors
    /// [`PriceError`] for malformed or non-positive text.
    pub fn parse(text: &str) -> Result<Self, PriceError> {
        Self::from_decimal(&parse_decimal(text)?)
    }

    /// A float price as a decimal with at most 18 places (see
    /// [`Decimal::from_f64_18`]).
    ///
    /// # Errors
    /// [`PriceError::NotPositive`] when not positive and finite, or when it
    /// rounds to zero at 18 places.
    pub fn from_f64(p: f64) -> Result<Self, PriceError> {
        if let Some(price) = Self::from_short_f64(p) {
            return Ok(price);
        }
        let d = Decimal::from_f64_18(p).ok_or_else(|| PriceError::NotPositive(p.to_string()))?;
        Self::from_decimal(&d)
    }

    /// [`Price::from_f64`] without allocating, for the common case (the
    /// backtest converts a price every tick): a positive `p` whose shortest
    /// text has at most 18 places and 38 digits, read as the same digits
    /// over `10^places`. `None` sends other values to the general path.
    fn from_short_f64(p: f64) -> Option<Self> {
        use std::fmt::Write as _;
        if !(p.is_finite() && p > 0.0) {
            return None;
        }
        let mut text = StackText::default();
        write!(text, "{p}").ok()?;
        let text = text.as_str()?;
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        if frac.len() > 18 || int.len() + frac.len() > 38 {
            return None;
        }
        let mut mantissa: u128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            if !b.is_ascii_digit() {
                return None;
            }
            mantissa = mantissa * 10 + u128::from(b - b'0');
        }
        if mantissa == 0 {
            return None;
        }
        // frac.len() <= 18
        let places = u32::try_from(frac.len()).ok()?;
        Some(Self {
            num: U256::from(mantissa),
            den: U256::from(10u128.pow(places)),
        })
    }

    /// As il-math's type.
    ///
    /// # Errors
    /// `MathError::ZeroPrice` if a component is zero.
    pub fn to_math(&self) -> Result<il_math::Price, MathError> {
        il_math::Price::new(self.num, self.den)
    }
}

/// Text written on the stack (up to 48 bytes; longer writes fail).
struct StackText {
    buf: [u8; 48],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        Self {
            buf: [0; 48],
            len: 0,
        }
    }
}

impl StackText {
    fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.buf.get(..self.len)?).ok()
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(std::fmt::Error)?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// One row of the fee-tier table; mirrors `il_math::FeeTier`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    /// Lowest annualised volatility (WAD) at which the tier applies.
    #[serde(with = "dec")]
    pub min_sigma_wad: U256,
    /// Fee, pips.
    pub fee_pips: u32,
}

fn to_fee_tiers(tiers: &[Tier]) -> Vec<FeeTier> {
    tiers
        .iter()
        .map(|t| FeeTier {
            min_sigma_wad: t.min_sigma_wad,
            fee_pips: t.fee_pips,
        })
        .collect()
}

/// An annualised sigma as the WAD the keeper submits: rounded to nearest,
/// capped at il-math's `MAX_SIGMA_WAD` (5000 %/yr, above which the contract
/// would refuse it as broken input); non-finite or negative values give 0.
#[must_use]
pub fn sigma_wad_capped(sigma: f64) -> U256 {
    match crate::vol::sigma_to_wad(sigma) {
        Some(w) => U256::from(w).min(il_math::MAX_SIGMA_WAD),
        None if sigma.is_finite() && sigma > 0.0 => il_math::MAX_SIGMA_WAD,
        None => U256::ZERO,
    }
}

/// `floor(a * b / d)` through 512 bits.
///
/// # Errors
/// `DivisionByZero`, `Overflow`.
pub fn mul_div_floor(a: U256, b: U256, d: U256) -> Result<U256, MathError> {
    il_math::mul_div(a, b, d, Rounding::Floor)
}

/// `ceil(a * b / d)` through 512 bits.
///
/// # Errors
/// `DivisionByZero`, `Overflow`.
pub fn mul_div_ceil(a: U256, b: U256, d: U256) -> Result<U256, MathError> {
    il_math::mul_div(a, b, d, Rounding::Ceil)
}

/// `floor(sqrt(x))`, exact.
#[must_use]
pub fn sqrt(x: U256) -> U256 {
    il_math::sqrt(x, Rounding::Floor)
}

/// Checks a tier table with il-math's rules.
///
/// # Errors
/// `InvalidTierTable`.
pub fn validate_tiers(tiers: &[Tier]) -> Result<(), MathError> {
    il_math::validate_tiers(&to_fee_tiers(tiers))
}

/// The tier il-math's schedule picks (see `il_math::select_tier`).
///
/// # Errors
/// As `il_math::select_tier`.
#[inline(never)]
pub fn select_tier(
    tiers: &[Tier],
    current: usize,
    sigma_wad: U256,
    hysteresis_wad: U256,
) -> Result<usize, MathError> {
    il_math::select_tier(&to_fee_tiers(tiers), current, sigma_wad, hysteresis_wad)
}

/// LVR rate `sigma^2 / 8` per year, WAD, floor.
///
/// # Errors
/// `VolatilityOutOfRange` above 5000 %/yr.
pub fn lvr_rate(sigma_wad: U256) -> Result<U256, MathError> {
    il_math::lvr_rate(sigma_wad)
}

/// IL for a WAD price ratio (`floor(1e18 IL)`).
///
/// # Errors
/// `ZeroPrice`, `RatioOutOfRange`.
pub fn il_from_ratio(r_wad: U256) -> Result<I256, MathError> {
    il_math::il_from_ratio(r_wad)
}

/// IL between two exact prices (`floor(1e18 IL)`).
///
/// # Errors
/// `ZeroPrice`.
pub fn il_between(p0: &Price, p1: &Price) -> Result<I256, MathError> {
    il_math::il_between(&p0.to_math()?, &p1.to_math()?)
}

/// `p1 / p0` in WAD, floor.
///
/// # Errors
/// `ZeroPrice`, `Overflow`.
pub fn ratio_wad(p0: &Price, p1: &Price) -> Result<U256, MathError> {
    p0.to_math()?.ratio_wad(&p1.to_math()?, Rounding::Floor)
}

/// Strangle sizing on exact WAD inputs.
///
/// # Errors
/// As `il_math::size_strangle`.
pub fn size_strangle(params: &StrangleParams) -> Result<StrangleSizing, MathError> {
    il_math::size_strangle(params)
}

/// A strangle sizing in floats (for the backtest), computed exactly by
/// il-math from the floats' 18-place decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrangleF64 {
    /// Condition 1 (token0).
    pub min_put_qty: f64,
    /// Condition 2 (token0).
    pub min_call_qty: f64,
    /// The larger of the two.
    pub qty: f64,
    /// Premium paid (token1).
    pub cost: f64,
    /// Condition 3 holds.
    pub covered: bool,
}

/// Why a float strangle could not be sized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrangleError {
    /// An input does not fit a WAD (negative where it must not be, too many
    /// digits, not finite).
    #[error("{name} = {value} cannot be a WAD number")]
    Input {
        /// Parameter.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// il-math refused the parameters.
    #[error("{0}")]
    Math(#[from] MathError),
}

fn wad_of(name: &'static str, v: f64) -> Result<U256, StrangleError> {
    Decimal::from_f64_18(v)
        .and_then(|d| d.to_wad().ok())
        .ok_or_else(|| StrangleError::Input {
            name,
            value: v.to_string(),
        })
}

fn signed_wad_of(name: &'static str, v: f64) -> Result<I256, StrangleError> {
    Decimal::from_f64_18(v)
        .and_then(|d| d.to_signed_wad().ok())
        .ok_or_else(|| StrangleError::Input {
            name,
            value: v.to_string(),
        })
}

/// Sizes a strangle from floats through il-math (see [`StrangleF64`]).
///
/// # Errors
/// [`StrangleError`].
#[allow(clippy::too_many_arguments)]
pub fn size_strangle_f64(
    capital: f64,
    p0: f64,
    lower: f64,
    upper: f64,
    call_strike: f64,
    call_premium: f64,
    put_strike: f64,
    put_premium: f64,
    pool_return: f64,
) -> Result<StrangleF64, StrangleError> {
    let params = StrangleParams {
        capital: wad_of("capital", capital)?,
        p0: wad_of("price", p0)?,
        p_lower: wad_of("lower", lower)?,
        p_upper: wad_of("upper", upper)?,
        call_strike: wad_of("call strike", call_strike)?,
        put_strike: wad_of("put strike", put_strike)?,
        call_premium: signed_wad_of("call premium", call_premium)?,
        put_premium: signed_wad_of("put premium", put_premium)?,
        pool_return: signed_wad_of("pool return", pool_return)?,
    };
    let s = il_math::size_strangle(&params)?;
    let f = crate::decimal::wad_to_f64;
    Ok(StrangleF64 {
        min_put_qty: f(s.min_put_qty),
        min_call_qty: f(s.min_call_qty),
        qty: f(s.qty),
        cost: f(s.cost),
        covered: s.covered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The general path of [`Price::from_f64`], for comparison.
    fn general(p: f64) -> Result<Price, PriceError> {
        let d = Decimal::from_f64_18(p).ok_or_else(|| PriceError::NotPositive(p.to_string()))?;
        Price::from_decimal(&d)
    }

    #[test]
    fn the_short_path_gives_the_general_paths_price() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut samples = vec![
            1.0,
            0.5,
            1850.25,
            3_000.123_456_789,
            1e-18,
            1.5e-18,
            1e-19,
            123_456_789.0,
            1e20,
            1e38,
            1e39,
            1e300,
            5e-324,
            f64::MAX,
            0.1 + 0.2,
        ];
        for _ in 0..20_000 {
            // xorshift over magnitudes 1e-20 .. 1e40
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let unit = (x >> 11) as f64 / (1u64 << 53) as f64;
            samples.push(10f64.powf(unit * 60.0 - 20.0));
        }
        for p in samples {
            assert_eq!(Price::from_f64(p), general(p), "{p}");
        }
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Price::from_f64(bad), general(bad), "{bad}");
        }
    }

    #[test]
    fn sigma_is_capped_at_the_contract_maximum() {
        assert_eq!(
            sigma_wad_capped(0.8),
            U256::from(800_000_000_000_000_000u128)
        );
        assert_eq!(sigma_wad_capped(80.0), il_math::MAX_SIGMA_WAD);
        assert_eq!(sigma_wad_capped(1e30), il_math::MAX_SIGMA_WAD);
        assert_eq!(sigma_wad_capped(f64::NAN), U256::ZERO);
    }

    #[test]
    fn price_parses_exactly() {
        let p = Price::parse("2000.5").unwrap();
        assert_eq!((p.num, p.den), (U256::from(20_005u32), U256::from(10u32)));
        assert_eq!(Price::parse("0"), Err(PriceError::NotPositive("0".into())));
        assert_eq!(
            Price::parse("-1"),
            Err(PriceError::NotPositive("-1".into()))
        );
    }

    #[test]
    fn il_between_matches_il_from_ratio_for_exact_prices() {
        let a = il_between(&Price::parse("100").unwrap(), &Price::parse("200").unwrap()).unwrap();
        let b = il_from_ratio(U256::from(2_000_000_000_000_000_000u128)).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            crate::decimal::format_signed_wad(a),
            "-0.057190958417936635"
        );
    }

    #[test]
    fn strangle_in_floats_matches_the_exact_sizing() {
        let s = size_strangle_f64(1000.0, 100.0, 50.0, 200.0, 120.0, 2.0, 80.0, 2.0, 0.05).unwrap();
        // (c/2)(1/sqrt(50*100) - 1/100) = 500 * (0.0141421356 - 0.01) = 2.0710678...
        assert!(
            (s.min_put_qty - 2.071_067_811_865_475).abs() < 1e-15,
            "{}",
            s.min_put_qty
        );
        assert_eq!(s.qty, s.min_put_qty.max(s.min_call_qty));
        let e = size_strangle_f64(1000.0, 100.0, 150.0, 200.0, 120.0, 2.0, 80.0, 2.0, 0.05)
            .unwrap_err();
        assert_eq!(e, StrangleError::Math(MathError::PriceOutsideInterval));
    }
}
