//! `il-keeper status [--json]`: the vault at a glance. From the chain (one
//! snapshot batch): TVL, share price, IL vs hold, fee income, hedge size and
//! PnL, the fee tier in force; from the store (read-only, no lock taken):
//! the latest volatility estimates and the last actions with their
//! transaction hashes; and each contract's Stylus program time left (a
//! warning line when one is within `keeper.keepalive_margin_days` of
//! expiry). Amounts are raw token1 units (exact integers).

use std::path::Path;

use alloy::primitives::{I256, U256};
use rusqlite::OpenFlags;
use serde::Serialize;

use crate::chain::programs::{DAY, Life, Lifetimes};
use crate::chain::{Client, Snapshot};
use crate::cli::{Failure, Globals};
use crate::config::{ChainArgs, Config};
use crate::decimal::format_fixed;
use crate::store::{DecisionRecord, EstimateRecord, StoreView, TxRecord};

use super::tick::runtime;

/// Arguments of `status`.
#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {
    /// Chain, contract and key overrides.
    #[command(flatten)]
    pub chain: ChainArgs,
    /// How many recent actions and estimates to show.
    #[arg(long, default_value_t = 5)]
    pub last: usize,
}

/// The status report (`--json` prints it as is).
#[derive(Debug, Serialize)]
pub struct Status {
    /// Block read.
    pub block: u64,
    /// Block time.
    pub time: u64,
    /// Vault value (TVL), token1 raw.
    pub tvl: String,
    /// Vault shares.
    pub shares: String,
    /// Value per share, token1 raw per 1e18 shares (floor), `None` without shares.
    pub share_price: Option<String>,
    /// Hold benchmark value.
    pub hold: String,
    /// Total PnL vs hold.
    pub pnl: String,
    /// Impermanent loss (divergence).
    pub il: String,
    /// Fee income.
    pub fees: String,
    /// Hedge PnL.
    pub hedge_pnl: String,
    /// Hedge position size (token0 raw; negative: short).
    pub hedge_size: String,
    /// Hedge collateral (token1 raw).
    pub hedge_collateral: String,
    /// Hedge equity (token1 raw).
    pub hedge_equity: String,
    /// Tier in force and its fee (pips), and the pool's fee.
    pub tier_index: u8,
    /// The tier's fee, pips.
    pub tier_fee_pips: Option<u32>,
    /// The pool's fee, pips.
    pub pool_fee_pips: u32,
    /// Sigma last reported on chain (WAD) and when.
    pub chain_sigma_wad: String,
    /// When.
    pub chain_sigma_at: u64,
    /// Share of capital in the pool, bps.
    pub lp_bps: u16,
    /// Oracle price (exact fraction) and deviation of the pool's spot.
    pub price: String,
    /// Deviation, bps.
    pub deviation_bps: u32,
    /// Paused.
    pub paused: bool,
    /// The vault's range and where the oracle price is.
    pub range: RangeStatus,
    /// Latest estimates, newest first.
    pub estimates: Vec<EstimateRecord>,
    /// Latest non-hold decisions, newest first.
    pub decisions: Vec<DecisionRecord>,
    /// Latest transactions, newest first.
    pub transactions: Vec<TxRecord>,
    /// The contracts' Stylus program lifetimes.
    pub programs: Lifetimes,
}

/// The vault's range of ticks, the oracle price's tick and the owner's rule.
#[derive(Debug, Serialize)]
pub struct RangeStatus {
    /// Lower tick.
    pub lower: i32,
    /// Upper tick (exclusive).
    pub upper: i32,
    /// The oracle price's tick (`None` if it cannot be computed).
    pub oracle_tick: Option<i32>,
    /// Whether the oracle's tick is in `[lower, upper)`: out of range, the
    /// position earns no fees and holds one token.
    pub in_range: bool,
    /// Whether the range is the full range of the spacing.
    pub full_range: bool,
    /// The range rule (`None`: the full range).
    pub rule: Option<crate::chain::snapshot::RangeState>,
}

fn range_status(s: &Snapshot) -> RangeStatus {
    let oracle_tick = s
        .math_price()
        .ok()
        .and_then(|p| il_math::tick_at_sqrt_price(p.sqrt_price_x96(il_math::Rounding::Floor)).ok());
    RangeStatus {
        lower: s.tick_lower,
        upper: s.tick_upper,
        oracle_tick,
        in_range: oracle_tick.is_some_and(|t| s.tick_lower <= t && t < s.tick_upper),
        full_range: il_math::v4::full_range_ticks(s.tick_spacing)
            .is_ok_and(|f| f == (s.tick_lower, s.tick_upper)),
        rule: (s.range.k_bps != 0).then_some(s.range),
    }
}

/// Reads the store without taking the run lock (status must work while a
/// daemon runs): a read-only SQLite connection. A missing store is empty.
fn read_store(path: &Path, last: usize) -> Result<StoreView, Failure> {
    if !path.exists() {
        return Ok((Vec::new(), Vec::new(), Vec::new()));
    }
    let conn = rusqlite::Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Failure::runtime(eyre::eyre!("state database {}: {e}", path.display())))?;
    crate::store::read_only_view(&conn, last).map_err(Failure::runtime)
}

fn share_price(value: U256, shares: U256) -> Option<String> {
    if shares.is_zero() {
        return None;
    }
    il_math::mul_div(value, crate::policy::WAD, shares, il_math::Rounding::Floor)
        .ok()
        .map(|v| v.to_string())
}

fn build(s: &Snapshot, store: StoreView, programs: Lifetimes) -> Status {
    let (estimates, decisions, transactions) = store;
    let i = |v: I256| v.to_string();
    Status {
        block: s.block,
        time: s.time,
        tvl: s.accounting.value.to_string(),
        shares: s.vault_supply.to_string(),
        share_price: share_price(s.accounting.value, s.vault_supply),
        hold: s.accounting.hold.to_string(),
        pnl: i(s.accounting.pnl),
        il: i(s.accounting.il),
        fees: i(s.accounting.fees),
        hedge_pnl: i(s.accounting.hedge_pnl),
        hedge_size: i(s.hedge_size),
        hedge_collateral: s.hedge_collateral.to_string(),
        hedge_equity: i(s.hedge_equity),
        tier_index: s.manager.tier_index,
        tier_fee_pips: s
            .tiers
            .get(usize::from(s.manager.tier_index))
            .map(|t| t.fee_pips),
        pool_fee_pips: s.fee_pips,
        chain_sigma_wad: s.manager.sigma.to_string(),
        chain_sigma_at: s.manager.sigma_updated_at,
        lp_bps: s.lp_bps().unwrap_or(0),
        price: format!("{}/{}", s.price.num, s.price.den),
        deviation_bps: s.deviation_bps,
        paused: s.paused,
        range: range_status(s),
        estimates,
        decisions,
        transactions,
        programs,
    }
}

fn print_programs(l: &Lifetimes) {
    for p in &l.programs {
        let state = match &p.life {
            #[allow(clippy::cast_precision_loss)]
            Life::Active { secs_left } => format!(
                "{:.1} days left (expires at {})",
                *secs_left as f64 / DAY as f64,
                l.time.saturating_add(*secs_left)
            ),
            _ => p.describe(l.time, l.expiry_secs),
        };
        println!("program      {:<10} {} {state}", p.name, p.address);
    }
}

fn print_text(st: &Status) {
    let pct = |bps: u64| format_fixed(false, U256::from(bps), 2);
    println!("block        {} (time {})", st.block, st.time);
    println!(
        "TVL          {} token1 raw{}",
        st.tvl,
        if st.paused { " (PAUSED)" } else { "" }
    );
    println!(
        "shares       {} (value per 1e18 shares: {})",
        st.shares,
        st.share_price.as_deref().unwrap_or("-")
    );
    println!("hold value   {}", st.hold);
    println!(
        "PnL vs hold  {} = IL {} + fees {} + hedge {}",
        st.pnl, st.il, st.fees, st.hedge_pnl
    );
    println!(
        "hedge        size {} token0 raw, collateral {}, equity {}",
        st.hedge_size, st.hedge_collateral, st.hedge_equity
    );
    println!(
        "fee tier     {} ({} pips), pool fee {} pips; chain sigma {} WAD at {}",
        st.tier_index,
        st.tier_fee_pips
            .map_or_else(|| "-".into(), |f| f.to_string()),
        st.pool_fee_pips,
        st.chain_sigma_wad,
        st.chain_sigma_at
    );
    println!(
        "LP share     {} %; oracle price {} (pool deviates {} bps)",
        pct(u64::from(st.lp_bps)),
        st.price,
        st.deviation_bps
    );
    let r = &st.range;
    let place = match r.oracle_tick {
        Some(t) if r.in_range => format!("oracle tick {t}, in range"),
        Some(t) => format!("oracle tick {t}, OUT OF RANGE (no fees, one token)"),
        None => "oracle tick unknown".into(),
    };
    let rule = r.rule.map_or_else(
        || "no range rule".to_string(),
        |k| {
            format!(
                "rule k {} bps, horizon {} s, width {}..{} ticks, last re-range at {}",
                k.k_bps, k.horizon_secs, k.min_width, k.max_width, k.last_rerange
            )
        },
    );
    println!(
        "range        [{}, {}){}; {place}; {rule}",
        r.lower,
        r.upper,
        if r.full_range { " (full range)" } else { "" }
    );
    if st.estimates.is_empty() {
        println!("volatility   no estimate in the store yet");
    }
    for e in &st.estimates {
        println!(
            "volatility   {:.4} ({}, {} returns) at {}{}",
            e.sigma,
            e.estimator,
            e.returns,
            e.time,
            e.fallback
                .as_ref()
                .map_or_else(String::new, |f| format!(" [{f}]"))
        );
    }
    if st.transactions.is_empty() {
        println!("actions      none recorded");
    }
    for t in &st.transactions {
        println!(
            "action       {} nonce {} {} {}{}",
            t.rule,
            t.nonce,
            t.status.as_str(),
            t.hash,
            t.block
                .map_or_else(String::new, |b| format!(" (block {b})"))
        );
    }
    for d in &st.decisions {
        println!("decision     {} {} at {}", d.rule, d.action, d.time);
    }
    print_programs(&st.programs);
}

impl StatusArgs {
    /// Prints the status.
    ///
    /// # Errors
    /// [`Failure`]: configuration (2), RPC or store (1).
    pub fn run(self, g: &Globals) -> Result<(), Failure> {
        // Read-only: the key is never loaded, so status works from any shell
        // (the keeper's key variable need not be set, its keystore not unlocked).
        let mut cfg = Config::load(g.config.as_deref(), &self.chain).map_err(Failure::input)?;
        cfg.keeper.key = None;
        let client = Client::from_config(&cfg).map_err(Failure::input)?;
        let rt = runtime()?;
        let chain_failure = |e: crate::chain::ChainError| {
            if e.is_input() {
                Failure::input(e)
            } else {
                Failure::runtime(e)
            }
        };
        let programs = rt
            .block_on(client.lifetimes(&cfg.contracts.named()))
            .map_err(chain_failure)?;
        let margin = cfg.keeper.keepalive_margin_days;
        if let Some(w) = programs.warning(margin) {
            tracing::warn!("{w}");
        }
        let stopped: Vec<String> = programs
            .programs
            .iter()
            .filter(|p| !matches!(p.life, Life::Active { .. }))
            .map(|p| p.describe(programs.time, programs.expiry_secs))
            .collect();
        if !stopped.is_empty() {
            // the vault cannot be read through programs that do not run
            if !g.json {
                print_programs(&programs);
            }
            return Err(Failure::runtime(eyre::eyre!(
                "the vault cannot be read until its programs are renewed: {}",
                stopped.join("; ")
            )));
        }
        let snap = rt.block_on(client.snapshot()).map_err(chain_failure)?;
        let st = build(&snap, read_store(&cfg.keeper.state, self.last)?, programs);
        if g.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&st).map_err(|e| Failure::runtime(eyre::eyre!(e)))?
            );
        } else {
            print_text(&st);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_price_is_value_per_wad_of_shares() {
        let wad = U256::from(10u64.pow(18));
        assert_eq!(share_price(U256::from(3u8), U256::ZERO), None);
        assert_eq!(
            share_price(U256::from(2_000u32) * wad, U256::from(1_000u32) * wad).as_deref(),
            Some("2000000000000000000")
        );
    }
}
