//! The one error type of the crate.
//!
//! Every fallible function returns [`MathError`]; contracts map each variant to
//! a named Solidity error, the keeper to a typed error with the same one-line
//! message (`Display`).

use core::fmt;

/// Why a computation was refused. Each variant names one precondition or one
/// range limit; none carries data so the type stays `Copy` and cheap on chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathError {
    /// A division (or a ratio) by zero was requested.
    DivisionByZero,
    /// The exact result does not fit in the return type.
    Overflow,
    /// An unsigned subtraction would go below zero.
    Underflow,
    /// A price (or a price component, or a reserve used as one) is zero.
    ZeroPrice,
    /// An oracle answered zero or a negative price.
    NonPositivePrice,
    /// A decimals argument is above 36.
    DecimalsOutOfRange,
    /// A WAD price ratio is outside `[1, 10^36]` (that is `[1e-18, 1e18]`).
    RatioOutOfRange,
    /// A price interval is empty or inverted (`lower >= upper`).
    InvalidInterval,
    /// The reference price is outside the price interval.
    PriceOutsideInterval,
    /// Strikes are not ordered `lower <= put <= call <= upper`.
    InvalidStrike,
    /// An option premium is negative.
    NegativePremium,
    /// The capital to hedge is zero.
    ZeroCapital,
    /// A fee-tier table breaks one of the rules of `fees::validate_tiers`.
    InvalidTierTable,
    /// A tier index is not an index of the table.
    TierIndexOutOfRange,
    /// A volatility is above `fees::MAX_SIGMA_WAD` (5000 %/yr).
    VolatilityOutOfRange,
    /// A record or argument list is malformed (too short, or a part larger
    /// than its whole).
    InvalidInput,
    /// A tick is outside `[v4::MIN_TICK, v4::MAX_TICK]` (v4's `InvalidTick`).
    InvalidTick,
    /// A Q64.96 sqrt price is outside the accepted range: `>= 2^160` (v4's
    /// `uint160`), or for a tick outside `[MIN_SQRT_PRICE, MAX_SQRT_PRICE)`
    /// (v4's `InvalidSqrtPrice`).
    InvalidSqrtPrice,
    /// A tick spacing is outside `[1, 32_767]` (v4's `TickSpacingTooSmall`
    /// and `TickSpacingTooLarge`).
    InvalidTickSpacing,
    /// A derivative was asked where it does not exist (a range position's
    /// gamma at one of its bounds).
    NotDifferentiable,
}

impl MathError {
    /// A stable number for the error (1..=20, in declaration order), carried
    /// by the contracts' `...Math(uint8 code)` errors so a client can name
    /// the failure (`MathError::from_code`).
    pub fn code(self) -> u8 {
        match self {
            Self::DivisionByZero => 1,
            Self::Overflow => 2,
            Self::Underflow => 3,
            Self::ZeroPrice => 4,
            Self::NonPositivePrice => 5,
            Self::DecimalsOutOfRange => 6,
            Self::RatioOutOfRange => 7,
            Self::InvalidInterval => 8,
            Self::PriceOutsideInterval => 9,
            Self::InvalidStrike => 10,
            Self::NegativePremium => 11,
            Self::ZeroCapital => 12,
            Self::InvalidTierTable => 13,
            Self::TierIndexOutOfRange => 14,
            Self::VolatilityOutOfRange => 15,
            Self::InvalidInput => 16,
            Self::InvalidTick => 17,
            Self::InvalidSqrtPrice => 18,
            Self::InvalidTickSpacing => 19,
            Self::NotDifferentiable => 20,
        }
    }

    /// The error a [`Self::code`] stands for, if any.
    pub fn from_code(code: u8) -> Option<Self> {
        ALL.iter().copied().find(|e| e.code() == code)
    }
}

/// Every error, in code order.
const ALL: [MathError; 20] = [
    MathError::DivisionByZero,
    MathError::Overflow,
    MathError::Underflow,
    MathError::ZeroPrice,
    MathError::NonPositivePrice,
    MathError::DecimalsOutOfRange,
    MathError::RatioOutOfRange,
    MathError::InvalidInterval,
    MathError::PriceOutsideInterval,
    MathError::InvalidStrike,
    MathError::NegativePremium,
    MathError::ZeroCapital,
    MathError::InvalidTierTable,
    MathError::TierIndexOutOfRange,
    MathError::VolatilityOutOfRange,
    MathError::InvalidInput,
    MathError::InvalidTick,
    MathError::InvalidSqrtPrice,
    MathError::InvalidTickSpacing,
    MathError::NotDifferentiable,
];

impl fmt::Display for MathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = match self {
            Self::DivisionByZero => "division by zero",
            Self::Overflow => "result does not fit in 256 bits",
            Self::Underflow => "subtraction below zero",
            Self::ZeroPrice => "price is zero",
            Self::NonPositivePrice => "oracle price is zero or negative",
            Self::DecimalsOutOfRange => "decimals above 36",
            Self::RatioOutOfRange => "price ratio outside [1e-18, 1e18]",
            Self::InvalidInterval => "price interval lower bound is not below its upper bound",
            Self::PriceOutsideInterval => "reference price outside the price interval",
            Self::InvalidStrike => "strikes not ordered lower <= put <= call <= upper",
            Self::NegativePremium => "option premium is negative",
            Self::ZeroCapital => "capital is zero",
            Self::InvalidTierTable => "invalid fee tier table",
            Self::TierIndexOutOfRange => "fee tier index out of range",
            Self::VolatilityOutOfRange => "volatility above the maximum (5000%/yr)",
            Self::InvalidInput => "malformed record or arguments",
            Self::InvalidTick => "tick outside [-887272, 887272]",
            Self::InvalidSqrtPrice => "sqrt price outside the accepted Q64.96 range",
            Self::InvalidTickSpacing => "tick spacing outside [1, 32767]",
            Self::NotDifferentiable => "derivative undefined at a range bound",
        };
        f.write_str(message)
    }
}

impl core::error::Error for MathError {}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::MathError;
    use std::string::ToString;

    #[test]
    fn every_error_displays_one_distinct_line() {
        let mut seen = std::collections::BTreeSet::new();
        for (i, e) in super::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(e.code()), i + 1);
            assert_eq!(MathError::from_code(e.code()), Some(e));
            let s = e.to_string();
            assert!(!s.is_empty() && !s.contains('\n'), "{e:?}: {s:?}");
            assert!(seen.insert(s), "duplicate message for {e:?}");
        }
    }
}
