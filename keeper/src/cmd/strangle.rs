//! `il-keeper strangle`: Proposition 4.1 sizing (arXiv 2503.21967) of the
//! long strangle that keeps an LP's hedged PnL non-negative over a price
//! interval, exactly, through il-math.
//!
//! Inputs are decimal text converted exactly to WAD (at most 18 places):
//! capital and premiums in token1, prices in token1 per token0, the pool
//! return as a fraction over the option horizon. Outputs: the minimum put
//! and call quantities (token0, rounded up), the balanced quantity `qty`
//! (the larger minimum, bought on both legs), its cost (token1, rounded up),
//! and whether condition 3 holds (`covered`, evaluated conservatively).

use alloy_primitives::{I256, U256};
use eyre::WrapErr;
use il_math::StrangleParams;

use crate::cli::{Failure, Globals};
use crate::decimal::{format_signed_wad, format_wad, parse_decimal};
use crate::exact;

/// Arguments of `strangle`.
#[derive(Debug, Clone, clap::Args)]
pub struct StrangleArgs {
    /// Capital deposited in the pool, token1.
    #[arg(long, value_name = "C")]
    pub capital: String,
    /// Price at deposit P0 (token1 per token0).
    #[arg(long, value_name = "P0")]
    pub price: String,
    /// Lower end of the covered interval P_i.
    #[arg(long, value_name = "PI")]
    pub lower: String,
    /// Upper end of the covered interval P_s.
    #[arg(long, value_name = "PS")]
    pub upper: String,
    /// Call strike K_c.
    #[arg(long, value_name = "KC")]
    pub call_strike: String,
    /// Premium of one call on one token0, token1.
    #[arg(long, value_name = "DC", allow_hyphen_values = true)]
    pub call_premium: String,
    /// Put strike K_p.
    #[arg(long, value_name = "KP")]
    pub put_strike: String,
    /// Premium of one put on one token0, token1.
    #[arg(long, value_name = "DP", allow_hyphen_values = true)]
    pub put_premium: String,
    /// Pool return over the horizon (fraction, may be negative).
    #[arg(long, value_name = "RP", allow_hyphen_values = true)]
    pub pool_return: String,
}

fn unsigned(flag: &str, text: &str) -> Result<U256, Failure> {
    parse_decimal(text)
        .and_then(|d| d.to_wad())
        .wrap_err_with(|| format!("--{flag}"))
        .map_err(Failure::input)
}

fn signed(flag: &str, text: &str) -> Result<I256, Failure> {
    parse_decimal(text)
        .and_then(|d| d.to_signed_wad())
        .wrap_err_with(|| format!("--{flag}"))
        .map_err(Failure::input)
}

impl StrangleArgs {
    /// The exact sizing.
    ///
    /// # Errors
    /// [`Failure::input`] for malformed numbers and for every il-math
    /// refusal (zero capital, price outside the interval, strikes out of
    /// order, negative premium, ...), one line naming the problem.
    pub fn compute(&self) -> Result<il_math::StrangleSizing, Failure> {
        let params = StrangleParams {
            capital: unsigned("capital", &self.capital)?,
            p0: unsigned("price", &self.price)?,
            p_lower: unsigned("lower", &self.lower)?,
            p_upper: unsigned("upper", &self.upper)?,
            call_strike: unsigned("call-strike", &self.call_strike)?,
            put_strike: unsigned("put-strike", &self.put_strike)?,
            call_premium: signed("call-premium", &self.call_premium)?,
            put_premium: signed("put-premium", &self.put_premium)?,
            pool_return: signed("pool-return", &self.pool_return)?,
        };
        exact::size_strangle(&params)
            .wrap_err("strangle")
            .map_err(Failure::input)
    }

    /// Prints the sizing as JSON (`--json`) or a short table.
    ///
    /// # Errors
    /// As [`Self::compute`].
    pub fn run(self, g: &Globals) -> Result<(), Failure> {
        let s = self.compute()?;
        if g.json {
            println!(
                "{}",
                super::raw_json_object(&[
                    ("min_put_qty", format_wad(s.min_put_qty)),
                    ("min_call_qty", format_wad(s.min_call_qty)),
                    ("qty", format_wad(s.qty)),
                    ("cost", format_wad(s.cost)),
                    ("covered", s.covered.to_string()),
                ])
            );
        } else {
            println!("min put quantity   {} token0", format_wad(s.min_put_qty));
            println!("min call quantity  {} token0", format_wad(s.min_call_qty));
            println!(
                "strangle quantity  {} token0 on each leg",
                format_wad(s.qty)
            );
            println!("cost               {} token1", format_wad(s.cost));
            println!(
                "IL at put strike   {} token1",
                format_signed_wad(s.il_at_put_strike)
            );
            println!(
                "IL at call strike  {} token1",
                format_signed_wad(s.il_at_call_strike)
            );
            println!(
                "covered            {} (hedged PnL >= 0 over [{}, {}]: {})",
                s.covered,
                self.lower,
                self.upper,
                if s.covered {
                    "pool return pays for the premium and the worst IL between the strikes"
                } else {
                    "premium + worst IL between the strikes exceed the pool return"
                }
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> StrangleArgs {
        StrangleArgs {
            capital: "1000".into(),
            price: "100".into(),
            lower: "50".into(),
            upper: "200".into(),
            call_strike: "120".into(),
            call_premium: "2".into(),
            put_strike: "80".into(),
            put_premium: "2".into(),
            pool_return: "0.1".into(),
        }
    }

    #[test]
    fn sizing_matches_the_closed_form() {
        let s = args().compute().unwrap();
        // put: 500 (1/sqrt(5000) - 1/100) = 2.0710678118654752440...; ceil at 18 places.
        assert_eq!(format_wad(s.min_put_qty), "2.071067811865475245");
        // call: 500 (1/100 - 1/sqrt(20000)) = 1.4644660940672623779...
        assert_eq!(format_wad(s.min_call_qty), "1.464466094067262378");
        assert_eq!(s.qty, s.min_put_qty);
        // cost = qty * 4, rounded up.
        assert_eq!(format_wad(s.cost), "8.28427124746190098");
        // worst IL between the strikes: IL(80) = 1000 (sqrt(.8) - .9) = -5.5728...;
        // cost + |IL| = 13.857: covered when r_p c >= 13.857.
        assert_eq!(
            format_signed_wad(s.il_at_put_strike),
            "-5.572809000084121437"
        );
        assert!(s.covered);
        let s = StrangleArgs {
            pool_return: "0.0138".into(),
            ..args()
        }
        .compute()
        .unwrap();
        assert!(!s.covered);
        let s = StrangleArgs {
            pool_return: "0.0139".into(),
            ..args()
        }
        .compute()
        .unwrap();
        assert!(s.covered);
    }

    #[test]
    fn bad_inputs_name_the_problem_and_exit_2() {
        let e = StrangleArgs {
            call_premium: "-1".into(),
            ..args()
        }
        .compute()
        .unwrap_err();
        assert_eq!(
            (e.exit_code(), e.to_string()),
            (2, "strangle: option premium is negative".into())
        );
        let e = StrangleArgs {
            price: "300".into(),
            ..args()
        }
        .compute()
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "strangle: reference price outside the price interval"
        );
        let e = StrangleArgs {
            put_strike: "130".into(),
            ..args()
        }
        .compute()
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "strangle: strikes not ordered lower <= put <= call <= upper"
        );
        let e = StrangleArgs {
            capital: "lots".into(),
            ..args()
        }
        .compute()
        .unwrap_err();
        assert_eq!(e.to_string(), "--capital: \"lots\" is not a decimal number");
        let e = StrangleArgs {
            capital: "0".into(),
            ..args()
        }
        .compute()
        .unwrap_err();
        assert_eq!(e.to_string(), "strangle: capital is zero");
    }
}
