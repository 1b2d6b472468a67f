//! One keeper pass, shared by `tick` (once) and `run` (in a loop):
//!
//! 1. reconcile the store's unresolved transactions from chain data, and
//!    wait for (or replace) any an earlier run left pending;
//! 2. read a [`Snapshot`] (one JSON-RPC batch) and append an observation;
//! 3. estimate volatility from the stored oracle prices (returns scaled to
//!    the mean spacing of their actual timestamps, annualised from it);
//! 4. [`policy::decide`] with zero gas, simulate every acting decision
//!    (`eth_call` + `eth_estimateGas` in one batch; a revert becomes a
//!    logged skip naming the error), decide again with the estimated gas;
//! 5. send at most `max_tx_per_run` transactions (none with `--dry-run`),
//!    wait for receipts, record everything.
//!
//! Between 1 and 2, the contracts' Stylus program lifetimes
//! ([`crate::chain::programs`]): one warning line names every program
//! within `keeper.keepalive_margin_days` of expiry (or past it); with
//! `keeper.keepalive` each is renewed (keepalive, or reactivation once
//! expired), recorded like any other action. A program that still does not
//! run fails the pass: nothing else can work until it does.

use alloy::primitives::{Address, Bytes, U256};
use alloy::sol_types::SolCall;
use il_deploy::bindings::IManager;
use serde::Serialize;
use serde_json::json;

use crate::chain::programs::{self, Lifetimes};
use crate::chain::tx::{Call, Hook, Sender, TxError, TxLimits, gas_limit_for};
use crate::chain::{ChainError, Client, Counts, Snapshot};
use crate::config::Config;
use crate::exact::Price;
use crate::policy::{
    self, Action, Decision, GasSnapshot, PolicyConfig, PolicyInput, PoolSnapshot, Rule,
    VaultSnapshot,
};
use crate::store::{self, DecisionRecord, EstimateRecord, Observation, Store};
use crate::vol;

/// Observations the estimators look back over.
pub const HISTORY: usize = 500;
/// Fewest returns before the keeper decides anything.
pub const MIN_RETURNS: usize = 2;

/// Options of a pass.
#[derive(Clone, Default)]
pub struct PassOptions {
    /// Simulate and log; send nothing.
    pub dry_run: bool,
    /// Test hook into the transaction layer (production: `None`).
    pub hook: Option<Hook>,
}

impl std::fmt::Debug for PassOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassOptions")
            .field("dry_run", &self.dry_run)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

/// A transaction a pass sent.
#[derive(Debug, Clone, Serialize)]
pub struct SentTx {
    /// Rule.
    pub rule: String,
    /// Hash mined.
    pub hash: String,
    /// Block.
    pub block: u64,
    /// Receipt status.
    pub success: bool,
    /// Attempts (replacements + 1).
    pub attempts: u32,
}

impl SentTx {
    /// The record of `rule`'s transaction, mined as `m`.
    fn of(rule: &str, m: &crate::chain::tx::Mined) -> Self {
        Self {
            rule: rule.to_string(),
            hash: m.hash.to_string(),
            block: m.block,
            success: m.success,
            attempts: m.attempts,
        }
    }
}

/// What a pass did.
#[derive(Debug, Clone, Serialize)]
pub struct PassReport {
    /// Run id in the store.
    pub run: i64,
    /// Block of the snapshot.
    pub block: u64,
    /// The contracts' program lifetimes, read before the snapshot (before
    /// any renewal this pass sent).
    pub lifetimes: Lifetimes,
    /// Transactions resolved by reconciliation.
    pub reconciled: usize,
    /// Pending transactions of earlier runs waited for (or replaced) and mined.
    pub resumed: usize,
    /// The volatility estimate, if there were enough returns.
    pub estimate: Option<EstimateRecord>,
    /// Final decisions (after simulation).
    pub decisions: Vec<Decision>,
    /// Transactions sent and mined.
    pub sent: Vec<SentTx>,
    /// RPC requests and calls of the pass.
    pub rpc: Counts,
}

/// How a pass failed.
#[derive(Debug, thiserror::Error)]
pub enum PassError {
    /// Chain.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Transaction layer.
    #[error(transparent)]
    Tx(#[from] TxError),
    /// Store.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// Policy refused the snapshot.
    #[error("policy: {0}")]
    Policy(#[from] policy::PolicyError),
    /// A transaction was mined but reverted.
    #[error("transaction {hash} for {rule} reverted on chain")]
    Reverted {
        /// Rule.
        rule: String,
        /// Hash.
        hash: String,
    },
    /// Other runtime failures (reconciliation).
    #[error("{0}")]
    Other(String),
}

impl PassError {
    /// True for configuration problems (exit 2).
    #[must_use]
    pub fn is_input(&self) -> bool {
        match self {
            Self::Chain(e) | Self::Tx(TxError::Chain(e)) => e.is_input(),
            _ => false,
        }
    }
}

/// Volatility of the stored oracle prices. Returns between observations
/// `dt_i` seconds apart are scaled by `sqrt(mean_dt / dt_i)` (each becomes a
/// return over the mean spacing) and annualised with
/// `SECONDS_PER_YEAR / mean_dt`; pairs with no time between them are
/// skipped. `None` below [`MIN_RETURNS`] returns.
///
/// # Errors
/// [`vol::VolError`] from the estimator (bad prices, bad settings).
pub fn estimate_from_history(
    obs: &[Observation],
    cfg: &vol::VolConfig,
) -> Result<Option<(vol::VolEstimate, usize)>, vol::VolError> {
    let mut pairs = Vec::new();
    for w in obs.windows(2) {
        let dt = w[1].time.saturating_sub(w[0].time);
        if dt == 0 {
            continue;
        }
        let r = vol::log_returns(&[w[0].oracle_price, w[1].oracle_price])?;
        pairs.push((r[0], dt));
    }
    if pairs.len() < MIN_RETURNS {
        return Ok(None);
    }
    let total: u64 = pairs.iter().map(|p| p.1).sum();
    #[allow(clippy::cast_precision_loss)]
    let mean_dt = total as f64 / pairs.len() as f64;
    #[allow(clippy::cast_precision_loss)]
    let returns: Vec<f64> = pairs
        .iter()
        .map(|&(r, dt)| r * (mean_dt / dt as f64).sqrt())
        .collect();
    let ppy = vol::periods_per_year(mean_dt)?;
    Ok(Some((vol::estimate(&returns, ppy, cfg)?, returns.len())))
}

/// Annualised fee income rate (WAD fraction of LP value per year) from the
/// fees earned per vault share between the oldest stored observation and
/// now: the token0 and token1 gained per share, valued at the oracle price
/// `price` (token1 raw per token0 raw), over the LP value per share
/// (`lp_value / supply`), times `year / dt`; floor. `None` without an
/// older observation with fees on record (observations stored before the
/// keeper read fees per share carry zeros), or with no LP.
#[must_use]
pub fn fee_rate_wad(
    obs: &[Observation],
    now: u64,
    fees_now: (U256, U256),
    price: &Price,
    lp_value: U256,
    supply: U256,
) -> Option<U256> {
    use il_math::Rounding::Floor;
    let first = obs
        .iter()
        .find(|o| o.time < now && !(o.fee0_per_share.is_zero() && o.fee1_per_share.is_zero()))?;
    if lp_value.is_zero() || supply.is_zero() {
        return None;
    }
    let dt = now.saturating_sub(first.time);
    let gain0 = fees_now.0.saturating_sub(first.fee0_per_share);
    let gain1 = fees_now.1.saturating_sub(first.fee1_per_share);
    // WAD-scaled token1 raw per share.
    let gained = il_math::mul_div(gain0, price.num, price.den, Floor)
        .ok()?
        .checked_add(gain1)?;
    let per = il_math::mul_div(gained, supply, lp_value, Floor).ok()?;
    il_math::mul_div(
        per,
        U256::from(policy::SECONDS_PER_YEAR),
        U256::from(dt),
        Floor,
    )
    .ok()
}

fn policy_input(
    s: &Snapshot,
    sigma_wad: U256,
    estimator: vol::Estimator,
    fee_rate: Option<U256>,
    native: Price,
    gas: [u64; 3],
) -> Result<PolicyInput, ChainError> {
    Ok(PolicyInput {
        time: s.time,
        sigma_wad,
        estimator,
        pool: PoolSnapshot {
            sqrt_price_x96: s.sqrt_price_x96,
            liquidity: s.position_liquidity,
            fee_pips: s.fee_pips,
        },
        oracle_price: s.price,
        deviation_bps: s.deviation_bps,
        vault: VaultSnapshot {
            tiers: s.tiers.clone(),
            tier_index: usize::from(s.manager.tier_index),
            tier_hysteresis_wad: s.hysteresis,
            lp_bps: u32::from(s.lp_bps()?),
            min_lp_bps: u32::from(s.params.min_lp_bps),
            max_lp_bps: 10_000,
            max_step_bps: u32::from(s.params.max_step_bps),
            hedge_size: s.hedge_size,
            hedge_target: s.hedge_target()?,
            lp_value: s.lp_value()?,
            vault_value: s.accounting.value,
            fee_rate_wad: fee_rate,
            turnover_per_year: None,
            tier_cooldown_left: s.tier_wait(),
            rebalance_wait: s.waits(
                s.manager.last_rebalance,
                s.manager.rebalance_dir,
                s.params.rebalance_cooldown,
            ),
            hedge_wait: s.waits(
                s.manager.last_hedge,
                s.manager.hedge_dir,
                s.params.hedge_cooldown,
            ),
            hedge_margin_low: s.hedge_margin_low()?,
            max_deviation_bps: u32::from(s.params.max_deviation_bps),
        },
        gas: GasSnapshot {
            gas_price_wei: U256::from(s.gas_price),
            native_price: native,
            gas_fee_tier: gas[0],
            gas_rebalance: gas[1],
            gas_hedge: gas[2],
        },
    })
}

fn rule_index(r: Rule) -> usize {
    match r {
        Rule::FeeTier => 0,
        Rule::Rebalance => 1,
        Rule::Hedge => 2,
        Rule::Range => 3,
    }
}

/// The manager call carrying out `action`.
///
/// # Errors
/// [`ChainError::Decode`] when the rebalance minimums cannot be computed.
pub fn calldata(s: &Snapshot, action: &Action) -> Result<Option<Bytes>, ChainError> {
    Ok(match action {
        Action::UpdateVolatility { sigma_wad, .. } => Some(
            IManager::updateVolatilityCall { sigma: *sigma_wad }
                .abi_encode()
                .into(),
        ),
        Action::Rebalance { target_lp_bps } => {
            let target = u16::try_from(*target_lp_bps).unwrap_or(u16::MAX);
            let (min0, min1) = s.rebalance_minimums(target)?;
            Some(
                IManager::rebalanceCall {
                    targetBps: target,
                    amount0Min: min0,
                    amount1Min: min1,
                }
                .abi_encode()
                .into(),
            )
        }
        Action::Hedge { .. } => Some(IManager::hedgeCall {}.abi_encode().into()),
        Action::Rerange { .. } => Some(IManager::rerangeCall {}.abi_encode().into()),
        Action::Hold | Action::Skip => None,
    })
}

/// The range rule's decision ([`policy::decide_range`]) and, when the range
/// should move, the `rerange()` calldata with its simulation (its gas
/// prices the re-range; a named revert, e.g. the cooldown, skips it at
/// sending). Warns when the oracle's price is out of the vault's range.
async fn range_decision(
    client: &Client,
    from: Address,
    s: &Snapshot,
    native: Price,
    cfg: &PolicyConfig,
) -> Result<(Decision, Option<(Bytes, Result<u64, String>)>), PassError> {
    if s.full_range_settled()? {
        let mut inputs = serde_json::Map::new();
        inputs.insert("lower".into(), json!(s.tick_lower));
        inputs.insert("upper".into(), json!(s.tick_upper));
        let d = Decision {
            time: s.time,
            rule: Rule::Range,
            action: Action::Hold,
            reason: "the vault holds the full range and no range rule is set".into(),
            inputs,
        };
        return Ok((d, None));
    }
    let view = s.range_view(U256::ZERO)?;
    if view.tick < view.lower || view.tick >= view.upper {
        tracing::warn!(
            lower = view.lower,
            upper = view.upper,
            tick = view.tick,
            "the oracle's price is out of the vault's range: the position earns no fees and holds one token"
        );
    }
    if policy::rerange_reason(&view, cfg).is_none() {
        return Ok((policy::decide_range(&view, 0, s.time, cfg), None));
    }
    let data: Bytes = IManager::rerangeCall {}.abi_encode().into();
    let sim = match client.simulate(from, client.contracts.manager, &data).await {
        Ok((_, g)) => Ok(g),
        Err(ChainError::Revert(named)) => Err(named),
        Err(e) => return Err(e.into()),
    };
    let gas = GasSnapshot {
        gas_price_wei: U256::from(s.gas_price),
        native_price: native,
        gas_fee_tier: 0,
        gas_rebalance: 0,
        gas_hedge: 0,
    };
    let cost = policy::gas_cost(&gas, *sim.as_ref().unwrap_or(&0))?;
    let view = s.range_view(cost)?;
    let d = policy::decide_range(&view, s.rerange_wait(), s.time, cfg);
    let sim = d.action.acts().then_some((data, sim));
    Ok((d, sim))
}

fn skip(d: &Decision, reason: String) -> Decision {
    let mut inputs = d.inputs.clone();
    inputs.insert("intended".into(), json!(d.action));
    Decision {
        time: d.time,
        rule: d.rule,
        action: Action::Skip,
        reason,
        inputs,
    }
}

fn action_kind(a: &Action) -> &'static str {
    match a {
        Action::UpdateVolatility { .. } => "update_volatility",
        Action::Rebalance { .. } => "rebalance",
        Action::Hedge { .. } => "hedge",
        Action::Rerange { .. } => "rerange",
        Action::Hold => "hold",
        Action::Skip => "skip",
    }
}

/// Runs one pass (see the module documentation).
///
/// # Errors
/// [`PassError`]: RPC down after the budget, a store failure, a mined
/// transaction that reverted, a stuck transaction. A simulated revert or a
/// gas price above the cap is NOT an error: it is a logged skip.
#[allow(clippy::too_many_lines)]
pub async fn run_pass(
    cfg: &Config,
    client: &Client,
    store: &mut Store,
    opts: &PassOptions,
) -> Result<PassReport, PassError> {
    let start = client.counts();
    let run = store.begin_run()?;
    let result = pass_inner(cfg, client, store, opts, run, start).await;
    let outcome = match &result {
        Ok(r) => format!("ok: {} sent", r.sent.len()),
        Err(e) => format!("error: {e}"),
    };
    store.finish_run(run, &outcome)?;
    result
}

#[allow(clippy::too_many_lines)]
async fn pass_inner(
    cfg: &Config,
    client: &Client,
    store: &mut Store,
    opts: &PassOptions,
    run: i64,
    start: Counts,
) -> Result<PassReport, PassError> {
    // 1. Reconcile before anything else.
    let mut reconciled = 0;
    let mut pending = Vec::new();
    if client.signer().is_some() {
        let r = store::reconcile(store, client).await.map_err(|e| {
            match e.downcast::<ChainError>() {
                Ok(c) => PassError::Chain(c),
                Err(e) => PassError::Other(format!("reconciliation: {e}")),
            }
        })?;
        for res in &r.resolved {
            tracing::info!(hash = %res.hash, status = res.status.as_str(), detail = ?res.detail, "reconciled");
        }
        reconciled = r.resolved.len();
        pending = r.pending;
    } else if !store.unresolved()?.is_empty() {
        tracing::warn!("unresolved transactions in the store and no key to reconcile them with");
    }
    // Transactions an earlier run left pending: wait for them, replacing
    // them when stuck, before reading the state they change.
    let mut resumed = 0;
    if !pending.is_empty() && !opts.dry_run {
        let sender = Sender::new(
            client,
            TxLimits::from_config(&cfg.keeper),
            opts.hook.clone(),
        )?;
        let mut nonces: Vec<u64> = pending.iter().map(|t| t.nonce).collect();
        nonces.dedup();
        for n in nonces {
            let group: Vec<store::TxRecord> =
                pending.iter().filter(|t| t.nonce == n).cloned().collect();
            let m = sender.resume(store, run, &group).await?;
            tracing::info!(hash = %m.hash, nonce = n, success = m.success, "a transaction of an earlier run was mined");
            resumed += 1;
        }
        pending.clear();
    }

    // Program lifetimes: warn, renew when allowed; stop if one cannot run.
    let (lifetimes, mut sent) = renew_programs(cfg, client, store, opts, run).await?;

    // 2. Read and record.
    let snap = client.snapshot().await?;
    let history = store.observations(HISTORY)?;
    let (fee0_per_share, fee1_per_share) = snap.fees_per_share();
    let obs = Observation {
        block: snap.block,
        time: snap.time,
        oracle_price: snap.price_f64(),
        oracle_updated_at: snap.price_updated_at,
        spot_price: snap.spot_f64(),
        fee0_per_share,
        fee1_per_share,
        deviation_bps: snap.deviation_bps,
        fee_pips: snap.fee_pips,
    };
    store.add_observation(run, &obs)?;
    let fee_rate = fee_rate_wad(
        &history,
        snap.time,
        (fee0_per_share, fee1_per_share),
        &snap.price,
        snap.lp_value()?,
        snap.vault_supply,
    );
    let mut all = history;
    all.push(obs);

    // 3. Volatility.
    let est = estimate_from_history(&all, &cfg.volatility)
        .map_err(|e| PassError::Other(format!("volatility: {e}")))?;
    let Some((est, n)) = est else {
        tracing::info!(
            observations = all.len(),
            "volatility needs {MIN_RETURNS} returns between observations at distinct times: deciding nothing yet"
        );
        return Ok(PassReport {
            run,
            block: snap.block,
            lifetimes,
            reconciled,
            resumed,
            estimate: None,
            decisions: Vec::new(),
            sent,
            rpc: client.counts().since(start),
        });
    };
    let sigma_wad = U256::from(vol::sigma_to_wad(est.sigma).unwrap_or(0));
    let record = EstimateRecord {
        time: snap.time,
        estimator: est.estimator.to_string(),
        sigma: est.sigma,
        sigma_wad: sigma_wad.to_string(),
        returns: u64::try_from(n).unwrap_or(u64::MAX),
        fallback: est.fallback.clone(),
    };
    store.add_estimate(run, &record)?;

    // 4. Decide, simulate, decide again with the simulated gas.
    let native = cfg.keeper.native_price.unwrap_or(snap.price);
    let first = policy::decide(
        &policy_input(&snap, sigma_wad, est.estimator, fee_rate, native, [0; 3])?,
        &cfg.policy,
    )?;
    let from = simulation_sender(client, &snap);
    let mut gas = [0u64; 3];
    // Per rule: the calldata and its simulation (gas, or the named revert).
    let mut sims: [Option<(Bytes, Result<u64, String>)>; 4] = [None, None, None, None];
    for d in first.iter().filter(|d| d.action.acts()) {
        let Some(data) = calldata(&snap, &d.action)? else {
            continue;
        };
        let i = rule_index(d.rule);
        match client.simulate(from, client.contracts.manager, &data).await {
            Ok((_, g)) => {
                gas[i] = g;
                sims[i] = Some((data, Ok(g)));
            }
            Err(ChainError::Revert(named)) => sims[i] = Some((data, Err(named))),
            Err(e) => return Err(e.into()),
        }
    }
    let second = if sims.iter().any(Option::is_some) {
        policy::decide(
            &policy_input(&snap, sigma_wad, est.estimator, fee_rate, native, gas)?,
            &cfg.policy,
        )?
    } else {
        first
    };
    let mut decisions = second;
    let (range, range_sim) = range_decision(client, from, &snap, native, &cfg.policy).await?;
    decisions.push(range);
    sims[rule_index(Rule::Range)] = range_sim;
    if !pending.is_empty() {
        let hashes: Vec<String> = pending.iter().map(|t| t.hash.to_string()).collect();
        for d in &mut decisions {
            if d.action.acts() {
                *d = skip(
                    d,
                    format!(
                        "skipped: a transaction of an earlier run is still pending ({})",
                        hashes.join(", ")
                    ),
                );
            }
        }
    }

    // 5. Send (renewals above do not count against the budget: they are
    // what keeps the vault callable at all).
    let renewals = sent.len();
    let mut budget = cfg.keeper.max_tx_per_run;
    let limits = TxLimits::from_config(&cfg.keeper);
    for i in 0..decisions.len() {
        let d = decisions[i].clone();
        if !d.action.acts() {
            continue;
        }
        if opts.dry_run {
            let reason = match &sims[rule_index(d.rule)] {
                Some((_, Err(named))) => format!("skipped: {named}"),
                _ => format!(
                    "dry run: would call {} ({})",
                    action_kind(&d.action),
                    d.reason
                ),
            };
            decisions[i] = skip(&d, reason);
            continue;
        }
        if budget == 0 {
            let reason = match &sims[rule_index(d.rule)] {
                Some((_, Err(named))) if sent.len() == renewals => format!("skipped: {named}"),
                _ => format!("max_tx_per_run reached ({})", d.reason),
            };
            decisions[i] = skip(&d, reason);
            continue;
        }
        let Some((data, simulated)) = sims[rule_index(d.rule)].clone() else {
            continue;
        };
        // Once a transaction of this pass changed the state, every later
        // call is simulated again (a hedge may need the idle tokens a
        // rebalance just freed).
        let simulated = if sent.len() == renewals {
            simulated
        } else {
            match client.simulate(from, client.contracts.manager, &data).await {
                Ok((_, g)) => Ok(g),
                Err(ChainError::Revert(named)) => Err(named),
                Err(e) => return Err(e.into()),
            }
        };
        let gas_est = match simulated {
            Ok(g) => g,
            Err(named) => {
                decisions[i] = skip(&d, format!("skipped: {named}"));
                continue;
            }
        };
        let sender = Sender::new(client, limits, opts.hook.clone())?;
        let call = Call {
            rule: d.rule.to_string(),
            to: client.contracts.manager,
            data,
            value: U256::ZERO,
            gas_limit: gas_limit_for(gas_est),
        };
        match sender.send(store, run, &call).await {
            Ok(m) => {
                budget = budget.saturating_sub(1);
                sent.push(SentTx::of(&call.rule, &m));
                if !m.success {
                    record_decisions(store, run, &decisions)?;
                    return Err(PassError::Reverted {
                        rule: call.rule,
                        hash: m.hash.to_string(),
                    });
                }
            }
            Err(TxError::GasCap { price, cap }) => {
                decisions[i] = skip(
                    &d,
                    format!("skipped: gas price {price} wei above the cap {cap} wei"),
                );
            }
            Err(e) => {
                record_decisions(store, run, &decisions)?;
                return Err(e.into());
            }
        }
    }
    record_decisions(store, run, &decisions)?;
    Ok(PassReport {
        run,
        block: snap.block,
        lifetimes,
        reconciled,
        resumed,
        estimate: Some(record),
        decisions,
        sent,
        rpc: client.counts().since(start),
    })
}

/// A lifetime action for the store: `action` is `warn`, `skip`,
/// `keepalive` or `reactivate`.
fn lifetime_record(
    time: u64,
    action: &str,
    program: &programs::ProgramLife,
    reason: &str,
) -> DecisionRecord {
    let line = json!({
        "time": time,
        "rule": "keepalive",
        "action": action,
        "program": program.name,
        "address": program.address.to_string(),
        "reason": reason,
    })
    .to_string();
    tracing::info!(target: "il_keeper::decision", "{line}");
    DecisionRecord {
        time,
        rule: "keepalive".into(),
        action: action.into(),
        line,
    }
}

/// Reads the programs' lifetimes; for each one due, warns (one line in
/// all) and, with `keeper.keepalive` and a key (not in a dry run), renews
/// it paying the data fee ArbWasm quotes plus 10 % (refunded), unless that
/// is above `keeper.keepalive_max_fee_eth` (then skipped and recorded: a
/// program still running keeps running; one expired stays stuck). Returns the
/// lifetimes read and the renewals sent.
///
/// # Errors
/// [`PassError`]: RPC, store, a renewal mined but reverted, and
/// [`PassError::Other`] when a program still cannot run (expired without
/// renewal, or its renewal was refused).
#[allow(clippy::too_many_lines)]
async fn renew_programs(
    cfg: &Config,
    client: &Client,
    store: &mut Store,
    opts: &PassOptions,
    run: i64,
) -> Result<(Lifetimes, Vec<SentTx>), PassError> {
    let lives = client.lifetimes(&cfg.contracts.named()).await?;
    let margin = cfg.keeper.keepalive_margin_days;
    let Some(warning) = lives.warning(margin) else {
        return Ok((lives, Vec::new()));
    };
    tracing::warn!("{warning}");
    let signer = client
        .signer()
        .map(alloy::signers::local::PrivateKeySigner::address);
    let off = if !cfg.keeper.keepalive {
        Some("keeper.keepalive is off")
    } else if opts.dry_run {
        Some("dry run")
    } else if signer.is_none() {
        Some("no key")
    } else {
        None
    };
    let mut rows = Vec::new();
    let mut sent = Vec::new();
    let mut stuck = Vec::new();
    let mut renewed: Vec<(alloy::primitives::B256, String)> = Vec::new();
    let limits = TxLimits::from_config(&cfg.keeper);
    for p in lives.due(margin) {
        let what = p.describe(lives.time, lives.expiry_secs);
        let runs = matches!(p.life, programs::Life::Active { .. });
        let (Some(from), None) = (signer, off) else {
            let why = off.unwrap_or("no key");
            rows.push(lifetime_record(
                lives.time,
                "warn",
                p,
                &format!("{what} (not renewed: {why})"),
            ));
            if !runs {
                stuck.push(what);
            }
            continue;
        };
        let (kind, data, codehash) = client.renewal(p).await?;
        // contracts sharing code (two test tokens) share one activation
        if let Some(first) = renewed.iter().find(|(h, _)| *h == codehash) {
            let reason = format!("{what}: renewed with {} (same code)", first.1);
            rows.push(lifetime_record(lives.time, kind, p, &reason));
            continue;
        }
        let refused =
            |revert: &[u8]| format!("{kind} refused: {}", crate::chain::decode_revert(revert));
        let fee = match client.simulate_renewal(from, &data, U256::ZERO).await? {
            Ok(_) => U256::ZERO,
            Err(revert) => match programs::wanted_fee(&revert) {
                Some(want) => want,
                None => {
                    rows.push(lifetime_record(lives.time, "skip", p, &refused(&revert)));
                    if !runs {
                        stuck.push(what);
                    }
                    continue;
                }
            },
        };
        // 10 % over the quote absorbs a data-price move before inclusion;
        // ArbWasm refunds what is not needed.
        let value = fee.saturating_add(fee / U256::from(10u8));
        let cap = cfg.keeper.keepalive_max_fee_wei();
        if value > cap {
            let reason = format!(
                "{what}: data fee {value} wei (quote + 10 %) above keeper.keepalive_max_fee_eth = {cap} wei: not renewed"
            );
            tracing::warn!("{reason}");
            rows.push(lifetime_record(lives.time, "skip", p, &reason));
            if !runs {
                stuck.push(what);
            }
            continue;
        }
        let gas = match client.simulate_renewal(from, &data, value).await? {
            Ok(g) => g,
            Err(revert) => {
                rows.push(lifetime_record(lives.time, "skip", p, &refused(&revert)));
                if !runs {
                    stuck.push(what);
                }
                continue;
            }
        };
        let call = Call {
            rule: format!("{kind}:{}", p.name),
            to: il_deploy::bindings::ARBWASM,
            data,
            value,
            gas_limit: gas_limit_for(gas),
        };
        let sender = Sender::new(client, limits, opts.hook.clone())?;
        match sender.send(store, run, &call).await {
            Ok(m) => {
                sent.push(SentTx::of(&call.rule, &m));
                if !m.success {
                    store.add_decisions(run, &rows)?;
                    return Err(PassError::Reverted {
                        rule: call.rule,
                        hash: m.hash.to_string(),
                    });
                }
                renewed.push((codehash, p.name.clone()));
                let reason = format!("{what}: renewed, paying up to {value} wei ({})", m.hash);
                rows.push(lifetime_record(lives.time, kind, p, &reason));
            }
            Err(TxError::GasCap { price, cap }) => {
                let reason = format!("{what}: gas price {price} wei above the cap {cap} wei");
                rows.push(lifetime_record(lives.time, "skip", p, &reason));
                if !runs {
                    stuck.push(what);
                }
            }
            Err(e) => {
                store.add_decisions(run, &rows)?;
                return Err(e.into());
            }
        }
    }
    store.add_decisions(run, &rows)?;
    if !stuck.is_empty() {
        return Err(PassError::Other(format!(
            "{} cannot run until renewed (set keeper.keepalive = true, or call ArbWasm.activateProgram): {}",
            if stuck.len() == 1 {
                "a Stylus program"
            } else {
                "Stylus programs"
            },
            stuck.join("; ")
        )));
    }
    Ok((lives, sent))
}

fn record_decisions(
    store: &mut Store,
    run: i64,
    decisions: &[Decision],
) -> Result<(), store::StoreError> {
    let rows: Vec<DecisionRecord> = decisions
        .iter()
        .map(|d| {
            let line = d.to_log_line();
            tracing::info!(target: "il_keeper::decision", "{line}");
            DecisionRecord {
                time: d.time,
                rule: d.rule.to_string(),
                action: action_kind(&d.action).to_string(),
                line,
            }
        })
        .collect();
    store.add_decisions(run, &rows)
}

/// The address a pass simulates from: the signer's, or without a key
/// (`--dry-run`) the manager's keeper.
#[must_use]
pub fn simulation_sender(client: &Client, snap: &Snapshot) -> Address {
    client.signer().map_or(
        snap.manager.keeper,
        alloy::signers::local::PrivateKeySigner::address,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vol::SECONDS_PER_YEAR;

    fn obs(time: u64, price: f64, fee1: u64) -> Observation {
        Observation {
            block: time,
            time,
            oracle_price: price,
            oracle_updated_at: time,
            spot_price: price,
            fee0_per_share: U256::ZERO,
            fee1_per_share: U256::from(fee1),
            deviation_bps: 0,
            fee_pips: 3000,
        }
    }

    #[test]
    fn irregular_spacing_is_scaled_to_the_mean() {
        // Returns 0.01 over 60 s and 0.02 over 240 s: mean spacing 150 s;
        // scaled: 0.01 * sqrt(150/60), 0.02 * sqrt(150/240).
        let o = [
            obs(0, 100.0, 1),
            obs(60, 100.0 * 0.01f64.exp(), 1),
            obs(60, 7.0, 1), // same time: skipped
            obs(300, 100.0 * 0.03f64.exp(), 1),
        ];
        // The skipped pair breaks the chain: 60->60 is skipped, 60(7.0)->300 counts.
        let cfg = vol::VolConfig {
            estimator: vol::Estimator::Realised,
            realised_window: 2,
            ..vol::VolConfig::default()
        };
        let (e, n) = estimate_from_history(&o, &cfg).unwrap().unwrap();
        assert_eq!(n, 2);
        let r2 = (100.0 * 0.03f64.exp() / 7.0).ln();
        let mean = 150.0;
        let a = 0.01 * (mean / 60.0f64).sqrt();
        let b = r2 * (mean / 240.0f64).sqrt();
        let want = (f64::midpoint(a * a, b * b) * SECONDS_PER_YEAR / mean).sqrt();
        assert!((e.sigma - want).abs() < 1e-12, "{} vs {want}", e.sigma);
    }

    #[test]
    fn too_few_returns_give_no_estimate() {
        let cfg = vol::VolConfig::default();
        assert!(
            estimate_from_history(&[obs(0, 1.0, 1), obs(10, 1.1, 1)], &cfg)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn fee_rate_annualises_the_fees_per_share_over_the_lp_per_share() {
        let wad = 10u64.pow(18);
        let price = Price {
            num: U256::from(2_000u32),
            den: U256::from(1u8),
        };
        // 100 shares, LP 12,000: 120 per share. Since the first
        // observation, each share earned 0.001 token0 (2 at the price) and
        // 10 token1: 12 = 10 % of its LP, over a tenth of a year: 100 %/yr.
        let o = [obs(0, 1.0, wad)];
        let now = SECONDS_PER_YEAR as u64 / 10;
        let fees = (U256::from(wad / 1000), U256::from(11 * wad));
        let (lp, supply) = (U256::from(12_000u32), U256::from(100u32));
        assert_eq!(
            fee_rate_wad(&o, now, fees, &price, lp, supply),
            Some(U256::from(wad))
        );
        assert_eq!(fee_rate_wad(&[], now, fees, &price, lp, supply), None);
        // Observations without fees on record, or no LP: not observed.
        assert_eq!(
            fee_rate_wad(&[obs(0, 1.0, 0)], now, fees, &price, lp, supply),
            None
        );
        assert_eq!(
            fee_rate_wad(&o, now, fees, &price, U256::ZERO, supply),
            None
        );
        // Fees per share never fall; a lower reading counts as zero.
        assert_eq!(
            fee_rate_wad(
                &o,
                now,
                (U256::ZERO, U256::from(wad - 1)),
                &price,
                lp,
                supply
            ),
            Some(U256::ZERO)
        );
    }
}
