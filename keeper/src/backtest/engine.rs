//! The backtest engine: one pass over a price path, every strategy side by
//! side from the same starting capital.
//!
//! Strategies (see [`StrategyKind`]): hold; LP at a fixed fee; LP with
//! dynamic fee tiers; LP with a band delta hedge; LP with the Proposition 4.1
//! long strangle; concentrated LP re-ranged by the keeper's range rule (one
//! row per width multiple `k`: the contract's
//! [`il_math::range::RangeRule`] places the range, [`crate::policy::rerange_due`]
//! says when); LP run by the keeper's full policy ([`crate::policy::decide`]
//! at the keeper's tick interval, tiers + de-risk + hedge).
//!
//! Every LP is what the vault holds: a full-range position in a Uniswap v4
//! pool with a dynamic LP fee ([`super::pool`]). Its liquidity never changes
//! with trading; the fees it is paid are tokens it keeps beside the position
//! (the keeper's vault collects them into its idle balance at each of its
//! moves, as the contract does, and never compounds them).
//!
//! Per-step dynamics are `f64` (see [`super::pool`] for why); exact values
//! come from il-math where decisions are made (tier selection, LVR, the
//! policy and its inputs, the keeper's rebalance plans with
//! `il_math::vault::plan_rebalance`, strangle sizing) and where final values
//! are reported ([`StrategyResult::final_lp_value_exact`]: the vault's
//! `il_math::vault::lp_value` of the position's liquidity at the last price).
//! A position's liquidity is constant between its own moves, so a fixed LP's
//! exact final value depends on the last price only, whatever the path; a
//! fee-less one's float value matches it within 1e-12.

use alloy_primitives::{I256, U256};
use il_math::vault::{Holdings, PoolState};
use serde::Serialize;

use super::options;
use super::pool::Pool;
use super::pool::RangeLp;
use super::prices::PricePath;
use crate::exact::{self, Price, Tier};
use crate::policy::{
    self, Action, Decision, GasSnapshot, PolicyConfig, PolicyInput, PoolSnapshot, RangeView,
    VaultSnapshot, Waits,
};
use crate::vol::{self, Estimator, Ewma, RollingRealised, VolConfig};
use il_math::range::RangeRule;

const WAD_F: f64 = 1e18;
/// `2^96` as `f64` (Q64.96 sqrt prices).
const Q96_F: f64 = 79_228_162_514_264_337_593_543_950_336.0;

/// Which strategies to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum StrategyKind {
    /// Keep the starting tokens.
    Hold,
    /// LP at the fixed fee, unhedged.
    Lp,
    /// LP whose pool fee follows the tier schedule.
    LpTiers,
    /// LP with a band delta hedge on the perpetual.
    LpHedge,
    /// LP with the Proposition 4.1 long strangle.
    LpStrangle,
    /// Concentrated LP (fixed fee), a range per width multiple, re-ranged
    /// by the keeper's range rule.
    LpRange,
    /// LP run by the keeper's full policy.
    Keeper,
}

impl StrategyKind {
    /// All strategies, in report order.
    pub const ALL: [Self; 7] = [
        Self::Hold,
        Self::Lp,
        Self::LpTiers,
        Self::LpHedge,
        Self::LpStrangle,
        Self::LpRange,
        Self::Keeper,
    ];

    /// Short label for tables and charts.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Hold => "hold",
            Self::Lp => "LP",
            Self::LpTiers => "LP+tiers",
            Self::LpHedge => "LP+hedge",
            Self::LpStrangle => "LP+strangle",
            Self::LpRange => "LP range",
            Self::Keeper => "keeper",
        }
    }
}

/// The delta hedge of the `LpHedge` strategy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HedgeParams {
    /// Short `ratio_bps / 1e4 x` the LP's token0 at fair reserves.
    pub ratio_bps: u32,
    /// Rehedge when the short is off target by more than this, bps of target.
    pub band_bps: u32,
    /// Venue fee on traded notional, bps.
    pub venue_fee_bps: f64,
    /// Funding the short pays per year on its notional (negative: receives).
    pub funding_apr: f64,
}

/// The strangle of the `LpStrangle` strategy. Prices are multiples of the
/// first price.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StrangleSetup {
    /// Lower end of the protected interval, x P0.
    pub lower: f64,
    /// Upper end, x P0.
    pub upper: f64,
    /// Put strike, x P0.
    pub put_strike: f64,
    /// Call strike, x P0.
    pub call_strike: f64,
    /// Premiums per unit (put, call) in token1; `None`: Black-Scholes.
    pub premiums: Option<(f64, f64)>,
    /// Volatility for Black-Scholes premiums; `None`: the synthetic path's
    /// sigma if known, else the realised volatility of the whole path
    /// (look-ahead, flagged in the report).
    pub sigma: Option<f64>,
    /// Pool return over the horizon assumed in the sizing (fraction).
    pub pool_return: f64,
}

/// The concentrated strategies: one range per `k`, all with the same
/// horizon and width bounds (the owner's settings of the contract's rule).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangeParams {
    /// Width multiples `k`, bps (20,000 = 2): one strategy row each.
    pub ks_bps: Vec<u32>,
    /// Horizon of the width, seconds.
    pub horizon_secs: u64,
    /// Narrowest range, ticks (a multiple of the spacing).
    pub min_width: i32,
    /// Widest range, ticks; `None`: the whole usable span (the rule may
    /// reach the full range).
    pub max_width: Option<i32>,
    /// Re-range with a swap in the pool (at its fee) to the new range's
    /// token ratio, instead of leaving what the range cannot take idle.
    pub swap: bool,
}

impl RangeParams {
    /// The contract's rule for width multiple `k_bps` on `spacing`.
    ///
    /// # Errors
    /// [`BacktestError::Param`] for a bad spacing or rule.
    pub fn rule(&self, k_bps: u32, spacing: i32) -> Result<RangeRule, BacktestError> {
        let (lo, hi) = il_math::v4::full_range_ticks(spacing)
            .map_err(|e| param("tick-spacing", e.to_string()))?;
        let rule = RangeRule {
            k_bps,
            horizon_secs: self.horizon_secs,
            min_width: self.min_width,
            max_width: self.max_width.unwrap_or(hi - lo),
        };
        rule.validate(spacing).map_err(|_| {
            param(
                "range-k/horizon/min-width/max-width",
                format!(
                    "need 0 < k <= {}, 0 < horizon <= 365d, widths multiples of the spacing {spacing} with spacing <= min <= max <= {}; got k {} bps, horizon {} s, widths {}..{}",
                    il_math::range::MAX_K_BPS,
                    hi - lo,
                    rule.k_bps,
                    rule.horizon_secs,
                    rule.min_width,
                    rule.max_width
                ),
            )
        })?;
        Ok(rule)
    }
}

/// The simulated vault: the contract parameters the keeper works within.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimVault {
    /// Tier table.
    pub tiers: Vec<Tier>,
    /// Tier in force at the start.
    pub initial_tier: usize,
    /// Hysteresis of the schedule, WAD of sigma.
    #[serde(with = "crate::policy::dec")]
    pub hysteresis_wad: U256,
    /// Hedge ratio, bps.
    pub hedge_ratio_bps: u32,
    /// LP fraction range and step, bps.
    pub min_lp_bps: u32,
    /// Upper end.
    pub max_lp_bps: u32,
    /// Most one rebalance moves.
    pub max_step_bps: u32,
    /// Spot-vs-oracle bound, bps.
    pub max_deviation_bps: u32,
    /// Cooldowns (seconds).
    pub tier_cooldown_secs: u64,
    /// Rebalance cooldown.
    pub rebalance_cooldown_secs: u64,
    /// Hedge cooldown.
    pub hedge_cooldown_secs: u64,
    /// The pool's tick spacing: the vault's full range is
    /// `il_math::v4::full_range_ticks(tick_spacing)`.
    pub tick_spacing: i32,
}

/// Gas model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GasParams {
    /// Gas price, gwei.
    pub price_gwei: f64,
    /// Token1 per native token; `None`: the pool price (token0 is the gas
    /// token, as ETH in ETH/USDC).
    pub native_price: Option<f64>,
    /// Gas per `updateVolatility`.
    pub fee_tier: u64,
    /// Gas per `rebalance`.
    pub rebalance: u64,
    /// Gas per `hedge`.
    pub hedge: u64,
    /// Gas per re-range (burn, collect, mint).
    pub rerange: u64,
}

/// Everything a backtest run needs besides the path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestParams {
    /// Starting capital, token1 (split half/half into the two tokens).
    pub capital: f64,
    /// Fee of the fixed-fee pool, pips.
    pub fee_pips: u32,
    /// Uninformed volume per day as a fraction of pool value.
    pub noise_turnover_per_day: f64,
    /// Volume scales as `(fee / fee_pips)^-elasticity` when the fee changes.
    pub noise_fee_elasticity: f64,
    /// The hedge strategy.
    pub hedge: HedgeParams,
    /// The strangle strategy.
    pub strangle: StrangleSetup,
    /// Keeper tick interval, seconds.
    pub tick_secs: u64,
    /// Volatility estimator the keeper and tier strategies use.
    pub vol: VolConfig,
    /// The keeper's policy settings.
    pub policy: PolicyConfig,
    /// The simulated contract.
    pub vault: SimVault,
    /// The concentrated strategies.
    pub range: RangeParams,
    /// Gas.
    pub gas: GasParams,
    /// Window of the observed fee rate and turnover, seconds.
    pub fee_window_secs: u64,
    /// Points per chart series.
    pub chart_points: usize,
    /// Strategies to run (hold always runs: it is the benchmark).
    pub strategies: Vec<StrategyKind>,
}

/// A problem with the parameters.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BacktestError {
    /// A parameter out of its domain.
    #[error("{name}: {reason}")]
    Param {
        /// Flag name.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The policy rejected a snapshot (a bug, reported rather than hidden).
    #[error("policy: {0}")]
    Policy(#[from] policy::PolicyError),
    /// An exact computation failed.
    #[error("exact math: {0}")]
    Math(String),
}

fn param(name: &'static str, reason: impl Into<String>) -> BacktestError {
    BacktestError::Param {
        name,
        reason: reason.into(),
    }
}

impl BacktestParams {
    /// Checks every parameter's domain.
    ///
    /// # Errors
    /// [`BacktestError::Param`] naming the first bad one.
    pub fn validate(&self) -> Result<(), BacktestError> {
        let pos = |name, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(param(name, format!("must be positive, got {v}")))
            }
        };
        let nonneg = |name, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(param(name, format!("must be >= 0, got {v}")))
            }
        };
        pos("capital", self.capital)?;
        if self.fee_pips >= 1_000_000 {
            return Err(param("fee-pips", "must be below 1,000,000 (100 %)"));
        }
        nonneg("noise-turnover", self.noise_turnover_per_day)?;
        nonneg("noise-elasticity", self.noise_fee_elasticity)?;
        nonneg("venue-fee-bps", self.hedge.venue_fee_bps)?;
        if !self.hedge.funding_apr.is_finite() {
            return Err(param("funding-apr", "must be a number"));
        }
        let s = &self.strangle;
        for (n, v) in [
            ("strangle-lower", s.lower),
            ("strangle-upper", s.upper),
            ("put-strike", s.put_strike),
            ("call-strike", s.call_strike),
        ] {
            pos(n, v)?;
        }
        if !(s.lower < 1.0 && 1.0 < s.upper) {
            return Err(param(
                "strangle-lower/upper",
                "the interval must contain the first price (lower < 1 < upper)",
            ));
        }
        if let Some((p, c)) = s.premiums {
            nonneg("put-premium", p)?;
            nonneg("call-premium", c)?;
        }
        if let Some(v) = s.sigma {
            pos("strangle-sigma", v)?;
        }
        if self.tick_secs == 0 {
            return Err(param("tick", "must be at least one second"));
        }
        if self.fee_window_secs == 0 {
            return Err(param("fee-window", "must be at least one second"));
        }
        if self.chart_points < 2 {
            return Err(param("chart-points", "must be at least 2"));
        }
        nonneg("gas-price-gwei", self.gas.price_gwei)?;
        if let Some(p) = self.gas.native_price {
            pos("native-price", p)?;
        }
        let v = &self.vault;
        exact::validate_tiers(&v.tiers).map_err(|e| param("tiers", e.to_string()))?;
        if v.initial_tier >= v.tiers.len() {
            return Err(param(
                "initial-tier",
                format!("{} outside a table of {}", v.initial_tier, v.tiers.len()),
            ));
        }
        if v.min_lp_bps > v.max_lp_bps || v.max_lp_bps > 10_000 {
            return Err(param("min/max-lp-bps", "need min <= max <= 10000"));
        }
        if v.max_step_bps == 0 {
            return Err(param("max-step-bps", "must be positive"));
        }
        if v.hedge_ratio_bps > 10_000 {
            return Err(param("vault-hedge-ratio-bps", "must be at most 10000"));
        }
        il_math::v4::full_range_ticks(v.tick_spacing)
            .map_err(|e| param("tick-spacing", format!("{}: {e}", v.tick_spacing)))?;
        if self.strategies.contains(&StrategyKind::LpRange) && self.range.ks_bps.is_empty() {
            return Err(param(
                "range-k",
                "the LP range strategy needs at least one k",
            ));
        }
        for &k in &self.range.ks_bps {
            self.range.rule(k, v.tick_spacing)?;
        }
        self.vol
            .validate()
            .map_err(|e| param("volatility", e.to_string()))?;
        self.policy.validate().map_err(|(k, r)| param(k, r))?;
        Ok(())
    }
}

/// Results of one strategy. Money in token1 (whole tokens).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyResult {
    /// Which.
    pub strategy: StrategyKind,
    /// Its name in tables and charts (the kind's label, with `k` for a
    /// range).
    pub label: String,
    /// The width multiple of a range strategy.
    pub range_k: Option<f64>,
    /// The fraction of steps a range strategy's position was in range.
    pub in_range: Option<f64>,
    /// A range strategy's ticks `[lower, upper)` at the end.
    pub range_ticks: Option<(i32, i32)>,
    /// What a range strategy's re-range swaps paid the pool, token1 (inside
    /// `il`, the residual).
    pub swap_cost: Option<f64>,
    /// A range strategy's idle tokens at the end (what its re-ranges could
    /// not put back into a range), token1 at the last price.
    pub idle_value: Option<f64>,
    /// Value at the end.
    pub final_value: f64,
    /// `final_value / capital - 1`.
    pub total_return: f64,
    /// `final_value - hold's final value`.
    pub vs_hold: f64,
    /// Divergence loss: `vs_hold - fee_income - hedge_pnl + gas_cost`
    /// (the residual after fees, hedge and gas; sums exactly).
    pub il: f64,
    /// Swap fees earned, as the vault accounts them: the fee tokens the
    /// pool paid the position (token0 and token1, collected, never
    /// reinvested), valued at the final price.
    pub fee_income: f64,
    /// Hedge PnL net of its costs (perp or options).
    pub hedge_pnl: f64,
    /// Hedge costs inside `hedge_pnl` (venue fees, funding, option premium).
    pub hedge_costs: f64,
    /// Gas paid for keeper actions.
    pub gas_cost: f64,
    /// Keeper transactions (tier changes, rehedges, rebalances).
    pub actions: u64,
    /// Gas units they used.
    pub gas_used: u64,
    /// Largest peak-to-trough fall of value, fraction of the peak.
    pub max_drawdown: f64,
    /// Annualised standard deviation of per-step value changes, fraction of
    /// capital.
    pub pnl_volatility: f64,
    /// The LP position's final value through il-math (token1 raw units,
    /// decimal), when the strategy holds one: `il_math::vault::lp_value` of
    /// its liquidity over its range at the exact last price, as the vault
    /// values it (fees and idle tokens not included).
    pub final_lp_value_exact: Option<String>,
}

/// LVR measured on the path.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LvrReport {
    /// Realised volatility of the path (annualised).
    pub sigma_realised: f64,
    /// `sigma_realised^2 / 8` (il-math `lvr_rate`, per year).
    pub theory_rate: f64,
    /// `sigma^2 / 8` for the sigma a synthetic path was generated with.
    pub theory_rate_model: Option<f64>,
    /// Loss-versus-rebalancing of the fixed-fee LP, gross of fees, per year
    /// as a fraction of its value: `sum((x_{i-1} dP - dV) / V_{i-1}) / T`,
    /// `V` the position's holdings at the reference price (v4 pays the fees
    /// out, so they are not in `V`).
    pub measured_rate_fixed_fee: f64,
    /// The same for a fee-less pool on the same path (converges to theory).
    pub measured_rate_feeless: f64,
    /// Arbitrage fees of the fixed-fee LP per year, fraction of value.
    pub arb_fee_rate: f64,
}

/// Chart data, sampled evenly.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// Days since the start.
    pub days: Vec<f64>,
    /// Reference price.
    pub price: Vec<f64>,
    /// Value per strategy (same order as `strategies`).
    pub values: Vec<Vec<f64>>,
    /// Strategies in `values`.
    pub strategies: Vec<StrategyKind>,
    /// Their labels (a range strategy has one entry per `k`).
    pub labels: Vec<String>,
    /// IL of the unhedged LP excluding fees (fraction of hold).
    pub il_measured: Vec<f64>,
    /// Closed-form IL(P_t / P_0) (fraction), il-math's formula in f64.
    pub il_closed_form: Vec<f64>,
}

/// The strangle actually bought.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrangleReport {
    /// Interval and strikes, token1 per token0.
    pub lower: f64,
    /// Upper end.
    pub upper: f64,
    /// Put strike.
    pub put_strike: f64,
    /// Call strike.
    pub call_strike: f64,
    /// Premiums per unit.
    pub put_premium: f64,
    /// Call premium.
    pub call_premium: f64,
    /// Volatility the premiums were priced at, and where it came from.
    pub premium_sigma: Option<f64>,
    /// `given`, `synthetic`, `option`, or `realised (look-ahead)`.
    pub premium_source: String,
    /// Minimum quantities (il-math) and the balanced quantity bought.
    pub min_put_qty: f64,
    /// Minimum call quantity.
    pub min_call_qty: f64,
    /// Quantity of each leg bought.
    pub qty: f64,
    /// Total premium paid (token1).
    pub cost: f64,
    /// Whether il-math finds the hedged PnL >= 0 over the interval.
    pub covered: bool,
    /// Years to expiry (the path's span).
    pub years: f64,
    /// Pool return assumed in the sizing (fraction over the horizon).
    pub pool_return: f64,
}

/// Everything a run produces.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    /// Path description.
    pub source: String,
    /// Steps (returns) simulated.
    pub steps: usize,
    /// Span in years.
    pub years: f64,
    /// First and last price.
    pub first_price: f64,
    /// Last price.
    pub last_price: f64,
    /// Starting capital.
    pub capital: f64,
    /// Results in [`StrategyKind::ALL`] order (only those run).
    pub strategies: Vec<StrategyResult>,
    /// LVR.
    pub lvr: LvrReport,
    /// The strangle, when run.
    pub strangle: Option<StrangleReport>,
    /// Keeper decisions that acted (the full policy), in order.
    pub keeper_actions: Vec<Decision>,
    /// Keeper decisions skipped by a guard.
    pub keeper_skips: u64,
    /// Volatility estimator the keeper used, and sigma at the end.
    pub final_sigma: Option<f64>,
    /// Chart data.
    #[serde(skip)]
    pub series: Series,
}

/// Running metrics of one value series, O(1) per step with no division on
/// the common path (the hot loop runs them for every strategy every step).
#[derive(Debug, Clone, Copy)]
struct Metrics {
    peak: f64,
    max_dd: f64,
    prev: f64,
    n: u64,
    sum: f64,
    sum_sq: f64,
}

impl Metrics {
    fn new(v0: f64) -> Self {
        Self {
            peak: v0,
            max_dd: 0.0,
            prev: v0,
            n: 0,
            sum: 0.0,
            sum_sq: 0.0,
        }
    }

    #[inline]
    fn push(&mut self, v: f64, inv_capital: f64) {
        if v > self.peak {
            self.peak = v;
        } else if v < self.peak * (1.0 - self.max_dd) {
            // A deeper drawdown than any so far: only now divide.
            self.max_dd = 1.0 - v / self.peak;
        }
        // Per-step changes as a fraction of capital (~1e-3): plain sums are
        // accurate here (the mean is ~1e-6, far from cancelling the squares).
        let d = (v - self.prev) * inv_capital;
        self.prev = v;
        self.n += 1;
        self.sum += d;
        self.sum_sq += d * d;
    }

    fn volatility(&self, steps_per_year: f64) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        #[allow(clippy::cast_precision_loss)]
        let n = self.n as f64;
        let var = ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0);
        (var * steps_per_year).sqrt()
    }
}

/// Book-keeping shared by every strategy.
#[derive(Debug, Clone, Copy, Default)]
struct Book {
    /// Fees earned, token0 and token1 (whole tokens).
    fee0: f64,
    fee1: f64,
    hedge_pnl: f64,
    hedge_costs: f64,
    gas_cost: f64,
    actions: u64,
    gas_used: u64,
}

/// A volatility estimate maintained online.
#[derive(Debug, Clone)]
enum OnlineVol {
    Ewma(Ewma),
    Realised(RollingRealised),
    Garch {
        returns: Vec<f64>,
        fit: Option<vol::GarchParams>,
        var: f64,
        ewma: Ewma,
        last_fit: i64,
    },
}

/// Most returns a GARCH refit looks at (a trailing window: ~3 years of
/// daily data, ~1.4 days of minutes).
const GARCH_WINDOW: usize = 1_000;
/// GARCH refit interval: once a day, variance recursion in between.
const GARCH_REFIT_SECS: i64 = 86_400;

impl OnlineVol {
    fn new(cfg: &VolConfig) -> Result<Self, BacktestError> {
        let e = Ewma::new(cfg.ewma_lambda).map_err(|e| param("volatility", e.to_string()))?;
        Ok(match cfg.estimator {
            Estimator::Ewma => Self::Ewma(e),
            Estimator::Realised => Self::Realised(
                RollingRealised::new(cfg.realised_window)
                    .map_err(|e| param("volatility", e.to_string()))?,
            ),
            Estimator::Garch => Self::Garch {
                returns: Vec::new(),
                fit: None,
                var: 0.0,
                ewma: e,
                last_fit: i64::MIN,
            },
        })
    }

    /// Returns needed before the estimate is used: the EWMA's effective
    /// memory `1 / (1 - lambda)`, the realised window, or the GARCH minimum.
    fn warmup(cfg: &VolConfig) -> usize {
        match cfg.estimator {
            // ceil of a value in (1, 1e6]: fits usize.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Estimator::Ewma => (1.0 / (1.0 - cfg.ewma_lambda)).ceil().min(1e6) as usize,
            Estimator::Realised => cfg.realised_window,
            Estimator::Garch => vol::MIN_GARCH_RETURNS,
        }
    }

    #[inline]
    fn update(&mut self, r: f64, t: i64) {
        match self {
            Self::Ewma(e) => e.update(r),
            Self::Realised(w) => w.update(r),
            Self::Garch {
                returns,
                fit,
                var,
                ewma,
                last_fit,
            } => {
                ewma.update(r);
                if let Some(p) = fit {
                    *var = p.omega + p.alpha * r * r + p.beta * *var;
                }
                returns.push(r);
                if returns.len() > 2 * GARCH_WINDOW {
                    returns.drain(..returns.len() - GARCH_WINDOW);
                }
                if returns.len() >= vol::MIN_GARCH_RETURNS
                    && t.saturating_sub(*last_fit) >= GARCH_REFIT_SECS
                {
                    let tail = &returns[returns.len().saturating_sub(GARCH_WINDOW)..];
                    *last_fit = t;
                    match vol::fit_garch_warm(tail, *fit) {
                        Ok(f) => {
                            *fit = Some(f.params);
                            *var = f.forecast_variance;
                        }
                        Err(_) => *fit = None,
                    }
                }
            }
        }
    }

    /// Sigma and the estimator that produced it (GARCH falls back to EWMA).
    fn sigma(&self, ppy: f64) -> Option<(f64, Estimator)> {
        match self {
            Self::Ewma(e) => e.sigma(ppy).map(|s| (s, Estimator::Ewma)),
            Self::Realised(w) => w.sigma(ppy).map(|s| (s, Estimator::Realised)),
            Self::Garch {
                fit: Some(_), var, ..
            } => Some(((var * ppy).sqrt(), Estimator::Garch)),
            Self::Garch { ewma, .. } => ewma.sigma(ppy).map(|s| (s, Estimator::Ewma)),
        }
    }
}

/// `f64` whole tokens to raw units (18 decimals), rounded to nearest;
/// negative or non-finite values clamp to zero. A liquidity in whole-token
/// units becomes raw liquidity the same way (both tokens have 18 decimals,
/// so `sqrt(x y)` scales by `1e18` too).
fn raw(v: f64) -> U256 {
    let scaled = (v * WAD_F).round();
    if !(scaled.is_finite() && scaled > 0.0) {
        return U256::ZERO;
    }
    if scaled < 3.0e38 {
        // in range: 0 < scaled < 3e38 < u128::MAX.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        return U256::from(scaled as u128);
    }
    exact::Price::from_f64(scaled).map_or(U256::MAX, |p| p.num / p.den.max(U256::from(1u8)))
}

fn raw_signed(v: f64) -> I256 {
    let mag = I256::try_from(raw(v.abs())).unwrap_or(I256::MAX);
    if v < 0.0 { -mag } else { mag }
}

/// The Q64.96 sqrt price of `s = sqrt(P)` (a whole-token price is the raw
/// price: both tokens have 18 decimals), rounded to nearest.
fn sqrt_price_x96(s: f64) -> U256 {
    let scaled = (s * Q96_F).round();
    if (1.0..3.0e38).contains(&scaled) {
        // in range: 1 <= scaled < 3e38 < u128::MAX.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        return U256::from(scaled as u128);
    }
    exact::Price::from_f64(s * s)
        .ok()
        .and_then(|p| p.to_math().ok())
        .map_or(U256::ZERO, |p| p.sqrt_price_x96(il_math::Rounding::Floor))
}

fn math(e: impl std::fmt::Display) -> BacktestError {
    BacktestError::Math(e.to_string())
}

/// The vault's pool as il-math sees it: the sqrt price `s` (float) and the
/// full range `range`.
fn pool_state(s: f64, range: (i32, i32)) -> PoolState {
    PoolState {
        sqrt_price: sqrt_price_x96(s),
        tick_lower: range.0,
        tick_upper: range.1,
    }
}

/// A keeper tick's view of the pool's fee growth, for the observed fee rate.
#[derive(Debug, Clone, Copy)]
struct FeeObs {
    t: i64,
    g0: f64,
    g1: f64,
    volume: f64,
}

/// The full-policy vault: a full-range position, idle tokens (the fees it
/// collected among them), a hedge.
#[derive(Debug, Clone)]
struct KeeperVault {
    pool: Pool,
    /// The position's liquidity (whole-token units: raw / 1e18).
    liquidity: f64,
    idle_x: f64,
    idle_y: f64,
    /// The pool's fee growth when the vault last collected its fees.
    mark0: f64,
    mark1: f64,
    hedge: f64,
    tier: usize,
    last_tier: Option<i64>,
    last_rebalance: Option<i64>,
    last_hedge: Option<i64>,
    /// Directions of the last rebalance and hedge trade
    /// (`il_math::vault::pacing`), paced as the manager paces them.
    rebalance_dir: u8,
    hedge_dir: u8,
    book: Book,
    /// Volume through the pool per unit of liquidity (token1).
    volume: f64,
    history: std::collections::VecDeque<FeeObs>,
}

impl KeeperVault {
    /// The fees the position is owed now: its liquidity times the pool's
    /// fee growth since the last collection (v4's
    /// `(inside - last) * L`, the full range being always in range).
    fn owed(&self) -> (f64, f64) {
        (
            self.liquidity * (self.pool.growth0 - self.mark0),
            self.liquidity * (self.pool.growth1 - self.mark1),
        )
    }

    /// Collects the fees owed into the idle tokens and credits them as fee
    /// income: what the vault does at each of its moves (its checkpoint
    /// touches the position first). Call before the liquidity changes, and
    /// at the end.
    fn collect(&mut self) {
        let (f0, f1) = self.owed();
        self.idle_x += f0;
        self.idle_y += f1;
        self.book.fee0 += f0;
        self.book.fee1 += f1;
        self.mark0 = self.pool.growth0;
        self.mark1 = self.pool.growth1;
    }

    /// The position at fair holdings for the oracle price `p`.
    fn lp_value(&self, p: f64) -> f64 {
        self.liquidity * Pool::fair_value(p)
    }

    fn idle_value(&self, p: f64) -> f64 {
        self.idle_x * p + self.idle_y
    }

    fn owed_value(&self, p: f64) -> f64 {
        let (f0, f1) = self.owed();
        f0 * p + f1
    }

    /// Everything at `p`: the position's holdings at the pool price, the
    /// fees owed, idle tokens, hedge PnL, less gas.
    fn value(&self, p: f64) -> f64 {
        self.liquidity * self.pool.value_at(p)
            + self.owed_value(p)
            + self.idle_value(p)
            + self.book.hedge_pnl
            - self.book.gas_cost
    }
}

/// A concentrated strategy: a range position in the fixed-fee pool, the
/// tokens its re-ranges could not use (idle), and its book. It starts over
/// the full range (as the vault does until its first re-range) and moves
/// when [`policy::rerange_due`] says so, to where the contract's rule puts
/// it ([`RangeRule::base_range`] at the oracle price and sigma). A re-range
/// burns the position into idle, then mints the most liquidity the idle
/// tokens fund in the new range at the pool's price (no swap: what the new
/// range cannot take stays idle, as the vault keeps it); it pays the
/// re-range's gas. Fees are paid out and kept aside, never reinvested.
#[derive(Debug, Clone)]
struct RangeSim {
    rule: RangeRule,
    lp: RangeLp,
    lower: i32,
    upper: i32,
    idle_x: f64,
    idle_y: f64,
    book: Book,
    last: Option<i64>,
    in_range_steps: u64,
    /// What the re-range swaps paid the pool (token1 at the time).
    swap_cost: f64,
}

/// `x / 2^96` as a float (a Q64.96 sqrt price to `sqrt(P)`).
fn from_x96(x: U256) -> f64 {
    let l = x.as_limbs();
    #[allow(clippy::cast_precision_loss)]
    let v = l[0] as f64
        + l[1] as f64 * 18_446_744_073_709_551_616.0
        + l[2] as f64 * 340_282_366_920_938_463_463_374_607_431_768_211_456.0;
    v / Q96_F
}

/// `sqrt(P)` of a tick, from v4's exact sqrt price.
fn sqrt_at_tick(tick: i32) -> Result<f64, BacktestError> {
    il_math::sqrt_price_at_tick(tick)
        .map(from_x96)
        .map_err(math)
}

impl RangeSim {
    fn new(rule: RangeRule, l: f64, full: (i32, i32)) -> Result<Self, BacktestError> {
        Ok(Self {
            rule,
            lp: RangeLp::new(l, sqrt_at_tick(full.0)?, sqrt_at_tick(full.1)?),
            lower: full.0,
            upper: full.1,
            idle_x: 0.0,
            idle_y: 0.0,
            book: Book::default(),
            last: None,
            in_range_steps: 0,
            swap_cost: 0.0,
        })
    }

    /// Everything at `p`: the holdings at pool sqrt price `s`, idle tokens,
    /// the fees paid, less gas.
    fn value(&self, s: f64, p: f64) -> f64 {
        self.lp.value_at(s, p) + self.idle_x * p + self.idle_y + self.lp.fee0 * p + self.lp.fee1
            - self.book.gas_cost
    }

    /// A keeper tick: re-ranges when the rule says so and the contract
    /// would accept (cooldown, spot within the deviation bound, a range
    /// that differs from the current one).
    #[inline(never)]
    fn tick(
        &mut self,
        params: &BacktestParams,
        s: f64,
        p: f64,
        t: i64,
        sigma_wad: U256,
    ) -> Result<(), BacktestError> {
        let spacing = params.vault.tick_spacing;
        let centre = sqrt_price_x96(p.sqrt());
        let target_width = self.rule.width(sigma_wad, spacing).map_err(math)?;
        let tick = il_math::tick_at_sqrt_price(centre).map_err(math)?;
        let gas = gas_value(&params.gas, params.gas.rerange, p);
        let view = RangeView {
            lower: self.lower,
            upper: self.upper,
            tick,
            target_width,
            gas_cost: raw(gas),
            // what a re-range redeploys: the position and the idle tokens
            value: raw(self.lp.value_at(s, p) + self.idle_x * p + self.idle_y),
        };
        if policy::rerange_due(&view, &params.policy).is_none()
            || cooldown_left(self.last, t, params.vault.rebalance_cooldown_secs) > 0
            || (s * s - p).abs() / p * 1e4 > f64::from(params.vault.max_deviation_bps)
        {
            return Ok(());
        }
        let (lower, upper) = self
            .rule
            .base_range(centre, sigma_wad, spacing)
            .map_err(math)?;
        if (lower, upper) == (self.lower, self.upper) {
            return Ok(());
        }
        let (x, y) = self.lp.holdings(s);
        let (ix, iy) = (self.idle_x + x, self.idle_y + y);
        let (sa, sb) = (sqrt_at_tick(lower)?, sqrt_at_tick(upper)?);
        let (mut ix, mut iy) = (ix, iy);
        let l = if params.range.swap {
            // Swap the surplus token at the pool price less its fee so the
            // tokens fit the new range exactly: per unit of liquidity the
            // range holds (ux, uy) at s; selling dx token0 yields
            // dx P (1 - f) token1, buying costs P / (1 - f) each.
            let c = s.clamp(sa, sb);
            let (ux, uy) = (1.0 / c - 1.0 / sb, c - sa);
            let (pp, g) = (s * s, 1.0 - fee_of(params.fee_pips));
            let sell = (iy + ix * pp * g) / (uy + ux * pp * g);
            let (l, cost) = if ix >= sell * ux {
                (sell, (ix - sell * ux) * pp * (1.0 - g))
            } else {
                let buy = (ix + iy * g / pp) / (ux + uy * g / pp);
                (buy, (buy * ux - ix) * pp * (1.0 - g) / g)
            };
            self.swap_cost += cost;
            (ix, iy) = (l * ux, l * uy);
            l
        } else {
            RangeLp::fundable(sa, sb, s, ix, iy)
        };
        let next = RangeLp {
            l,
            sa,
            sb,
            ..self.lp
        };
        let (hx, hy) = next.holdings(s);
        self.idle_x = (ix - hx).max(0.0);
        self.idle_y = (iy - hy).max(0.0);
        self.lp = next;
        self.lower = lower;
        self.upper = upper;
        self.last = Some(t);
        self.book.actions += 1;
        self.book.gas_used += params.gas.rerange;
        self.book.gas_cost += gas;
        Ok(())
    }
}

/// The ranges in the fixed-fee pool after one step: the noise at the old
/// sqrt price `s_before` (the pool's per-unit growth `d`), the arbitrage's
/// flow across their own ranges.
// Out of the per-step loop, as `observed_rates`: the loop optimises better
// small.
#[inline(never)]
fn step_ranges(ranges: &mut [RangeSim], s_before: f64, pool: &Pool, d: (f64, f64)) {
    for r in ranges {
        r.lp.noise(s_before, d.0, d.1);
        r.lp.arbitrage(s_before, pool.y, pool.fee);
        r.in_range_steps += u64::from(r.lp.in_range(pool.y));
    }
}

fn fee_of(pips: u32) -> f64 {
    f64::from(pips) / 1e6
}

fn cooldown_left(last: Option<i64>, now: i64, cooldown: u64) -> u64 {
    match last {
        None => 0,
        Some(t) => {
            let elapsed = u64::try_from(now.saturating_sub(t)).unwrap_or(0);
            cooldown.saturating_sub(elapsed)
        }
    }
}

/// Seconds until a move up and down may follow the last one (at `last`, in
/// direction `dir`), as the manager paces them (`il_math::vault::pacing`).
fn waits(last: Option<i64>, dir: u8, now: i64, cooldown: u64) -> Waits {
    use il_math::vault::pacing::{DOWN, UP, wait};
    let (Some(last), Ok(now)) = (last, u64::try_from(now)) else {
        return Waits::default();
    };
    // a last move at t <= 0 (a path starting at 0) still counts: shift by one
    let last = u64::try_from(last).unwrap_or(0).saturating_add(1);
    let now = now.saturating_add(1);
    Waits {
        up: wait(last, dir, UP, cooldown, now),
        down: wait(last, dir, DOWN, cooldown, now),
    }
}

/// Simulates every requested strategy over `path`. `progress` is called with
/// the number of steps done, every 65,536 steps.
///
/// # Errors
/// [`BacktestError`] for bad parameters, or a policy or exact-math failure.
#[allow(clippy::too_many_lines)]
pub fn run(
    path: &PricePath,
    params: &BacktestParams,
    progress: &mut dyn FnMut(usize),
) -> Result<BacktestReport, BacktestError> {
    params.validate()?;
    let n = path.close.len();
    let steps = n - 1;
    let spacing = path.spacing();
    let dt_med = spacing.median_seconds.max(1.0);
    let ppy = vol::SECONDS_PER_YEAR / dt_med;
    let years = spacing.years;
    let p0 = path.close[0];
    let capital = params.capital;
    let x0 = capital / (2.0 * p0);
    let y0 = capital / 2.0;
    // The liquidity the starting capital buys over the full range at P0:
    // x0 = L / sqrt(P0), y0 = L sqrt(P0).
    let l0 = capital / (2.0 * p0.sqrt());
    let range = il_math::v4::full_range_ticks(params.vault.tick_spacing).map_err(math)?;
    // its sqrt-price bounds, which every keeper tick values the position over
    let bounds = pool_state(p0, range).bounds().map_err(math)?;
    let want = |k: StrategyKind| k == StrategyKind::Hold || params.strategies.contains(&k);
    let run_tiers = want(StrategyKind::LpTiers);
    // One slot per row: a range strategy has one per k (its index in
    // `ranges`).
    let mut slots: Vec<(StrategyKind, usize)> = Vec::new();
    for k in StrategyKind::ALL.into_iter().filter(|k| want(*k)) {
        if k == StrategyKind::LpRange {
            slots.extend((0..params.range.ks_bps.len()).map(|i| (k, i)));
        } else {
            slots.push((k, 0));
        }
    }
    let run_kinds: Vec<StrategyKind> = slots.iter().map(|s| s.0).collect();
    let labels: Vec<String> = slots
        .iter()
        .map(|&(k, i)| match k {
            StrategyKind::LpRange => {
                format!(
                    "LP range k={}{}",
                    f64::from(params.range.ks_bps[i]) / 1e4,
                    if params.range.swap { " swap" } else { "" }
                )
            }
            _ => k.label().to_string(),
        })
        .collect();
    let mut ranges: Vec<RangeSim> = Vec::new();
    if want(StrategyKind::LpRange) {
        for &k in &params.range.ks_bps {
            ranges.push(RangeSim::new(
                params.range.rule(k, params.vault.tick_spacing)?,
                l0,
                range,
            )?);
        }
    }

    // Pools (per unit of liquidity): one per fee regime.
    let fixed_fee = fee_of(params.fee_pips);
    let mut pool_fixed = Pool::at_price(p0, fixed_fee);
    let mut tiers_pool = Pool::at_price(
        p0,
        fee_of(params.vault.tiers[params.vault.initial_tier].fee_pips),
    );
    let mut tiers_tier = params.vault.initial_tier;
    let mut tiers_last_change: Option<i64> = None;
    let mut tiers_book = Book::default();
    let mut book_fixed = Book::default();
    let volume_mult = |fee: f64| {
        if params.noise_fee_elasticity == 0.0 || fixed_fee == 0.0 || fee == 0.0 {
            1.0
        } else {
            (fee / fixed_fee).powf(-params.noise_fee_elasticity)
        }
    };
    // The multiplier per pool, recomputed only when its fee changes (a
    // `powf` per step was 6 % of a keeper run).
    let mut tiers_mult = (tiers_pool.fee, volume_mult(tiers_pool.fee));
    let mut keeper_mult = (f64::NAN, 1.0);

    // Delta hedge state.
    let ratio = f64::from(params.hedge.ratio_bps) / 1e4;
    let band = f64::from(params.hedge.band_bps) / 1e4;
    let venue_fee = params.hedge.venue_fee_bps / 1e4;
    let mut hedge_short = ratio * l0 * Pool::fair_x(p0);
    let mut hedge_book = Book::default();
    let run_hedge = want(StrategyKind::LpHedge);
    if run_hedge {
        hedge_book.hedge_costs += venue_fee * hedge_short * p0;
        hedge_book.hedge_pnl -= venue_fee * hedge_short * p0;
        hedge_book.actions += 1;
    }

    // Strangle.
    let strangle = if want(StrategyKind::LpStrangle) {
        Some(buy_strangle(path, params, years)?)
    } else {
        None
    };
    let strangle_scale = strangle
        .as_ref()
        .map_or(1.0, |s| (capital - s.cost) / capital);

    // Keeper vault.
    let run_keeper = want(StrategyKind::Keeper);
    let v = &params.vault;
    let mut kv = KeeperVault {
        pool: Pool::at_price(p0, fee_of(v.tiers[v.initial_tier].fee_pips)),
        liquidity: l0,
        idle_x: 0.0,
        idle_y: 0.0,
        mark0: 0.0,
        mark1: 0.0,
        hedge: 0.0,
        tier: v.initial_tier,
        last_tier: None,
        last_rebalance: None,
        last_hedge: None,
        rebalance_dir: il_math::vault::pacing::NONE,
        hedge_dir: il_math::vault::pacing::NONE,
        book: Book::default(),
        volume: 0.0,
        history: std::collections::VecDeque::new(),
    };
    let mut keeper_actions = Vec::new();
    let mut keeper_skips = 0u64;

    // Volatility (shared by tiers and keeper).
    let mut online = OnlineVol::new(&params.vol)?;
    let warmup = OnlineVol::warmup(&params.vol);
    let mut returns_seen = 0usize;
    // Only the tier and keeper strategies read the estimate.
    let need_vol = run_tiers || want(StrategyKind::Keeper) || !ranges.is_empty();
    let mut last_tick = i64::MIN;
    let tick = i64::try_from(params.tick_secs).unwrap_or(i64::MAX);

    // Metrics and series.
    let mut metrics: Vec<Metrics> = run_kinds.iter().map(|_| Metrics::new(capital)).collect();
    let stride = (steps / params.chart_points.saturating_sub(1).max(1)).max(1);
    let mut series = Series {
        days: vec![0.0],
        price: vec![p0],
        values: run_kinds.iter().map(|_| vec![capital]).collect(),
        strategies: run_kinds.clone(),
        labels: labels.clone(),
        il_measured: vec![0.0],
        il_closed_form: vec![0.0],
    };

    // Per-path analytics, once: realised variance and the LVR of a fee-less
    // LP, whose per-step loss versus rebalancing relative to its value is the
    // closed form (sqrt(P_i / P_{i-1}) - 1)^2 / 2 = (e^{r/2} - 1)^2 / 2.
    let mut sum_r2 = 0.0;
    let mut lvr_feeless = 0.0;
    for &r in &path.log_returns {
        sum_r2 += r * r;
        let q = (0.5 * r).exp_m1();
        lvr_feeless += 0.5 * q * q;
    }

    // Delta-hedge band as bounds on target^2 * P = (ratio L)^2 (the
    // liquidity is constant), so the hot loop needs no square root or
    // division: rehedge when |target - h| > band * target, i.e. target
    // outside (h / (1 + band), h / (1 - band)).
    let t2p = ratio * ratio * l0 * l0;
    let band_bounds = |h: f64| {
        let lo = h / (1.0 + band);
        let hi = if band < 1.0 {
            h / (1.0 - band)
        } else {
            f64::INFINITY
        };
        (lo * lo, hi * hi)
    };
    let (mut hedge_lo2, mut hedge_hi2) = band_bounds(hedge_short);
    let funding_per_sec = params.hedge.funding_apr / vol::SECONDS_PER_YEAR;

    let mut lvr_fixed = 0.0;
    let mut arb_fee_rel = 0.0;
    let mut values = vec![capital; run_kinds.len()];
    let inv_capital = 1.0 / capital;
    let mut until_sample = stride;
    let t0 = path.times[0];
    let turnover_per_sec = params.noise_turnover_per_day / 86_400.0;

    for i in 1..n {
        let p_prev = path.close[i - 1];
        let p = path.close[i];
        let t = path.times[i];
        #[allow(clippy::cast_precision_loss)]
        let dt_secs = (t - path.times[i - 1]) as f64;
        if need_vol {
            // Irregular spacing: scale the return to the median spacing so
            // the estimator's per-period variance is comparable across gaps.
            let r = path.log_returns[i - 1];
            let scaled = if dt_secs == dt_med {
                r
            } else {
                r * (dt_med / dt_secs).sqrt()
            };
            online.update(scaled, t);
            returns_seen += 1;
        }

        // Fixed-fee pool: noise volume, then the arbitrageur; LVR measured
        // as x_{i-1} dP - dV on the holdings (fees are paid out, not held),
        // relative to the value before the step.
        let v_before = pool_fixed.value_at(p_prev);
        let x_before = pool_fixed.x;
        let (s_before, g0, g1) = (pool_fixed.y, pool_fixed.growth0, pool_fixed.growth1);
        pool_fixed.noise(turnover_per_sec * dt_secs * v_before);
        let trade = pool_fixed.arbitrage(p);
        if !ranges.is_empty() {
            step_ranges(
                &mut ranges,
                s_before,
                &pool_fixed,
                (pool_fixed.growth0 - g0, pool_fixed.growth1 - g1),
            );
        }
        let v_after = pool_fixed.value_at(p);
        let inv_v = 1.0 / v_before;
        lvr_fixed += (x_before * (p - p_prev) - (v_after - v_before)) * inv_v;
        arb_fee_rel += trade.fee_value * inv_v;

        // Delta hedge: mark, pay funding, rehedge outside the band.
        if run_hedge {
            hedge_book.hedge_pnl -= hedge_short * (p - p_prev);
            if funding_per_sec != 0.0 {
                let funding = funding_per_sec * hedge_short * p * dt_secs;
                hedge_book.hedge_pnl -= funding;
                hedge_book.hedge_costs += funding;
            }
            if t2p < p * hedge_lo2 || t2p > p * hedge_hi2 {
                let target = (t2p / p).sqrt();
                let cost = venue_fee * (target - hedge_short).abs() * p;
                hedge_book.hedge_pnl -= cost;
                hedge_book.hedge_costs += cost;
                hedge_book.actions += 1;
                hedge_book.gas_used += params.gas.hedge;
                hedge_book.gas_cost += gas_value(&params.gas, params.gas.hedge, p);
                hedge_short = target;
                (hedge_lo2, hedge_hi2) = band_bounds(target);
            }
        }

        // Tier pool.
        if run_tiers {
            let v_before = tiers_pool.value_at(p_prev);
            if tiers_mult.0 != tiers_pool.fee {
                tiers_mult = (tiers_pool.fee, volume_mult(tiers_pool.fee));
            }
            let mult = tiers_mult.1;
            tiers_pool.noise(turnover_per_sec * dt_secs * v_before * mult);
            tiers_pool.arbitrage(p);
        }

        // Keeper pool.
        if run_keeper {
            let v_before = kv.pool.value_at(p_prev);
            if keeper_mult.0 != kv.pool.fee {
                keeper_mult = (kv.pool.fee, volume_mult(kv.pool.fee));
            }
            let mult = keeper_mult.1;
            let vol_noise = turnover_per_sec * dt_secs * v_before * mult;
            kv.pool.noise(vol_noise);
            let tr = kv.pool.arbitrage(p);
            kv.volume += vol_noise + tr.dx.abs() * p;
            kv.book.hedge_pnl -= kv.hedge * (p - p_prev);
            if funding_per_sec != 0.0 {
                let funding = funding_per_sec * kv.hedge * p * dt_secs;
                kv.book.hedge_pnl -= funding;
                kv.book.hedge_costs += funding;
            }
        }

        // Keeper tick (tiers strategy and full policy).
        if need_vol && t.saturating_sub(last_tick) >= tick && returns_seen >= warmup {
            last_tick = t;
            if let Some((sigma, estimator)) = online.sigma(ppy) {
                let sigma_wad = exact::sigma_wad_capped(sigma);
                if run_tiers {
                    let next =
                        exact::select_tier(&v.tiers, tiers_tier, sigma_wad, v.hysteresis_wad)
                            .map_err(math)?;
                    if next != tiers_tier
                        && cooldown_left(tiers_last_change, t, v.tier_cooldown_secs) == 0
                    {
                        tiers_tier = next;
                        tiers_last_change = Some(t);
                        tiers_pool.fee = fee_of(v.tiers[next].fee_pips);
                        tiers_book.actions += 1;
                        tiers_book.gas_used += params.gas.fee_tier;
                        tiers_book.gas_cost += gas_value(&params.gas, params.gas.fee_tier, p);
                    }
                }
                for r in &mut ranges {
                    r.tick(params, pool_fixed.y, p, t, sigma_wad)?;
                }
                if run_keeper {
                    let input =
                        keeper_input(&kv, params, (range, bounds), p, t, sigma_wad, estimator)?;
                    // the actions only; the full record of those applied
                    for d in policy::decide_actions(&input, &params.policy)? {
                        if d.action.acts() {
                            if apply(&mut kv, &d.action, params, range, p, t)? {
                                keeper_actions.push(policy::explain(
                                    &input,
                                    &params.policy,
                                    d.rule,
                                )?);
                            } else {
                                // the manager would refuse it (a simulated
                                // revert: the live keeper skips it too)
                                keeper_skips += 1;
                            }
                        } else if d.action == Action::Skip {
                            keeper_skips += 1;
                        }
                    }
                }
            }
            if run_keeper {
                // Fee growth history for the observed fee rate (one point
                // per tick, trimmed to the window).
                kv.history.push_back(FeeObs {
                    t,
                    g0: kv.pool.growth0,
                    g1: kv.pool.growth1,
                    volume: kv.volume,
                });
                let window = i64::try_from(params.fee_window_secs).unwrap_or(i64::MAX);
                while kv.history.len() > 2 && kv.history.get(1).is_some_and(|o| t - o.t >= window) {
                    kv.history.pop_front();
                }
            }
        }

        // Values: the position's holdings plus the fee tokens it was paid.
        let hold = x0 * p + y0;
        let lp_fixed = l0 * (pool_fixed.value_at(p) + pool_fixed.fees_value(p));
        for (j, &(k, ri)) in slots.iter().enumerate() {
            let val = match k {
                StrategyKind::Hold => hold,
                StrategyKind::Lp => lp_fixed,
                StrategyKind::LpTiers => {
                    l0 * (tiers_pool.value_at(p) + tiers_pool.fees_value(p)) - tiers_book.gas_cost
                }
                StrategyKind::LpHedge => lp_fixed + hedge_book.hedge_pnl - hedge_book.gas_cost,
                StrategyKind::LpStrangle => {
                    let s = strangle
                        .as_ref()
                        .map_or(0.0, |s| strangle_value(s, p, t - t0, i == n - 1));
                    strangle_scale * lp_fixed + s
                }
                StrategyKind::LpRange => ranges[ri].value(pool_fixed.y, p),
                StrategyKind::Keeper => kv.value(p),
            };
            values[j] = val;
            metrics[j].push(val, inv_capital);
        }
        until_sample -= 1;
        if until_sample == 0 || i == n - 1 {
            until_sample = stride;
            #[allow(clippy::cast_precision_loss)]
            series.days.push((t - t0) as f64 / 86_400.0);
            series.price.push(p);
            for (j, v) in values.iter().enumerate() {
                series.values[j].push(*v);
            }
            series
                .il_measured
                .push(l0 * pool_fixed.value_at(p) / hold - 1.0);
            let ratio_p = p / p0;
            series
                .il_closed_form
                .push(2.0 * ratio_p.sqrt() / (1.0 + ratio_p) - 1.0);
        }
        if i & 0xFFFF == 0 {
            progress(i);
        }
    }
    progress(steps);

    // Fees earned: constant-liquidity positions read them off the pool's
    // fee growth; the keeper collects what it is still owed.
    book_fixed.fee0 = l0 * pool_fixed.growth0;
    book_fixed.fee1 = l0 * pool_fixed.growth1;
    tiers_book.fee0 = l0 * tiers_pool.growth0;
    tiers_book.fee1 = l0 * tiers_pool.growth1;
    kv.collect();

    // Results.
    let p_last = path.close[n - 1];
    let hold_final = x0 * p_last + y0;
    let steps_per_year = if years > 0.0 {
        #[allow(clippy::cast_precision_loss)]
        let s = steps as f64 / years;
        s
    } else {
        ppy
    };
    let last_price = Price::from_decimal(&path.last_close_exact).map_err(math)?;
    let first_price = Price::from_decimal(&path.first_close_exact).map_err(math)?;
    // Exact: the liquidity the exact starting capital buys at the exact
    // first price (the vault's first deposit); a fixed LP keeps it, whatever
    // the path and the fees, so its exact value is il-math's closed form at
    // the last price.
    let start = exact_start(capital, &first_price, range)?;
    let lp_exact = |liquidity: U256| -> Result<String, BacktestError> {
        exact_lp_value(liquidity, &last_price, range).map(|v| v.to_string())
    };

    let mut results = Vec::new();
    #[allow(clippy::cast_precision_loss)]
    let steps_f = steps.max(1) as f64;
    for (j, &(k, ri)) in slots.iter().enumerate() {
        let book = match k {
            StrategyKind::Hold => Book::default(),
            StrategyKind::Lp => book_fixed,
            StrategyKind::LpTiers => tiers_book,
            StrategyKind::LpHedge => Book {
                fee0: book_fixed.fee0,
                fee1: book_fixed.fee1,
                ..hedge_book
            },
            StrategyKind::LpStrangle => {
                let s = strangle.as_ref();
                let payoff = s.map_or(0.0, |s| {
                    strangle_value(s, p_last, path.times[n - 1] - t0, true)
                });
                let cost = s.map_or(0.0, |s| s.cost);
                Book {
                    fee0: strangle_scale * book_fixed.fee0,
                    fee1: strangle_scale * book_fixed.fee1,
                    hedge_pnl: payoff - cost,
                    hedge_costs: cost,
                    ..Book::default()
                }
            }
            StrategyKind::LpRange => Book {
                fee0: ranges[ri].lp.fee0,
                fee1: ranges[ri].lp.fee1,
                ..ranges[ri].book
            },
            StrategyKind::Keeper => kv.book,
        };
        let final_value = values[j];
        let vs_hold = final_value - hold_final;
        let fee_income = book.fee0 * p_last + book.fee1;
        let exact_lp = match k {
            StrategyKind::Hold => None,
            StrategyKind::Lp | StrategyKind::LpHedge | StrategyKind::LpTiers => {
                Some(lp_exact(start.liquidity)?)
            }
            StrategyKind::LpStrangle => Some(lp_exact(raw(strangle_scale * l0))?),
            StrategyKind::LpRange => {
                let r = &ranges[ri];
                Some(exact_lp_value(raw(r.lp.l), &last_price, (r.lower, r.upper))?.to_string())
            }
            StrategyKind::Keeper => Some(lp_exact(raw(kv.liquidity))?),
        };
        let swap_cost = (k == StrategyKind::LpRange).then(|| ranges[ri].swap_cost);
        let (range_k, in_range, range_ticks, idle_value) = if k == StrategyKind::LpRange {
            let r = &ranges[ri];
            #[allow(clippy::cast_precision_loss)]
            let f = r.in_range_steps as f64 / steps_f;
            (
                Some(f64::from(r.rule.k_bps) / 1e4),
                Some(f),
                Some((r.lower, r.upper)),
                Some(r.idle_x * p_last + r.idle_y),
            )
        } else {
            (None, None, None, None)
        };
        results.push(StrategyResult {
            strategy: k,
            label: labels[j].clone(),
            range_k,
            in_range,
            range_ticks,
            swap_cost,
            idle_value,
            final_value,
            total_return: final_value / capital - 1.0,
            vs_hold,
            il: vs_hold - fee_income - book.hedge_pnl + book.gas_cost,
            fee_income,
            hedge_pnl: book.hedge_pnl,
            hedge_costs: book.hedge_costs,
            gas_cost: book.gas_cost,
            actions: book.actions,
            gas_used: book.gas_used,
            max_drawdown: metrics[j].max_dd,
            pnl_volatility: metrics[j].volatility(steps_per_year),
            final_lp_value_exact: exact_lp,
        });
    }

    #[allow(clippy::cast_precision_loss)]
    let sigma_realised = if years > 0.0 {
        (sum_r2 / years).sqrt()
    } else {
        0.0
    };
    let theory = exact::lvr_rate(exact::sigma_wad_capped(sigma_realised))
        .map(crate::decimal::wad_to_f64)
        .map_err(math)?;
    let per_year = |x: f64| if years > 0.0 { x / years } else { 0.0 };
    let theory_model = match path.model_sigma {
        Some(sigma) => Some(
            exact::lvr_rate(exact::sigma_wad_capped(sigma))
                .map(crate::decimal::wad_to_f64)
                .map_err(math)?,
        ),
        None => None,
    };
    Ok(BacktestReport {
        source: path.source.clone(),
        steps,
        years,
        first_price: p0,
        last_price: p_last,
        capital,
        strategies: results,
        lvr: LvrReport {
            sigma_realised,
            theory_rate: theory,
            theory_rate_model: theory_model,
            measured_rate_fixed_fee: per_year(lvr_fixed),
            measured_rate_feeless: per_year(lvr_feeless),
            arb_fee_rate: per_year(arb_fee_rel),
        },
        strangle,
        keeper_actions,
        keeper_skips,
        final_sigma: online.sigma(ppy).map(|(s, _)| s),
        series,
    })
}

fn gas_value(g: &GasParams, gas: u64, p: f64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let native = gas as f64 * g.price_gwei * 1e-9;
    native * g.native_price.unwrap_or(p)
}

/// The exact start of a backtest: the capital split half/half at the exact
/// first price (raw units: `y0 = C / 2`, `x0 = floor(y0 / P0)`), and the
/// full-range liquidity it buys at that price, as the vault's first deposit
/// adds it (`il_math::vault::liquidity_for` at the pool's sqrt price, P0's
/// rounded down).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExactStart {
    /// Token0, raw.
    pub amount0: U256,
    /// Token1, raw.
    pub amount1: U256,
    /// The full-range liquidity they buy at P0.
    pub liquidity: U256,
}

/// See [`ExactStart`].
///
/// # Errors
/// [`BacktestError::Math`] for a capital out of range, a zero price, an
/// overflow.
pub fn exact_start(
    capital: f64,
    p0: &Price,
    range: (i32, i32),
) -> Result<ExactStart, BacktestError> {
    // Through the decimal text of C / 2 (f64 * 1e18 is not exact).
    let y0 = crate::decimal::Decimal::from_f64_18(capital / 2.0)
        .and_then(|d| d.to_wad().ok())
        .ok_or_else(|| BacktestError::Math(format!("capital {capital} out of range")))?;
    let x0 = exact::mul_div_floor(y0, p0.den, p0.num).map_err(math)?;
    let price = p0.to_math().map_err(math)?;
    let pool = PoolState {
        sqrt_price: price.sqrt_price_x96(il_math::Rounding::Floor),
        tick_lower: range.0,
        tick_upper: range.1,
    };
    let liquidity = il_math::vault::liquidity_for(&pool, x0, y0).map_err(math)?;
    Ok(ExactStart {
        amount0: x0,
        amount1: y0,
        liquidity,
    })
}

/// `liquidity` over the full `range` valued at `price` as the vault values
/// it (`il_math::vault::lp_value`, floor).
fn exact_lp_value(
    liquidity: U256,
    price: &Price,
    range: (i32, i32),
) -> Result<U256, BacktestError> {
    let pool = PoolState {
        // lp_value reads the range only; the price is the argument
        sqrt_price: U256::ZERO,
        tick_lower: range.0,
        tick_upper: range.1,
    };
    il_math::vault::lp_value(&pool, liquidity, &price.to_math().map_err(math)?).map_err(math)
}

/// The fixed LP at its exact initial liquidity over the full range of
/// `tick_spacing`, valued by il-math at the path's exact last price: what a
/// fee-less LP must end at, whatever the path.
///
/// # Errors
/// [`BacktestError::Math`] on overflow, a zero price or a bad spacing.
pub fn feeless_closed_form_value(
    capital: f64,
    path: &PricePath,
    tick_spacing: i32,
) -> Result<U256, BacktestError> {
    let first = Price::from_decimal(&path.first_close_exact).map_err(math)?;
    let last = Price::from_decimal(&path.last_close_exact).map_err(math)?;
    let range = il_math::v4::full_range_ticks(tick_spacing).map_err(math)?;
    let start = exact_start(capital, &first, range)?;
    exact_lp_value(start.liquidity, &last, range)
}

fn strangle_value(s: &StrangleReport, p: f64, elapsed_secs: i64, at_expiry: bool) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let left = (s.years - elapsed_secs as f64 / vol::SECONDS_PER_YEAR).max(0.0);
    let sigma = s.premium_sigma.unwrap_or(0.0);
    let (put, call) = if at_expiry || left == 0.0 {
        ((s.put_strike - p).max(0.0), (p - s.call_strike).max(0.0))
    } else {
        (
            options::put(p, s.put_strike, sigma, left),
            options::call(p, s.call_strike, sigma, left),
        )
    };
    s.qty * (put + call)
}

// Cold relative to the per-step loop: kept out of it so the loop stays
// small enough to optimise well under fat LTO (inlined, the LP+hedge loop
// measured 2.7x slower with lto = true and codegen-units = 1).
#[inline(never)]
fn buy_strangle(
    path: &PricePath,
    params: &BacktestParams,
    years: f64,
) -> Result<StrangleReport, BacktestError> {
    let s = &params.strangle;
    let p0 = path.close[0];
    let (lower, upper, kp, kc) = (
        s.lower * p0,
        s.upper * p0,
        s.put_strike * p0,
        s.call_strike * p0,
    );
    let (premium_sigma, source) = match (s.premiums, s.sigma) {
        (Some(_), sig) => (sig, "given".to_string()),
        (None, Some(sig)) => (Some(sig), "option".to_string()),
        (None, None) => match path.model_sigma {
            Some(sig) => (Some(sig), "synthetic".to_string()),
            None => {
                let r = vol::log_returns(&path.close)
                    .map_err(|e| BacktestError::Math(e.to_string()))?;
                let sig = if years > 0.0 {
                    (r.iter().map(|x| x * x).sum::<f64>() / years).sqrt()
                } else {
                    0.0
                };
                (Some(sig), "realised (look-ahead)".to_string())
            }
        },
    };
    let (put_premium, call_premium) = s.premiums.unwrap_or_else(|| {
        let sig = premium_sigma.unwrap_or(0.0);
        (
            options::put(p0, kp, sig, years),
            options::call(p0, kc, sig, years),
        )
    });
    let sizing = exact::size_strangle_f64(
        params.capital,
        p0,
        lower,
        upper,
        kc,
        call_premium,
        kp,
        put_premium,
        s.pool_return,
    )
    .map_err(|e| param("strangle", e.to_string()))?;
    Ok(StrangleReport {
        lower,
        upper,
        put_strike: kp,
        call_strike: kc,
        put_premium,
        call_premium,
        premium_sigma,
        premium_source: source,
        min_put_qty: sizing.min_put_qty,
        min_call_qty: sizing.min_call_qty,
        qty: sizing.qty,
        cost: sizing.cost,
        covered: sizing.covered,
        years,
        pool_return: s.pool_return,
    })
}

// Cold relative to the per-step loop: kept out of it so the loop stays
// small enough to optimise well under fat LTO (inlined, the LP+hedge loop
// measured 2.7x slower with lto = true and codegen-units = 1).
#[inline(never)]
fn keeper_input(
    kv: &KeeperVault,
    params: &BacktestParams,
    (range, bounds): ((i32, i32), (U256, U256)),
    p: f64,
    t: i64,
    sigma_wad: U256,
    estimator: Estimator,
) -> Result<PolicyInput, BacktestError> {
    let v = &params.vault;
    let oracle = Price::from_f64(p).map_err(math)?;
    let price = oracle.to_math().map_err(math)?;
    // The vault's reads, through the same il-math functions as the chain's
    // snapshot (`chain::snapshot`): the share in the pool, the position's
    // value and the hedge target at the oracle price.
    let pool = pool_state(kv.pool.y, range);
    let holdings = Holdings {
        liquidity: raw(kv.liquidity),
        idle0: raw(kv.idle_x),
        idle1: raw(kv.idle_y),
        equity: I256::ZERO,
    };
    let ratio = u16::try_from(v.hedge_ratio_bps).unwrap_or(u16::MAX);
    // lp_bps, lp_value and hedge_target in one pass (one sqrt price)
    let il_math::vault::Valuation {
        lp_value,
        lp_bps,
        hedge_target,
    } = il_math::vault::valuation_in(bounds, &holdings, &price, ratio).map_err(math)?;
    let total = kv.lp_value(p) + kv.idle_value(p) + kv.owed_value(p);
    let spot = kv.pool.price();
    // deviation bps rounded up, bounded.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let deviation_bps = ((spot - p).abs() / p * 1e4).ceil().min(1e9) as u32;
    let (fee_rate_wad, turnover) = observed_rates(kv, t, p);
    let native = match params.gas.native_price {
        Some(n) => Price::from_f64(n).map_err(math)?,
        None => oracle,
    };
    Ok(PolicyInput {
        time: u64::try_from(t).unwrap_or(0),
        sigma_wad,
        estimator,
        pool: PoolSnapshot {
            sqrt_price_x96: pool.sqrt_price,
            // the backtest's pool is the vault's position (flows scale
            // with it: see `super::pool`)
            liquidity: holdings.liquidity,
            fee_pips: v.tiers[kv.tier].fee_pips,
        },
        oracle_price: oracle,
        deviation_bps,
        vault: VaultSnapshot {
            tiers: v.tiers.clone(),
            tier_index: kv.tier,
            tier_hysteresis_wad: v.hysteresis_wad,
            lp_bps: u32::from(lp_bps),
            min_lp_bps: v.min_lp_bps,
            max_lp_bps: v.max_lp_bps,
            max_step_bps: v.max_step_bps,
            // the venue's sign: a short is negative
            hedge_size: raw_signed(-kv.hedge),
            hedge_target,
            lp_value,
            vault_value: raw(total + kv.book.hedge_pnl),
            fee_rate_wad,
            turnover_per_year: turnover,
            tier_cooldown_left: cooldown_left(kv.last_tier, t, v.tier_cooldown_secs),
            rebalance_wait: waits(
                kv.last_rebalance,
                kv.rebalance_dir,
                t,
                v.rebalance_cooldown_secs,
            ),
            hedge_wait: waits(kv.last_hedge, kv.hedge_dir, t, v.hedge_cooldown_secs),
            // the backtest does not model the venue's margin: a top-up
            // never costs anything there, and is never needed
            hedge_margin_low: false,
            max_deviation_bps: v.max_deviation_bps,
        },
        gas: GasSnapshot {
            gas_price_wei: raw(params.gas.price_gwei * 1e-9),
            native_price: native,
            gas_fee_tier: params.gas.fee_tier,
            gas_rebalance: params.gas.rebalance,
            gas_hedge: params.gas.hedge,
        },
    })
}

/// Fee rate and turnover over the trailing window; `None` until a day of
/// history exists. The fee rate is what the live keeper measures
/// (`pass::fee_rate_wad`): the fees the pool paid per unit of liquidity in
/// the window (its fee growth), valued at `p`, over the value of a unit at
/// `p` (`2 sqrt(p)`), per year. Fees are not compounded, so the rate is a
/// plain ratio.
// Cold relative to the per-step loop: kept out of it so the loop stays
// small enough to optimise well under fat LTO (inlined, the LP+hedge loop
// measured 2.7x slower with lto = true and codegen-units = 1).
#[inline(never)]
fn observed_rates(kv: &KeeperVault, t: i64, p: f64) -> (Option<U256>, Option<f64>) {
    let Some(first) = kv.history.front() else {
        return (None, None);
    };
    #[allow(clippy::cast_precision_loss)]
    let span = (t - first.t) as f64;
    if span < 86_400.0 {
        return (None, None);
    }
    let years = span / vol::SECONDS_PER_YEAR;
    let fees = (kv.pool.growth0 - first.g0) * p + (kv.pool.growth1 - first.g1);
    let rate = fees / Pool::fair_value(p) / years;
    let tvl = kv.pool.value_at(kv.pool.price());
    let turnover = (kv.volume - first.volume) / tvl / years;
    (
        vol::sigma_to_wad(rate.max(0.0)).map(U256::from),
        Some(turnover),
    )
}

/// Carries out `action` as the manager would; `false` when the manager
/// would refuse it (then nothing changes: the live keeper's simulation
/// would have skipped it).
// Cold relative to the per-step loop: kept out of it so the loop stays
// small enough to optimise well under fat LTO (inlined, the LP+hedge loop
// measured 2.7x slower with lto = true and codegen-units = 1).
#[inline(never)]
fn apply(
    kv: &mut KeeperVault,
    action: &Action,
    params: &BacktestParams,
    range: (i32, i32),
    p: f64,
    t: i64,
) -> Result<bool, BacktestError> {
    let v = &params.vault;
    let gas = match action {
        Action::UpdateVolatility { tier, fee_pips, .. } => {
            kv.tier = *tier;
            kv.pool.fee = fee_of(*fee_pips);
            kv.last_tier = Some(t);
            params.gas.fee_tier
        }
        Action::Rebalance { target_lp_bps } => {
            // The manager's plan (the planner runs the same function) from
            // the ledger before the move: liquidity to burn, or to add from
            // idle at the pool's price.
            let target = u16::try_from(*target_lp_bps).unwrap_or(u16::MAX);
            let price = Price::from_f64(p).map_err(math)?.to_math().map_err(math)?;
            let plan = il_math::vault::plan_rebalance(
                &pool_state(kv.pool.y, range),
                &price,
                raw(kv.liquidity),
                raw(kv.idle_x),
                raw(kv.idle_y),
                target,
            )
            .map_err(math)?;
            // ManagerInvalidTarget, ManagerNothingToDo
            if *target_lp_bps < v.min_lp_bps
                || *target_lp_bps > v.max_lp_bps
                || u32::from(plan.current_bps.abs_diff(target)) > v.max_step_bps
                || (plan.burn.is_zero() && plan.add.is_zero())
            {
                return Ok(false);
            }
            // moveLiquidity: the checkpoint collects the fees first, then
            // the position changes at the pool's price.
            kv.collect();
            if plan.burn.is_zero() {
                let l = crate::decimal::wad_to_f64(plan.add);
                kv.liquidity += l;
                kv.idle_x = (kv.idle_x - l * kv.pool.x).max(0.0);
                kv.idle_y = (kv.idle_y - l * kv.pool.y).max(0.0);
                kv.rebalance_dir = il_math::vault::pacing::UP;
            } else {
                let l = crate::decimal::wad_to_f64(plan.burn).min(kv.liquidity);
                kv.liquidity -= l;
                kv.idle_x += l * kv.pool.x;
                kv.idle_y += l * kv.pool.y;
                kv.rebalance_dir = il_math::vault::pacing::DOWN;
            }
            kv.last_rebalance = Some(t);
            params.gas.rebalance
        }
        Action::Hedge { .. } => {
            // adjustHedge checkpoints (collects the fees) too. The contract
            // recomputes the target at execution: the position's delta at
            // the oracle price times the ratio.
            kv.collect();
            let target = f64::from(v.hedge_ratio_bps) / 1e4 * kv.liquidity * Pool::fair_x(p);
            let cost = params.hedge.venue_fee_bps / 1e4 * (target - kv.hedge).abs() * p;
            kv.book.hedge_pnl -= cost;
            kv.book.hedge_costs += cost;
            // a larger short sells, a smaller one buys
            kv.hedge_dir = if target > kv.hedge {
                il_math::vault::pacing::DOWN
            } else {
                il_math::vault::pacing::UP
            };
            kv.hedge = target;
            kv.last_hedge = Some(t);
            params.gas.hedge
        }
        // the backtest moves ranges itself (`rerange_due` on its own view)
        Action::Rerange { .. } | Action::Hold | Action::Skip => return Ok(false),
    };
    kv.book.actions += 1;
    kv.book.gas_used += gas;
    kv.book.gas_cost += gas_value(&params.gas, gas, p);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backtest::prices::{Model, Synthetic, generate, parse_csv};

    fn wad(x: f64) -> U256 {
        U256::from(vol::sigma_to_wad(x).unwrap())
    }

    fn params(strategies: &[StrategyKind]) -> BacktestParams {
        let tier = |s: f64, fee_pips| Tier {
            min_sigma_wad: wad(s),
            fee_pips,
        };
        BacktestParams {
            capital: 1_000_000.0,
            fee_pips: 3_000,
            noise_turnover_per_day: 0.2,
            noise_fee_elasticity: 0.0,
            hedge: HedgeParams {
                ratio_bps: 10_000,
                band_bps: 100,
                venue_fee_bps: 5.0,
                funding_apr: 0.0,
            },
            strangle: StrangleSetup {
                lower: 0.5,
                upper: 2.0,
                put_strike: 0.8,
                call_strike: 1.25,
                premiums: None,
                sigma: None,
                pool_return: 0.2,
            },
            tick_secs: 3_600,
            vol: VolConfig::default(),
            policy: PolicyConfig::default(),
            vault: SimVault {
                tiers: vec![tier(0.0, 500), tier(0.5, 3_000), tier(1.0, 10_000)],
                initial_tier: 1,
                hysteresis_wad: wad(0.1),
                hedge_ratio_bps: 10_000,
                min_lp_bps: 2_000,
                max_lp_bps: 10_000,
                max_step_bps: 2_500,
                max_deviation_bps: 200,
                tier_cooldown_secs: 3_600,
                rebalance_cooldown_secs: 21_600,
                hedge_cooldown_secs: 3_600,
                tick_spacing: 60,
            },
            gas: GasParams {
                price_gwei: 0.02,
                native_price: None,
                fee_tier: 150_000,
                rebalance: 600_000,
                hedge: 400_000,
                rerange: 500_000,
            },
            range: RangeParams {
                ks_bps: vec![10_000, 20_000, 40_000],
                horizon_secs: 7 * 86_400,
                min_width: 600,
                max_width: None,
                swap: false,
            },
            fee_window_secs: 7 * 86_400,
            chart_points: 200,
            strategies: strategies.to_vec(),
        }
    }

    fn feeless(mut p: BacktestParams) -> BacktestParams {
        p.fee_pips = 0;
        p.noise_turnover_per_day = 0.0;
        p
    }

    fn result(r: &BacktestReport, k: StrategyKind) -> &StrategyResult {
        r.strategies.iter().find(|s| s.strategy == k).unwrap()
    }

    fn ranges(r: &BacktestReport) -> Vec<&StrategyResult> {
        r.strategies
            .iter()
            .filter(|s| s.strategy == StrategyKind::LpRange)
            .collect()
    }

    #[test]
    fn a_feeless_range_ends_at_il_maths_value_of_its_last_range() {
        // No fee, no noise, no gas: the pool sits at the oracle price, so a
        // range's float holdings must equal il-math's exact value of its
        // final liquidity over its final ticks (the idle tokens aside).
        let mut p = feeless(params(&[StrategyKind::LpRange]));
        p.gas.price_gwei = 0.0;
        let r = run(&gbm(11, 120, 24), &p, &mut |_| {}).unwrap();
        let rows = ranges(&r);
        assert_eq!(rows.len(), 3);
        for x in rows {
            assert!(x.actions >= 1, "{} never re-ranged", x.label);
            let (lower, upper) = x.range_ticks.unwrap();
            assert!(upper - lower < 887_220 * 2, "{} still full range", x.label);
            let exact: f64 = x.final_lp_value_exact.as_deref().unwrap().parse().unwrap();
            let float = x.final_value - x.idle_value.unwrap();
            assert!(
                (float - exact / 1e18).abs() <= 1e-9 * r.capital,
                "{}: float {float} exact {}",
                x.label,
                exact / 1e18
            );
            assert_eq!(x.fee_income, 0.0);
        }
    }

    #[test]
    fn a_range_re_ranged_with_swaps_keeps_nothing_idle_and_pays_the_pool_fee() {
        let mut p = params(&[StrategyKind::LpRange]);
        p.range.swap = true;
        let r = run(&gbm(3, 120, 24), &p, &mut |_| {}).unwrap();
        let mut no_swap = params(&[StrategyKind::LpRange]);
        no_swap.range.swap = false;
        let q = run(&gbm(3, 120, 24), &no_swap, &mut |_| {}).unwrap();
        for (x, y) in ranges(&r).into_iter().zip(ranges(&q)) {
            assert!(x.label.ends_with(" swap"), "{}", x.label);
            assert!(x.actions >= 1);
            // everything back in the range at each re-range: nothing idle
            // but rounding
            assert!(x.idle_value.unwrap() < 1e-6 * r.capital, "{}", x.label);
            assert!(x.swap_cost.unwrap() > 0.0, "{}", x.label);
            assert_eq!(y.swap_cost, Some(0.0));
            let sum = x.il + x.fee_income + x.hedge_pnl - x.gas_cost;
            assert!((sum - x.vs_hold).abs() < 1e-6 * r.capital);
        }
    }

    #[test]
    fn a_range_follows_the_price_once_it_walks_out() {
        // Flat at 2,000 (hourly noise of +/-0.5 % so the volatility
        // estimate is ~30 %/yr), then a jump to 2,600 and flat again: each
        // range re-ranges to the new price after the jump (cooldown
        // permitting) and then stays.
        let mut csv = String::from("time,close\n");
        let mut t = 0_i64;
        for i in 0..(24 * 40) {
            let base = if i < 24 * 20 { 2_000.0 } else { 2_600.0 };
            let wiggle = if i % 2 == 0 { 1.005 } else { 0.995 };
            csv.push_str(&format!("{t},{}\n", base * wiggle));
            t += 3_600;
        }
        let path = parse_csv(&csv, "jump").unwrap();
        let mut p = params(&[StrategyKind::LpRange]);
        p.vol.estimator = Estimator::Ewma;
        let r = run(&path, &p, &mut |_| {}).unwrap();
        let centre = il_math::tick_at_sqrt_price(sqrt_price_x96(2_600.0_f64.sqrt())).unwrap();
        for x in ranges(&r) {
            let (lower, upper) = x.range_ticks.unwrap();
            let mid = (lower + upper) / 2;
            assert!(
                (mid - centre).abs() <= 60 + (upper - lower) / 4,
                "{}: [{lower}, {upper}) vs centre {centre}",
                x.label
            );
            assert!(x.in_range.unwrap() > 0.9, "{}: {:?}", x.label, x.in_range);
        }
    }

    fn gbm(seed: u64, days: u32, steps_per_day: u32) -> PricePath {
        generate(&Synthetic {
            seed,
            days,
            steps_per_day,
            ..Synthetic::default()
        })
        .unwrap()
    }

    /// The exact fee-less value, computed independently of the engine: the
    /// capital split at the exact first price, the full-range liquidity it
    /// buys there (il-math's v4 functions, not the vault's wrappers), valued
    /// with `RangePosition` at the exact last price.
    fn closed_form(path: &PricePath) -> (U256, il_math::RangePosition) {
        let p0 = Price::from_decimal(&path.first_close_exact).unwrap();
        let p1 = Price::from_decimal(&path.last_close_exact).unwrap();
        let y0 = U256::from(500_000u64) * U256::from(10u64).pow(U256::from(18));
        let x0 = exact::mul_div_floor(y0, p0.den, p0.num).unwrap();
        let (lo, hi) = il_math::v4::full_range_ticks(60).unwrap();
        let (a, b) = (
            il_math::sqrt_price_at_tick(lo).unwrap(),
            il_math::sqrt_price_at_tick(hi).unwrap(),
        );
        let s0 = p0
            .to_math()
            .unwrap()
            .sqrt_price_x96(il_math::Rounding::Floor);
        let l = il_math::v4::liquidity_for_amounts(s0, a, b, x0, y0).unwrap();
        let position = il_math::RangePosition::new(l, a, b).unwrap();
        let s1 = p1
            .to_math()
            .unwrap()
            .sqrt_price_x96(il_math::Rounding::Floor);
        (position.value(s1).unwrap(), position)
    }

    /// A v4 position's liquidity does not move with trading: whatever the
    /// path, a fee-less LP ends at il-math's closed form of its liquidity
    /// at the last price to the wei, the float simulation agrees with it
    /// within 1e-12, and its loss against holding is il-math's IL of the
    /// two end prices within 1e-12 (the v4 range closed form and the
    /// constant-product one).
    #[test]
    fn feeless_lp_ends_at_the_closed_form_value_to_the_wei() {
        let csv = "date,close\n2024-01-01,3000\n2024-01-02,1234.56789\n2024-01-03,5000.1\n2024-01-04,2999.999999999999999999\n2024-01-05,1750.25\n";
        let paths = vec![
            gbm(1, 30, 24),
            gbm(2, 365, 24),
            generate(&Synthetic {
                model: Model::Merton,
                seed: 3,
                days: 90,
                ..Synthetic::default()
            })
            .unwrap(),
            parse_csv(csv, "inline").unwrap(),
        ];
        for path in &paths {
            let p = feeless(params(&[StrategyKind::Lp]));
            let r = run(path, &p, &mut |_| {}).unwrap();
            let lp = result(&r, StrategyKind::Lp);
            let (want, position) = closed_form(path);
            assert_eq!(
                lp.final_lp_value_exact.as_deref(),
                Some(want.to_string().as_str()),
                "{}",
                path.source
            );
            assert_eq!(
                feeless_closed_form_value(1_000_000.0, path, 60).unwrap(),
                want
            );
            // The float simulation reaches the same value.
            let exact_f = crate::decimal::wad_to_f64(want);
            assert!(
                (lp.final_value / exact_f - 1.0).abs() < 1e-12,
                "{}: {} vs {exact_f}",
                path.source,
                lp.final_value
            );
            // LP - hold is the closed-form IL of the end points: the
            // constant-product form and the v4 range's.
            let p0 = Price::from_decimal(&path.first_close_exact).unwrap();
            let p1 = Price::from_decimal(&path.last_close_exact).unwrap();
            let il = crate::decimal::signed_wad_to_f64(exact::il_between(&p0, &p1).unwrap());
            let sqrt = |p: &Price| {
                p.to_math()
                    .unwrap()
                    .sqrt_price_x96(il_math::Rounding::Floor)
            };
            let il_v4 =
                crate::decimal::signed_wad_to_f64(position.il_wad(sqrt(&p0), sqrt(&p1)).unwrap());
            let hold = result(&r, StrategyKind::Hold).final_value;
            let measured = lp.final_value / hold - 1.0;
            assert!((measured - il).abs() < 1e-12, "{}", path.source);
            assert!((measured - il_v4).abs() < 1e-12, "{}", path.source);
            assert!(lp.fee_income.abs() < 1e-6 && (lp.il - lp.vs_hold).abs() < 1e-6);
        }
    }

    /// Fees are paid to the liquidity, not added to it: an LP with fees
    /// ends with the same liquidity (the same exact position value) as a
    /// fee-less one, whatever it earned.
    #[test]
    fn fees_never_change_the_liquidity() {
        let path = gbm(4, 60, 24);
        let both = [StrategyKind::Lp, StrategyKind::LpTiers];
        let with = run(&path, &params(&both), &mut |_| {}).unwrap();
        let without = run(&path, &feeless(params(&[StrategyKind::Lp])), &mut |_| {}).unwrap();
        let (a, b) = (
            result(&with, StrategyKind::Lp),
            result(&without, StrategyKind::Lp),
        );
        assert!(a.fee_income > 0.0);
        assert_eq!(a.final_lp_value_exact, b.final_lp_value_exact);
        assert_eq!(
            a.final_lp_value_exact,
            result(&with, StrategyKind::LpTiers).final_lp_value_exact
        );
    }

    /// Uninformed volume on a flat path pays `fee x turnover x days` of the
    /// position's value, as tokens, not compounded: 30 days at 0.2/day and
    /// 30 bps are 1.8 % of the capital exactly.
    #[test]
    fn noise_fees_on_a_flat_path_are_simple_interest() {
        let mut csv = String::from("time,close\n");
        for d in 0..=30 {
            csv.push_str(&format!("{},2000\n", 1_700_000_000 + d * 86_400));
        }
        let path = parse_csv(&csv, "flat").unwrap();
        let mut p = params(&[StrategyKind::Lp]);
        p.noise_fee_elasticity = 0.0;
        let r = run(&path, &p, &mut |_| {}).unwrap();
        let lp = result(&r, StrategyKind::Lp);
        let want = 1_000_000.0 * 0.003 * 0.2 * 30.0;
        assert!((lp.fee_income - want).abs() < 1e-6, "{}", lp.fee_income);
        assert!((lp.vs_hold - want).abs() < 1e-6, "{}", lp.vs_hold);
        assert!(lp.il.abs() < 1e-6);
        assert_eq!(r.lvr.arb_fee_rate, 0.0);
    }

    #[test]
    fn feeless_value_depends_only_on_the_end_points() {
        let a = parse_csv("time,close\n1,100\n2,50\n3,400\n4,200\n", "a").unwrap();
        let b = parse_csv("time,close\n1,100\n2,180\n3,20\n4,200\n", "b").unwrap();
        let p = feeless(params(&[StrategyKind::Lp]));
        let ra = run(&a, &p, &mut |_| {}).unwrap();
        let rb = run(&b, &p, &mut |_| {}).unwrap();
        assert_eq!(
            result(&ra, StrategyKind::Lp).final_lp_value_exact,
            result(&rb, StrategyKind::Lp).final_lp_value_exact
        );
    }

    /// A year of minute steps: the measured LVR of the fee-less LP is within
    /// 1 % of sigma^2 / 8 for the model's sigma (the sampling error of the
    /// realised variance is sqrt(2 / 525,600) = 0.2 %, so 1 % is 5 sd).
    #[test]
    fn measured_lvr_converges_to_sigma_squared_over_eight() {
        let path = gbm(7, 365, 1_440);
        let r = run(&path, &params(&[StrategyKind::Lp]), &mut |_| {}).unwrap();
        let l = r.lvr;
        let model = l.theory_rate_model.unwrap();
        assert!((model - 0.08).abs() < 1e-15);
        eprintln!(
            "LVR, one year of minutes: measured {:.6} vs sigma^2/8 = {model:.6} ({:+.3}%); fixed-fee LP gross {:.6}",
            l.measured_rate_feeless,
            (l.measured_rate_feeless / model - 1.0) * 100.0,
            l.measured_rate_fixed_fee
        );
        assert!(
            (l.measured_rate_feeless / model - 1.0).abs() < 0.01,
            "{l:?}"
        );
        // Against the path's own realised sigma, the match is far tighter.
        assert!(
            (l.measured_rate_feeless / l.theory_rate - 1.0).abs() < 1e-3,
            "{l:?}"
        );
    }

    /// Delta hedging turns the LP's terminal IL (a function of the final
    /// price, variance ~ 2 sigma^4 T^2 / 64) into a sum of per-rehedge gamma
    /// losses (variance ~ that / number of rehedges). Across GBM paths the
    /// variance of hedged PnL must fall by a large factor against LP - hold.
    #[test]
    fn tight_band_delta_hedge_cuts_pnl_variance() {
        let mut p = feeless(params(&[StrategyKind::Lp, StrategyKind::LpHedge]));
        p.hedge.venue_fee_bps = 0.0;
        p.gas.price_gwei = 0.0;
        p.hedge.band_bps = 10;
        let (mut unhedged, mut hedged) = (Vec::new(), Vec::new());
        for seed in 0..100 {
            let path = gbm(seed, 30, 24);
            let r = run(&path, &p, &mut |_| {}).unwrap();
            unhedged.push(result(&r, StrategyKind::Lp).vs_hold);
            hedged.push(result(&r, StrategyKind::LpHedge).final_value - p.capital);
        }
        let var = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64
        };
        let factor = var(&unhedged) / var(&hedged);
        eprintln!(
            "delta hedge, 10 bps band, 100 GBM paths of 30 days hourly: variance of PnL cut by {factor:.1}x"
        );
        assert!(factor > 20.0, "variance reduction factor {factor}");
    }

    #[test]
    fn same_seed_same_numbers_to_the_last_digit() {
        let p = params(&StrategyKind::ALL);
        let a = run(&gbm(42, 60, 24), &p, &mut |_| {}).unwrap();
        let b = run(&gbm(42, 60, 24), &p, &mut |_| {}).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        assert_eq!(a.series, b.series);
        let c = run(&gbm(43, 60, 24), &p, &mut |_| {}).unwrap();
        assert_ne!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&c).unwrap()
        );
    }

    #[test]
    fn components_sum_to_the_total_exactly() {
        let r = run(&gbm(5, 90, 24), &params(&StrategyKind::ALL), &mut |_| {}).unwrap();
        for s in &r.strategies {
            let sum = s.il + s.fee_income + s.hedge_pnl - s.gas_cost;
            assert!(
                (sum - s.vs_hold).abs() < 1e-6 * r.capital,
                "{:?}",
                s.strategy
            );
        }
    }

    #[test]
    fn keeper_de_risks_when_fees_cannot_pay_for_lvr() {
        // No uninformed volume: fees come from arbitrage only, far below
        // sigma^2/8, so the keeper moves to its minimum LP fraction.
        let mut p = params(&[StrategyKind::Keeper]);
        p.noise_turnover_per_day = 0.0;
        let r = run(&gbm(9, 60, 24), &p, &mut |_| {}).unwrap();
        let derisks = r
            .keeper_actions
            .iter()
            .filter(|d| matches!(d.action, Action::Rebalance { .. }))
            .count();
        assert!(derisks >= 4, "{derisks}");
        let last = r.keeper_actions.iter().rev().find_map(|d| match d.action {
            Action::Rebalance { target_lp_bps } => Some(target_lp_bps),
            _ => None,
        });
        assert_eq!(last, Some(2_000));
    }

    #[test]
    fn bad_parameters_are_named() {
        let mut p = params(&[]);
        p.capital = -1.0;
        assert!(matches!(
            run(&gbm(1, 2, 24), &p, &mut |_| {}),
            Err(BacktestError::Param {
                name: "capital",
                ..
            })
        ));
        let mut p = params(&[]);
        p.strangle.lower = 1.5;
        assert!(matches!(
            run(&gbm(1, 2, 24), &p, &mut |_| {}),
            Err(BacktestError::Param {
                name: "strangle-lower/upper",
                ..
            })
        ));
        let mut p = params(&[]);
        p.vault.tiers[0].min_sigma_wad = wad(0.1);
        assert!(matches!(
            run(&gbm(1, 2, 24), &p, &mut |_| {}),
            Err(BacktestError::Param { name: "tiers", .. })
        ));
    }
}
