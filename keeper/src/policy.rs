//! The keeper's decision rules: ONE pure function, [`decide`], used by the
//! live keeper (`tick` builds a [`PolicyInput`] from chain reads) and by the
//! backtest (which builds it from its simulated vault), so a backtest is a
//! faithful preview of what the keeper would have done.
//!
//! The keeper says *when*; the contract says *how much*: a decision names the
//! entrypoint to call (`updateVolatility`, `rebalance`, `hedge`) and the
//! result the keeper expects, and the contract enforces its own bounds.
//!
//! Rules, in the order they are returned:
//! 1. **Fee tier**: the tier `il_math::select_tier` picks for `sigma` from the
//!    chain's table and hysteresis; act only when it differs from the
//!    current tier.
//! 2. **De-risk / redeploy**: LVR rate `sigma^2 / 8` (il-math) against the
//!    observed fee income rate. De-risk (move capital to idle, one
//!    `max_step_bps` at a time, never below `min_lp_bps`) when LVR exceeds
//!    fees by more than `derisk_margin_bps`; redeploy when it falls below
//!    fees by more than `redeploy_margin_bps`; between the two, hold (the gap
//!    is the hysteresis that stops flapping).
//! 3. **Hedge**: when `|target - size|` exceeds `hedge_band_bps` of
//!    `|target|` and the cooldown is over. Returned after the rebalance
//!    because the contract computes the target from the LP position at
//!    execution time.
//!
//! Guards on every rule: never act when the pool's spot deviates from the
//! oracle by more than the contract's bound (**skip**, with that reason),
//! and skip any action whose gas cost exceeds its expected benefit over
//! `horizon_secs`. Benefit estimates (token1 raw units), each documented at
//! its function: [`hedge_benefit`], [`rebalance_benefit`], [`tier_benefit`].
//!
//! All decision arithmetic is exact integer math (`U256`, il-math's
//! `mul_div` with stated rounding), so the live keeper and the backtest
//! agree to the wei on the same snapshot.

use std::fmt;

use alloy_primitives::{I256, U256};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::exact::{self, Price, Tier};
use crate::vol::Estimator;

/// 1e18.
pub const WAD: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
const BPS: u64 = 10_000;
const PIPS: u64 = 1_000_000;
/// Seconds per year used to scale annual rates to a horizon (365 days).
pub const SECONDS_PER_YEAR: u64 = 31_536_000;

/// The keeper's judgement settings (`[policy]` in the config file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// Rehedge when `|target - size| > hedge_band_bps / 1e4 * |target|`.
    pub hedge_band_bps: u32,
    /// De-risk when `lvr > fee_rate * (1 + derisk_margin_bps / 1e4)`.
    pub derisk_margin_bps: u32,
    /// Redeploy when `lvr < fee_rate * (1 - redeploy_margin_bps / 1e4)`
    /// (< 10,000).
    pub redeploy_margin_bps: u32,
    /// Horizon over which an action's benefit is weighed against its gas,
    /// seconds (> 0).
    pub horizon_secs: u64,
    /// Pool turnover (volume / TVL) per year assumed for the tier benefit
    /// when none is observed; `None`: tier changes are not gas-checked
    /// without an observation (the tier is the chain's rule, not a bet).
    pub turnover_per_year: Option<f64>,
    /// Ranges: re-range when the oracle's tick is further from the range's
    /// middle than this fraction (bps) of its half-width (<= 10,000; 10,000:
    /// only once the price has left the range).
    pub range_inner_bps: u32,
    /// Ranges: re-range when the width the volatility asks for differs
    /// from the range's by more than this fraction (bps) of it (> 0).
    pub range_width_tolerance_bps: u32,
    /// Ranges: skip a re-range whose gas costs more than this fraction (bps)
    /// of what it redeploys (the position and the idle tokens).
    pub range_max_gas_bps: u32,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            // 5 %: delta drift from a ~2.5 % price move at the default ratio;
            // tighter bands trade more often for little variance reduction.
            hedge_band_bps: 500,
            // +/- 20 % around break-even: the LVR estimate itself has ~10-20 %
            // sampling error on a 30-day EWMA, so smaller margins flap.
            derisk_margin_bps: 2_000,
            redeploy_margin_bps: 2_000,
            horizon_secs: 86_400,
            turnover_per_year: None,
            // half the half-width: the position still holds both tokens
            // (about a quarter of its value in the scarcer one), so a
            // re-range redeploys most of it; waiting for the exit leaves it
            // all in one token, which a centred range can barely use.
            range_inner_bps: 5_000,
            // +/- 50 %: a 30-day EWMA moves by that much in a regime change,
            // not from day to day.
            range_width_tolerance_bps: 5_000,
            range_max_gas_bps: 10,
        }
    }
}

impl PolicyConfig {
    /// Checks the settings; on error returns `(key, reason)`.
    ///
    /// # Errors
    /// A zero horizon, a redeploy margin of 100 % or more, a band over
    /// 100 %, a negative or non-finite turnover.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.horizon_secs == 0 {
            return Err(("horizon_secs", "must be positive".into()));
        }
        if u64::from(self.redeploy_margin_bps) >= BPS {
            return Err(("redeploy_margin_bps", "must be below 10000 (100 %)".into()));
        }
        if u64::from(self.hedge_band_bps) > BPS {
            return Err(("hedge_band_bps", "must be at most 10000 (100 %)".into()));
        }
        if u64::from(self.range_inner_bps) > BPS {
            return Err(("range_inner_bps", "must be at most 10000 (100 %)".into()));
        }
        if self.range_width_tolerance_bps == 0 {
            return Err(("range_width_tolerance_bps", "must be positive".into()));
        }
        if let Some(t) = self.turnover_per_year
            && !(t.is_finite() && t >= 0.0)
        {
            return Err((
                "turnover_per_year",
                format!("must be a non-negative number, got {t}"),
            ));
        }
        Ok(())
    }
}

/// The vault's Uniswap v4 pool as read from the `PoolManager` (its
/// `slot0` and liquidity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolSnapshot {
    /// The pool's price, `sqrt(token1 raw / token0 raw) * 2^96` (slot0).
    #[serde(with = "dec")]
    pub sqrt_price_x96: U256,
    /// The vault's position liquidity in the pool.
    #[serde(with = "dec")]
    pub liquidity: U256,
    /// The LP fee in force (slot0's dynamic fee, set by the manager), pips
    /// (1e-6).
    pub fee_pips: u32,
}

/// Vault state and the contract's owner-set bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaultSnapshot {
    /// Tier table as on chain (ascending thresholds).
    pub tiers: Vec<Tier>,
    /// Index of the tier in force.
    pub tier_index: usize,
    /// Hysteresis of the tier schedule (WAD of sigma).
    #[serde(with = "dec")]
    pub tier_hysteresis_wad: U256,
    /// Fraction of the vault's capital in the pool, bps.
    pub lp_bps: u32,
    /// Allowed range of `lp_bps` and the most one rebalance may move.
    pub min_lp_bps: u32,
    /// Upper end of the allowed range.
    pub max_lp_bps: u32,
    /// Largest change of `lp_bps` per rebalance.
    pub max_step_bps: u32,
    /// Current short on the hedge venue, token0 raw units (negative: long).
    #[serde(with = "dec_signed")]
    pub hedge_size: I256,
    /// The contract's target: `hedgeRatioBps x` the token0 the vault's
    /// position holds at the oracle price (its delta there), token0 raw
    /// units, negative (`il_math::vault::hedge_target`).
    #[serde(with = "dec_signed")]
    pub hedge_target: I256,
    /// The vault's position at the oracle price, token1 raw units
    /// (`il_math::vault::lp_value`).
    #[serde(with = "dec")]
    pub lp_value: U256,
    /// Whole vault (LP + idle + hedge equity), token1 raw units.
    #[serde(with = "dec")]
    pub vault_value: U256,
    /// Observed fee income rate, WAD fraction of LP value per year: the
    /// fees earned per vault share over the observed window (credited plus
    /// owed by the PoolManager), valued at the oracle price, over the LP
    /// value per share, annualised (`pass::fee_rate_wad`). `None` until
    /// observed.
    #[serde(with = "dec_opt")]
    pub fee_rate_wad: Option<U256>,
    /// Observed pool turnover (volume / TVL) per year, if known.
    pub turnover_per_year: Option<f64>,
    /// Seconds until the fee tier may change again.
    pub tier_cooldown_left: u64,
    /// Seconds until a rebalance up (an add) and down (a burn) are allowed:
    /// the cooldown after a move the same way, the reversal cooldown after
    /// one the other way (`il_math::vault::pacing`).
    pub rebalance_wait: Waits,
    /// Seconds until a hedge trade that buys (up) and sells (down) are allowed.
    pub hedge_wait: Waits,
    /// The hedge account's equity is below the top-up trigger of its margin:
    /// `hedge()` restores it at once, cooldown or not.
    #[serde(default)]
    pub hedge_margin_low: bool,
    /// The contract's spot-vs-oracle bound, bps.
    pub max_deviation_bps: u32,
}

/// Seconds until a move in each direction is allowed (0: now).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waits {
    /// An add to the pool; a hedge trade that buys.
    pub up: u64,
    /// A burn; a hedge trade that sells.
    pub down: u64,
}

impl Waits {
    /// The wait for a move up (`true`) or down.
    #[must_use]
    pub fn toward(&self, up: bool) -> u64 {
        if up { self.up } else { self.down }
    }
}

/// Gas cost model of a tick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GasSnapshot {
    /// Gas price, wei per gas.
    #[serde(with = "dec")]
    pub gas_price_wei: U256,
    /// Token1 raw units per wei of the native token (exact rational).
    pub native_price: Price,
    /// Gas of an `updateVolatility` call.
    pub gas_fee_tier: u64,
    /// Gas of a `rebalance` call.
    pub gas_rebalance: u64,
    /// Gas of a `hedge` call.
    pub gas_hedge: u64,
}

/// Everything [`decide`] looks at: one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyInput {
    /// Unix seconds of the snapshot.
    pub time: u64,
    /// Annualised volatility, WAD (what `updateVolatility` would submit).
    #[serde(with = "dec")]
    pub sigma_wad: U256,
    /// Which estimator produced it.
    pub estimator: Estimator,
    /// The pool.
    pub pool: PoolSnapshot,
    /// Oracle price, token1 raw per token0 raw (exact).
    pub oracle_price: Price,
    /// `|spot - oracle| / oracle`, bps (rounded up).
    pub deviation_bps: u32,
    /// The vault.
    pub vault: VaultSnapshot,
    /// Gas.
    pub gas: GasSnapshot,
}

/// Which rule a decision belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Fee tier (`updateVolatility`).
    FeeTier,
    /// De-risk / redeploy (`rebalance`).
    Rebalance,
    /// Hedge (`hedge`).
    Hedge,
    /// Concentrated range (`rerange`).
    Range,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::FeeTier => "fee_tier",
            Self::Rebalance => "rebalance",
            Self::Hedge => "hedge",
            Self::Range => "range",
        })
    }
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Call `updateVolatility(sigma)`; the contract should move to `tier`.
    UpdateVolatility {
        /// Sigma to submit, WAD.
        #[serde(with = "dec")]
        sigma_wad: U256,
        /// Tier index the schedule gives.
        tier: usize,
        /// Its fee, pips.
        fee_pips: u32,
    },
    /// Call `rebalance(target_lp_bps)`.
    Rebalance {
        /// New LP fraction, bps.
        target_lp_bps: u32,
    },
    /// Call `hedge()`; the contract moves the short to its target.
    Hedge {
        /// Expected size after the call, token0 raw.
        #[serde(with = "dec_signed")]
        target: I256,
    },
    /// Call `rerange()`; the contract moves the position to the range its
    /// rule gives now.
    Rerange {
        /// Why the range should move.
        reason: RerangeReason,
    },
    /// Nothing to do.
    Hold,
    /// Something to do, but a guard (deviation, cooldown, gas) stops it.
    Skip,
}

impl Action {
    /// True for the actions that send a transaction.
    #[must_use]
    pub fn acts(&self) -> bool {
        !matches!(self, Self::Hold | Self::Skip)
    }
}

/// One decision: the action, why, and the numbers it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Time of the snapshot.
    pub time: u64,
    /// Rule.
    pub rule: Rule,
    /// Action.
    pub action: Action,
    /// Why, one sentence.
    pub reason: String,
    /// The inputs and intermediate figures this rule used.
    pub inputs: Map<String, Value>,
}

impl Decision {
    /// The decision as one JSON line (for logs and the state store).
    #[must_use]
    pub fn to_log_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// A snapshot the rules cannot be applied to (a caller bug or corrupt chain
/// read, never a market condition).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// `tier_index` outside the table, or the table rejected by il-math.
    #[error("bad tier table or index: {0}")]
    Tiers(String),
    /// An il-math computation failed (overflow, zero price).
    #[error("math: {0}")]
    Math(String),
    /// Inconsistent bounds (`min_lp_bps > max_lp_bps`, over 100 %).
    #[error("bad vault bounds: {0}")]
    Bounds(String),
    /// A rule this input does not decide: the range rule is decided from
    /// the range ([`decide_range`]).
    #[error("rule {0} is not decided from a policy input")]
    NotFromInput(Rule),
}

fn u(v: U256) -> Value {
    Value::String(v.to_string())
}

fn s(v: I256) -> Value {
    Value::String(v.to_string())
}

/// `a * b / d`, floor (il-math's 512-bit `mul_div`).
fn mul_div(a: U256, b: U256, d: U256) -> Result<U256, PolicyError> {
    exact::mul_div_floor(a, b, d).map_err(|e| PolicyError::Math(e.to_string()))
}

/// Gas cost of `gas` units in token1 raw units, rounded up (costs are never
/// understated).
///
/// # Errors
/// [`PolicyError::Math`] when the cost overflows or the native price is
/// zero.
pub fn gas_cost(g: &GasSnapshot, gas: u64) -> Result<U256, PolicyError> {
    let wei = g
        .gas_price_wei
        .checked_mul(U256::from(gas))
        .ok_or_else(|| PolicyError::Math("gas cost overflows".into()))?;
    exact::mul_div_ceil(wei, g.native_price.num, g.native_price.den)
        .map_err(|e| PolicyError::Math(e.to_string()))
}

/// `horizon_secs / SECONDS_PER_YEAR` as WAD, floor.
fn horizon_wad(cfg: &PolicyConfig) -> Result<U256, PolicyError> {
    mul_div(
        U256::from(cfg.horizon_secs),
        WAD,
        U256::from(SECONDS_PER_YEAR),
    )
}

/// Hedge benefit: the one-standard-deviation PnL of the unhedged drift over
/// the horizon, `|target - size| x P x sigma x sqrt(horizon / year)` (token1
/// raw, floor). A rehedge removes this much risk, so it is worth paying gas
/// for when it exceeds the gas.
///
/// # Errors
/// [`PolicyError::Math`] on overflow or a zero oracle denominator.
pub fn hedge_benefit(
    drift: U256,
    price: &Price,
    sigma_wad: U256,
    cfg: &PolicyConfig,
) -> Result<U256, PolicyError> {
    let value = mul_div(drift, price.num, price.den)?;
    // sqrt(h) in WAD = sqrt(h_wad * WAD).
    let root_h = exact::sqrt(
        horizon_wad(cfg)?
            .checked_mul(WAD)
            .ok_or_else(|| PolicyError::Math("overflow".into()))?,
    );
    let scaled = mul_div(value, sigma_wad, WAD)?;
    mul_div(scaled, root_h, WAD)
}

/// Rebalance benefit: `|delta LP value| x |LVR rate - fee rate| x horizon`
/// (token1 raw, floor): the excess loss avoided (de-risk) or excess fee
/// earned (redeploy) by the capital moved, over the horizon.
///
/// # Errors
/// [`PolicyError::Math`] on overflow.
pub fn rebalance_benefit(
    moved_value: U256,
    lvr_wad: U256,
    fee_wad: U256,
    cfg: &PolicyConfig,
) -> Result<U256, PolicyError> {
    let gap = lvr_wad.abs_diff(fee_wad);
    let per_year = mul_div(moved_value, gap, WAD)?;
    mul_div(per_year, horizon_wad(cfg)?, WAD)
}

/// Tier benefit: `LP value x |delta fee| x turnover x horizon` (token1 raw,
/// floor): the change in fee income over the horizon if volume stayed at
/// `turnover_per_year` times TVL. `None` when no turnover is known.
///
/// # Errors
/// [`PolicyError::Math`] on overflow.
pub fn tier_benefit(
    lp_value: U256,
    delta_fee_pips: u32,
    turnover_per_year: Option<f64>,
    cfg: &PolicyConfig,
) -> Result<Option<U256>, PolicyError> {
    let Some(turnover) = turnover_per_year else {
        return Ok(None);
    };
    let Some(turnover_wad) = crate::vol::sigma_to_wad(turnover) else {
        return Err(PolicyError::Math(format!(
            "turnover {turnover} out of range"
        )));
    };
    let fee_income = mul_div(lp_value, U256::from(delta_fee_pips), U256::from(PIPS))?;
    let per_year = mul_div(fee_income, U256::from(turnover_wad), WAD)?;
    Ok(Some(mul_div(per_year, horizon_wad(cfg)?, WAD)?))
}

struct Ctx<'a> {
    input: &'a PolicyInput,
    cfg: &'a PolicyConfig,
    /// Build each decision's reason and inputs (off for replays that read
    /// only the actions: the records cost more than the decisions).
    explain: bool,
}

/// A decision's inputs, recorded only when the decision is explained.
struct Notes(Option<Map<String, Value>>);

impl Notes {
    fn put(&mut self, key: &str, value: impl FnOnce() -> Value) {
        if let Some(map) = &mut self.0 {
            map.insert(key.into(), value());
        }
    }
}

impl Ctx<'_> {
    fn notes(&self) -> Notes {
        Notes(self.explain.then(Map::new))
    }

    /// `reason()` when explaining, else nothing.
    fn why(&self, reason: impl FnOnce() -> String) -> String {
        if self.explain {
            reason()
        } else {
            String::new()
        }
    }

    fn decision(&self, rule: Rule, action: Action, reason: String, inputs: Notes) -> Decision {
        Decision {
            time: self.input.time,
            rule,
            action,
            reason,
            inputs: inputs.0.unwrap_or_default(),
        }
    }

    /// Applies the gas guard: `Ok(action)` when worth it, else a skip.
    fn gas_guard(
        &self,
        rule: Rule,
        action: Action,
        reason: String,
        mut inputs: Notes,
        gas: u64,
        benefit: Option<U256>,
    ) -> Result<Decision, PolicyError> {
        let cost = gas_cost(&self.input.gas, gas)?;
        inputs.put("gas", || json!(gas));
        inputs.put("gas_cost", || u(cost));
        match benefit {
            Some(b) => {
                inputs.put("benefit", || u(b));
                if cost > b {
                    return Ok(self.decision(rule, Action::Skip, self.why(|| format!("gas cost {cost} exceeds the expected benefit {b} over the horizon ({reason})")), inputs));
                }
            }
            None => {
                inputs.put("benefit", || Value::Null);
            }
        }
        Ok(self.decision(rule, action, reason, inputs))
    }

    fn fee_tier(&self) -> Result<Decision, PolicyError> {
        let v = &self.input.vault;
        let sigma = self.input.sigma_wad;
        let current = v.tiers.get(v.tier_index).ok_or_else(|| {
            PolicyError::Tiers(format!(
                "tier index {} outside a table of {}",
                v.tier_index,
                v.tiers.len()
            ))
        })?;
        let next = exact::select_tier(&v.tiers, v.tier_index, sigma, v.tier_hysteresis_wad)
            .map_err(|e| PolicyError::Tiers(e.to_string()))?;
        let tier = v
            .tiers
            .get(next)
            .ok_or_else(|| PolicyError::Tiers(format!("select_tier returned {next}")))?;
        let mut inputs = self.notes();
        inputs.put("sigma_wad", || u(sigma));
        inputs.put("estimator", || json!(self.input.estimator));
        inputs.put("tier_index", || json!(v.tier_index));
        inputs.put("selected_tier", || json!(next));
        inputs.put("hysteresis_wad", || u(v.tier_hysteresis_wad));
        inputs.put("fee_pips", || json!(current.fee_pips));
        inputs.put("selected_fee_pips", || json!(tier.fee_pips));
        if next == v.tier_index {
            return Ok(self.decision(
                Rule::FeeTier,
                Action::Hold,
                self.why(|| format!("tier {next} ({} pips) still fits sigma", tier.fee_pips)),
                inputs,
            ));
        }
        let action = Action::UpdateVolatility {
            sigma_wad: sigma,
            tier: next,
            fee_pips: tier.fee_pips,
        };
        let reason = self.why(|| {
            format!(
                "sigma moves the tier from {} ({} pips) to {next} ({} pips)",
                v.tier_index, current.fee_pips, tier.fee_pips
            )
        });
        if v.tier_cooldown_left > 0 {
            inputs.put("cooldown_left", || json!(v.tier_cooldown_left));
            return Ok(self.decision(
                Rule::FeeTier,
                Action::Skip,
                self.why(|| {
                    format!(
                        "{reason}, but the cooldown has {}s left",
                        v.tier_cooldown_left
                    )
                }),
                inputs,
            ));
        }
        let turnover = v.turnover_per_year.or(self.cfg.turnover_per_year);
        inputs.put("turnover_per_year", || json!(turnover));
        let benefit = tier_benefit(
            v.lp_value,
            current.fee_pips.abs_diff(tier.fee_pips),
            turnover,
            self.cfg,
        )?;
        self.gas_guard(
            Rule::FeeTier,
            action,
            reason,
            inputs,
            self.input.gas.gas_fee_tier,
            benefit,
        )
    }

    fn rebalance(&self) -> Result<Decision, PolicyError> {
        let v = &self.input.vault;
        let lvr =
            exact::lvr_rate(self.input.sigma_wad).map_err(|e| PolicyError::Math(e.to_string()))?;
        let mut inputs = self.notes();
        inputs.put("sigma_wad", || u(self.input.sigma_wad));
        inputs.put("lvr_rate_wad", || u(lvr));
        inputs.put("fee_rate_wad", || v.fee_rate_wad.map_or(Value::Null, u));
        inputs.put("lp_bps", || json!(v.lp_bps));
        inputs.put("min_lp_bps", || json!(v.min_lp_bps));
        inputs.put("max_lp_bps", || json!(v.max_lp_bps));
        let Some(fee) = v.fee_rate_wad else {
            return Ok(self.decision(
                Rule::Rebalance,
                Action::Hold,
                self.why(|| "fee income rate not observed yet".into()),
                inputs,
            ));
        };
        let bps = U256::from(BPS);
        let lhs = lvr
            .checked_mul(bps)
            .ok_or_else(|| PolicyError::Math("lvr overflow".into()))?;
        let up = fee
            .checked_mul(U256::from(BPS + u64::from(self.cfg.derisk_margin_bps)))
            .ok_or_else(|| PolicyError::Math("fee overflow".into()))?;
        // cannot underflow: validate() keeps redeploy_margin_bps < BPS.
        let down = fee
            .checked_mul(U256::from(
                BPS - u64::from(self.cfg.redeploy_margin_bps).min(BPS),
            ))
            .ok_or_else(|| PolicyError::Math("fee overflow".into()))?;
        let (target, reason) = if lhs > up {
            if v.lp_bps <= v.min_lp_bps {
                return Ok(self.decision(
                    Rule::Rebalance,
                    Action::Hold,
                    self.why(|| {
                        "LVR exceeds fee income but the LP is already at its minimum".into()
                    }),
                    inputs,
                ));
            }
            let t = v.lp_bps.saturating_sub(v.max_step_bps).max(v.min_lp_bps);
            (
                t,
                self.why(|| {
                    format!(
                        "LVR rate exceeds fee income by more than {} bps: de-risk to {t} bps",
                        self.cfg.derisk_margin_bps
                    )
                }),
            )
        } else if lhs < down {
            if v.lp_bps >= v.max_lp_bps {
                return Ok(self.decision(
                    Rule::Rebalance,
                    Action::Hold,
                    self.why(|| {
                        "fee income exceeds LVR and the LP is already at its maximum".into()
                    }),
                    inputs,
                ));
            }
            let t = v.lp_bps.saturating_add(v.max_step_bps).min(v.max_lp_bps);
            (
                t,
                self.why(|| {
                    format!(
                        "LVR rate below fee income by more than {} bps: redeploy to {t} bps",
                        self.cfg.redeploy_margin_bps
                    )
                }),
            )
        } else {
            return Ok(self.decision(
                Rule::Rebalance,
                Action::Hold,
                self.why(|| "LVR and fee income within the hysteresis band".into()),
                inputs,
            ));
        };
        let wait = v.rebalance_wait.toward(target > v.lp_bps);
        if wait > 0 {
            inputs.put("cooldown_left", || json!(wait));
            return Ok(self.decision(
                Rule::Rebalance,
                Action::Skip,
                self.why(|| format!("{reason}, but the cooldown has {wait}s left")),
                inputs,
            ));
        }
        let moved = mul_div(v.vault_value, U256::from(v.lp_bps.abs_diff(target)), bps)?;
        inputs.put("moved_value", || u(moved));
        let benefit = rebalance_benefit(moved, lvr, fee, self.cfg)?;
        self.gas_guard(
            Rule::Rebalance,
            Action::Rebalance {
                target_lp_bps: target,
            },
            reason,
            inputs,
            self.input.gas.gas_rebalance,
            Some(benefit),
        )
    }

    fn hedge(&self) -> Result<Decision, PolicyError> {
        let v = &self.input.vault;
        let drift = (v.hedge_target - v.hedge_size).unsigned_abs();
        let target_abs = v.hedge_target.unsigned_abs();
        let mut inputs = self.notes();
        inputs.put("hedge_size", || s(v.hedge_size));
        inputs.put("hedge_target", || s(v.hedge_target));
        inputs.put("drift", || u(drift));
        inputs.put("band_bps", || json!(self.cfg.hedge_band_bps));
        let band = mul_div(
            target_abs,
            U256::from(self.cfg.hedge_band_bps),
            U256::from(BPS),
        )?;
        inputs.put("margin_low", || json!(v.hedge_margin_low));
        if v.hedge_margin_low {
            // the contract tops the margin up at once, cooldown or not
            return Ok(self.decision(
                Rule::Hedge,
                Action::Hedge {
                    target: v.hedge_target,
                },
                self.why(|| "hedge equity below its margin trigger: top it up".into()),
                inputs,
            ));
        }
        if drift.is_zero() || drift <= band {
            return Ok(self.decision(
                Rule::Hedge,
                Action::Hold,
                self.why(|| "hedge within its band".into()),
                inputs,
            ));
        }
        let reason = self.why(|| format!("hedge drift {drift} exceeds the band {band}"));
        let wait = v.hedge_wait.toward(v.hedge_target > v.hedge_size);
        if wait > 0 {
            inputs.put("cooldown_left", || json!(wait));
            return Ok(self.decision(
                Rule::Hedge,
                Action::Skip,
                self.why(|| format!("{reason}, but the cooldown has {wait}s left")),
                inputs,
            ));
        }
        let benefit = hedge_benefit(
            drift,
            &self.input.oracle_price,
            self.input.sigma_wad,
            self.cfg,
        )?;
        self.gas_guard(
            Rule::Hedge,
            Action::Hedge {
                target: v.hedge_target,
            },
            reason,
            inputs,
            self.input.gas.gas_hedge,
            Some(benefit),
        )
    }
}

fn check_input(input: &PolicyInput) -> Result<(), PolicyError> {
    let v = &input.vault;
    if v.min_lp_bps > v.max_lp_bps || u64::from(v.max_lp_bps) > BPS || u64::from(v.lp_bps) > BPS {
        return Err(PolicyError::Bounds(format!(
            "lp {} in [{}, {}] bps",
            v.lp_bps, v.min_lp_bps, v.max_lp_bps
        )));
    }
    if input.oracle_price.den.is_zero() || input.oracle_price.num.is_zero() {
        return Err(PolicyError::Math("oracle price is zero".into()));
    }
    if input.gas.native_price.den.is_zero() {
        return Err(PolicyError::Math(
            "native price has a zero denominator".into(),
        ));
    }
    Ok(())
}

/// The keeper's decisions for one snapshot: one [`Decision`] per rule, in the
/// order fee tier, rebalance, hedge. Pure and deterministic: no I/O, no
/// clock, no randomness; the same input gives the same output, byte for byte.
///
/// # Errors
/// [`PolicyError`] when the snapshot is inconsistent (tier index outside the
/// table, bounds inverted, zero oracle price) or an exact computation
/// overflows. Market conditions never error: they produce `Hold`/`Skip`.
#[inline(never)]
pub fn decide(input: &PolicyInput, cfg: &PolicyConfig) -> Result<Vec<Decision>, PolicyError> {
    Ok(decide_with(input, cfg, true)?.into())
}

/// [`decide`]'s actions without their explanations: the same rule and
/// action per decision, an empty reason and inputs. For replays that need
/// only the actions ([`explain`] gives a decision's full record).
///
/// # Errors
/// As [`decide`].
#[inline(never)]
pub fn decide_actions(
    input: &PolicyInput,
    cfg: &PolicyConfig,
) -> Result<[Decision; 3], PolicyError> {
    decide_with(input, cfg, false)
}

/// [`decide`]'s full record of one `rule` on this input.
///
/// # Errors
/// As [`decide`].
pub fn explain(
    input: &PolicyInput,
    cfg: &PolicyConfig,
    rule: Rule,
) -> Result<Decision, PolicyError> {
    check_input(input)?;
    let ctx = Ctx {
        input,
        cfg,
        explain: true,
    };
    if let Some(skips) = deviation_skips(&ctx) {
        let [fee, rebalance, hedge] = skips;
        return match rule {
            Rule::FeeTier => Ok(fee),
            Rule::Rebalance => Ok(rebalance),
            Rule::Hedge => Ok(hedge),
            Rule::Range => Err(PolicyError::NotFromInput(rule)),
        };
    }
    match rule {
        Rule::FeeTier => ctx.fee_tier(),
        Rule::Rebalance => ctx.rebalance(),
        Rule::Hedge => ctx.hedge(),
        Rule::Range => Err(PolicyError::NotFromInput(rule)),
    }
}

fn decide_with(
    input: &PolicyInput,
    cfg: &PolicyConfig,
    explain: bool,
) -> Result<[Decision; 3], PolicyError> {
    check_input(input)?;
    let ctx = Ctx {
        input,
        cfg,
        explain,
    };
    if let Some(skips) = deviation_skips(&ctx) {
        return Ok(skips);
    }
    Ok([ctx.fee_tier()?, ctx.rebalance()?, ctx.hedge()?])
}

/// Every rule skips while the pool's spot deviates beyond the contract's bound.
fn deviation_skips(ctx: &Ctx<'_>) -> Option<[Decision; 3]> {
    let (input, v) = (ctx.input, &ctx.input.vault);
    if input.deviation_bps <= v.max_deviation_bps {
        return None;
    }
    let reason = ctx.why(|| {
        format!(
            "pool spot deviates {} bps from the oracle, beyond the contract's {} bps bound",
            input.deviation_bps, v.max_deviation_bps
        )
    });
    Some([Rule::FeeTier, Rule::Rebalance, Rule::Hedge].map(|rule| {
        let mut inputs = ctx.notes();
        inputs.put("deviation_bps", || json!(input.deviation_bps));
        inputs.put("max_deviation_bps", || json!(v.max_deviation_bps));
        ctx.decision(rule, Action::Skip, reason.clone(), inputs)
    }))
}

/// A concentrated position as the re-range rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeView {
    /// The position's ticks `[lower, upper)`.
    pub lower: i32,
    /// Upper tick.
    pub upper: i32,
    /// The oracle price's tick (`il_math::tick_at_sqrt_price` of its sqrt
    /// price): where the contract would centre a new range.
    pub tick: i32,
    /// The width the contract would give a new range now
    /// (`il_math::range::RangeRule::width` at the current sigma).
    pub target_width: i32,
    /// Gas cost of a re-range, token1 raw units.
    #[serde(with = "dec")]
    pub gas_cost: U256,
    /// What a re-range redeploys (the position and the idle tokens),
    /// token1 raw units.
    #[serde(with = "dec")]
    pub value: U256,
}

/// Why a range should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RerangeReason {
    /// The price has left the range: the position earns nothing and holds
    /// one token only.
    OutOfRange,
    /// The price has left the range's inner band (`range_inner_bps` of the
    /// half-width around the middle).
    LeftInnerBand,
    /// The volatility asks for a width off the range's by more than
    /// `range_width_tolerance_bps`.
    WidthOff,
}

impl fmt::Display for RerangeReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OutOfRange => "the price is out of the range",
            Self::LeftInnerBand => "the price left the range's inner band",
            Self::WidthOff => "the volatility asks for another width",
        })
    }
}

/// The re-range rule (the keeper says *when*; the contract computes the new
/// ticks from the oracle and sigma): `Some(reason)` when [`rerange_reason`]
/// gives one and [`rerange_pays`] holds; `None` otherwise.
#[must_use]
pub fn rerange_due(v: &RangeView, cfg: &PolicyConfig) -> Option<RerangeReason> {
    rerange_reason(v, cfg).filter(|_| rerange_pays(v, cfg))
}

/// Why the range should move, gas aside: the oracle's tick is out of
/// `[lower, upper)`, or further from the middle than `range_inner_bps` of
/// the half-width (`|2 tick - lower - upper| * 1e4 > inner * (upper -
/// lower)`), or the target width is off the current one by more than
/// `range_width_tolerance_bps` of the current (`|target - width| * 1e4 >
/// tolerance * width`); `None` when none holds.
#[must_use]
pub fn rerange_reason(v: &RangeView, cfg: &PolicyConfig) -> Option<RerangeReason> {
    let (lower, upper, tick) = (i64::from(v.lower), i64::from(v.upper), i64::from(v.tick));
    let width = (upper - lower).max(1);
    let bps = i64::try_from(BPS).unwrap_or(10_000);
    Some(if tick < lower || tick >= upper {
        RerangeReason::OutOfRange
    } else if (2 * tick - lower - upper).abs() * bps > i64::from(cfg.range_inner_bps) * width {
        RerangeReason::LeftInnerBand
    } else if (i64::from(v.target_width) - width).abs() * bps
        > i64::from(cfg.range_width_tolerance_bps) * width
    {
        RerangeReason::WidthOff
    } else {
        return None;
    })
}

/// Whether a re-range's gas is at most `range_max_gas_bps` of what it
/// redeploys (a re-range that costs more than it can earn back is not
/// worth it; exact integer math).
#[must_use]
pub fn rerange_pays(v: &RangeView, cfg: &PolicyConfig) -> bool {
    // gas * 1e4 <= max_gas_bps * value (products of values below 2^200 and
    // 2^32 cannot overflow; saturate regardless)
    let gas = v.gas_cost.saturating_mul(U256::from(BPS));
    let cap = v.value.saturating_mul(U256::from(cfg.range_max_gas_bps));
    gas <= cap
}

/// The live keeper's range decision (rule [`Rule::Range`]) at `time`:
/// [`Action::Rerange`] when [`rerange_reason`] gives a reason, the
/// manager's cooldown has passed (`wait` seconds left) and
/// [`rerange_pays`]; a skip naming the guard when one stops it; hold when
/// the range is where the rule wants it.
#[must_use]
pub fn decide_range(v: &RangeView, wait: u64, time: u64, cfg: &PolicyConfig) -> Decision {
    let mut inputs = Map::new();
    for (k, val) in [
        ("lower", json!(v.lower)),
        ("upper", json!(v.upper)),
        ("tick", json!(v.tick)),
        ("target_width", json!(v.target_width)),
        ("gas_cost", json!(v.gas_cost.to_string())),
        ("value", json!(v.value.to_string())),
        ("wait_secs", json!(wait)),
    ] {
        inputs.insert(k.into(), val);
    }
    let (action, reason) = match rerange_reason(v, cfg) {
        None => (
            Action::Hold,
            format!(
                "the oracle's tick {} is in the range [{}, {}) near its middle and the width {} is within the tolerance of {}",
                v.tick,
                v.lower,
                v.upper,
                v.upper.saturating_sub(v.lower),
                v.target_width
            ),
        ),
        Some(why) if wait > 0 => (
            Action::Skip,
            format!("{why}, but the manager's cooldown has {wait} s left"),
        ),
        Some(why) if !rerange_pays(v, cfg) => (
            Action::Skip,
            format!(
                "{why}, but the gas ({} token1 raw) is more than range_max_gas_bps ({}) of what it redeploys ({})",
                v.gas_cost, cfg.range_max_gas_bps, v.value
            ),
        ),
        Some(why) => (Action::Rerange { reason: why }, why.to_string()),
    };
    Decision {
        time,
        rule: Rule::Range,
        action,
        reason,
        inputs,
    }
}

/// `U256` as a decimal string in serde (JSON numbers cannot hold 256 bits).
pub mod dec {
    use alloy_primitives::U256;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as a decimal string.
    ///
    /// # Errors
    /// Never (the serializer's own errors only).
    pub fn serialize<S: Serializer>(v: &U256, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Parses a decimal string.
    ///
    /// # Errors
    /// Not a decimal integer, or above 2^256 - 1.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<U256, D::Error> {
        let s = String::deserialize(d)?;
        U256::from_str_radix(&s, 10).map_err(serde::de::Error::custom)
    }
}

/// `Option<U256>` as a decimal string or null.
pub mod dec_opt {
    use alloy_primitives::U256;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as a decimal string or null.
    ///
    /// # Errors
    /// Never (the serializer's own errors only).
    pub fn serialize<S: Serializer>(v: &Option<U256>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&v.to_string()),
            None => s.serialize_none(),
        }
    }

    /// Parses a decimal string or null.
    ///
    /// # Errors
    /// Not a decimal integer, or above 2^256 - 1.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<U256>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| U256::from_str_radix(&s, 10).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// `I256` as a decimal string in serde.
pub mod dec_signed {
    use alloy_primitives::I256;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as a decimal string.
    ///
    /// # Errors
    /// Never (the serializer's own errors only).
    pub fn serialize<S: Serializer>(v: &I256, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Parses a decimal string.
    ///
    /// # Errors
    /// Not a decimal integer in `I256`'s range.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<I256, D::Error> {
        let s = String::deserialize(d)?;
        s.parse::<I256>().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wad(x: f64) -> U256 {
        U256::from(crate::vol::sigma_to_wad(x).unwrap())
    }

    fn tokens(x: i64) -> I256 {
        I256::try_from(x).unwrap() * I256::try_from(1_000_000_000_000_000_000i128).unwrap()
    }

    /// A calm vault: sigma 0.8 in tier 1 of 0 / 50 % / 100 %, fees 5 % above
    /// LVR's 8 % (inside the hysteresis band), hedge on target.
    fn base() -> PolicyInput {
        let tier = |s: f64, fee_pips| Tier {
            min_sigma_wad: wad(s),
            fee_pips,
        };
        PolicyInput {
            time: 1_700_000_000,
            sigma_wad: wad(0.8),
            estimator: Estimator::Ewma,
            pool: PoolSnapshot {
                // P = 2,000: sqrt(2000) * 2^96
                sqrt_price_x96: U256::from(3_543_191_142_285_914_205_922_034_323_214u128),
                liquidity: tokens(11_180).unsigned_abs(),
                fee_pips: 3_000,
            },
            oracle_price: Price {
                num: U256::from(2_000u32),
                den: U256::from(1u8),
            },
            deviation_bps: 10,
            vault: VaultSnapshot {
                tiers: vec![tier(0.0, 500), tier(0.5, 3_000), tier(1.0, 10_000)],
                tier_index: 1,
                tier_hysteresis_wad: wad(0.1),
                lp_bps: 10_000,
                min_lp_bps: 2_000,
                max_lp_bps: 10_000,
                max_step_bps: 2_500,
                hedge_size: tokens(250),
                hedge_target: tokens(250),
                lp_value: tokens(1_000_000).unsigned_abs(),
                vault_value: tokens(1_000_000).unsigned_abs(),
                fee_rate_wad: Some(wad(0.085)),
                turnover_per_year: Some(70.0),
                tier_cooldown_left: 0,
                rebalance_wait: Waits::default(),
                hedge_wait: Waits::default(),
                hedge_margin_low: false,
                max_deviation_bps: 200,
            },
            gas: GasSnapshot {
                gas_price_wei: U256::from(20_000_000u64),
                native_price: Price {
                    num: U256::from(2_000u32),
                    den: U256::from(1u8),
                },
                gas_fee_tier: 150_000,
                gas_rebalance: 600_000,
                gas_hedge: 400_000,
            },
        }
    }

    fn actions(input: &PolicyInput) -> Vec<Action> {
        decide(input, &PolicyConfig::default())
            .unwrap()
            .into_iter()
            .map(|d| d.action)
            .collect()
    }

    #[test]
    fn situations_give_the_expected_actions() {
        use Action::{Hedge, Hold, Rebalance, Skip, UpdateVolatility};
        type Edit = fn(&mut PolicyInput);
        let cases: Vec<(&str, Edit, [Action; 3])> = vec![
            ("calm: nothing to do", |_| {}, [Hold, Hold, Hold]),
            (
                "vol spike: up a tier, and LVR now beats fees",
                |i| i.sigma_wad = wad(1.2),
                [
                    UpdateVolatility {
                        sigma_wad: wad(1.2),
                        tier: 2,
                        fee_pips: 10_000,
                    },
                    Rebalance {
                        target_lp_bps: 7_500,
                    },
                    Hold,
                ],
            ),
            (
                "vol dips into the hysteresis band: stay",
                |i| i.sigma_wad = wad(0.45),
                [Hold, Hold, Hold],
            ),
            (
                "vol falls through the band: down a tier",
                |i| i.sigma_wad = wad(0.3),
                [
                    UpdateVolatility {
                        sigma_wad: wad(0.3),
                        tier: 0,
                        fee_pips: 500,
                    },
                    Hold,
                    Hold,
                ],
            ),
            (
                "LVR above fees + margin: de-risk one step",
                |i| i.vault.fee_rate_wad = Some(wad(0.05)),
                [
                    Hold,
                    Rebalance {
                        target_lp_bps: 7_500,
                    },
                    Hold,
                ],
            ),
            (
                "de-risk stops at the minimum",
                |i| {
                    i.vault.fee_rate_wad = Some(wad(0.05));
                    i.vault.lp_bps = 2_000;
                },
                [Hold, Hold, Hold],
            ),
            (
                "de-risk never overshoots the minimum",
                |i| {
                    i.vault.fee_rate_wad = Some(wad(0.05));
                    i.vault.lp_bps = 3_000;
                },
                [
                    Hold,
                    Rebalance {
                        target_lp_bps: 2_000,
                    },
                    Hold,
                ],
            ),
            (
                "fees well above LVR: redeploy one step",
                |i| {
                    i.vault.fee_rate_wad = Some(wad(0.2));
                    i.vault.lp_bps = 5_000;
                },
                [
                    Hold,
                    Rebalance {
                        target_lp_bps: 7_500,
                    },
                    Hold,
                ],
            ),
            (
                "fees above LVR at full deployment: hold",
                |i| i.vault.fee_rate_wad = Some(wad(0.2)),
                [Hold, Hold, Hold],
            ),
            (
                "no fee observation yet: no rebalance",
                |i| i.vault.fee_rate_wad = None,
                [Hold, Hold, Hold],
            ),
            (
                "hedge drift beyond the band: rehedge",
                |i| i.vault.hedge_size = tokens(230),
                [
                    Hold,
                    Hold,
                    Hedge {
                        target: tokens(250),
                    },
                ],
            ),
            (
                "hedge drift inside the band: hold",
                |i| i.vault.hedge_size = tokens(240),
                [Hold, Hold, Hold],
            ),
            (
                "no hedge yet: open it",
                |i| i.vault.hedge_size = I256::ZERO,
                [
                    Hold,
                    Hold,
                    Hedge {
                        target: tokens(250),
                    },
                ],
            ),
            (
                "hedge cooldown: skip",
                |i| {
                    i.vault.hedge_size = tokens(200);
                    i.vault.hedge_wait = Waits { up: 60, down: 60 };
                },
                [Hold, Hold, Skip],
            ),
            (
                "tier cooldown: skip",
                |i| {
                    i.sigma_wad = wad(0.3);
                    i.vault.tier_cooldown_left = 10;
                },
                [Skip, Hold, Hold],
            ),
            (
                "rebalance cooldown: skip",
                |i| {
                    i.vault.fee_rate_wad = Some(wad(0.05));
                    i.vault.rebalance_wait = Waits { up: 100, down: 100 };
                },
                [Hold, Skip, Hold],
            ),
            (
                "a de-risk after an add waits the reversal: skip",
                |i| {
                    i.vault.fee_rate_wad = Some(wad(0.05));
                    i.vault.rebalance_wait = Waits { up: 0, down: 7_200 };
                },
                [Hold, Skip, Hold],
            ),
            (
                "a de-risk after a de-risk waits only its cooldown: act",
                |i| {
                    i.vault.fee_rate_wad = Some(wad(0.05));
                    i.vault.rebalance_wait = Waits { up: 7_200, down: 0 };
                },
                [
                    Hold,
                    Rebalance {
                        target_lp_bps: 7_500,
                    },
                    Hold,
                ],
            ),
            (
                "hedge in band but its margin is low: top it up, cooldown or not",
                |i| {
                    i.vault.hedge_size = tokens(240);
                    i.vault.hedge_wait = Waits { up: 60, down: 60 };
                    i.vault.hedge_margin_low = true;
                },
                [
                    Hold,
                    Hold,
                    Hedge {
                        target: tokens(250),
                    },
                ],
            ),
            (
                "spot deviates beyond the bound: skip everything",
                |i| {
                    i.deviation_bps = 201;
                    i.sigma_wad = wad(1.5);
                    i.vault.hedge_size = I256::ZERO;
                },
                [Skip, Skip, Skip],
            ),
            (
                "deviation at the bound is still fine",
                |i| {
                    i.deviation_bps = 200;
                    i.vault.hedge_size = I256::ZERO;
                },
                [
                    Hold,
                    Hold,
                    Hedge {
                        target: tokens(250),
                    },
                ],
            ),
            (
                "gas above the hedge's benefit: skip",
                |i| {
                    i.vault.hedge_size = tokens(230);
                    i.gas.gas_price_wei = U256::from(10u64).pow(U256::from(13)); // 10,000 gwei
                },
                [Hold, Hold, Skip],
            ),
            (
                "tier change worth less than its gas: skip",
                |i| {
                    i.sigma_wad = wad(0.3);
                    i.vault.turnover_per_year = Some(0.0);
                },
                [Skip, Hold, Hold],
            ),
            (
                "tier change without turnover data: act",
                |i| {
                    i.sigma_wad = wad(0.3);
                    i.vault.turnover_per_year = None;
                },
                [
                    UpdateVolatility {
                        sigma_wad: wad(0.3),
                        tier: 0,
                        fee_pips: 500,
                    },
                    Hold,
                    Hold,
                ],
            ),
        ];
        for (name, edit, want) in cases {
            let mut input = base();
            edit(&mut input);
            assert_eq!(actions(&input), want.to_vec(), "{name}");
            // the unexplained decisions act alike, and each explained one
            // is decide's record
            let cfg = PolicyConfig::default();
            let full = decide(&input, &cfg).unwrap();
            let quiet = decide_actions(&input, &cfg).unwrap();
            for (q, f) in quiet.iter().zip(&full) {
                assert_eq!((q.rule, &q.action), (f.rule, &f.action), "{name}");
                assert!(q.reason.is_empty() && q.inputs.is_empty(), "{name}");
                assert_eq!(&explain(&input, &cfg, f.rule).unwrap(), f, "{name}");
            }
        }
    }

    #[test]
    fn decisions_carry_reason_and_inputs_as_one_json_line() {
        let mut input = base();
        input.vault.hedge_size = tokens(230);
        let d = decide(&input, &PolicyConfig::default()).unwrap();
        let line = d[2].to_log_line();
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["rule"], "hedge");
        assert_eq!(v["action"]["kind"], "hedge");
        assert_eq!(v["inputs"]["drift"], "20000000000000000000");
        assert!(v["reason"].as_str().unwrap().contains("exceeds the band"));
        // Round trip: a logged decision reads back identically.
        let back: Decision = serde_json::from_str(&line).unwrap();
        assert_eq!(back, d[2]);
    }

    #[test]
    fn decide_is_deterministic() {
        let input = base();
        let a = serde_json::to_string(&decide(&input, &PolicyConfig::default()).unwrap()).unwrap();
        let b = serde_json::to_string(&decide(&input, &PolicyConfig::default()).unwrap()).unwrap();
        assert_eq!(a, b);
        // And the input itself round-trips through JSON (tick records it).
        let text = serde_json::to_string(&input).unwrap();
        assert_eq!(serde_json::from_str::<PolicyInput>(&text).unwrap(), input);
    }

    #[test]
    fn inconsistent_snapshots_are_errors_not_decisions() {
        let mut input = base();
        input.vault.tier_index = 7;
        assert!(matches!(
            decide(&input, &PolicyConfig::default()),
            Err(PolicyError::Tiers(_))
        ));
        let mut input = base();
        input.vault.min_lp_bps = 9_000;
        input.vault.max_lp_bps = 8_000;
        assert!(matches!(
            decide(&input, &PolicyConfig::default()),
            Err(PolicyError::Bounds(_))
        ));
        let mut input = base();
        input.oracle_price.num = U256::ZERO;
        assert_eq!(
            decide(&input, &PolicyConfig::default()),
            Err(PolicyError::Math("oracle price is zero".into()))
        );
    }

    #[test]
    fn benefit_estimates_match_hand_computation() {
        let cfg = PolicyConfig {
            horizon_secs: SECONDS_PER_YEAR,
            ..PolicyConfig::default()
        };
        // 10 token0 at 2000 with sigma 0.5 over one year: 10 * 2000 * 0.5 = 10,000 token1.
        let b = hedge_benefit(
            tokens(10).unsigned_abs(),
            &Price {
                num: U256::from(2_000u32),
                den: U256::from(1u8),
            },
            wad(0.5),
            &cfg,
        )
        .unwrap();
        assert_eq!(b, tokens(10_000).unsigned_abs());
        // 100,000 moved, |0.08 - 0.05| for a year: 3,000.
        let b =
            rebalance_benefit(tokens(100_000).unsigned_abs(), wad(0.08), wad(0.05), &cfg).unwrap();
        assert_eq!(b, tokens(3_000).unsigned_abs());
        // 1,000,000 LP, 2,500 pips more, turnover 10x a year: 25,000.
        let b = tier_benefit(tokens(1_000_000).unsigned_abs(), 2_500, Some(10.0), &cfg).unwrap();
        assert_eq!(b, Some(tokens(25_000).unsigned_abs()));
        assert_eq!(tier_benefit(U256::from(1u8), 1, None, &cfg).unwrap(), None);
    }

    #[test]
    fn config_validation_names_the_key() {
        let bad = PolicyConfig {
            redeploy_margin_bps: 10_000,
            ..PolicyConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().0, "redeploy_margin_bps");
        let bad = PolicyConfig {
            horizon_secs: 0,
            ..PolicyConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().0, "horizon_secs");
        let bad = PolicyConfig {
            turnover_per_year: Some(f64::NAN),
            ..PolicyConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().0, "turnover_per_year");
    }

    fn view(lower: i32, upper: i32, tick: i32, target_width: i32) -> RangeView {
        RangeView {
            lower,
            upper,
            tick,
            target_width,
            gas_cost: U256::from(10_000u32),
            value: U256::from(10_000_000u32),
        }
    }

    #[test]
    fn rerange_rule_edges() {
        let cfg = PolicyConfig::default(); // inner 50 %, tolerance 50 %, gas 10 bps
        // range [-600, 600): middle 0, half-width 600, inner band |tick| <= 300
        assert_eq!(rerange_due(&view(-600, 600, 0, 1_200), &cfg), None);
        assert_eq!(rerange_due(&view(-600, 600, 300, 1_200), &cfg), None);
        assert_eq!(rerange_due(&view(-600, 600, -300, 1_200), &cfg), None);
        assert_eq!(
            rerange_due(&view(-600, 600, 301, 1_200), &cfg),
            Some(RerangeReason::LeftInnerBand)
        );
        assert_eq!(
            rerange_due(&view(-600, 600, -301, 1_200), &cfg),
            Some(RerangeReason::LeftInnerBand)
        );
        // upper is exclusive, lower inclusive (v4's in-range test)
        assert_eq!(
            rerange_due(&view(-600, 600, 600, 1_200), &cfg),
            Some(RerangeReason::OutOfRange)
        );
        assert_eq!(
            rerange_due(&view(-600, 600, -601, 1_200), &cfg),
            Some(RerangeReason::OutOfRange)
        );
        // width: 1,800 is exactly +50 %: held; 1,860 is beyond
        assert_eq!(rerange_due(&view(-600, 600, 0, 1_800), &cfg), None);
        assert_eq!(rerange_due(&view(-600, 600, 0, 600), &cfg), None);
        assert_eq!(
            rerange_due(&view(-600, 600, 0, 1_860), &cfg),
            Some(RerangeReason::WidthOff)
        );
        assert_eq!(
            rerange_due(&view(-600, 600, 0, 540), &cfg),
            Some(RerangeReason::WidthOff)
        );
        // gas: 10,000 of 10,000,000 is exactly 10 bps (allowed); 10,001 is not
        let mut v = view(-600, 600, 700, 1_200);
        assert_eq!(rerange_due(&v, &cfg), Some(RerangeReason::OutOfRange));
        v.gas_cost = U256::from(10_001u32);
        assert_eq!(rerange_due(&v, &cfg), None);
        // inner 100 %: only leaving the range counts
        let wide = PolicyConfig {
            range_inner_bps: 10_000,
            ..PolicyConfig::default()
        };
        assert_eq!(rerange_due(&view(-600, 600, 599, 1_200), &wide), None);
        assert!(
            PolicyConfig {
                range_inner_bps: 10_001,
                ..PolicyConfig::default()
            }
            .validate()
            .is_err()
        );
        assert!(
            PolicyConfig {
                range_width_tolerance_bps: 0,
                ..PolicyConfig::default()
            }
            .validate()
            .is_err()
        );
    }
}
