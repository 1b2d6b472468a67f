//! Where a concentrated position goes: the vault's base range, centred on a
//! price, its width set by volatility within an owner's bounds.
//!
//! The rule (the contract computes *where*, the keeper says *when*): a range
//! of ticks `[lower, upper)` whose width is `W = 2 k sigma sqrt(h) /
//! ln(1.0001)` ticks (`k` a multiple, `sigma` the annualised volatility, `h`
//! a horizon in years; a tick is a step of `ln(1.0001)` in log price, so the
//! range is `[P e^-w, P e^w]` with `w = k sigma sqrt(h)`), rounded up to a
//! multiple of the pool's tick spacing, then held within `[min_width,
//! max_width]`, and placed so that its middle is the centre's tick rounded
//! to the nearest multiple of the spacing, inside the usable ticks.
//!
//! Everything is integer arithmetic with one stated rounding, so the
//! contract, the keeper and the backtest compute the same ticks.

use crate::error::MathError;
use crate::fixed::{BPS, Rounding, WAD, sqrt};
use crate::v4::{full_range_ticks, tick_at_sqrt_price};
use alloy_primitives::{U256, uint};

/// Seconds in the year volatilities are annualised over (365 days).
pub const SECONDS_PER_YEAR: u64 = 31_536_000;

/// `ln(1.0001)` in WAD, rounded down (the true value is
/// 99,995,000,333,308.335...): the width is never narrower than the formula.
pub const LN_TICK_WAD: U256 = uint!(99_995_000_333_308_U256);

/// The largest `k` accepted, in basis points (10x).
pub const MAX_K_BPS: u32 = 100_000;

/// An owner's range settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RangeRule {
    /// The multiple `k` of `sigma sqrt(h)` on each side, in basis points
    /// (20,000 = 2). `1..=MAX_K_BPS`.
    pub k_bps: u32,
    /// The horizon `h`, in seconds. `1..=SECONDS_PER_YEAR`.
    pub horizon_secs: u64,
    /// The narrowest range, in ticks: a positive multiple of the spacing.
    pub min_width: i32,
    /// The widest range, in ticks: a multiple of the spacing, `>= min_width`
    /// and at most the usable span (`max_usable - min_usable`).
    pub max_width: i32,
}

impl RangeRule {
    /// Checks the rule against a pool's tick spacing.
    ///
    /// # Errors
    /// `InvalidTickSpacing` for a spacing outside `[1, 32_767]`;
    /// `InvalidInput` for `k_bps` or `horizon_secs` outside their domain,
    /// or widths that are not multiples of the spacing, not ordered
    /// `spacing <= min_width <= max_width`, or wider than the usable span.
    pub fn validate(&self, spacing: i32) -> Result<(), MathError> {
        let (lo, hi) = full_range_ticks(spacing)?;
        // cannot overflow: |lo|, |hi| <= 887_272.
        let span = hi.wrapping_sub(lo);
        let ok = (1..=MAX_K_BPS).contains(&self.k_bps)
            && (1..=SECONDS_PER_YEAR).contains(&self.horizon_secs)
            && self.min_width >= spacing
            && self.min_width <= self.max_width
            && self.max_width <= span
            && self.min_width.checked_rem(spacing) == Some(0)
            && self.max_width.checked_rem(spacing) == Some(0);
        if ok {
            Ok(())
        } else {
            Err(MathError::InvalidInput)
        }
    }

    /// The formula's width in ticks, `ceil(2 k sigma sqrt(h) / ln(1.0001))`
    /// before any bound or spacing: the smallest `w` with
    /// `w^2 * Y * (1e4 * LN)^2 >= (2 * k_bps * sigma_wad)^2 * h_secs`
    /// (`Y` the seconds of a year, `LN` = [`LN_TICK_WAD`]), computed exactly
    /// as `ceil(sqrt(ceil(N / M)))`. Saturates at `i32::MAX` (any width
    /// beyond the usable span is clamped by [`Self::width`] anyway).
    ///
    /// # Errors
    /// `VolatilityOutOfRange` if `sigma_wad > MAX_SIGMA_WAD`; `InvalidInput`
    /// for a `k_bps` or horizon outside its domain.
    pub fn raw_width(&self, sigma_wad: U256) -> Result<i32, MathError> {
        if sigma_wad > crate::fees::MAX_SIGMA_WAD {
            return Err(MathError::VolatilityOutOfRange);
        }
        if !(1..=MAX_K_BPS).contains(&self.k_bps)
            || !(1..=SECONDS_PER_YEAR).contains(&self.horizon_secs)
        {
            return Err(MathError::InvalidInput);
        }
        // 2 k sigma <= 2 * 1e5 * 5e19 = 1e25; squared 1e50; times h <= 3.2e7:
        // below 2^190. M = Y (1e4 LN)^2 < 3.2e7 * 1e36 < 2^147.
        let two_k_sigma = U256::from(self.k_bps)
            .checked_mul(sigma_wad)
            .and_then(|v| v.checked_mul(U256::from(2_u8)))
            .ok_or(MathError::Overflow)?;
        let n = two_k_sigma
            .checked_mul(two_k_sigma)
            .and_then(|v| v.checked_mul(U256::from(self.horizon_secs)))
            .ok_or(MathError::Overflow)?;
        let d = LN_TICK_WAD
            .checked_mul(U256::from(BPS))
            .ok_or(MathError::Overflow)?;
        let m = d
            .checked_mul(d)
            .and_then(|v| v.checked_mul(U256::from(SECONDS_PER_YEAR)))
            .ok_or(MathError::Overflow)?;
        let q = crate::fixed::mul_div(n, U256::from(1_u8), m, Rounding::Ceil)?;
        let w = sqrt(q, Rounding::Ceil);
        Ok(i32::try_from(w).unwrap_or(i32::MAX))
    }

    /// The range's width in ticks for `sigma_wad`: [`Self::raw_width`]
    /// rounded up to a multiple of `spacing`, then held within
    /// `[min_width, max_width]`.
    ///
    /// # Errors
    /// Those of [`Self::validate`] and [`Self::raw_width`].
    pub fn width(&self, sigma_wad: U256, spacing: i32) -> Result<i32, MathError> {
        self.validate(spacing)?;
        let raw = self.raw_width(sigma_wad)?.min(self.max_width);
        // cannot overflow: raw <= max_width <= 1_774_544 and spacing <= 32_767.
        let up = raw
            .wrapping_add(spacing.wrapping_sub(1))
            .checked_div(spacing)
            .ok_or(MathError::InvalidTickSpacing)?
            .wrapping_mul(spacing);
        Ok(up.clamp(self.min_width, self.max_width))
    }

    /// The base range `(lower, upper)` for a centre at sqrt price
    /// `centre_sqrt_price_x96` (the oracle's, as
    /// `Price::sqrt_price_x96(Floor)`) and volatility `sigma_wad`: width
    /// [`Self::width`]; `lower` the multiple of `spacing` nearest to
    /// `c - width / 2` (`c` the centre's tick, halves rounded up), so the
    /// range's middle is within half a spacing of `c`; then shifted, whole,
    /// inside `[min_usable_tick, max_usable_tick]` if it crossed an end.
    /// Both ends are multiples of `spacing` and `upper - lower` is the
    /// width.
    ///
    /// # Errors
    /// Those of [`Self::width`]; `InvalidSqrtPrice` for a centre outside
    /// `[MIN_SQRT_PRICE, MAX_SQRT_PRICE)`.
    pub fn base_range(
        &self,
        centre_sqrt_price_x96: U256,
        sigma_wad: U256,
        spacing: i32,
    ) -> Result<(i32, i32), MathError> {
        let width = self.width(sigma_wad, spacing)?;
        let centre = tick_at_sqrt_price(centre_sqrt_price_x96)?;
        let (lo, hi) = full_range_ticks(spacing)?;
        // In i64: 2c - W + s over 2s, floored, is the nearest multiple
        // (halves up). |2c - W + s| < 2^22: no overflow anywhere below.
        let (c, w, s) = (i64::from(centre), i64::from(width), i64::from(spacing));
        let two_s = s.wrapping_mul(2);
        let lower = c
            .wrapping_mul(2)
            .wrapping_sub(w)
            .wrapping_add(s)
            .checked_div_euclid(two_s)
            .ok_or(MathError::InvalidTickSpacing)?
            .wrapping_mul(s);
        let lower = lower.clamp(i64::from(lo), i64::from(hi).wrapping_sub(w));
        let lower = i32::try_from(lower).map_err(|_| MathError::Overflow)?;
        // cannot overflow: lower + width <= hi.
        Ok((lower, lower.wrapping_add(width)))
    }
}

/// `sigma_wad` of a volatility in whole percent per year, for docs and tests.
#[must_use]
pub fn sigma_from_percent(percent: u64) -> U256 {
    // cannot overflow: percent < 2^64 and WAD / 100 = 1e16.
    U256::from(percent).wrapping_mul(WAD.wrapping_div(U256::from(100_u8)))
}

#[cfg(test)]
// Tests use plain operators on values chosen not to wrap; a wrap would fail them.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    extern crate std;
    use super::*;
    use crate::v4::{MAX_TICK, MIN_TICK, sqrt_price_at_tick};
    use proptest::prelude::*;

    fn rule(k_bps: u32, horizon_secs: u64, min_width: i32, max_width: i32) -> RangeRule {
        RangeRule {
            k_bps,
            horizon_secs,
            min_width,
            max_width,
        }
    }

    fn m() -> U256 {
        let d = LN_TICK_WAD * U256::from(BPS);
        d * d * U256::from(SECONDS_PER_YEAR)
    }

    #[test]
    fn raw_width_is_the_least_integer_at_or_above_the_formula() {
        // 80 %/yr over 7 days with k = 2: w = 2 * 2 * 0.8 * sqrt(7/365) /
        // ln(1.0001) = 4,431.5... ticks.
        let r = rule(20_000, 7 * 86_400, 60, 887_220 * 2);
        let w = r.raw_width(sigma_from_percent(80)).unwrap();
        let f = 4.0 * 0.8 * (7.0_f64 / 365.0).sqrt() / 1.0001_f64.ln();
        assert_eq!(w, f.ceil() as i32, "{f}");
        assert_eq!(w, 4_432);
        // the defining inequalities, exactly
        let n = {
            let t = U256::from(2 * 20_000_u64) * sigma_from_percent(80);
            t * t * U256::from(7 * 86_400_u64)
        };
        let wu = U256::from(w as u64);
        assert!(wu * wu * m() >= n);
        assert!((wu - U256::from(1_u8)) * (wu - U256::from(1_u8)) * m() < n);
        // zero volatility: zero width (the bounds then decide)
        assert_eq!(r.raw_width(U256::ZERO).unwrap(), 0);
    }

    #[test]
    fn width_rounds_up_to_the_spacing_and_keeps_the_bounds() {
        let r = rule(20_000, 7 * 86_400, 600, 60_000);
        // 4,432 -> 4,440 (spacing 60)
        assert_eq!(r.width(sigma_from_percent(80), 60).unwrap(), 4_440);
        // tiny sigma: the minimum; huge sigma: the maximum
        assert_eq!(r.width(sigma_from_percent(1), 60).unwrap(), 600);
        assert_eq!(r.width(sigma_from_percent(5_000), 60).unwrap(), 60_000);
        assert_eq!(r.width(U256::ZERO, 60).unwrap(), 600);
    }

    #[test]
    fn refuses_bad_rules_and_inputs() {
        let ok = rule(20_000, 86_400, 60, 6_000);
        assert!(ok.validate(60).is_ok());
        for bad in [
            rule(0, 86_400, 60, 6_000),
            rule(MAX_K_BPS + 1, 86_400, 60, 6_000),
            rule(20_000, 0, 60, 6_000),
            rule(20_000, SECONDS_PER_YEAR + 1, 60, 6_000),
            rule(20_000, 86_400, 0, 6_000),
            rule(20_000, 86_400, 30, 6_000),
            rule(20_000, 86_400, 60, 6_030),
            rule(20_000, 86_400, 6_000, 60),
            rule(20_000, 86_400, 60, 887_220 * 2 + 60),
        ] {
            assert_eq!(bad.validate(60), Err(MathError::InvalidInput), "{bad:?}");
            assert_eq!(
                bad.base_range(sqrt_price_at_tick(0).unwrap(), sigma_from_percent(50), 60),
                Err(MathError::InvalidInput),
                "{bad:?}"
            );
        }
        assert_eq!(ok.validate(0), Err(MathError::InvalidTickSpacing));
        assert_eq!(
            ok.raw_width(crate::fees::MAX_SIGMA_WAD + U256::from(1_u8)),
            Err(MathError::VolatilityOutOfRange)
        );
        assert_eq!(
            ok.base_range(U256::from(1_u8), sigma_from_percent(50), 60),
            Err(MathError::InvalidSqrtPrice)
        );
        // the widest rule over the whole usable span is accepted
        assert!(
            rule(MAX_K_BPS, SECONDS_PER_YEAR, 60, 887_220 * 2)
                .validate(60)
                .is_ok()
        );
    }

    #[test]
    fn ranges_at_the_ends_of_the_tick_line_stay_usable() {
        let r = rule(20_000, 86_400, 600, 600_000);
        let sigma = sigma_from_percent(100);
        let w = r.width(sigma, 60).unwrap();
        let near_min = sqrt_price_at_tick(MIN_TICK + 10).unwrap();
        assert_eq!(
            r.base_range(near_min, sigma, 60).unwrap(),
            (-887_220, -887_220 + w)
        );
        let near_max = sqrt_price_at_tick(MAX_TICK - 10).unwrap();
        assert_eq!(
            r.base_range(near_max, sigma, 60).unwrap(),
            (887_220 - w, 887_220)
        );
        // a width over the whole span: the full range
        let all = rule(MAX_K_BPS, SECONDS_PER_YEAR, 60, 887_220 * 2);
        assert_eq!(
            all.base_range(near_max, sigma_from_percent(5_000), 60)
                .unwrap(),
            (-887_220, 887_220)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn base_range_is_aligned_bounded_and_centred(
            centre in (MIN_TICK + 1)..(MAX_TICK - 1),
            spacing in prop::sample::select(std::vec![1, 10, 60, 200, 1_000, 32_767]),
            k_bps in 1..=MAX_K_BPS,
            horizon in 1..=SECONDS_PER_YEAR,
            sigma_pct in 0_u64..=5_000,
            min_mult in 1_i32..50,
            extra_mult in 0_i32..5_000,
        ) {
            let (lo, hi) = full_range_ticks(spacing).unwrap();
            let max_mult = ((hi - lo) / spacing).min(min_mult + extra_mult);
            prop_assume!(min_mult <= max_mult);
            let r = rule(k_bps, horizon, min_mult * spacing, max_mult * spacing);
            let sigma = sigma_from_percent(sigma_pct);
            let s = sqrt_price_at_tick(centre).unwrap();
            let (lower, upper) = r.base_range(s, sigma, spacing).unwrap();
            let w = upper - lower;
            prop_assert_eq!(w, r.width(sigma, spacing).unwrap());
            prop_assert!(w >= r.min_width && w <= r.max_width);
            prop_assert_eq!(lower % spacing, 0);
            prop_assert_eq!(upper % spacing, 0);
            prop_assert!(lower >= lo && upper <= hi);
            // the raw width is covered (unless the maximum cut it)
            let raw = r.raw_width(sigma).unwrap();
            prop_assert!(w >= raw.min(r.max_width));
            prop_assert!(w - raw.max(r.min_width) < spacing);
            // centred within half a spacing, unless an end moved it
            let twice_mid = i64::from(lower) + i64::from(upper);
            let off = twice_mid - 2 * i64::from(centre);
            if lower > lo && upper < hi {
                prop_assert!(off.abs() <= i64::from(spacing), "off {}", off);
            }
            // the formula in floats, to 1e-9 relative
            let f = 2.0 * (k_bps as f64 / 1e4) * (sigma_pct as f64 / 100.0)
                * (horizon as f64 / SECONDS_PER_YEAR as f64).sqrt() / 1.0001_f64.ln();
            prop_assert!((raw as f64 - f) < 1.0 + 1e-9 * f && (raw as f64 - f) > -1e-9 * f - 1e-9,
                "raw {} f {}", raw, f);
        }

        #[test]
        fn a_wider_volatility_never_gives_a_narrower_range(
            a in 0_u64..=5_000, b in 0_u64..=5_000, k_bps in 1..=MAX_K_BPS,
        ) {
            let r = rule(k_bps, 86_400, 60, 887_220 * 2);
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(
                r.width(sigma_from_percent(lo), 60).unwrap()
                    <= r.width(sigma_from_percent(hi), 60).unwrap()
            );
        }
    }
}
