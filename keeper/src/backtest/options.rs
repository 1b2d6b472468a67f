//! Black-Scholes prices of European options, zero interest and no carry
//! (crypto options quoted against a stablecoin at a zero rate: the
//! backtest's horizon and the rate differences are small next to the
//! volatility).
//!
//! `f64` throughout: premiums feed the strangle strategy's sizing, which
//! converts them to exact decimals before calling il-math.

/// Standard normal CDF, `0.5 * erfc(-x / sqrt 2)` (libm's erfc: ~1 ulp, so
/// tails are accurate, unlike `1 - N(-x)`).
#[must_use]
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

fn d1_d2(spot: f64, strike: f64, sigma: f64, years: f64) -> Option<(f64, f64)> {
    let sd = sigma * years.sqrt();
    if !(sd > 0.0 && sd.is_finite()) {
        return None;
    }
    let d1 = ((spot / strike).ln() + 0.5 * sd * sd) / sd;
    Some((d1, d1 - sd))
}

/// Call price per unit of the underlying, in the quote currency.
///
/// Domain: `spot, strike > 0`, `sigma, years >= 0`. At zero time or
/// volatility the price is the intrinsic value `max(spot - strike, 0)`.
#[must_use]
pub fn call(spot: f64, strike: f64, sigma: f64, years: f64) -> f64 {
    match d1_d2(spot, strike, sigma, years) {
        Some((d1, d2)) => (spot * norm_cdf(d1) - strike * norm_cdf(d2)).max(0.0),
        None => (spot - strike).max(0.0),
    }
}

/// Put price per unit of the underlying, in the quote currency.
///
/// Domain as [`call`]; the limit is `max(strike - spot, 0)`.
#[must_use]
pub fn put(spot: f64, strike: f64, sigma: f64, years: f64) -> f64 {
    match d1_d2(spot, strike, sigma, years) {
        Some((d1, d2)) => (strike * norm_cdf(-d2) - spot * norm_cdf(-d1)).max(0.0),
        None => (strike - spot).max(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_cdf_matches_known_values() {
        assert!((norm_cdf(0.0) - 0.5).abs() < 1e-16);
        assert!((norm_cdf(1.96) - 0.975_002_104_851_780).abs() < 1e-14);
        assert!((norm_cdf(-8.0) - 6.220_960_574_271_784e-16).abs() < 1e-28);
    }

    #[test]
    fn at_the_money_price_matches_closed_form() {
        // ATM with r = 0: C = P = S (2 N(sd/2) - 1); S=100, sigma=0.8, T=0.25:
        // sd = 0.4, N(0.2) = 0.579259709439103 -> 15.8519418878206.
        let c = call(100.0, 100.0, 0.8, 0.25);
        assert!((c - 15.851_941_887_820_6).abs() < 1e-9, "{c}");
        assert!((put(100.0, 100.0, 0.8, 0.25) - c).abs() < 1e-12);
    }

    #[test]
    fn put_call_parity_holds() {
        for &(s, k) in &[(100.0, 80.0), (100.0, 130.0), (2000.0, 1500.0)] {
            let lhs = call(s, k, 0.6, 0.5) - put(s, k, 0.6, 0.5);
            assert!((lhs - (s - k)).abs() < 1e-9 * s, "{s} {k}: {lhs}");
        }
    }

    #[test]
    fn zero_time_gives_intrinsic_value() {
        assert_eq!(call(120.0, 100.0, 0.8, 0.0), 20.0);
        assert_eq!(put(120.0, 100.0, 0.8, 0.0), 0.0);
        assert_eq!(put(80.0, 100.0, 0.0, 1.0), 20.0);
    }
}
