//! The backtest report as a terminal table, JSON and CSV.

use std::fmt::Write as _;

use super::engine::{BacktestReport, StrategyResult};
use crate::policy::{Action, Rule};

/// Thousands-separated number with `decimals` places (`-1234.5` -> `-1,234.50`).
#[must_use]
pub fn money(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

fn pct(v: f64) -> String {
    format!("{:+.2}%", v * 100.0)
}

/// The report as a human-readable table.
#[must_use]
pub fn table(r: &BacktestReport) -> String {
    let mut s = String::new();
    let change = r.last_price / r.first_price - 1.0;
    let _ = writeln!(s, "Backtest: {}", r.source);
    let _ = writeln!(
        s,
        "  {} steps over {:.3} years; price {} -> {} ({}); capital {} token1\n",
        r.steps,
        r.years,
        money(r.first_price, 2),
        money(r.last_price, 2),
        pct(change),
        money(r.capital, 0)
    );
    let headers = [
        "strategy",
        "final value",
        "return",
        "vs hold",
        "IL",
        "fee income",
        "hedge PnL",
        "gas",
        "actions",
        "max DD",
        "PnL vol",
    ];
    let rows: Vec<[String; 11]> = r.strategies.iter().map(row).collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(c.len());
        }
    }
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    let _ = writeln!(s, "{}", line(&headers.map(String::from)));
    let _ = writeln!(
        s,
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
    );
    for row in &rows {
        let _ = writeln!(s, "{}", line(row));
    }
    let l = &r.lvr;
    let _ = writeln!(
        s,
        "\nLVR (loss versus rebalancing), per year as a fraction of LP value:"
    );
    let _ = writeln!(
        s,
        "  realised sigma of the path      {:.4}",
        l.sigma_realised
    );
    let _ = writeln!(s, "  theory sigma^2/8 (il-math)      {:.6}", l.theory_rate);
    if let Some(m) = l.theory_rate_model {
        let _ = writeln!(
            s,
            "  theory at the model's sigma     {:.6}  (measured fee-less {:+.2}% vs it)",
            m,
            (l.measured_rate_feeless / m - 1.0) * 100.0
        );
    }
    let _ = writeln!(
        s,
        "  measured, fee-less LP           {:.6}  ({:+.2}% vs theory)",
        l.measured_rate_feeless,
        (l.measured_rate_feeless / l.theory_rate - 1.0) * 100.0
    );
    let _ = writeln!(
        s,
        "  measured, fixed-fee LP (gross)  {:.6}  (arbitrage fees recovered {:.6})",
        l.measured_rate_fixed_fee, l.arb_fee_rate
    );
    if let Some(st) = &r.strangle {
        let _ = writeln!(s, "\nStrangle (Proposition 4.1, il-math sizing):");
        let _ = writeln!(
            s,
            "  interval [{}, {}], put strike {}, call strike {}, {:.3} years",
            money(st.lower, 2),
            money(st.upper, 2),
            money(st.put_strike, 2),
            money(st.call_strike, 2),
            st.years
        );
        let sigma = st
            .premium_sigma
            .map_or_else(String::new, |v| format!(" at sigma {v:.4}"));
        let _ = writeln!(
            s,
            "  premiums put {} / call {} ({}{sigma})",
            money(st.put_premium, 4),
            money(st.call_premium, 4),
            st.premium_source
        );
        let _ = writeln!(
            s,
            "  min put {:.6}, min call {:.6}, bought {:.6} of each for {} token1; covered: {}",
            st.min_put_qty,
            st.min_call_qty,
            st.qty,
            money(st.cost, 2),
            st.covered
        );
    }
    let ranges: Vec<String> = r
        .strategies
        .iter()
        .filter_map(|x| {
            x.in_range.map(|f| {
                format!(
                    "{}: {} re-ranges, in range {:.1} % of steps, idle at the end {:.1} % of its value, swaps paid {}",
                    x.label,
                    x.actions,
                    f * 100.0,
                    x.idle_value.unwrap_or(0.0) / x.final_value * 100.0,
                    money(x.swap_cost.unwrap_or(0.0), 2)
                )
            })
        })
        .collect();
    if !ranges.is_empty() {
        let _ = writeln!(s, "\nLP ranges:");
        for line in ranges {
            let _ = writeln!(s, "  {line}");
        }
    }
    let count = |rule: Rule| r.keeper_actions.iter().filter(|d| d.rule == rule).count();
    if r.strategies
        .iter()
        .any(|x| x.strategy == super::engine::StrategyKind::Keeper)
    {
        let derisk = r
            .keeper_actions
            .iter()
            .filter(|d| {
                matches!(d.action, Action::Rebalance { .. }) && d.reason.contains("de-risk")
            })
            .count();
        let _ = writeln!(
            s,
            "\nKeeper policy: {} fee-tier updates, {} rebalances ({} de-risk, {} redeploy), {} hedges; {} actions skipped by a guard",
            count(Rule::FeeTier),
            count(Rule::Rebalance),
            derisk,
            count(Rule::Rebalance) - derisk,
            count(Rule::Hedge),
            r.keeper_skips
        );
        if let Some(sigma) = r.final_sigma {
            let _ = writeln!(s, "  volatility estimate at the end: {sigma:.4}");
        }
    }
    s
}

fn row(x: &StrategyResult) -> [String; 11] {
    [
        x.label.clone(),
        money(x.final_value, 2),
        pct(x.total_return),
        money(x.vs_hold, 2),
        money(x.il, 2),
        money(x.fee_income, 2),
        money(x.hedge_pnl, 2),
        money(x.gas_cost, 2),
        format!("{}", x.actions),
        format!("{:.2}%", x.max_drawdown * 100.0),
        format!("{:.2}%", x.pnl_volatility * 100.0),
    ]
}

/// The per-strategy results as CSV (header + one row per strategy).
#[must_use]
pub fn csv(r: &BacktestReport) -> String {
    let mut s = String::from(
        "strategy,final_value,total_return,vs_hold,il,fee_income,hedge_pnl,hedge_costs,gas_cost,actions,gas_used,max_drawdown,pnl_volatility,final_lp_value_exact\n",
    );
    for x in &r.strategies {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            x.label,
            x.final_value,
            x.total_return,
            x.vs_hold,
            x.il,
            x.fee_income,
            x.hedge_pnl,
            x.hedge_costs,
            x.gas_cost,
            x.actions,
            x.gas_used,
            x.max_drawdown,
            x.pnl_volatility,
            x.final_lp_value_exact.as_deref().unwrap_or("")
        );
    }
    s
}

/// The chart series as CSV: day, price, one value column per strategy, IL.
#[must_use]
pub fn series_csv(r: &BacktestReport) -> String {
    let se = &r.series;
    let mut s = String::from("day,price");
    for label in &se.labels {
        let _ = write!(s, ",{label}");
    }
    s.push_str(",il_measured,il_closed_form\n");
    for i in 0..se.days.len() {
        let _ = write!(s, "{},{}", se.days[i], se.price[i]);
        for v in &se.values {
            let _ = write!(s, ",{}", v[i]);
        }
        let _ = writeln!(s, ",{},{}", se.il_measured[i], se.il_closed_form[i]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands_and_keeps_sign() {
        assert_eq!(money(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(money(-1_234.5, 2), "-1,234.50");
        assert_eq!(money(999.0, 0), "999");
        assert_eq!(money(-0.001, 2), "0.00");
        assert_eq!(money(1000.0, 0), "1,000");
    }
}
