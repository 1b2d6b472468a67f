//! `il-keeper backtest`: replay the keeper's policy and the strategies it is
//! measured against over a price path (issue 6).
//!
//! Price source: `--prices FILE.csv`, or `--synthetic gbm|merton` with its
//! parameters, or, with neither, the embedded default path (GBM, 80 %/yr,
//! one year hourly, seed 42), so the command works on a fresh machine.
//! The keeper's `[volatility]` and `[policy]` come from the config file, the
//! same ones `tick` uses.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use alloy_primitives::U256;
use eyre::WrapErr;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::backtest::engine::{
    self, BacktestParams, GasParams, HedgeParams, RangeParams, SimVault, StrangleSetup,
    StrategyKind,
};
use crate::backtest::prices::{self, Model, PricePath, Synthetic};
use crate::backtest::{plot, report};
use crate::cli::{Failure, Globals};
use crate::config::{ChainArgs, Config};
use crate::decimal::parse_decimal;
use crate::exact::Tier;
use crate::vol::Estimator;

/// Arguments of `backtest`.
#[derive(Debug, Clone, clap::Args)]
#[allow(clippy::struct_excessive_bools)]
pub struct BacktestArgs {
    /// CSV price file: a timestamp column and a close column (OHLC allowed).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "synthetic",
        help_heading = "Price source"
    )]
    pub prices: Option<PathBuf>,
    /// Synthetic path model (default when no --prices: gbm with the defaults below).
    #[arg(long, value_enum, help_heading = "Price source")]
    pub synthetic: Option<Model>,
    /// Synthetic: annualised volatility.
    #[arg(long, default_value_t = 0.8, help_heading = "Price source")]
    pub sigma: f64,
    /// Synthetic: annual drift of the price.
    #[arg(
        long,
        default_value_t = 0.0,
        allow_hyphen_values = true,
        help_heading = "Price source"
    )]
    pub drift: f64,
    /// Synthetic: length in days.
    #[arg(long, default_value_t = 365, help_heading = "Price source")]
    pub days: u32,
    /// Synthetic: steps per day (must divide 86400).
    #[arg(long, default_value_t = 24, help_heading = "Price source")]
    pub steps_per_day: u32,
    /// Synthetic: seed (same seed, same path, to the last digit).
    #[arg(long, default_value_t = 42, help_heading = "Price source")]
    pub seed: u64,
    /// Synthetic: first price.
    #[arg(long, default_value_t = 2000.0, help_heading = "Price source")]
    pub start_price: f64,
    /// Merton: expected jumps per year.
    #[arg(long, default_value_t = 12.0, help_heading = "Price source")]
    pub jump_intensity: f64,
    /// Merton: mean log jump.
    #[arg(long, default_value_t = -0.03, allow_hyphen_values = true, help_heading = "Price source")]
    pub jump_mean: f64,
    /// Merton: standard deviation of the log jump.
    #[arg(long, default_value_t = 0.08, help_heading = "Price source")]
    pub jump_sd: f64,

    /// Starting capital, token1 (half is swapped into token0 at the first price).
    #[arg(long, default_value_t = 1_000_000.0, help_heading = "Market")]
    pub capital: f64,
    /// Fee of the fixed-fee LP strategies, pips (3000 = 30 bps).
    #[arg(long, default_value_t = 3_000, help_heading = "Market")]
    pub fee_pips: u32,
    /// Uninformed volume per day as a fraction of pool value (an assumption:
    /// set it to your pool's observed volume / TVL).
    #[arg(long, default_value_t = 0.2, help_heading = "Market")]
    pub noise_turnover: f64,
    /// Uninformed volume scales as (fee / --fee-pips)^-elasticity: 1 keeps
    /// its fee revenue independent of the fee level (neutral), 0 lets volume
    /// ignore the fee (flatters high tiers).
    #[arg(long, default_value_t = 1.0, help_heading = "Market")]
    pub noise_elasticity: f64,

    /// LP+hedge: short this fraction (bps) of the LP's token0.
    #[arg(long, default_value_t = 10_000, help_heading = "Hedge")]
    pub hedge_ratio_bps: u32,
    /// LP+hedge: rehedge when off target by more than this (bps of target).
    #[arg(long, default_value_t = 100, help_heading = "Hedge")]
    pub hedge_band_bps: u32,
    /// Hedge venue fee on traded notional, bps.
    #[arg(long, default_value_t = 5.0, help_heading = "Hedge")]
    pub venue_fee_bps: f64,
    /// Funding the short pays per year on its notional (negative: receives).
    #[arg(
        long,
        default_value_t = 0.0,
        allow_hyphen_values = true,
        help_heading = "Hedge"
    )]
    pub funding_apr: f64,

    /// Strangle interval lower end, as a multiple of the first price.
    #[arg(long, default_value_t = 0.5, help_heading = "Strangle")]
    pub strangle_lower: f64,
    /// Strangle interval upper end, multiple of the first price.
    #[arg(long, default_value_t = 2.0, help_heading = "Strangle")]
    pub strangle_upper: f64,
    /// Put strike, multiple of the first price.
    #[arg(long, default_value_t = 0.8, help_heading = "Strangle")]
    pub put_strike: f64,
    /// Call strike, multiple of the first price.
    #[arg(long, default_value_t = 1.25, help_heading = "Strangle")]
    pub call_strike: f64,
    /// Put premium per token0, token1 (default: Black-Scholes).
    #[arg(long, requires = "call_premium", help_heading = "Strangle")]
    pub put_premium: Option<f64>,
    /// Call premium per token0, token1 (default: Black-Scholes).
    #[arg(long, requires = "put_premium", help_heading = "Strangle")]
    pub call_premium: Option<f64>,
    /// Volatility for Black-Scholes premiums (default: the synthetic sigma,
    /// or the path's realised volatility, flagged as look-ahead).
    #[arg(long, help_heading = "Strangle")]
    pub strangle_sigma: Option<f64>,
    /// Pool return over the horizon in the sizing (default: the fee return of
    /// the uninformed volume: turnover x fee x days).
    #[arg(long, allow_hyphen_values = true, help_heading = "Strangle")]
    pub pool_return: Option<f64>,

    /// Keeper tick interval (e.g. 1h, 15m, 1d).
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration, help_heading = "Keeper")]
    pub tick: Duration,
    /// Volatility estimator (default: the config's `[volatility]` section).
    #[arg(long, value_enum, help_heading = "Keeper")]
    pub estimator: Option<Estimator>,
    /// Fee tiers as SIGMA:PIPS,... from calm to wild (first sigma 0).
    #[arg(
        long,
        default_value = "0:500,0.5:3000,1.0:10000",
        help_heading = "Simulated vault"
    )]
    pub tiers: String,
    /// Tier hysteresis (annualised sigma).
    #[arg(long, default_value = "0.1", help_heading = "Simulated vault")]
    pub hysteresis: String,
    /// Tier in force at the start (index).
    #[arg(long, default_value_t = 1, help_heading = "Simulated vault")]
    pub initial_tier: usize,
    /// Vault hedge ratio, bps of the LP's token0.
    #[arg(long, default_value_t = 10_000, help_heading = "Simulated vault")]
    pub vault_hedge_ratio_bps: u32,
    /// Lowest LP fraction a de-risk may reach, bps.
    #[arg(long, default_value_t = 2_000, help_heading = "Simulated vault")]
    pub min_lp_bps: u32,
    /// Highest LP fraction, bps.
    #[arg(long, default_value_t = 10_000, help_heading = "Simulated vault")]
    pub max_lp_bps: u32,
    /// Most one rebalance may move, bps.
    #[arg(long, default_value_t = 2_500, help_heading = "Simulated vault")]
    pub max_step_bps: u32,
    /// Spot-vs-oracle bound, bps.
    #[arg(long, default_value_t = 200, help_heading = "Simulated vault")]
    pub max_deviation_bps: u32,
    /// Cooldown between fee-tier updates.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration, help_heading = "Simulated vault")]
    pub tier_cooldown: Duration,
    /// Cooldown between rebalances.
    #[arg(long, default_value = "6h", value_parser = humantime::parse_duration, help_heading = "Simulated vault")]
    pub rebalance_cooldown: Duration,
    /// Cooldown between hedges.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration, help_heading = "Simulated vault")]
    pub hedge_cooldown: Duration,
    /// The pool's tick spacing (the vault's position is its full range).
    #[arg(long, default_value_t = 60, help_heading = "Simulated vault")]
    pub tick_spacing: i32,
    /// Window of the observed fee rate and turnover.
    #[arg(long, default_value = "7d", value_parser = humantime::parse_duration, help_heading = "Simulated vault")]
    pub fee_window: Duration,

    /// Gas price, gwei.
    #[arg(long, default_value_t = 0.02, help_heading = "Gas")]
    pub gas_price_gwei: f64,
    /// Token1 per native gas token (default: the pool price, token0 = ETH).
    #[arg(long, help_heading = "Gas")]
    pub native_price: Option<f64>,
    /// Gas per updateVolatility (estimate; tick measures with eth_estimateGas).
    #[arg(long, default_value_t = 150_000, help_heading = "Gas")]
    pub gas_tier: u64,
    /// Gas per rebalance (estimate).
    #[arg(long, default_value_t = 600_000, help_heading = "Gas")]
    pub gas_rebalance: u64,
    /// Gas per hedge (estimate).
    #[arg(long, default_value_t = 400_000, help_heading = "Gas")]
    pub gas_hedge: u64,
    /// Gas per re-range of a concentrated position (estimate).
    #[arg(long, default_value_t = 500_000, help_heading = "Gas")]
    pub gas_rerange: u64,

    /// LP range: width multiples k (a range of +/- k sigma sqrt(horizon)
    /// around the oracle price), one strategy row each.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,2,4",
        help_heading = "Ranges"
    )]
    pub range_k: Vec<f64>,
    /// LP range: the horizon of the width.
    #[arg(long, default_value = "7d", value_parser = humantime::parse_duration, help_heading = "Ranges")]
    pub range_horizon: Duration,
    /// LP range: narrowest range, ticks (a multiple of the tick spacing).
    #[arg(long, default_value_t = 600, help_heading = "Ranges")]
    pub range_min_width: i32,
    /// LP range: widest range, ticks (default: the whole usable span).
    #[arg(long, help_heading = "Ranges")]
    pub range_max_width: Option<i32>,
    /// LP range: re-range with a swap in the pool (paying its fee) to the
    /// new range's token ratio, instead of leaving what it cannot take idle.
    #[arg(long, help_heading = "Ranges")]
    pub range_swap: bool,

    /// Strategies to run (hold always runs).
    #[arg(long, value_enum, value_delimiter = ',', help_heading = "Output")]
    pub strategies: Vec<StrategyKind>,
    /// Write the per-strategy results as CSV.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub csv: Option<PathBuf>,
    /// Write charts (PNG and SVG) and their data (series.csv) into DIR.
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub plot: Option<PathBuf>,
    /// Write every keeper action as one JSON line.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub decisions: Option<PathBuf>,
    /// Points per chart series.
    #[arg(long, default_value_t = 1_000, help_heading = "Output")]
    pub chart_points: usize,
    /// No progress bar.
    #[arg(long, short, help_heading = "Output")]
    pub quiet: bool,
}

fn parse_tiers(text: &str) -> Result<Vec<Tier>, Failure> {
    text.split(',')
        .map(|item| {
            let (sigma, pips) = item.split_once(':').ok_or_else(|| {
                Failure::input(eyre::eyre!("--tiers: {item:?} is not SIGMA:PIPS"))
            })?;
            let min_sigma_wad = parse_decimal(sigma)
                .and_then(|d| d.to_wad())
                .wrap_err_with(|| format!("--tiers {item:?}"))
                .map_err(Failure::input)?;
            let fee_pips = pips
                .trim()
                .parse::<u32>()
                .wrap_err_with(|| format!("--tiers {item:?}: fee"))
                .map_err(Failure::input)?;
            Ok(Tier {
                min_sigma_wad,
                fee_pips,
            })
        })
        .collect()
}

fn secs(d: Duration) -> u64 {
    d.as_secs()
}

impl BacktestArgs {
    /// The price path the flags select.
    ///
    /// # Errors
    /// [`Failure::input`] for a missing or malformed file or bad synthetic
    /// parameters.
    pub fn path(&self) -> Result<PricePath, Failure> {
        if let Some(file) = &self.prices {
            // A missing or unreadable price file is the caller's input, like
            // a missing explicit config file: exit 2.
            return prices::read_csv(file).map_err(Failure::input);
        }
        let synthetic = Synthetic {
            model: self.synthetic.unwrap_or(Model::Gbm),
            sigma: self.sigma,
            drift: self.drift,
            days: self.days,
            steps_per_day: self.steps_per_day,
            seed: self.seed,
            start_price: self.start_price,
            jump_intensity: self.jump_intensity,
            jump_mean: self.jump_mean,
            jump_sd: self.jump_sd,
        };
        prices::generate(&synthetic).map_err(Failure::input)
    }

    /// The engine parameters the flags and the config select.
    ///
    /// # Errors
    /// [`Failure::input`] for malformed tiers or hysteresis.
    pub fn params(&self, cfg: &Config, path: &PricePath) -> Result<BacktestParams, Failure> {
        let tiers = parse_tiers(&self.tiers)?;
        let hysteresis_wad: U256 = parse_decimal(&self.hysteresis)
            .and_then(|d| d.to_wad())
            .wrap_err("--hysteresis")
            .map_err(Failure::input)?;
        let mut vol = cfg.volatility;
        if let Some(e) = self.estimator {
            vol.estimator = e;
        }
        let strategies = if self.strategies.is_empty() {
            StrategyKind::ALL.to_vec()
        } else {
            self.strategies.clone()
        };
        let years = path.spacing().years;
        // Default pool return: the fee income of the uninformed volume over the
        // horizon (turnover x fee x days), the part of the return the LP can
        // count on regardless of the path.
        let pool_return = self
            .pool_return
            .unwrap_or(self.noise_turnover * f64::from(self.fee_pips) / 1e6 * years * 365.0);
        Ok(BacktestParams {
            capital: self.capital,
            fee_pips: self.fee_pips,
            noise_turnover_per_day: self.noise_turnover,
            noise_fee_elasticity: self.noise_elasticity,
            hedge: HedgeParams {
                ratio_bps: self.hedge_ratio_bps,
                band_bps: self.hedge_band_bps,
                venue_fee_bps: self.venue_fee_bps,
                funding_apr: self.funding_apr,
            },
            strangle: StrangleSetup {
                lower: self.strangle_lower,
                upper: self.strangle_upper,
                put_strike: self.put_strike,
                call_strike: self.call_strike,
                premiums: self.put_premium.zip(self.call_premium),
                sigma: self.strangle_sigma,
                pool_return,
            },
            tick_secs: secs(self.tick),
            vol,
            policy: cfg.policy.clone(),
            vault: SimVault {
                tiers,
                initial_tier: self.initial_tier,
                hysteresis_wad,
                hedge_ratio_bps: self.vault_hedge_ratio_bps,
                min_lp_bps: self.min_lp_bps,
                max_lp_bps: self.max_lp_bps,
                max_step_bps: self.max_step_bps,
                max_deviation_bps: self.max_deviation_bps,
                tier_cooldown_secs: secs(self.tier_cooldown),
                rebalance_cooldown_secs: secs(self.rebalance_cooldown),
                hedge_cooldown_secs: secs(self.hedge_cooldown),
                tick_spacing: self.tick_spacing,
            },
            gas: GasParams {
                price_gwei: self.gas_price_gwei,
                native_price: self.native_price,
                fee_tier: self.gas_tier,
                rebalance: self.gas_rebalance,
                hedge: self.gas_hedge,
                rerange: self.gas_rerange,
            },
            range: RangeParams {
                ks_bps: self
                    .range_k
                    .iter()
                    .map(|&k| {
                        let bps = (k * 1e4).round();
                        if k.is_finite()
                            && bps >= 1.0
                            && bps <= f64::from(il_math::range::MAX_K_BPS)
                        {
                            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                            Ok(bps as u32)
                        } else {
                            Err(Failure::input(eyre::eyre!(
                                "--range-k {k}: must be between 0.0001 and {}",
                                il_math::range::MAX_K_BPS / 10_000
                            )))
                        }
                    })
                    .collect::<Result<_, _>>()?,
                horizon_secs: secs(self.range_horizon),
                min_width: self.range_min_width,
                max_width: self.range_max_width,
                swap: self.range_swap,
            },
            fee_window_secs: secs(self.fee_window),
            chart_points: self.chart_points,
            strategies,
        })
    }

    /// Runs the backtest and writes the report (table or `--json` on stdout;
    /// `--csv`, `--plot`, `--decisions` files).
    ///
    /// # Errors
    /// [`Failure::input`] for bad flags, config or price data;
    /// [`Failure::runtime`] when an output file cannot be written.
    pub fn run(self, g: &Globals) -> Result<(), Failure> {
        let cfg =
            Config::load(g.config.as_deref(), &ChainArgs::default()).map_err(Failure::input)?;
        let path = self.path()?;
        let params = self.params(&cfg, &path)?;
        let spacing = path.spacing();
        if spacing.max_gap_seconds > 2.0 * spacing.median_seconds {
            tracing::warn!(
                max_gap_days = spacing.max_gap_seconds / 86_400.0,
                median_days = spacing.median_seconds / 86_400.0,
                "the price path has gaps; returns across them are scaled to the median spacing for volatility"
            );
        }
        let steps = path.close.len() - 1;
        let bar = if self.quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let b = ProgressBar::with_draw_target(Some(steps as u64), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} steps {elapsed}")
            {
                b.set_style(style);
            }
            b
        };
        let started = Instant::now();
        let report = engine::run(&path, &params, &mut |done| bar.set_position(done as u64))
            .map_err(|e| match e {
                engine::BacktestError::Param { .. } => Failure::input(e),
                other => Failure::runtime(other),
            })?;
        bar.finish_and_clear();
        tracing::info!(
            steps,
            elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
            "backtest done"
        );

        if let Some(file) = &self.csv {
            std::fs::write(file, report::csv(&report))
                .wrap_err_with(|| format!("writing {}", file.display()))
                .map_err(Failure::runtime)?;
        }
        if let Some(file) = &self.decisions {
            let lines: String = report
                .keeper_actions
                .iter()
                .map(|d| d.to_log_line() + "\n")
                .collect();
            std::fs::write(file, lines)
                .wrap_err_with(|| format!("writing {}", file.display()))
                .map_err(Failure::runtime)?;
        }
        let mut charts = Vec::new();
        if let Some(dir) = &self.plot {
            charts = plot::write_charts(&report, dir).map_err(Failure::runtime)?;
            let data = dir.join("series.csv");
            std::fs::write(&data, report::series_csv(&report))
                .wrap_err_with(|| format!("writing {}", data.display()))
                .map_err(Failure::runtime)?;
            charts.push(data);
        }
        if g.json {
            let text = serde_json::to_string_pretty(&report)
                .wrap_err("serialising the report")
                .map_err(Failure::runtime)?;
            println!("{text}");
        } else {
            print!("{}", report::table(&report));
            for f in &charts {
                println!("wrote {}", f.display());
            }
        }
        Ok(())
    }
}
