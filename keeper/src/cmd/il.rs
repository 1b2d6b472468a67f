//! `il-keeper il`: impermanent loss of a constant-product position, exactly,
//! through il-math.
//!
//! `--ratio R` gives `IL(R) = 2 sqrt(R) / (1 + R) - 1`; `--from P0 --to P1`
//! gives the same for `R = P1 / P0` without rounding `R` first. Inputs are
//! decimal text converted exactly (at most 18 decimal places); the result is
//! `floor(1e18 IL)` printed with all its digits.

use eyre::WrapErr;

use crate::cli::{Failure, Globals};
use crate::decimal::{format_fixed, format_signed_wad, format_wad, parse_decimal};
use crate::exact::{self, Price};

/// Arguments of `il`.
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["ratio", "from"])))]
pub struct IlArgs {
    /// Price ratio P1/P0 (decimal, up to 18 places, in [1e-18, 1e18]).
    #[arg(long, value_name = "R", allow_hyphen_values = true, conflicts_with_all = ["from", "to"])]
    pub ratio: Option<String>,
    /// Price at deposit P0 (decimal).
    #[arg(long, value_name = "P0", allow_hyphen_values = true, requires = "to")]
    pub from: Option<String>,
    /// Price now P1 (decimal).
    #[arg(long, value_name = "P1", allow_hyphen_values = true, requires = "from")]
    pub to: Option<String>,
}

/// The computed IL: ratio and IL in WAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IlResult {
    /// `P1 / P0` in WAD (exact for `--ratio`; floor for `--from/--to`).
    pub ratio_wad: alloy_primitives::U256,
    /// `floor(1e18 IL)`.
    pub il_wad: alloy_primitives::I256,
}

impl IlArgs {
    /// Computes the IL.
    ///
    /// # Errors
    /// [`Failure::input`] for malformed numbers, non-positive prices, more
    /// than 18 decimals, or a ratio outside il-math's domain.
    pub fn compute(&self) -> Result<IlResult, Failure> {
        match (&self.ratio, &self.from, &self.to) {
            (Some(r), _, _) => {
                let ratio_wad = parse_decimal(r)
                    .and_then(|d| d.to_wad())
                    .wrap_err("--ratio")
                    .map_err(Failure::input)?;
                let il_wad = exact::il_from_ratio(ratio_wad)
                    .wrap_err_with(|| format!("--ratio {r}"))
                    .map_err(Failure::input)?;
                Ok(IlResult { ratio_wad, il_wad })
            }
            (None, Some(a), Some(b)) => {
                let p0 = Price::parse(a).wrap_err("--from").map_err(Failure::input)?;
                let p1 = Price::parse(b).wrap_err("--to").map_err(Failure::input)?;
                let il_wad = exact::il_between(&p0, &p1)
                    .wrap_err("--from/--to")
                    .map_err(Failure::input)?;
                let ratio_wad = exact::ratio_wad(&p0, &p1)
                    .wrap_err("--from/--to")
                    .map_err(Failure::input)?;
                Ok(IlResult { ratio_wad, il_wad })
            }
            _ => Err(Failure::input(eyre::eyre!(
                "give --ratio R, or --from P0 --to P1"
            ))),
        }
    }

    /// Prints `{"ratio":R,"il":X}` (`--json`) or a sentence with the percent.
    ///
    /// # Errors
    /// As [`Self::compute`].
    pub fn run(self, g: &Globals) -> Result<(), Failure> {
        let r = self.compute()?;
        let ratio = format_wad(r.ratio_wad);
        let il = format_signed_wad(r.il_wad);
        if g.json {
            println!(
                "{}",
                super::raw_json_object(&[("ratio", ratio), ("il", il)])
            );
        } else {
            // IL in percent: the same integer with the point two places later.
            let pct = format_fixed(r.il_wad.is_negative(), r.il_wad.unsigned_abs(), 16);
            println!(
                "IL at price ratio {ratio}: {pct} % (the LP is worth {} of holding)",
                lp_over_hold(r.il_wad)
            );
        }
        Ok(())
    }
}

/// `1 + IL` as decimal text.
fn lp_over_hold(il: alloy_primitives::I256) -> String {
    let one = alloy_primitives::I256::try_from(1_000_000_000_000_000_000i128)
        .unwrap_or(alloy_primitives::I256::ZERO);
    format_signed_wad(one.saturating_add(il))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(ratio: Option<&str>, from: Option<&str>, to: Option<&str>) -> IlArgs {
        IlArgs {
            ratio: ratio.map(Into::into),
            from: from.map(Into::into),
            to: to.map(Into::into),
        }
    }

    #[test]
    fn ratio_two_loses_5_72_percent() {
        let r = args(Some("2"), None, None).compute().unwrap();
        assert_eq!(format_signed_wad(r.il_wad), "-0.057190958417936635");
        assert_eq!(format_wad(r.ratio_wad), "2");
        assert_eq!(lp_over_hold(r.il_wad), "0.942809041582063365");
    }

    #[test]
    fn prices_give_the_same_il_as_their_ratio() {
        let a = args(None, Some("1500"), Some("3000")).compute().unwrap();
        let b = args(Some("2"), None, None).compute().unwrap();
        assert_eq!(a, b);
        let c = args(None, Some("3000"), Some("1500")).compute().unwrap();
        assert_eq!(c.il_wad, b.il_wad);
    }

    #[test]
    fn bad_ratios_are_input_errors() {
        for bad in ["0", "-1", "abc", "0.0000000000000000001", "1e19"] {
            let e = args(Some(bad), None, None).compute().unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}: {e}");
        }
        let e = args(Some("0"), None, None).compute().unwrap_err();
        assert_eq!(e.to_string(), "--ratio 0: price is zero");
        let e = args(None, Some("0"), Some("1")).compute().unwrap_err();
        assert_eq!(e.to_string(), "--from: price must be positive, got 0");
    }
}
