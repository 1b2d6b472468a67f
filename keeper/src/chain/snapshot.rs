//! One read of everything the policy and `status` look at, in ONE JSON-RPC
//! batch (one HTTP request): chain id, latest block, gas price and tip, the
//! vault's Uniswap v4 pool and position (the lens's `position()`: slot0's
//! price, tick and LP fee, the position's liquidity and the fees the
//! PoolManager owes it; the vault's `pool()`: its range), the oracle round,
//! the lens (price with deviation, accounting), the vault (ledger, supply),
//! the manager (config, params, tiers) and the hedge position and equity.
//!
//! All calls of the batch read `latest`; a block landing between two of
//! them can only make the snapshot slightly stale, and every bound the
//! decisions rely on is re-checked on chain when a transaction executes.

use alloy::eips::BlockNumberOrTag;
use alloy::primitives::{Address, Bytes, I256, U64, U256};
use alloy::rpc::types::{Block, TransactionRequest};
use alloy::sol_types::SolCall;
use il_deploy::bindings::{IHedge, ILens, IManager, IOracle, IVault};

use crate::policy::Waits;
use il_math::vault::{Holdings, Ledger, PoolState};
use serde::Serialize;

use super::{ChainError, Client, rpc};
use crate::exact::{Price, Tier};
use crate::policy::WAD;

/// The manager's `config()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagerState {
    /// The keeper address.
    pub keeper: Address,
    /// Tier in force.
    pub tier_index: u8,
    /// Last sigma reported, WAD.
    pub sigma: U256,
    /// When it was reported, unix seconds.
    pub sigma_updated_at: u64,
    /// Last rebalance, unix seconds (0: never).
    pub last_rebalance: u64,
    /// Last hedge, unix seconds (0: never).
    pub last_hedge: u64,
    /// Last change of the fee tier, unix seconds (0: never).
    pub last_tier_change: u64,
    /// Direction of the last rebalance (`il_math::vault::pacing`: 0 none,
    /// 1 add, 2 burn).
    pub rebalance_dir: u8,
    /// Direction of the last hedge trade (0 none, 1 buy, 2 sell).
    pub hedge_dir: u8,
}

/// The manager's `params()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Params {
    /// Oldest oracle answer accepted, seconds.
    pub max_price_age: u64,
    /// Spot-vs-oracle bound, bps.
    pub max_deviation_bps: u16,
    /// Burn slippage bound, bps.
    pub max_slippage_bps: u16,
    /// Lowest LP share, bps.
    pub min_lp_bps: u16,
    /// Largest step per rebalance, bps.
    pub max_step_bps: u16,
    /// Seconds between rebalances.
    pub rebalance_cooldown: u64,
    /// Hedge ratio, bps (0: off).
    pub hedge_ratio_bps: u16,
    /// Largest hedge trade, token0 raw.
    pub max_hedge_step: U256,
    /// Collateral, bps of notional.
    pub collateral_bps: u16,
    /// Seconds between hedges.
    pub hedge_cooldown: u64,
}

/// The lens's `accounting()`: token1 raw units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accounting {
    /// Vault value.
    pub value: U256,
    /// Hold benchmark value.
    pub hold: U256,
    /// Total PnL vs hold.
    pub pnl: I256,
    /// Impermanent (divergence) loss.
    pub il: I256,
    /// Fee income.
    pub fees: I256,
    /// Hedge PnL.
    pub hedge_pnl: I256,
}

/// The manager's range rule (`setRangeRule`: all 0 for the full range) and
/// the time of its last re-range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RangeState {
    /// `k` in basis points (0: no rule, the full range).
    pub k_bps: u32,
    /// Horizon, seconds.
    pub horizon_secs: u64,
    /// Narrowest range, ticks.
    pub min_width: u32,
    /// Widest range, ticks.
    pub max_width: u32,
    /// Unix time of the last re-range (0: none).
    pub last_rerange: u64,
}

/// Everything read in one batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// Block number.
    pub block: u64,
    /// Block timestamp, unix seconds.
    pub time: u64,
    /// `eth_gasPrice`, wei.
    pub gas_price: u128,
    /// `eth_maxPriorityFeePerGas`, wei.
    pub priority_fee: u128,
    /// Latest block's base fee, wei (0 when the node reports none).
    pub base_fee: u128,
    /// The pool's price, `sqrt(token1 raw / token0 raw) * 2^96` (slot0).
    pub sqrt_price_x96: U256,
    /// The pool's current tick (slot0).
    pub tick: i32,
    /// The vault's range of ticks (`vault.pool()`).
    pub tick_lower: i32,
    /// Upper end of the range.
    pub tick_upper: i32,
    /// The pool's tick spacing (`vault.pool()`).
    pub tick_spacing: i32,
    /// The manager's range rule and last re-range (`manager.rangeRule()`).
    pub range: RangeState,
    /// The vault's position liquidity as the PoolManager holds it.
    pub position_liquidity: U256,
    /// Fees the PoolManager owes the position now (not yet collected),
    /// token0 and token1 raw.
    pub fees_owed0: U256,
    /// Token1 fees owed.
    pub fees_owed1: U256,
    /// The LP fee in force (slot0's dynamic fee), pips.
    pub fee_pips: u32,
    /// Oracle answer and decimals.
    pub oracle_answer: I256,
    /// Oracle decimals.
    pub oracle_decimals: u8,
    /// Oracle price (lens), token1 raw per token0 raw.
    pub price: Price,
    /// When the oracle answer was updated.
    pub price_updated_at: u64,
    /// Pool spot vs oracle, bps.
    pub deviation_bps: u32,
    /// Vault accounting (lens).
    pub accounting: Accounting,
    /// Vault ledger.
    #[serde(skip)]
    pub ledger: Ledger,
    /// Vault paused.
    pub paused: bool,
    /// Vault shares.
    pub vault_supply: U256,
    /// Manager config.
    pub manager: ManagerState,
    /// Manager params.
    pub params: Params,
    /// Tier table.
    pub tiers: Vec<Tier>,
    /// Tier hysteresis, WAD.
    pub hysteresis: U256,
    /// Hedge position size (negative: short), token0 raw.
    pub hedge_size: I256,
    /// Hedge collateral, token1 raw.
    pub hedge_collateral: U256,
    /// Hedge equity, token1 raw.
    pub hedge_equity: I256,
}

fn dec<C: SolCall>(what: &str, b: &Bytes) -> Result<C::Return, ChainError> {
    C::abi_decode_returns(b).map_err(|e| ChainError::Decode {
        what: what.to_string(),
        reason: e.to_string(),
    })
}

fn math(what: &str, e: il_math::MathError) -> ChainError {
    ChainError::Decode {
        what: what.to_string(),
        reason: format!("{e:?}"),
    }
}

impl Snapshot {
    /// The pool as il-math sees it: its price and the vault's range.
    #[must_use]
    pub fn pool(&self) -> PoolState {
        PoolState {
            sqrt_price: self.sqrt_price_x96,
            tick_lower: self.tick_lower,
            tick_upper: self.tick_upper,
        }
    }

    /// The exact oracle price as il-math's type.
    ///
    /// # Errors
    /// [`ChainError::Decode`] for a zero price.
    pub fn math_price(&self) -> Result<il_math::Price, ChainError> {
        self.price.to_math().map_err(|e| math("oracle price", e))
    }

    /// Fees earned per vault share so far, WAD-scaled token0 and token1 raw
    /// units: what the vault credited per share (`fee0PerShare`,
    /// `fee1PerShare`) plus the fees the PoolManager owes the position now,
    /// per share (floor). Only fees raise it; deposits and withdrawals do
    /// not move it.
    #[must_use]
    pub fn fees_per_share(&self) -> (U256, U256) {
        let per = |owed: U256| {
            if self.vault_supply.is_zero() {
                return U256::ZERO;
            }
            il_math::mul_div(owed, WAD, self.vault_supply, il_math::Rounding::Floor)
                .unwrap_or(U256::ZERO)
        };
        let acc = &self.ledger.acc;
        (
            acc.fee0_per_share.saturating_add(per(self.fees_owed0)),
            acc.fee1_per_share.saturating_add(per(self.fees_owed1)),
        )
    }

    /// Share of capital in the pool, bps.
    ///
    /// # Errors
    /// [`ChainError::Decode`] on an il-math failure.
    pub fn lp_bps(&self) -> Result<u16, ChainError> {
        let h = Holdings {
            liquidity: self.ledger.liquidity,
            idle0: self.ledger.idle0,
            idle1: self.ledger.idle1,
            equity: I256::ZERO,
        };
        il_math::vault::lp_bps(&self.pool(), &h, &self.math_price()?).map_err(|e| math("lp_bps", e))
    }

    /// The vault's LP at fair value, token1 raw.
    ///
    /// # Errors
    /// [`ChainError::Decode`] on an il-math failure.
    pub fn lp_value(&self) -> Result<U256, ChainError> {
        il_math::vault::lp_value(&self.pool(), self.ledger.liquidity, &self.math_price()?)
            .map_err(|e| math("lp_value", e))
    }

    /// The hedge target the contract computes (same il-math function).
    ///
    /// # Errors
    /// [`ChainError::Decode`] on an il-math failure.
    pub fn hedge_target(&self) -> Result<I256, ChainError> {
        il_math::vault::hedge_target(
            &self.pool(),
            self.ledger.liquidity,
            &self.math_price()?,
            self.params.hedge_ratio_bps,
        )
        .map_err(|e| math("hedge_target", e))
    }

    /// Minimum token amounts for `rebalance(target)`: what il-math's plan
    /// moves, less the contract's slippage bound (floor).
    ///
    /// # Errors
    /// [`ChainError::Decode`] on an il-math failure.
    pub fn rebalance_minimums(&self, target_bps: u16) -> Result<(U256, U256), ChainError> {
        let price = self.math_price()?;
        let plan = il_math::vault::plan_rebalance(
            &self.pool(),
            &price,
            self.ledger.liquidity,
            self.ledger.idle0,
            self.ledger.idle1,
            target_bps,
        )
        .map_err(|e| math("plan_rebalance", e))?;
        let (a0, a1) = if plan.burn.is_zero() {
            (plan.add0, plan.add1)
        } else {
            il_math::vault::lp_amounts(&self.pool(), plan.burn)
                .map_err(|e| math("lp_amounts", e))?
        };
        let keep = U256::from(10_000u32.saturating_sub(u32::from(self.params.max_slippage_bps)));
        let bps = U256::from(10_000u32);
        let min = |a: U256| {
            il_math::mul_div(a, keep, bps, il_math::Rounding::Floor)
                .map_err(|e| math("rebalance minimum", e))
        };
        Ok((min(a0)?, min(a1)?))
    }

    /// Seconds until a move up and a move down may follow the last one (at
    /// `last`, direction `dir`), as the manager paces them
    /// (`il_math::vault::pacing::wait`).
    #[must_use]
    pub fn waits(&self, last: u64, dir: u8, cooldown: u64) -> Waits {
        use il_math::vault::pacing::{DOWN, UP, wait};
        Waits {
            up: wait(last, dir, UP, cooldown, self.time),
            down: wait(last, dir, DOWN, cooldown, self.time),
        }
    }

    /// The owner's range rule, `None` without one (the full range).
    #[must_use]
    pub fn range_rule(&self) -> Option<il_math::range::RangeRule> {
        let r = &self.range;
        (r.k_bps != 0).then(|| il_math::range::RangeRule {
            k_bps: r.k_bps,
            horizon_secs: r.horizon_secs,
            min_width: i32::try_from(r.min_width).unwrap_or(i32::MAX),
            max_width: i32::try_from(r.max_width).unwrap_or(i32::MAX),
        })
    }

    /// Whether the vault holds the full range and the rule asks for it (no
    /// rule): there is nothing a re-range could move.
    ///
    /// # Errors
    /// [`ChainError::Decode`] for a spacing il-math refuses.
    pub fn full_range_settled(&self) -> Result<bool, ChainError> {
        let full = il_math::v4::full_range_ticks(self.tick_spacing)
            .map_err(|e| math("full range ticks", e))?;
        Ok(self.range_rule().is_none() && (self.tick_lower, self.tick_upper) == full)
    }

    /// The vault's range as the re-range rule sees it
    /// ([`crate::policy::RangeView`]): its ticks, the oracle price's tick
    /// (where the manager centres a new range), the width the manager
    /// would give one now (the rule's width at the sigma last reported on
    /// chain, which the manager uses; the usable span without a rule),
    /// `gas_cost` (token1 raw) and what a re-range redeploys (the position
    /// at the oracle and the idle tokens).
    ///
    /// # Errors
    /// [`ChainError::Decode`] on an il-math failure (a rule the chain's
    /// sigma puts out of its domain, a zero price).
    pub fn range_view(&self, gas_cost: U256) -> Result<crate::policy::RangeView, ChainError> {
        let price = self.math_price()?;
        let tick = il_math::tick_at_sqrt_price(price.sqrt_price_x96(il_math::Rounding::Floor))
            .map_err(|e| math("oracle tick", e))?;
        let target_width = match self.range_rule() {
            Some(rule) => rule
                .width(self.manager.sigma, self.tick_spacing)
                .map_err(|e| math("range width", e))?,
            None => {
                let (lo, hi) = il_math::v4::full_range_ticks(self.tick_spacing)
                    .map_err(|e| math("full range ticks", e))?;
                hi.saturating_sub(lo)
            }
        };
        let idle = price
            .quote(self.ledger.idle0, il_math::Rounding::Floor)
            .map_err(|e| math("idle value", e))?
            .saturating_add(self.ledger.idle1);
        Ok(crate::policy::RangeView {
            lower: self.tick_lower,
            upper: self.tick_upper,
            tick,
            target_width,
            gas_cost,
            value: self.lp_value()?.saturating_add(idle),
        })
    }

    /// Seconds until the manager allows the next re-range (one per
    /// `rebalanceCooldown`).
    #[must_use]
    pub fn rerange_wait(&self) -> u64 {
        use il_math::vault::pacing::{NONE, wait};
        wait(
            self.range.last_rerange,
            NONE,
            NONE,
            self.params.rebalance_cooldown,
            self.time,
        )
    }

    /// Seconds until the fee tier may change again.
    #[must_use]
    pub fn tier_wait(&self) -> u64 {
        use il_math::vault::pacing::{TIER_COOLDOWN, UP, wait};
        wait(
            self.manager.last_tier_change,
            UP,
            UP,
            TIER_COOLDOWN,
            self.time,
        )
    }

    /// Whether the hedge account's equity is below the manager's top-up
    /// trigger for its current size (then `hedge()` tops it up, cooldown or
    /// not).
    ///
    /// # Errors
    /// [`ChainError::Decode`] on an il-math failure.
    pub fn hedge_margin_low(&self) -> Result<bool, ChainError> {
        if self.hedge_size.is_zero() {
            return Ok(false);
        }
        let required = il_math::vault::margin_for(
            self.hedge_size,
            &self.math_price()?,
            self.params.collateral_bps,
        )
        .map_err(|e| math("margin_for", e))?;
        il_math::vault::margin_low(self.hedge_equity, required).map_err(|e| math("margin_low", e))
    }

    /// Oracle price as a float (token1 raw per token0 raw), for estimators.
    #[must_use]
    pub fn price_f64(&self) -> f64 {
        ratio_f64(self.price.num, self.price.den)
    }

    /// Pool spot as a float (token1 raw per token0 raw):
    /// `(sqrtPriceX96 / 2^96)^2`.
    #[must_use]
    pub fn spot_f64(&self) -> f64 {
        let root = ratio_f64(self.sqrt_price_x96, U256::from(1u8) << 96usize);
        root * root
    }
}

/// `num / den` as `f64` (both converted through their decimal text: exact
/// to f64's precision for any size).
#[must_use]
pub fn ratio_f64(num: U256, den: U256) -> f64 {
    let f = |v: U256| v.to_string().parse::<f64>().unwrap_or(f64::NAN);
    f(num) / f(den)
}

fn call(to: Address, data: Vec<u8>) -> TransactionRequest {
    TransactionRequest::default().to(to).input(data.into())
}

impl Client {
    /// Reads a [`Snapshot`] in one batch (one HTTP request) and checks the
    /// chain id in the same batch.
    ///
    /// # Errors
    /// [`ChainError::WrongChain`], [`ChainError::Unreachable`] after the
    /// retry budget, [`ChainError::Node`] / [`ChainError::Revert`] when a
    /// view fails, [`ChainError::Decode`].
    #[allow(clippy::too_many_lines)]
    pub async fn snapshot(&self) -> Result<Snapshot, ChainError> {
        let c = self.contracts;
        let latest = BlockNumberOrTag::Latest;
        let calls: Vec<TransactionRequest> = vec![
            call(c.lens, ILens::positionCall {}.abi_encode()),
            call(c.vault, IVault::poolCall {}.abi_encode()),
            call(c.oracle, IOracle::latestRoundDataCall {}.abi_encode()),
            call(c.oracle, IOracle::decimalsCall {}.abi_encode()),
            call(c.lens, ILens::priceCall {}.abi_encode()),
            call(c.lens, ILens::accountingCall {}.abi_encode()),
            call(c.vault, IVault::stateCall {}.abi_encode()),
            call(c.vault, IVault::totalSupplyCall {}.abi_encode()),
            call(c.manager, IManager::configCall {}.abi_encode()),
            call(c.manager, IManager::paramsCall {}.abi_encode()),
            call(c.manager, IManager::tiersCall {}.abi_encode()),
            call(c.manager, IManager::rangeRuleCall {}.abi_encode()),
            call(
                c.hedge,
                IHedge::positionOfCall { account: c.vault }.abi_encode(),
            ),
            call(
                c.hedge,
                IHedge::equityOfCall { account: c.vault }.abi_encode(),
            ),
        ];
        let (chain_id, block, gas_price, tip, outs) =
            rpc::with_retry(self.budget, "snapshot", || async {
                let mut batch = self.rpc.new_batch();
                let chain_id = batch.add_call::<_, U64>("eth_chainId", &())?;
                let block =
                    batch.add_call::<_, Option<Block>>("eth_getBlockByNumber", &(latest, false))?;
                let gas_price =
                    batch.add_call::<_, alloy::primitives::U128>("eth_gasPrice", &())?;
                let tip = batch
                    .add_call::<_, alloy::primitives::U128>("eth_maxPriorityFeePerGas", &())?;
                let mut waiters = Vec::with_capacity(calls.len());
                for req in &calls {
                    waiters.push(batch.add_call::<_, Bytes>("eth_call", &(req, latest))?);
                }
                batch.send().await?;
                let chain_id = chain_id.await?;
                let block = block.await?;
                let gas_price = gas_price.await?;
                let tip = tip.await?;
                let mut outs = Vec::with_capacity(waiters.len());
                for w in waiters {
                    outs.push(w.await?);
                }
                Ok((chain_id, block, gas_price, tip, outs))
            })
            .await
            .map_err(|e| super::classify("snapshot", e))?;
        let found = chain_id.to::<u64>();
        if found != self.chain_id {
            return Err(ChainError::WrongChain {
                expected: self.chain_id,
                found,
            });
        }
        let block = block.ok_or_else(|| ChainError::Node("latest block: null".into()))?;
        let position = dec::<ILens::positionCall>("lens position", &outs[0])?;
        let range = dec::<IVault::poolCall>("vault pool", &outs[1])?;
        let round = dec::<IOracle::latestRoundDataCall>("latestRoundData", &outs[2])?;
        let decimals = dec::<IOracle::decimalsCall>("decimals", &outs[3])?;
        let price = dec::<ILens::priceCall>("lens price", &outs[4])?;
        let acc = dec::<ILens::accountingCall>("lens accounting", &outs[5])?;
        let state = dec::<IVault::stateCall>("vault state", &outs[6])?;
        let vault_supply = dec::<IVault::totalSupplyCall>("vault totalSupply", &outs[7])?;
        let cfg = dec::<IManager::configCall>("manager config", &outs[8])?;
        let params = dec::<IManager::paramsCall>("manager params", &outs[9])?;
        let tiers = dec::<IManager::tiersCall>("manager tiers", &outs[10])?;
        let rule = dec::<IManager::rangeRuleCall>("manager rangeRule", &outs[11])?;
        let pos = dec::<IHedge::positionOfCall>("hedge positionOf", &outs[12])?;
        let equity = dec::<IHedge::equityOfCall>("hedge equityOf", &outs[13])?;
        let tick = |what: &str, v: I256| {
            i32::try_from(v).map_err(|_| ChainError::Decode {
                what: what.to_string(),
                reason: format!("{v} is not a tick"),
            })
        };

        // state(): controller, depositCap, paused, then the ledger words.
        let paused = state.get(2).is_some_and(|w| !w.is_zero());
        let ledger = Ledger::from_words(state.get(3..).unwrap_or_default())
            .map_err(|e| math("vault ledger", e))?;
        // tiers(): hysteresis, then n lower bounds, then n fees.
        let n = tiers.len().saturating_sub(1) / 2;
        if tiers.is_empty() || tiers.len() != 1 + 2 * n {
            return Err(ChainError::Decode {
                what: "manager tiers".into(),
                reason: format!("{} words is not 1 + 2n", tiers.len()),
            });
        }
        let table = (0..n)
            .map(|i| Tier {
                min_sigma_wad: tiers[1 + i],
                fee_pips: tiers[1 + n + i].saturating_to(),
            })
            .collect();
        let to_u64 = |v: U256| v.saturating_to::<u64>();
        Ok(Snapshot {
            block: block.header.number,
            time: block.header.timestamp,
            gas_price: gas_price.to::<u128>(),
            priority_fee: tip.to::<u128>(),
            base_fee: block.header.base_fee_per_gas.map_or(0, u128::from),
            sqrt_price_x96: position.sqrtPriceX96,
            tick: tick("slot0 tick", position.tick)?,
            tick_lower: tick("vault tickLower", range.tickLower)?,
            tick_upper: tick("vault tickUpper", range.tickUpper)?,
            tick_spacing: i32::try_from(range.tickSpacing).map_err(|_| ChainError::Decode {
                what: "vault tickSpacing".into(),
                reason: format!("{} is not a tick spacing", range.tickSpacing),
            })?,
            range: RangeState {
                k_bps: rule.kBps,
                horizon_secs: rule.horizonSecs,
                min_width: rule.minWidth,
                max_width: rule.maxWidth,
                last_rerange: rule.lastRerange,
            },
            position_liquidity: position.liquidity,
            fees_owed0: position.fees0,
            fees_owed1: position.fees1,
            fee_pips: position.lpFee.saturating_to(),
            oracle_answer: round.answer,
            oracle_decimals: decimals,
            price: Price {
                num: price.num,
                den: price.den,
            },
            price_updated_at: to_u64(price.updatedAt),
            deviation_bps: price.deviationBps.saturating_to(),
            accounting: Accounting {
                value: acc.value,
                hold: acc.hold,
                pnl: acc.pnl,
                il: acc.il,
                fees: acc.fees,
                hedge_pnl: acc.hedgePnl,
            },
            ledger,
            paused,
            vault_supply,
            manager: ManagerState {
                keeper: cfg.keeper,
                tier_index: cfg.tierIndex,
                sigma: cfg.sigma,
                sigma_updated_at: cfg.sigmaUpdatedAt,
                last_rebalance: cfg.lastRebalance,
                last_hedge: cfg.lastHedge,
                last_tier_change: cfg.lastTierChange,
                rebalance_dir: cfg.rebalanceDirection,
                hedge_dir: cfg.hedgeDirection,
            },
            params: Params {
                max_price_age: params.maxPriceAge,
                max_deviation_bps: params.maxDeviationBps,
                max_slippage_bps: params.maxSlippageBps,
                min_lp_bps: params.minLpBps,
                max_step_bps: params.maxStepBps,
                rebalance_cooldown: params.rebalanceCooldown,
                hedge_ratio_bps: params.hedgeRatioBps,
                max_hedge_step: params.maxHedgeStep,
                collateral_bps: params.collateralBps,
                hedge_cooldown: params.hedgeCooldown,
            },
            tiers: table,
            hysteresis: tiers[0],
            hedge_size: pos.size,
            hedge_collateral: pos.collateral,
            hedge_equity: equity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_f64_handles_wide_values() {
        let num = U256::from(3u8) * U256::from(10u8).pow(U256::from(40u8));
        let den = U256::from(10u8).pow(U256::from(40u8));
        assert!((ratio_f64(num, den) - 3.0).abs() < 1e-12);
    }
}
