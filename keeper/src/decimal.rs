//! Exact decimal text <-> fixed-point integers.
//!
//! Numbers typed on the command line or read from files reach il-math without
//! passing through `f64`: `"0.1"` becomes exactly `1e17` WAD, and a WAD
//! result prints with all 18 decimals it has (trailing zeros trimmed).

use std::fmt;

use alloy_primitives::{I256, U256};

/// Most fractional digits a WAD holds.
pub const WAD_DECIMALS: u32 = 18;

/// Largest scale (digits after the point) a [`Decimal`] accepts.
const MAX_SCALE: u32 = 60;

/// Bad decimal text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// Not of the form `[+-]digits[.digits][e[+-]digits]`.
    #[error("{0:?} is not a decimal number")]
    Syntax(String),
    /// More digits than 256 bits hold, or an exponent out of range.
    #[error("{0:?} is out of range")]
    Range(String),
    /// More fractional digits than the target fixed point keeps (rejected
    /// rather than silently rounded).
    #[error("{text:?} has more than {max} decimal places")]
    TooPrecise {
        /// The text.
        text: String,
        /// Decimal places available.
        max: u32,
    },
    /// A negative number where only non-negative ones make sense.
    #[error("{0:?} must not be negative")]
    Negative(String),
}

/// An exact decimal: `(-1)^negative * mantissa / 10^scale`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    negative: bool,
    mantissa: U256,
    scale: u32,
    text: String,
}

fn pow10(e: u32) -> Option<U256> {
    U256::from(10u8).checked_pow(U256::from(e))
}

/// Parses `[+-]digits[.digits][(e|E)[+-]digits]` exactly (`.5` and `5.` are
/// accepted; no thousands separators, no `inf`/`nan`).
///
/// # Errors
/// [`DecimalError::Syntax`] for anything else, [`DecimalError::Range`] when
/// the value needs more than 256 bits or more than 60 decimal places.
pub fn parse_decimal(text: &str) -> Result<Decimal, DecimalError> {
    let syntax = || DecimalError::Syntax(text.to_string());
    let range = || DecimalError::Range(text.to_string());
    let s = text.trim();
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (body, exp) = match s.split_once(['e', 'E']) {
        Some((b, e)) => (b, e.parse::<i32>().map_err(|_| syntax())?),
        None => (s, 0),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty() {
        return Err(syntax());
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(syntax());
    }
    let mut mantissa = U256::ZERO;
    for b in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa
            .checked_mul(U256::from(10u8))
            .and_then(|m| m.checked_add(U256::from(b - b'0')))
            .ok_or_else(range)?;
    }
    let frac_digits = i64::try_from(frac.len()).map_err(|_| range())?;
    let mut scale = frac_digits - i64::from(exp);
    if scale < 0 {
        let up = u32::try_from(-scale).map_err(|_| range())?;
        mantissa = mantissa
            .checked_mul(pow10(up).ok_or_else(range)?)
            .ok_or_else(range)?;
        scale = 0;
    }
    let scale = u32::try_from(scale).map_err(|_| range())?;
    if scale > MAX_SCALE {
        return Err(range());
    }
    Ok(Decimal {
        negative: negative && !mantissa.is_zero(),
        mantissa,
        scale,
        text: text.trim().to_string(),
    })
}

impl Decimal {
    /// True for values below zero (`-0` is zero, not negative).
    #[must_use]
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// True for zero.
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.mantissa.is_zero()
    }

    /// The text it was parsed from (trimmed).
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Magnitude as a rational `(num, den)` with `den = 10^scale`, exact.
    #[must_use]
    pub fn to_rational(&self) -> (U256, U256) {
        // cannot fail: scale <= MAX_SCALE = 60 and 10^60 < 2^200.
        (self.mantissa, pow10(self.scale).unwrap_or(U256::MAX))
    }

    /// Magnitude scaled to `decimals` places, exactly.
    ///
    /// # Errors
    /// [`DecimalError::TooPrecise`] when non-zero digits lie beyond
    /// `decimals`; [`DecimalError::Range`] when the result exceeds 256 bits.
    pub fn to_fixed(&self, decimals: u32) -> Result<U256, DecimalError> {
        let range = || DecimalError::Range(self.text.clone());
        if self.scale <= decimals {
            let up = pow10(decimals - self.scale).ok_or_else(range)?;
            self.mantissa.checked_mul(up).ok_or_else(range)
        } else {
            let down = pow10(self.scale - decimals).ok_or_else(range)?;
            let (q, r) = self.mantissa.div_rem(down);
            if r.is_zero() {
                Ok(q)
            } else {
                Err(DecimalError::TooPrecise {
                    text: self.text.clone(),
                    max: decimals,
                })
            }
        }
    }

    /// Unsigned WAD (1e18 = 1.0), exact.
    ///
    /// # Errors
    /// [`DecimalError::Negative`] below zero, and as [`Self::to_fixed`].
    pub fn to_wad(&self) -> Result<U256, DecimalError> {
        if self.negative {
            return Err(DecimalError::Negative(self.text.clone()));
        }
        self.to_fixed(WAD_DECIMALS)
    }

    /// Signed WAD, exact.
    ///
    /// # Errors
    /// As [`Self::to_fixed`]; [`DecimalError::Range`] beyond `I256`.
    pub fn to_signed_wad(&self) -> Result<I256, DecimalError> {
        let mag = self.to_fixed(WAD_DECIMALS)?;
        let v = I256::try_from(mag).map_err(|_| DecimalError::Range(self.text.clone()))?;
        Ok(if self.negative { -v } else { v })
    }

    /// The nearest `f64` (for plotting and float-only paths).
    #[must_use]
    pub fn to_f64(&self) -> f64 {
        // The text is valid decimal syntax, which Rust's parser rounds correctly.
        self.text.parse().unwrap_or(f64::NAN)
    }

    /// A decimal for a finite `f64` with at most 18 places: the shortest
    /// decimal that reads back as the same `f64` (`0.1` -> `"0.1"`) when it
    /// has at most 18 places, else the exact binary value correctly rounded
    /// to 18 places. `None` for non-finite values.
    #[must_use]
    pub fn from_f64_18(x: f64) -> Option<Self> {
        if !x.is_finite() {
            return None;
        }
        // `{}` prints the shortest round-trip digits, never in exponent form.
        let short = format!("{x}");
        let places = short.split_once('.').map_or(0, |(_, f)| f.len());
        if places <= 18 {
            return parse_decimal(&short).ok();
        }
        parse_decimal(&format!("{x:.18}")).ok()
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_fixed(self.negative, self.mantissa, self.scale))
    }
}

/// `mantissa / 10^scale` as plain decimal text, trailing fractional zeros
/// trimmed, `-` when `negative` and non-zero. Exact.
#[must_use]
pub fn format_fixed(negative: bool, mantissa: U256, scale: u32) -> String {
    let digits = mantissa.to_string();
    let scale = usize::try_from(scale).unwrap_or(usize::MAX);
    let (int, frac) = if digits.len() > scale {
        let (i, f) = digits.split_at(digits.len() - scale);
        (i.to_string(), f.to_string())
    } else {
        (
            "0".to_string(),
            format!("{}{}", "0".repeat(scale - digits.len()), digits),
        )
    };
    let frac = frac.trim_end_matches('0');
    let sign = if negative && !mantissa.is_zero() {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// An unsigned WAD as exact decimal text (`5e17` -> `"0.5"`).
#[must_use]
pub fn format_wad(v: U256) -> String {
    format_fixed(false, v, WAD_DECIMALS)
}

/// A signed WAD as exact decimal text (`-5.72e16` -> `"-0.0572"`).
#[must_use]
pub fn format_signed_wad(v: I256) -> String {
    format_fixed(v.is_negative(), v.unsigned_abs(), WAD_DECIMALS)
}

/// A WAD as the nearest `f64` (for tables and charts only).
#[must_use]
pub fn wad_to_f64(v: U256) -> f64 {
    format_wad(v).parse().unwrap_or(f64::NAN)
}

/// A signed WAD as the nearest `f64` (for tables and charts only).
#[must_use]
pub fn signed_wad_to_f64(v: I256) -> f64 {
    format_signed_wad(v).parse().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wad(s: &str) -> U256 {
        parse_decimal(s).unwrap().to_wad().unwrap()
    }

    #[test]
    fn decimal_text_becomes_exact_wad() {
        assert_eq!(wad("0.1"), U256::from(100_000_000_000_000_000u128));
        assert_eq!(wad("2"), U256::from(2_000_000_000_000_000_000u128));
        assert_eq!(wad("1e-9"), U256::from(1_000_000_000u64));
        assert_eq!(
            wad("1.5E3"),
            U256::from(1_500u64) * U256::from(10u8).pow(U256::from(18))
        );
        assert_eq!(wad(".5"), U256::from(500_000_000_000_000_000u128));
        assert_eq!(wad("0.000000000000000001"), U256::from(1u8));
        assert_eq!(
            wad("0.1000000000000000000000"),
            U256::from(100_000_000_000_000_000u128)
        );
    }

    #[test]
    fn digits_beyond_wad_are_rejected_not_rounded() {
        let e = parse_decimal("0.0000000000000000001").unwrap().to_wad();
        assert_eq!(
            e,
            Err(DecimalError::TooPrecise {
                text: "0.0000000000000000001".into(),
                max: 18
            })
        );
    }

    #[test]
    fn malformed_and_negative_text_is_named() {
        assert_eq!(
            parse_decimal("1.2.3"),
            Err(DecimalError::Syntax("1.2.3".into()))
        );
        assert_eq!(
            parse_decimal("abc"),
            Err(DecimalError::Syntax("abc".into()))
        );
        assert_eq!(parse_decimal(""), Err(DecimalError::Syntax(String::new())));
        assert_eq!(parse_decimal("."), Err(DecimalError::Syntax(".".into())));
        assert_eq!(
            parse_decimal("1e999"),
            Err(DecimalError::Range("1e999".into()))
        );
        assert_eq!(
            parse_decimal("-1").unwrap().to_wad(),
            Err(DecimalError::Negative("-1".into()))
        );
        assert_eq!(
            parse_decimal("-0.25").unwrap().to_signed_wad().unwrap(),
            I256::try_from(-250_000_000_000_000_000i128).unwrap()
        );
    }

    #[test]
    fn wad_formats_exactly_and_trims() {
        assert_eq!(format_wad(U256::from(500_000_000_000_000_000u128)), "0.5");
        assert_eq!(format_wad(U256::ZERO), "0");
        assert_eq!(format_wad(U256::from(1u8)), "0.000000000000000001");
        assert_eq!(
            format_signed_wad(I256::try_from(-57_190_958_417_936_678i128).unwrap()),
            "-0.057190958417936678"
        );
        assert_eq!(format_wad(wad("123456.789")), "123456.789");
    }

    #[test]
    fn f64_expansion_rounds_to_eighteen_places() {
        assert_eq!(Decimal::from_f64_18(0.1).unwrap().to_string(), "0.1");
        assert_eq!(Decimal::from_f64_18(2000.0).unwrap().to_string(), "2000");
        assert_eq!(
            Decimal::from_f64_18(1.0 / 3.0).unwrap().to_string(),
            "0.3333333333333333"
        );
        assert_eq!(
            Decimal::from_f64_18(1.234_567_890_123_456_7e-10)
                .unwrap()
                .to_string(),
            "0.000000000123456789"
        );
        assert_eq!(Decimal::from_f64_18(1e-20).unwrap().to_string(), "0");
        assert_eq!(
            Decimal::from_f64_18(2_134.567_890_123_457)
                .unwrap()
                .to_string(),
            "2134.567890123457"
        );
        assert!(Decimal::from_f64_18(f64::INFINITY).is_none());
    }
}
