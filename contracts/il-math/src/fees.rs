//! Dynamic fee tiers chosen from an annualised volatility, with hysteresis.
//!
//! The vault applies the chosen tier on chain and the keeper predicts it off
//! chain with this same code. A tier table lists, from calm to wild, the
//! lowest volatility at which each tier applies and its fee in pips.
//! Moving up a tier is immediate; moving down needs the volatility to fall
//! `hysteresis` below the current tier's lower bound, so a volatility that
//! hovers around a boundary does not flip the fee back and forth.

use crate::error::MathError;
use alloy_primitives::{U256, uint};

/// Most tiers a table may hold.
pub const MAX_TIERS: usize = 8;
/// Highest fee a tier may charge: 100_000 pips = 10 %.
pub const MAX_FEE_PIPS: u32 = 100_000;
/// Highest volatility accepted: 50e18 WAD = 5000 %/yr. Above it an estimate
/// is treated as broken input rather than a market state.
pub const MAX_SIGMA_WAD: U256 = uint!(50_000_000_000_000_000_000_U256);

/// One row of a fee-tier table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeTier {
    /// Lowest annualised volatility (WAD, 0.8 = 80 %/yr) at which the tier applies.
    pub min_sigma_wad: U256,
    /// Swap fee in pips (1e-6): 3_000 = 30 bps.
    pub fee_pips: u32,
}

/// Checks a tier table: 1 to `MAX_TIERS` rows; the first starts at
/// volatility 0; lower bounds strictly increase and stay `<= MAX_SIGMA_WAD`
/// (a tier above the maximum could never be selected: this last rule is an
/// addition to the list); fees never decrease and stay
/// `<= MAX_FEE_PIPS`.
///
/// # Errors
/// `InvalidTierTable` if any rule is broken.
pub fn validate_tiers(tiers: &[FeeTier]) -> Result<(), MathError> {
    let first = tiers.first().ok_or(MathError::InvalidTierTable)?;
    if tiers.len() > MAX_TIERS || !first.min_sigma_wad.is_zero() {
        return Err(MathError::InvalidTierTable);
    }
    if tiers
        .iter()
        .any(|t| t.fee_pips > MAX_FEE_PIPS || t.min_sigma_wad > MAX_SIGMA_WAD)
    {
        return Err(MathError::InvalidTierTable);
    }
    let ordered = tiers.windows(2).all(
        |w| matches!(w, [a, b] if a.min_sigma_wad < b.min_sigma_wad && a.fee_pips <= b.fee_pips),
    );
    if !ordered {
        return Err(MathError::InvalidTierTable);
    }
    Ok(())
}

/// The tier to apply for volatility `sigma_wad` when tier `current` is in force.
///
/// With `raw(s)` = the highest index `i` with `min_sigma_i <= s`:
/// - up-moves are immediate: if `raw(sigma) >= current` the result is `raw(sigma)`;
/// - down-moves need a margin: otherwise the result is
///   `min(current, raw(sigma + hysteresis))`, so the volatility must fall
///   `hysteresis` below a tier's lower bound before that tier is left.
///
/// `sigma + hysteresis` saturates at `2^256 - 1`, which selects the same tier
/// as the exact sum (every bound is `<= MAX_SIGMA_WAD`). Range of the result:
/// `[raw(sigma), max(current, raw(sigma))]`.
///
/// # Errors
/// `InvalidTierTable` if `validate_tiers` fails (checked first);
/// `TierIndexOutOfRange` if `current >= tiers.len()`;
/// `VolatilityOutOfRange` if `sigma_wad > MAX_SIGMA_WAD`.
pub fn select_tier(
    tiers: &[FeeTier],
    current: usize,
    sigma_wad: U256,
    hysteresis_wad: U256,
) -> Result<usize, MathError> {
    validate_tiers(tiers)?;
    if current >= tiers.len() {
        return Err(MathError::TierIndexOutOfRange);
    }
    if sigma_wad > MAX_SIGMA_WAD {
        return Err(MathError::VolatilityOutOfRange);
    }
    let raw = raw_tier(tiers, sigma_wad);
    if raw >= current {
        return Ok(raw);
    }
    Ok(current.min(raw_tier(tiers, sigma_wad.saturating_add(hysteresis_wad))))
}

/// Highest index whose lower bound is `<= sigma` (0 for a validated table,
/// whose first bound is 0).
fn raw_tier(tiers: &[FeeTier], sigma: U256) -> usize {
    tiers
        .iter()
        .rposition(|t| t.min_sigma_wad <= sigma)
        .unwrap_or(0)
}

#[cfg(test)]
// Tests use plain operators on values chosen not to wrap; a wrap would fail them.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    extern crate std;
    use super::*;
    use crate::fixed::WAD;
    use proptest::prelude::*;
    use std::vec::Vec;

    fn pct(p: u64) -> U256 {
        // p percent per year in WAD
        U256::from(p) * WAD / U256::from(100_u8)
    }

    /// 5 / 30 / 100 bps from 0 %, 50 %, 100 %.
    fn table() -> [FeeTier; 3] {
        [
            FeeTier {
                min_sigma_wad: U256::ZERO,
                fee_pips: 500,
            },
            FeeTier {
                min_sigma_wad: pct(50),
                fee_pips: 3_000,
            },
            FeeTier {
                min_sigma_wad: pct(100),
                fee_pips: 10_000,
            },
        ]
    }

    #[test]
    fn select_tier_table() {
        let t = table();
        let h = pct(10);
        // (current, sigma %, expected)
        let cases = [
            (0, 0, 0),
            (0, 49, 0),
            (0, 50, 1),  // up at the bound
            (0, 150, 2), // up two tiers at once
            (1, 45, 1),  // inside the band [40, 50): stay
            (1, 40, 1),  // 40 + 10 = 50 is still in tier 1
            (1, 39, 0),  // below the band: down
            (2, 95, 2),  // inside the band of tier 2
            (2, 89, 1),  // 89 + 10 = 99: tier 1
            (2, 30, 0),  // 30 + 10 = 40: straight to tier 0
            (2, 100, 2),
            (1, 5000, 2), // the maximum volatility
        ];
        for (current, sigma, expected) in cases {
            assert_eq!(
                select_tier(&t, current, pct(sigma), h),
                Ok(expected),
                "current {current}, sigma {sigma}%"
            );
        }
    }

    #[test]
    fn zero_hysteresis_is_the_plain_schedule() {
        let t = table();
        for current in 0..3 {
            assert_eq!(select_tier(&t, current, pct(49), U256::ZERO), Ok(0));
            assert_eq!(select_tier(&t, current, pct(99), U256::ZERO), Ok(1));
        }
    }

    #[test]
    fn huge_hysteresis_never_moves_down_and_does_not_overflow() {
        assert_eq!(select_tier(&table(), 2, U256::ZERO, U256::MAX), Ok(2));
        assert_eq!(select_tier(&table(), 2, MAX_SIGMA_WAD, U256::MAX), Ok(2));
    }

    #[test]
    fn invalid_tables_are_refused() {
        let t = table();
        assert_eq!(validate_tiers(&t), Ok(()));
        assert_eq!(validate_tiers(&[]), Err(MathError::InvalidTierTable));
        let mut first_not_zero = t;
        first_not_zero[0].min_sigma_wad = U256::from(1_u8);
        assert_eq!(
            validate_tiers(&first_not_zero),
            Err(MathError::InvalidTierTable)
        );
        let mut not_increasing = t;
        not_increasing[2].min_sigma_wad = not_increasing[1].min_sigma_wad;
        assert_eq!(
            validate_tiers(&not_increasing),
            Err(MathError::InvalidTierTable)
        );
        let mut fee_down = t;
        fee_down[2].fee_pips = 2_999;
        assert_eq!(validate_tiers(&fee_down), Err(MathError::InvalidTierTable));
        let mut fee_too_high = t;
        fee_too_high[2].fee_pips = MAX_FEE_PIPS + 1;
        assert_eq!(
            validate_tiers(&fee_too_high),
            Err(MathError::InvalidTierTable)
        );
        let mut bound_too_high = t;
        bound_too_high[2].min_sigma_wad = MAX_SIGMA_WAD + U256::from(1_u8);
        assert_eq!(
            validate_tiers(&bound_too_high),
            Err(MathError::InvalidTierTable)
        );
        let nine: Vec<FeeTier> = (0..9_u64)
            .map(|i| FeeTier {
                min_sigma_wad: pct(i * 10),
                fee_pips: 100,
            })
            .collect();
        assert_eq!(validate_tiers(&nine), Err(MathError::InvalidTierTable));
        assert_eq!(validate_tiers(&nine[..8]), Ok(()));
        // equal fees are allowed, the maximum fee is allowed
        let flat = [
            FeeTier {
                min_sigma_wad: U256::ZERO,
                fee_pips: MAX_FEE_PIPS,
            },
            FeeTier {
                min_sigma_wad: MAX_SIGMA_WAD,
                fee_pips: MAX_FEE_PIPS,
            },
        ];
        assert_eq!(validate_tiers(&flat), Ok(()));
        assert_eq!(
            select_tier(&not_increasing, 0, U256::ZERO, U256::ZERO),
            Err(MathError::InvalidTierTable)
        );
    }

    #[test]
    fn select_tier_names_each_bad_argument() {
        let t = table();
        assert_eq!(
            select_tier(&t, 3, pct(10), U256::ZERO),
            Err(MathError::TierIndexOutOfRange)
        );
        assert_eq!(
            select_tier(&t, 0, MAX_SIGMA_WAD + U256::from(1_u8), U256::ZERO),
            Err(MathError::VolatilityOutOfRange)
        );
        assert_eq!(select_tier(&t, 0, MAX_SIGMA_WAD, U256::ZERO), Ok(2));
    }

    fn tier_table() -> impl Strategy<Value = Vec<FeeTier>> {
        proptest::collection::vec(
            (1_u64..2_000_000_000_000_000_000, 0_u32..20_000),
            0..MAX_TIERS,
        )
        .prop_map(|steps| {
            let mut tiers = Vec::new();
            let (mut sigma, mut fee) = (U256::ZERO, 0_u32);
            tiers.push(FeeTier {
                min_sigma_wad: sigma,
                fee_pips: fee,
            });
            for (ds, df) in steps {
                sigma += U256::from(ds);
                fee += df;
                tiers.push(FeeTier {
                    min_sigma_wad: sigma,
                    fee_pips: fee.min(MAX_FEE_PIPS),
                });
            }
            tiers
        })
    }

    fn sigma() -> impl Strategy<Value = U256> {
        (0_u128..=20_000_000_000_000_000_000).prop_map(U256::from)
    }

    fn raw(t: &[FeeTier], s: U256) -> usize {
        // reference written differently: count the bounds at or below s
        t.iter().filter(|x| x.min_sigma_wad <= s).count() - 1
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn up_moves_are_immediate(t in tier_table(), s in sigma(), h in sigma(), c in 0_usize..MAX_TIERS) {
            let current = c % t.len();
            prop_assert_eq!(validate_tiers(&t), Ok(()));
            let got = select_tier(&t, current, s, h).unwrap();
            if raw(&t, s) >= current {
                prop_assert_eq!(got, raw(&t, s));
            } else {
                prop_assert!(got >= raw(&t, s) && got <= current);
            }
        }

        #[test]
        fn no_flapping_inside_the_band(t in tier_table(), s in sigma(), h in sigma(), wiggles in proptest::collection::vec(sigma(), 1..20)) {
            // From the tier chosen at s, any later sigma in [bound - h, next bound)
            // keeps the tier, whatever the order of the wiggles.
            let tier = select_tier(&t, 0, s, h).unwrap();
            let lower = t[tier].min_sigma_wad;
            let upper = t.get(tier + 1).map(|x| x.min_sigma_wad);
            let mut current = tier;
            for w in wiggles {
                let in_band = w.saturating_add(h) >= lower && upper.is_none_or(|u| w < u);
                current = select_tier(&t, current, w, h).unwrap();
                if in_band {
                    prop_assert_eq!(current, tier);
                } else {
                    current = tier;
                }
            }
        }

        #[test]
        fn a_down_move_needs_the_full_margin(t in tier_table(), s in sigma(), h in sigma(), c in 0_usize..MAX_TIERS) {
            let current = c % t.len();
            let got = select_tier(&t, current, s, h).unwrap();
            if got < current {
                // left only because sigma + h fell below the current bound
                prop_assert!(s.saturating_add(h) < t[current].min_sigma_wad);
                prop_assert_eq!(got, raw(&t, s.saturating_add(h)));
            } else if raw(&t, s) < current {
                prop_assert!(s.saturating_add(h) >= t[current].min_sigma_wad);
            }
        }
    }
}
