//! The manager: the vault's controller and its Uniswap v4 pool's hook,
//! holding the owner, the keeper role and every bound on what the keeper
//! may trigger.
//!
//! The hook: the vault's pool is `(token0, token1, DYNAMIC_FEE_FLAG,
//! tickSpacing, manager)` in the PoolManager, so only the manager may set
//! its LP fee (`PoolManager.updateDynamicLPFee`). It implements no hook
//! callbacks: its address carries no permission bits (its low 14 bits are
//! zero; the deployer mines the CREATE2 salt), and the PoolManager never
//! calls it.
//!
//! The keeper says *when*; the contract says *how much* and *whether*:
//! - `updateVolatility(sigma)`: the fee tier follows `il_math::select_tier`
//!   over the owner's table (up at once, down only `hysteresis` below a
//!   tier's bound) and is applied to the pool's LP fee; `applyFee()` (anyone)
//!   applies the tier in force when the pool's fee differs (after the pool
//!   is initialised, whose dynamic fee starts at 0).
//! - `rebalance(targetBps, min0, min1)`: moves capital between the vault's
//!   position and its idle reserve toward `targetBps` of it in the pool, at
//!   most `maxStepBps` per call, never below `minLpBps`, after
//!   `rebalanceCooldown`, with a fresh oracle (`maxPriceAge`) and the pool's
//!   spot within `maxDeviationBps` of it, tokens moved at least `min0`/`min1`
//!   and worth the liquidity's fair value (at the oracle) within
//!   `maxSlippageBps`.
//! - `rerange()`: moves the whole position to the range the owner's rule
//!   (`setRangeRule`, `il_math::range::RangeRule`) gives now: centred on
//!   the oracle price, half-width `k * sigma * sqrt(horizon)` from the last
//!   sigma reported, within the owner's minimum and maximum width (the
//!   full range without a rule); the keeper says when, the contract where.
//!   Same price checks, both legs (burn, mint) worth the liquidity's fair
//!   value within `maxSlippageBps`, one per `rebalanceCooldown`.
//! - `checkSpot()`: the same price checks as a view; the vault asks it
//!   before every deposit.
//! - `hedge()`: moves the venue position toward `-hedgeRatioBps` of the
//!   token0 the position holds at the oracle price, at most `maxHedgeStep` per call,
//!   after `hedgeCooldown`, with the same price checks; the account's EQUITY
//!   is topped up from idle token1 to `collateralBps` of the new position's
//!   notional (a top-up alone needs no cooldown: margin is never held back),
//!   and a size the margin cannot carry is cut to what it can; reaching zero
//!   closes the position and brings its equity back to idle.
//!
//! Churn bounds: a rebalance or a hedge in the direction opposite to the
//! previous one waits `REVERSAL_COOLDOWN` (6 h) instead of its cooldown, and
//! cooldowns are at least `MIN_COOLDOWN`; the fee tier changes at most once
//! per `TIER_COOLDOWN`. The owner can close the hedge at any time, paused
//! or not (`closeHedge`).
//!
//! The amounts and the oracle price come from the planner (`il-planner`:
//! `il_math::vault::plan_rebalance`, `plan_hedge`, the same functions the
//! keeper's backtest runs). The owner
//! sets the parameters and the tier table, the keeper, the vault's deposit
//! cap and pause (`configureVault`), and can hand the vault to a new
//! manager. Pause (on the vault) stops deposits and every keeper action
//! here; withdrawals never stop.
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::{Address, Bytes, I256, U256};
use alloy_sol_types::{SolCall, SolEvent, sol};
use il_common::{
    Ownable2Step,
    lean::{self, Word, emit},
    ownable::{OwnableInvalidOwner, OwnableUnauthorizedAccount},
    slots,
};
use il_math::{FeeTier, MAX_TIERS, MathError};
use stylus_sdk::prelude::*;

/// The keeper's pacing bounds (`il_math::vault::pacing`): `MIN_COOLDOWN`,
/// `REVERSAL_COOLDOWN`, `TIER_COOLDOWN`, and the stored directions.
pub use il_math::vault::pacing::{DOWN, MIN_COOLDOWN, NONE, REVERSAL_COOLDOWN, TIER_COOLDOWN, UP};

// The generated `setParams` builder takes ten arguments, as the function does.
#[allow(clippy::too_many_arguments)]
mod interface {
    use alloy_sol_types::sol;
    sol! {
        /// The manager's functions, events and errors (ownership: `il_common`'s
        /// `IOwnable`). The constructor (Stylus `stylus_constructor`) takes
        /// `(address vault, address planner, address ops, address owner, address keeper)`;
        /// its address must have its low 14 bits zero (a v4 hook with no
        /// callbacks).
        #[sol(abi)]
        interface IManager {
            /// Keeper only: reports the annualised volatility `sigma` (WAD); applies the tier it selects to the pool.
            function updateVolatility(uint256 sigma) external returns (uint8 tier, uint32 feePips);
            /// Anyone: sets the pool's LP fee to the fee of the tier in force, when it differs.
            function applyFee() external returns (uint32 feePips);
            /// Keeper only: moves capital toward `targetBps` in the pool, moving at least `amount0Min`/`amount1Min`; returns the liquidity added (+) or removed (-).
            function rebalance(uint16 targetBps, uint256 amount0Min, uint256 amount1Min) external returns (int256 liquidityDelta);
            /// Keeper only: moves the vault's position to the range the owner's rule gives now (centred on the oracle price,
            /// width from the last sigma reported; the full range without a rule); returns the new range and the liquidity minted.
            function rerange() external returns (int256 tickLower, int256 tickUpper, uint256 liquidity);
            /// Owner only: sets the range rule: half-width `kBps / 1e4 * sigma * sqrt(horizonSecs / 1 year)` on each side, held within
            /// `[minWidth, maxWidth]` ticks (multiples of the spacing); `kBps` 0 (and the rest 0): the full range.
            function setRangeRule(uint32 kBps, uint64 horizonSecs, uint32 minWidth, uint32 maxWidth) external;
            /// The range rule, in `setRangeRule` order (all 0: the full range), and the time of the last re-range (0: none).
            function rangeRule() external view returns (uint32 kBps, uint64 horizonSecs, uint32 minWidth, uint32 maxWidth, uint64 lastRerange);
            /// Keeper only: moves the hedge toward its target (or tops up its margin).
            function hedge() external returns (int256 newSize);
            /// Owner only, paused or not: closes the hedge and brings its equity back to the vault.
            function closeHedge() external;
            /// Owner only: sets the keeper.
            function setKeeper(address keeper) external;
            /// Owner only: sets the fee tiers (lower volatility bounds in WAD from 0, increasing; fees in pips, non-decreasing, <= 10 %) and the hysteresis (WAD).
            function setTiers(uint256[] minSigmas, uint32[] feesPips, uint256 hysteresis) external;
            /// Owner only: sets the risk parameters (bounds in the documentation; `ManagerInvalidParameter(index)` names the first out of bounds).
            function setParams(uint64 maxPriceAge, uint16 maxDeviationBps, uint16 maxSlippageBps, uint16 minLpBps, uint16 maxStepBps, uint64 rebalanceCooldown, uint16 hedgeRatioBps, uint256 maxHedgeStep, uint16 collateralBps, uint64 hedgeCooldown) external;
            /// Owner only: sets the vault's controller (this manager, or a new one), deposit cap (token1; 0: none) and pause.
            function configureVault(address controller, uint256 depositCap, bool paused) external;
            /// The vault, the keeper, the tier in force, the last sigma and when it was reported, the times of the last rebalance and hedge
            /// and of the last tier change, and the directions of the last rebalance and hedge (0 none, 1 add / buy, 2 burn / sell).
            function config() external view returns (address vault, address keeper, uint8 tierIndex, uint256 sigma, uint64 sigmaUpdatedAt, uint64 lastRebalance, uint64 lastHedge, uint64 lastTierChange, uint8 rebalanceDirection, uint8 hedgeDirection);
            /// The risk parameters, in `setParams` order.
            function params() external view returns (uint64 maxPriceAge, uint16 maxDeviationBps, uint16 maxSlippageBps, uint16 minLpBps, uint16 maxStepBps, uint64 rebalanceCooldown, uint16 hedgeRatioBps, uint256 maxHedgeStep, uint16 collateralBps, uint64 hedgeCooldown);
            /// The tier table as words: hysteresis, then the lower bounds, then the fees.
            function tiers() external view returns (uint256[] words);
            /// The oracle price (token1 raw per token0 raw) and the pool's spot deviation from it, when the oracle is fresh and
            /// the deviation within `maxDeviationBps`; else the error a keeper action would meet. The vault calls it before a deposit.
            function checkSpot() external view returns (uint256 num, uint256 den, uint256 deviationBps);
            /// The pool key (the manager is its hook) and the PoolManager.
            function poolKey() external view returns (address currency0, address currency1, uint24 fee, int24 tickSpacing, address hooks, address poolManager);

            /// The keeper reported `sigma`; tier `tier` with `feePips` is in force (`changed`: applied to the pool now).
            #[derive(Debug, PartialEq, Eq)]
            event VolatilityUpdated(uint256 sigma, uint8 tier, uint32 feePips, bool changed);
            /// Capital in the pool went from `fromBps` toward `toBps`; `amount0`/`amount1` moved; `liquidityDelta` added (+) or removed (-).
            #[derive(Debug, PartialEq, Eq)]
            event Rebalanced(uint16 fromBps, uint16 toBps, uint256 amount0, uint256 amount1, int256 liquidityDelta);
            /// The pool's LP fee was set to `feePips`, the fee of tier `tier`.
            #[derive(Debug, PartialEq, Eq)]
            event FeeApplied(uint8 tier, uint32 feePips);
            /// The hedge moved from `previousSize` to `newSize` toward `target`; `collateralAdded` token1 went to the venue; `closed`: the position was closed.
            #[derive(Debug, PartialEq, Eq)]
            event Hedged(int256 previousSize, int256 newSize, int256 target, uint256 collateralAdded, bool closed);
            /// The keeper role moved.
            #[derive(Debug, PartialEq, Eq)]
            event KeeperChanged(address indexed previous, address indexed next);
            /// The owner set the range rule (`kBps` 0: the full range).
            #[derive(Debug, PartialEq, Eq)]
            event RangeRuleUpdated(uint32 kBps, uint64 horizonSecs, uint32 minWidth, uint32 maxWidth);
            /// The owner set a tier table of `count` tiers with `hysteresis` (read it with `tiers()`).
            #[derive(Debug, PartialEq, Eq)]
            event TiersUpdated(uint256 count, uint256 hysteresis);
            /// The owner set the risk parameters (same order as `setParams`).
            #[derive(Debug, PartialEq, Eq)]
            event ParamsUpdated(uint64 maxPriceAge, uint16 maxDeviationBps, uint16 maxSlippageBps, uint16 minLpBps, uint16 maxStepBps, uint64 rebalanceCooldown, uint16 hedgeRatioBps, uint256 maxHedgeStep, uint16 collateralBps, uint64 hedgeCooldown);

            /// Only the keeper may call this; `account` is not the keeper.
            #[derive(Debug, PartialEq, Eq)]
            error ManagerNotKeeper(address account);
            /// The vault is paused: keeper actions stop (withdrawals never do).
            #[derive(Debug, PartialEq, Eq)]
            error ManagerPaused();
            /// This action is on cooldown until `availableAt` (unix seconds).
            #[derive(Debug, PartialEq, Eq)]
            error ManagerCooldown(uint64 availableAt);
            /// The oracle price is from `updatedAt`: never set, from the future, or older than the allowed age at `now`.
            #[derive(Debug, PartialEq, Eq)]
            error ManagerStalePrice(uint256 updatedAt, uint256 now);
            /// The oracle's answer was carried over from round `answeredInRound`, before the latest round `roundId`.
            #[derive(Debug, PartialEq, Eq)]
            error ManagerIncompleteRound(uint256 roundId, uint256 answeredInRound);
            /// The pool's spot price is `deviationBps` away from the oracle, more than `maxBps`.
            #[derive(Debug, PartialEq, Eq)]
            error ManagerPriceDeviation(uint256 deviationBps, uint256 maxBps);
            /// `targetBps` is below the minimum, above 100 %, or more than one step from `currentBps`.
            #[derive(Debug, PartialEq, Eq)]
            error ManagerInvalidTarget(uint16 targetBps, uint16 currentBps);
            /// The action would change nothing.
            #[derive(Debug, PartialEq, Eq)]
            error ManagerNothingToDo();
            /// The tokens moved (`amount0`/`amount1`) are below the keeper's minimums or, for a burn, worth less than the bound allows.
            #[derive(Debug, PartialEq, Eq)]
            error ManagerSlippage(uint256 amount0, uint256 amount1);
            /// Parameter number `index` (0-based, in `setParams` order) is out of bounds.
            #[derive(Debug, PartialEq, Eq)]
            error ManagerInvalidParameter(uint8 index);
            /// The range rule is out of its domain: `kBps` in 1..=100000, `horizonSecs` in 1..=1 year, widths multiples of
            /// the spacing with `spacing <= minWidth <= maxWidth <= ` the usable span (or all four 0: the full range).
            #[derive(Debug, PartialEq, Eq)]
            error ManagerInvalidRangeRule();
            /// The tier table breaks a rule (1 to 8 tiers, first bound 0, bounds increasing, fees non-decreasing and <= 10 %).
            #[derive(Debug, PartialEq, Eq)]
            error ManagerInvalidTiers();
            /// A volatility of `sigma` (WAD) is beyond the supported 5000 %/yr.
            #[derive(Debug, PartialEq, Eq)]
            error ManagerVolatilityOutOfRange(uint256 sigma);
            /// This address cannot be used here (the zero address).
            #[derive(Debug, PartialEq, Eq)]
            error ManagerInvalidAddress(address account);
            /// Fixed-point arithmetic failed (il-math error code).
            #[derive(Debug, PartialEq, Eq)]
            error ManagerMath(uint8 code);
            /// A call to `target` failed; `reason` is its revert data (decode it with the target's interface).
            #[derive(Debug, PartialEq, Eq)]
            error ManagerCallFailed(address target, bytes reason);
            /// The manager's address `hook` has hook permission bits set (its low 14 bits must be zero).
            #[derive(Debug, PartialEq, Eq)]
            error ManagerHookAddress(address hook);
        }
    }
}

pub use interface::IManager;

pub use IManager::{
    FeeApplied, Hedged, KeeperChanged, ManagerCallFailed, ManagerCooldown, ManagerHookAddress,
    ManagerIncompleteRound, ManagerInvalidAddress, ManagerInvalidParameter,
    ManagerInvalidRangeRule, ManagerInvalidTarget, ManagerInvalidTiers, ManagerMath,
    ManagerNotKeeper, ManagerNothingToDo, ManagerPaused, ManagerPriceDeviation, ManagerSlippage,
    ManagerStalePrice, ManagerVolatilityOutOfRange, ParamsUpdated, RangeRuleUpdated, Rebalanced,
    TiersUpdated, VolatilityUpdated,
};

il_common::solidity_errors! {
    /// Every way a call can fail, as named Solidity errors.
    pub enum ManagerError {
        Unauthorized(OwnableUnauthorizedAccount { account }),
        InvalidOwner(OwnableInvalidOwner { owner }),
        NotKeeper(ManagerNotKeeper { account }),
        Paused(ManagerPaused {}),
        Cooldown(ManagerCooldown { availableAt }),
        StalePrice(ManagerStalePrice { updatedAt, now }),
        IncompleteRound(ManagerIncompleteRound { roundId, answeredInRound }),
        PriceDeviation(ManagerPriceDeviation { deviationBps, maxBps }),
        InvalidTarget(ManagerInvalidTarget { targetBps, currentBps }),
        NothingToDo(ManagerNothingToDo {}),
        Slippage(ManagerSlippage { amount0, amount1 }),
        InvalidParameter(ManagerInvalidParameter { index }),
        InvalidTiers(ManagerInvalidTiers {}),
        InvalidRangeRule(ManagerInvalidRangeRule {}),
        VolatilityOutOfRange(ManagerVolatilityOutOfRange { sigma }),
        InvalidAddress(ManagerInvalidAddress { account }),
        Math(ManagerMath { code }),
        CallFailed(ManagerCallFailed { target; reason }),
        HookAddress(ManagerHookAddress { hook }),
    }
}

impl From<MathError> for ManagerError {
    fn from(err: MathError) -> Self {
        ManagerMath { code: err.code() }.into()
    }
}

sol! {
    /// What the manager calls (selectors only: the calls are encoded by `il_common::lean`).
    interface ICalls {
        function contracts() external view returns (address, address, address, address, address, address);
        function state() external view returns (uint256[]);
        function pool() external view returns (uint32, address, int256, int256);
        function moveLiquidity(int256 liquidityDelta) external returns (uint256, uint256);
        function rerange(int256 tickLower, int256 tickUpper) external returns (uint256, uint256, uint256, uint256, uint256);
        function adjustHedge(uint256 fund, int256 sizeDelta, bool close) external returns (int256, uint256);
        function configure(address controller, uint256 depositCap, bool paused) external;
        function decimals() external view returns (uint8);
        function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80);
        function positionOf(address account) external view returns (int256, uint256, int256);
        function equityOf(address account) external view returns (int256);
        function price(uint256[] args) external view returns (uint256[]);
        function rebalancePlan(uint256[] args) external view returns (uint256[]);
        function slippageOk(uint256[] args) external view returns (uint256[]);
        function hedgePlan(uint256[] args) external view returns (uint256[]);
        function rangePlan(uint256[] args) external view returns (uint256[]);
    }
}

use ICalls::{
    adjustHedgeCall, configureCall, contractsCall, decimalsCall, equityOfCall, hedgePlanCall,
    latestRoundDataCall, moveLiquidityCall, poolCall, positionOfCall, priceCall, rangePlanCall,
    rebalancePlanCall, rerangeCall, slippageOkCall, stateCall,
};
use il_common::v4 as uni;

/// Words at `WIRING` (set once): vault, PoolManager, venue, oracle,
/// planner, the decimals of token0, token1 and the oracle answer, then
/// token0, token1, the tick spacing, the vault's tickLower and tickUpper,
/// and the operations program (`il-manager-ops`).
const WIRING: U256 = slots::base(b"il.manager.wiring");
const WIRING_WORDS: usize = 14;
/// Words at `CONFIG`: keeper, tier index, sigma, sigma time, last rebalance,
/// last hedge, last tier change, rebalance direction, hedge direction.
const CONFIG: U256 = slots::base(b"il.manager.config");
const CONFIG_WORDS: usize = 9;
/// Words at `PARAMS`, in `setParams` order.
const PARAMS: U256 = slots::base(b"il.manager.params");
/// Words at `RANGE`: the range rule in `setRangeRule` order (all 0: the
/// full range), then the time of the last re-range.
const RANGE: U256 = slots::base(b"il.manager.range");
const RANGE_WORDS: usize = 5;
/// Words at `TIERS`: hysteresis, count, MAX_TIERS bounds, MAX_TIERS fees.
const TIERS: U256 = slots::base(b"il.manager.tiers");
const TIER_WORDS: usize = 2 + 2 * MAX_TIERS;

/// What the manager is wired to.
#[derive(Clone, Copy)]
struct Wiring {
    vault: Address,
    pool_manager: Address,
    venue: Address,
    oracle: Address,
    planner: Address,
    decimals: [U256; 3],
    token0: Address,
    token1: Address,
    spacing: i32,
    /// The vault's tickLower and tickUpper (int256 words).
    ticks: [U256; 2],
    /// The operations program (`il-manager-ops`).
    ops: Address,
}

/// Keeper and state of the keeper actions.
#[derive(Clone, Copy, Default)]
struct Config {
    keeper: Address,
    tier_index: u8,
    sigma: U256,
    sigma_at: u64,
    last_rebalance: u64,
    last_hedge: u64,
    last_tier_change: u64,
    rebalance_dir: u8,
    hedge_dir: u8,
}

/// The risk parameters.
#[derive(Clone, Copy, Default)]
struct Params {
    max_price_age: u64,
    max_deviation_bps: u16,
    max_slippage_bps: u16,
    min_lp_bps: u16,
    max_step_bps: u16,
    rebalance_cooldown: u64,
    hedge_ratio_bps: u16,
    max_hedge_step: U256,
    collateral_bps: u16,
    hedge_cooldown: u64,
}

/// The price and pool a keeper action runs on.
struct Market {
    /// sqrtPriceX96, tickLower, tickUpper (the planner's pool block).
    pool: [U256; 3],
    /// numerator, denominator.
    price: [U256; 2],
    /// The vault's ledger words (see `IVault.state`, from word 3).
    ledger: Vec<U256>,
}

/// The manager's storage: ownership; the rest is in hashed slots.
#[storage]
pub struct Manager {
    ownable: Ownable2Step,
}

impl Manager {
    /// Wires the manager to `vault` (reading what the vault is wired to and
    /// the decimals of its tokens and oracle), the `planner` and its
    /// operations program `ops` (`il-manager-ops`), sets the owner and keeper,
    /// and installs defaults: tiers 5 / 30 / 100 bps at 0 / 60 % / 100 %
    /// annualised volatility with 5 % hysteresis; 1 h price age, 1 %
    /// spot-vs-oracle deviation, 1 % slippage, LP share in [0, 100 %] by
    /// steps of 25 %, 1 h cooldowns, hedge ratio 0 (off until the owner sets
    /// it), unlimited hedge step, 20 % collateral. The vault's controller
    /// then makes it the pool's hook (`vault.setPool`), the pool is
    /// initialised in the PoolManager, `applyFee` sets its fee, and the
    /// controller hands the vault to it (`vault.configure`).
    ///
    /// # Errors
    /// `ManagerInvalidAddress`, `OwnableInvalidOwner`, `ManagerCallFailed`,
    /// `ManagerHookAddress` (the address has hook permission bits).
    ///
    /// # Events
    /// `OwnershipTransferred`, `KeeperChanged`, `TiersUpdated`, `ParamsUpdated`.
    pub fn constructor(
        &mut self,
        vault: Address,
        planner: Address,
        ops: Address,
        owner: Address,
        keeper: Address,
    ) -> Result<(), ManagerError> {
        for a in [vault, planner, ops, keeper] {
            if a.is_zero() {
                return Err(ManagerInvalidAddress { account: a }.into());
            }
        }
        self.ownable.init::<ManagerError>(owner)?;
        let me = self.vm().contract_address();
        let b = me.into_array();
        if u16::from_be_bytes([b[18], b[19]]) & 0x3fff != 0 {
            return Err(ManagerHookAddress { hook: me }.into());
        }
        let out = self.read(vault, &lean::encode(contractsCall::SELECTOR, &[], None))?;
        let pool = self.read(vault, &lean::encode(poolCall::SELECTOR, &[], None))?;
        // contracts(): token0, token1, poolManager, venue, oracle, engine, ops;
        // pool(): tickSpacing, hooks, tickLower, tickUpper
        let mut c = [U256::ZERO; 5];
        let mut pw = [U256::ZERO; 4];
        for (i, x) in c.iter_mut().enumerate() {
            *x = word(vault, &out, i)?;
        }
        for (i, x) in pw.iter_mut().enumerate() {
            *x = word(vault, &pool, i)?;
        }
        let [token0, token1, pool_manager, venue, oracle] = c;
        let mut words = [U256::ZERO; WIRING_WORDS];
        words[..5].copy_from_slice(&[
            slots::from_address(vault),
            pool_manager,
            venue,
            oracle,
            slots::from_address(planner),
        ]);
        for (i, who) in [(5usize, token0), (6, token1), (7, oracle)] {
            let who = slots::to_address(who);
            words[i] = word(
                who,
                &self.read(who, &lean::encode(decimalsCall::SELECTOR, &[], None))?,
                0,
            )?;
        }
        words[8] = token0;
        words[9] = token1;
        words[10] = pw[0];
        words[11] = pw[2];
        words[12] = pw[3];
        words[13] = slots::from_address(ops);
        slots::store(self.vm(), WIRING, &words);
        self.set_keeper_unchecked(keeper);
        self.store_tiers(
            &[
                U256::ZERO,
                U256::from(600_000_000_000_000_000u64),
                il_math::WAD,
            ],
            &[500, 3_000, 10_000],
            U256::from(50_000_000_000_000_000u64),
        )?;
        self.store_params(Params {
            max_price_age: 3_600,
            max_deviation_bps: 100,
            max_slippage_bps: 100,
            min_lp_bps: 0,
            max_step_bps: 2_500,
            rebalance_cooldown: 3_600,
            hedge_ratio_bps: 0,
            max_hedge_step: U256::MAX,
            collateral_bps: 2_000,
            hedge_cooldown: 3_600,
        })
    }

    /// The manager program's fallback: calldata for a function it does not
    /// route itself (the owner's functions) is run by `il-manager-ops` in
    /// the manager's own storage (delegate call), its result or revert data
    /// returned as they are.
    ///
    /// # Errors
    /// The function's revert data; `ManagerCallFailed(ops, "")` if the
    /// delegate call failed without any.
    pub fn delegate_ops(&mut self, input: &[u8]) -> stylus_sdk::ArbResult {
        let ops = self.wiring().ops;
        lean::delegate_call(self, ops, input).map_err(|reason| {
            if reason.is_empty() {
                failed(ops, reason).into()
            } else {
                reason
            }
        })
    }

    /// The operations program's constructor: nothing to set (it keeps no
    /// state of its own; it runs in the manager's). Running it marks the
    /// program constructed, so the manager's constructor can never run on
    /// it.
    ///
    /// # Errors
    /// None.
    pub fn ops_constructor(&mut self) -> Result<(), ManagerError> {
        Ok(())
    }

    /// Keeper only, not paused: reports `sigma` (annualised, WAD) and applies
    /// the tier `il_math::select_tier` picks to the pool's LP fee (when it
    /// or the pool's fee differs from what is in force).
    ///
    /// # Errors
    /// `ManagerNotKeeper`, `ManagerPaused`, `ManagerVolatilityOutOfRange`,
    /// `ManagerCooldown` (a new tier within `TIER_COOLDOWN` of the last change),
    /// `ManagerCallFailed` (the PoolManager refused, e.g. the pool is not
    /// initialised).
    ///
    /// # Events
    /// `VolatilityUpdated`, `FeeApplied` when applied.
    pub fn update_volatility(&mut self, sigma: U256) -> Result<(u8, u32), ManagerError> {
        let mut cfg = self.keeper_action()?;
        let w = self.wiring();
        let (tiers, hysteresis) = self.load_tiers();
        let next = il_math::select_tier(&tiers, usize::from(cfg.tier_index), sigma, hysteresis)
            .map_err(|e| match e {
                MathError::VolatilityOutOfRange => ManagerVolatilityOutOfRange { sigma }.into(),
                other => ManagerError::from(other),
            })?;
        let fee = tiers.get(next).map_or(0, |t| t.fee_pips);
        let current_fee = self.slot0(&w)?.lp_fee;
        // cannot truncate: next < MAX_TIERS = 8.
        let tier = u8::try_from(next).unwrap_or(u8::MAX);
        let changed = tier != cfg.tier_index || current_fee != fee;
        let now = self.vm().block_timestamp();
        if tier != cfg.tier_index {
            // a new tier at most once per TIER_COOLDOWN (re-applying the
            // tier in force to the pool is not a change)
            self.paced(cfg.last_tier_change, UP, UP, TIER_COOLDOWN)?;
            cfg.last_tier_change = now;
        }
        if changed {
            self.set_fee(&w, tier, fee)?;
        }
        cfg.tier_index = tier;
        cfg.sigma = sigma;
        cfg.sigma_at = now;
        self.store_config(&cfg);
        emit(
            self.vm(),
            &[VolatilityUpdated::SIGNATURE_HASH],
            &[
                sigma.to_word(),
                tier.to_word(),
                fee.to_word(),
                changed.to_word(),
            ],
        );
        Ok((tier, fee))
    }

    /// Anyone: sets the pool's LP fee to the fee of the tier in force, when
    /// the pool's differs (a new pool's dynamic fee is 0 until this runs).
    /// Returns the fee in force.
    ///
    /// # Errors
    /// `ManagerNothingToDo` (the pool already charges it),
    /// `ManagerCallFailed` (the pool is not initialised).
    ///
    /// # Events
    /// `FeeApplied`.
    pub fn apply_fee(&mut self) -> Result<u32, ManagerError> {
        let w = self.wiring();
        let cfg = self.load_config();
        let (tiers, _) = self.load_tiers();
        let fee = tiers
            .get(usize::from(cfg.tier_index))
            .map_or(0, |t| t.fee_pips);
        if self.slot0(&w)?.lp_fee == fee {
            return Err(ManagerNothingToDo {}.into());
        }
        self.set_fee(&w, cfg.tier_index, fee)?;
        Ok(fee)
    }

    /// Keeper only, not paused: the bounded rebalance described in the crate
    /// documentation. Returns the liquidity added (+) or removed (-).
    ///
    /// # Errors
    /// `ManagerNotKeeper`, `ManagerPaused`, `ManagerStalePrice`,
    /// `ManagerIncompleteRound`, `ManagerPriceDeviation`,
    /// `ManagerInvalidTarget`, `ManagerNothingToDo`, `ManagerCooldown` (its
    /// cooldown, or `REVERSAL_COOLDOWN` after a move the other way),
    /// `ManagerSlippage` (tokens below the minimums, or the liquidity removed
    /// or added off its fair value by more than `maxSlippageBps`),
    /// `ManagerCallFailed`.
    ///
    /// # Events
    /// `Rebalanced`, the vault's `LiquidityMoved` and `FeesCollected`, the
    /// PoolManager's `ModifyLiquidity`.
    pub fn rebalance(
        &mut self,
        target_bps: u16,
        amount0_min: U256,
        amount1_min: U256,
    ) -> Result<I256, ManagerError> {
        let mut cfg = self.keeper_action()?;
        let p = self.load_params();
        let w = self.wiring();
        let m = self.market(&w, &p)?;
        let mut args = m.pool.to_vec();
        args.extend_from_slice(&m.price);
        args.extend_from_slice(&[
            ledger(&m, 0),
            ledger(&m, 1),
            ledger(&m, 2),
            U256::from(target_bps),
        ]);
        let plan = self.compute(w.planner, rebalancePlanCall::SELECTOR, &args, 6)?;
        let current = u16::try_from(plan[0]).unwrap_or(u16::MAX);
        if target_bps < p.min_lp_bps
            || u64::from(target_bps) > il_math::BPS
            || current.abs_diff(target_bps) > p.max_step_bps
        {
            return Err(ManagerInvalidTarget {
                targetBps: target_bps,
                currentBps: current,
            }
            .into());
        }
        let [burn, add, burn_value] = [plan[1], plan[2], plan[5]];
        let burning = !burn.is_zero();
        if !burning && add.is_zero() {
            return Err(ManagerNothingToDo {}.into());
        }
        let dir = if burning { DOWN } else { UP };
        self.paced(
            cfg.last_rebalance,
            cfg.rebalance_dir,
            dir,
            p.rebalance_cooldown,
        )?;
        let delta = if burning {
            il_math::to_negative(burn)?
        } else {
            il_math::to_signed(add)?
        };
        let out = self.call(
            w.vault,
            &lean::encode(moveLiquidityCall::SELECTOR, &[delta.to_word()], None),
        )?;
        // moveLiquidity returns the tokens received (removing) or paid (adding)
        let (amount0, amount1) = (word(w.vault, &out, 0)?, word(w.vault, &out, 1)?);
        // the liquidity's fair value (at the oracle) against the tokens, both
        // ways: a removal must return what the liquidity is worth, an add
        // must not pay more than the liquidity it gets is worth
        let zero = U256::ZERO;
        let legs = if burning {
            [zero, amount0, amount1, burn_value, zero, zero]
        } else {
            [add, zero, zero, zero, amount0, amount1]
        };
        let fair_ok = self.slippage_ok(&w, &p, m.pool, &m, legs)?;
        if !fair_ok || amount0 < amount0_min || amount1 < amount1_min {
            return Err(ManagerSlippage { amount0, amount1 }.into());
        }
        cfg.last_rebalance = self.vm().block_timestamp();
        cfg.rebalance_dir = dir;
        self.store_config(&cfg);
        emit(
            self.vm(),
            &[Rebalanced::SIGNATURE_HASH],
            &[
                current.to_word(),
                target_bps.to_word(),
                amount0.to_word(),
                amount1.to_word(),
                delta.to_word(),
            ],
        );
        Ok(delta)
    }

    /// Keeper only, not paused: moves the vault's whole position to the
    /// range the owner's rule gives now (`il_math::vault::plan_rerange` on
    /// the planner: the rule's base range centred on the oracle price, its
    /// width from the last sigma the keeper reported; the full range
    /// without a rule). The vault burns the position (its impermanent loss
    /// is realised into idle tokens) and mints the new range with the idle
    /// tokens it takes (`vault.rerange`). Both legs must be worth the
    /// liquidity's fair value at the oracle within `maxSlippageBps`, with a
    /// fresh oracle and the pool's spot within `maxDeviationBps`; at most
    /// one re-range per `rebalanceCooldown`. Returns the new range.
    ///
    /// # Errors
    /// `ManagerNotKeeper`, `ManagerPaused`, `ManagerStalePrice`,
    /// `ManagerIncompleteRound`, `ManagerPriceDeviation`,
    /// `ManagerNothingToDo` (the vault is in that range already),
    /// `ManagerCooldown`, `ManagerSlippage` (the burn's tokens, when a leg
    /// is off its fair value), `ManagerCallFailed` (the planner: a rule the
    /// volatility reported puts out of its domain; the vault).
    ///
    /// # Events
    /// The vault's `Reranged` (old and new ticks) and `FeesCollected`, the
    /// PoolManager's `ModifyLiquidity`.
    pub fn rerange(&mut self) -> Result<(U256, U256, U256), ManagerError> {
        let cfg = self.keeper_action()?;
        let p = self.load_params();
        let w = self.wiring();
        let m = self.market(&w, &p)?;
        let mut rule = [U256::ZERO; RANGE_WORDS];
        slots::load(self.vm(), RANGE, &mut rule);
        let mut args = m.pool.to_vec();
        args.extend_from_slice(&m.price);
        args.extend_from_slice(&[
            ledger(&m, 0),
            cfg.sigma,
            U256::from(w.spacing.unsigned_abs()),
        ]);
        args.extend_from_slice(&rule[..4]);
        let plan = self.compute(w.planner, rangePlanCall::SELECTOR, &args, 3)?;
        if plan[..2] == w.ticks {
            return Err(ManagerNothingToDo {}.into());
        }
        self.paced(rule[4].saturating_to(), NONE, NONE, p.rebalance_cooldown)?;
        let out = self.call(
            w.vault,
            &lean::encode(
                rerangeCall::SELECTOR,
                &[plan[0].to_word(), plan[1].to_word()],
                None,
            ),
        )?;
        // rerange returns: out0, out1, minted, in0, in1
        let mut r = [U256::ZERO; 5];
        for (i, x) in r.iter_mut().enumerate() {
            *x = word(w.vault, &out, i)?;
        }
        let [out0, out1, minted, in0, in1] = r;
        let legs = [minted, out0, out1, plan[2], in0, in1];
        if !self.slippage_ok(&w, &p, [m.pool[0], plan[0], plan[1]], &m, legs)? {
            return Err(ManagerSlippage {
                amount0: out0,
                amount1: out1,
            }
            .into());
        }
        // cannot overflow: hashes plus 11, 12 and 4
        for (slot, value) in [
            (WIRING.wrapping_add(U256::from(11u8)), plan[0]),
            (WIRING.wrapping_add(U256::from(12u8)), plan[1]),
            (
                RANGE.wrapping_add(U256::from(4u8)),
                U256::from(self.vm().block_timestamp()),
            ),
        ] {
            slots::set(self.vm(), slot, value);
        }
        Ok((plan[0], plan[1], minted))
    }

    /// Owner only: sets the range rule re-ranges follow (see `rerange`):
    /// `kBps` (the multiple of `sigma sqrt(horizon)` on each side, 1e4 = 1),
    /// `horizonSecs`, and the narrowest and widest range in ticks; all four
    /// 0 for the full range (the default). Takes effect at the next
    /// re-range.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ManagerInvalidRangeRule` (the
    /// planner refuses it: `il_math::range::RangeRule::validate` for the
    /// pool's spacing).
    ///
    /// # Events
    /// `RangeRuleUpdated`.
    pub fn set_range_rule(
        &mut self,
        k_bps: u32,
        horizon_secs: u64,
        min_width: u32,
        max_width: u32,
    ) -> Result<(), ManagerError> {
        self.ownable.only_owner::<ManagerError>()?;
        let words = [
            U256::from(k_bps),
            U256::from(horizon_secs),
            U256::from(min_width),
            U256::from(max_width),
        ];
        let valid = if k_bps == 0 {
            words.iter().all(|w| w.is_zero())
        } else {
            // the planner plans with the rule (at price 1, sigma 0) only if
            // `RangeRule::validate` accepts it for the pool's spacing
            let w = self.wiring();
            let one = U256::from(1u8);
            let mut args = [
                il_math::v4::Q96,
                w.ticks[0],
                w.ticks[1],
                one,
                one,
                U256::ZERO,
                U256::ZERO,
            ]
            .to_vec();
            args.push(U256::from(w.spacing.unsigned_abs()));
            args.extend_from_slice(&words);
            self.compute(w.planner, rangePlanCall::SELECTOR, &args, 3)
                .is_ok()
        };
        if !valid {
            return Err(ManagerInvalidRangeRule {}.into());
        }
        slots::store(self.vm(), RANGE, &words);
        emit(
            self.vm(),
            &[RangeRuleUpdated::SIGNATURE_HASH],
            &words.map(|w| w.to_word()),
        );
        Ok(())
    }

    /// The range rule (`setRangeRule` order) and the time of the last
    /// re-range (0: none).
    ///
    /// # Errors
    /// None.
    pub fn range_rule(&self) -> Result<(u32, u64, u32, u32, u64), ManagerError> {
        let mut r = [U256::ZERO; RANGE_WORDS];
        slots::load(self.vm(), RANGE, &mut r);
        // every word was stored from a value of its type
        Ok((
            r[0].saturating_to(),
            r[1].saturating_to(),
            r[2].saturating_to(),
            r[3].saturating_to(),
            r[4].saturating_to(),
        ))
    }

    /// Keeper only, not paused: the bounded hedge described in the crate
    /// documentation. Returns the new position size.
    ///
    /// # Errors
    /// `ManagerNotKeeper`, `ManagerPaused`, `ManagerStalePrice`,
    /// `ManagerIncompleteRound`, `ManagerPriceDeviation`,
    /// `ManagerNothingToDo` (at target with enough margin), `ManagerCooldown`
    /// (a trade within its cooldown, or within `REVERSAL_COOLDOWN` of a trade
    /// the other way, with no margin to restore meanwhile: a top-up, or a cut
    /// of a size the margin cannot carry, never waits), `ManagerCallFailed`
    /// (the vault: e.g. `VaultInsufficientIdle`; the venue).
    ///
    /// # Events
    /// `Hedged`, the vault's `HedgeAdjusted`, the venue's events.
    pub fn hedge(&mut self) -> Result<I256, ManagerError> {
        let mut cfg = self.keeper_action()?;
        let p = self.load_params();
        let w = self.wiring();
        let m = self.market(&w, &p)?;
        let vault = w.vault.to_word();
        let pos = self.read(
            w.venue,
            &lean::encode(positionOfCall::SELECTOR, &[vault], None),
        )?;
        let equity = self.read(
            w.venue,
            &lean::encode(equityOfCall::SELECTOR, &[vault], None),
        )?;
        let size = word(w.venue, &pos, 0)?;
        let mut args = m.pool.to_vec();
        args.extend_from_slice(&m.price);
        args.extend_from_slice(&[
            ledger(&m, 0),
            U256::from(p.hedge_ratio_bps),
            size,
            word(w.venue, &equity, 0)?,
            ledger(&m, 2),
            U256::from(p.collateral_bps),
            p.max_hedge_step,
        ]);
        let mut plan = self.compute(w.planner, hedgePlanCall::SELECTOR, &args, 4)?;
        let delta = I256::from_raw(plan[1]);
        if !delta.is_zero() {
            let dir = if delta.is_negative() { DOWN } else { UP };
            match self.paced(cfg.last_hedge, cfg.hedge_dir, dir, p.hedge_cooldown) {
                Ok(()) => {
                    cfg.last_hedge = self.vm().block_timestamp();
                    cfg.hedge_dir = dir;
                }
                Err(wait) => {
                    // no trade toward the target yet, but the margin is
                    // never held back: the plan with no step tops up (or
                    // cuts a size the margin cannot carry, reducing risk)
                    if let Some(step) = args.last_mut() {
                        *step = U256::ZERO;
                    }
                    plan = self.compute(w.planner, hedgePlanCall::SELECTOR, &args, 4)?;
                    if plan[1].is_zero() && plan[3].is_zero() {
                        return Err(wait);
                    }
                }
            }
        }
        let (target, delta, new_size, top_up) = (
            I256::from_raw(plan[0]),
            I256::from_raw(plan[1]),
            I256::from_raw(plan[2]),
            plan[3],
        );
        if delta.is_zero() && top_up.is_zero() {
            return Err(ManagerNothingToDo {}.into());
        }
        // Reaching zero closes the position (and returns its equity to idle).
        let close = new_size.is_zero();
        let trade = if close { I256::ZERO } else { delta };
        self.adjust(&w, top_up, trade, close)?;
        self.store_config(&cfg);
        self.hedged(I256::from_raw(size), new_size, target, top_up, close);
        Ok(new_size)
    }

    /// Owner only, paused or not: closes the vault's whole hedge position and
    /// brings its equity back to the vault's idle token1 (an emergency exit
    /// the pause does not block). A keeper hedge after it is a reversal.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ManagerCallFailed` (the vault or the
    /// venue refused, e.g. no open account).
    ///
    /// # Events
    /// `Hedged(previous, 0, 0, 0, true)`, the vault's `HedgeAdjusted`.
    pub fn close_hedge(&mut self) -> Result<(), ManagerError> {
        self.ownable.only_owner::<ManagerError>()?;
        let w = self.wiring();
        let pos = self.read(
            w.venue,
            &lean::encode(positionOfCall::SELECTOR, &[w.vault.to_word()], None),
        )?;
        let size = I256::from_raw(word(w.venue, &pos, 0)?);
        self.adjust(&w, U256::ZERO, I256::ZERO, true)?;
        let mut cfg = self.load_config();
        cfg.last_hedge = self.vm().block_timestamp();
        cfg.hedge_dir = if size.is_negative() { UP } else { DOWN };
        self.store_config(&cfg);
        self.hedged(size, I256::ZERO, I256::ZERO, U256::ZERO, true);
        Ok(())
    }

    /// Owner only: sets the keeper.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ManagerInvalidAddress` for zero.
    ///
    /// # Events
    /// `KeeperChanged`.
    pub fn set_keeper(&mut self, keeper: Address) -> Result<(), ManagerError> {
        self.ownable.only_owner::<ManagerError>()?;
        if keeper.is_zero() {
            return Err(ManagerInvalidAddress { account: keeper }.into());
        }
        self.set_keeper_unchecked(keeper);
        Ok(())
    }

    /// Owner only: sets the tier table and hysteresis. The tier in force is
    /// kept when it still exists, else the last tier is.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ManagerInvalidTiers`.
    ///
    /// # Events
    /// `TiersUpdated`.
    pub fn set_tiers(
        &mut self,
        min_sigmas: Vec<U256>,
        fees_pips: Vec<u32>,
        hysteresis: U256,
    ) -> Result<(), ManagerError> {
        self.ownable.only_owner::<ManagerError>()?;
        self.store_tiers(&min_sigmas, &fees_pips, hysteresis)
    }

    /// Owner only: sets the risk parameters. Bounds (index in
    /// `ManagerInvalidParameter`): 0 `maxPriceAge` 60..=86400 s,
    /// 1 `maxDeviationBps` 1..=1000, 2 `maxSlippageBps` <= 1000,
    /// 3 `minLpBps` <= 10000, 4 `maxStepBps` 1..=10000, 5
    /// `rebalanceCooldown` <= 7 days, 6 `hedgeRatioBps` <= 10000, 7
    /// `maxHedgeStep` > 0, 8 `collateralBps` 1000..=10000, 9 `hedgeCooldown`;
    /// both cooldowns in `MIN_COOLDOWN..=REVERSAL_COOLDOWN` (10 min to 6 h).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ManagerInvalidParameter`.
    ///
    /// # Events
    /// `ParamsUpdated`.
    #[allow(clippy::too_many_arguments)]
    pub fn set_params(
        &mut self,
        max_price_age: u64,
        max_deviation_bps: u16,
        max_slippage_bps: u16,
        min_lp_bps: u16,
        max_step_bps: u16,
        rebalance_cooldown: u64,
        hedge_ratio_bps: u16,
        max_hedge_step: U256,
        collateral_bps: u16,
        hedge_cooldown: u64,
    ) -> Result<(), ManagerError> {
        self.ownable.only_owner::<ManagerError>()?;
        self.store_params(Params {
            max_price_age,
            max_deviation_bps,
            max_slippage_bps,
            min_lp_bps,
            max_step_bps,
            rebalance_cooldown,
            hedge_ratio_bps,
            max_hedge_step,
            collateral_bps,
            hedge_cooldown,
        })
    }

    /// Owner only: sets the vault's controller (this manager; a new manager
    /// to migrate), deposit cap and pause.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ManagerCallFailed` (the vault refused).
    ///
    /// # Events
    /// The vault's `Configured`.
    pub fn configure_vault(
        &mut self,
        controller: Address,
        deposit_cap: U256,
        paused: bool,
    ) -> Result<(), ManagerError> {
        self.ownable.only_owner::<ManagerError>()?;
        let vault = self.wiring().vault;
        self.call(
            vault,
            &lean::encode(
                configureCall::SELECTOR,
                &[
                    controller.to_word(),
                    deposit_cap.to_word(),
                    paused.to_word(),
                ],
                None,
            ),
        )?;
        Ok(())
    }

    /// The vault, the keeper and the state of the keeper actions.
    ///
    /// # Errors
    /// None.
    #[allow(clippy::type_complexity)]
    pub fn config(
        &self,
    ) -> Result<(Address, Address, u8, U256, u64, u64, u64, u64, u8, u8), ManagerError> {
        let c = self.load_config();
        Ok((
            self.wiring().vault,
            c.keeper,
            c.tier_index,
            c.sigma,
            c.sigma_at,
            c.last_rebalance,
            c.last_hedge,
            c.last_tier_change,
            c.rebalance_dir,
            c.hedge_dir,
        ))
    }

    /// The risk parameters, in `setParams` order.
    ///
    /// # Errors
    /// None.
    #[allow(clippy::type_complexity)]
    pub fn params(
        &self,
    ) -> Result<(u64, u16, u16, u16, u16, u64, u16, U256, u16, u64), ManagerError> {
        let p = self.load_params();
        Ok((
            p.max_price_age,
            p.max_deviation_bps,
            p.max_slippage_bps,
            p.min_lp_bps,
            p.max_step_bps,
            p.rebalance_cooldown,
            p.hedge_ratio_bps,
            p.max_hedge_step,
            p.collateral_bps,
            p.hedge_cooldown,
        ))
    }

    /// The tier table as words: hysteresis, then each tier's lower bound,
    /// then each tier's fee.
    ///
    /// # Errors
    /// None.
    pub fn tiers(&self) -> Result<Vec<U256>, ManagerError> {
        let (tiers, hysteresis) = self.load_tiers();
        let mut words = alloc::vec![hysteresis];
        words.extend(tiers.iter().map(|t| t.min_sigma_wad));
        words.extend(tiers.iter().map(|t| U256::from(t.fee_pips)));
        Ok(words)
    }

    /// The oracle price and the pool spot's deviation from it, when a keeper
    /// action could run on them (fresh, complete, within `maxDeviationBps`).
    ///
    /// # Errors
    /// `ManagerStalePrice`, `ManagerIncompleteRound`,
    /// `ManagerPriceDeviation`, `ManagerCallFailed`.
    pub fn check_spot(&self) -> Result<(U256, U256, U256), ManagerError> {
        let (price, _) = self.checked_price(&self.wiring(), &self.load_params())?;
        Ok((price[0], price[1], price[2]))
    }

    /// The pool key and the PoolManager.
    ///
    /// # Errors
    /// None.
    pub fn pool_key(&self) -> Result<(Address, Address, u32, i32, Address, Address), ManagerError> {
        let w = self.wiring();
        let k = self.key(&w);
        Ok((
            k.currency0,
            k.currency1,
            k.fee,
            k.tick_spacing,
            k.hooks,
            w.pool_manager,
        ))
    }
}

fn failed(target: Address, reason: Vec<u8>) -> ManagerError {
    ManagerCallFailed {
        target,
        reason: Bytes::from(reason),
    }
    .into()
}

/// Word `i` of `target`'s return data.
fn word(target: Address, data: &[u8], i: usize) -> Result<U256, ManagerError> {
    lean::u256_at(data, i).ok_or_else(|| failed(target, Vec::new()))
}

/// Word `i` of the vault's ledger record.
fn ledger(m: &Market, i: usize) -> U256 {
    m.ledger.get(i).copied().unwrap_or_default()
}

impl Manager {
    fn wiring(&self) -> Wiring {
        let mut w = [U256::ZERO; WIRING_WORDS];
        slots::load(self.vm(), WIRING, &mut w);
        Wiring {
            vault: slots::to_address(w[0]),
            pool_manager: slots::to_address(w[1]),
            venue: slots::to_address(w[2]),
            oracle: slots::to_address(w[3]),
            planner: slots::to_address(w[4]),
            decimals: [w[5], w[6], w[7]],
            token0: slots::to_address(w[8]),
            token1: slots::to_address(w[9]),
            // stored from the vault's uint32 spacing (1..=32767)
            spacing: w[10].saturating_to(),
            ticks: [w[11], w[12]],
            ops: slots::to_address(w[13]),
        }
    }

    fn load_config(&self) -> Config {
        let mut w = [U256::ZERO; CONFIG_WORDS];
        slots::load(self.vm(), CONFIG, &mut w);
        // every word was stored from a value of its type
        Config {
            keeper: slots::to_address(w[0]),
            tier_index: w[1].saturating_to(),
            sigma: w[2],
            sigma_at: w[3].saturating_to(),
            last_rebalance: w[4].saturating_to(),
            last_hedge: w[5].saturating_to(),
            last_tier_change: w[6].saturating_to(),
            rebalance_dir: w[7].saturating_to(),
            hedge_dir: w[8].saturating_to(),
        }
    }

    fn store_config(&self, c: &Config) {
        let words = [
            slots::from_address(c.keeper),
            U256::from(c.tier_index),
            c.sigma,
            U256::from(c.sigma_at),
            U256::from(c.last_rebalance),
            U256::from(c.last_hedge),
            U256::from(c.last_tier_change),
            U256::from(c.rebalance_dir),
            U256::from(c.hedge_dir),
        ];
        slots::store(self.vm(), CONFIG, &words);
    }

    fn load_params(&self) -> Params {
        let mut w = [U256::ZERO; 10];
        slots::load(self.vm(), PARAMS, &mut w);
        Params {
            max_price_age: w[0].saturating_to(),
            max_deviation_bps: w[1].saturating_to(),
            max_slippage_bps: w[2].saturating_to(),
            min_lp_bps: w[3].saturating_to(),
            max_step_bps: w[4].saturating_to(),
            rebalance_cooldown: w[5].saturating_to(),
            hedge_ratio_bps: w[6].saturating_to(),
            max_hedge_step: w[7],
            collateral_bps: w[8].saturating_to(),
            hedge_cooldown: w[9].saturating_to(),
        }
    }

    fn store_params(&mut self, p: Params) -> Result<(), ManagerError> {
        let cooldowns = MIN_COOLDOWN..=REVERSAL_COOLDOWN;
        let checks = [
            (60..=86_400).contains(&p.max_price_age),
            (1..=1_000).contains(&p.max_deviation_bps),
            p.max_slippage_bps <= 1_000,
            p.min_lp_bps <= 10_000,
            (1..=10_000).contains(&p.max_step_bps),
            cooldowns.contains(&p.rebalance_cooldown),
            p.hedge_ratio_bps <= 10_000,
            !p.max_hedge_step.is_zero(),
            (1_000..=10_000).contains(&p.collateral_bps),
            cooldowns.contains(&p.hedge_cooldown),
        ];
        if let Some(index) = checks.iter().position(|ok| !ok) {
            // cannot truncate: 10 parameters.
            return Err(ManagerInvalidParameter {
                index: u8::try_from(index).unwrap_or(u8::MAX),
            }
            .into());
        }
        let words = [
            U256::from(p.max_price_age),
            U256::from(p.max_deviation_bps),
            U256::from(p.max_slippage_bps),
            U256::from(p.min_lp_bps),
            U256::from(p.max_step_bps),
            U256::from(p.rebalance_cooldown),
            U256::from(p.hedge_ratio_bps),
            p.max_hedge_step,
            U256::from(p.collateral_bps),
            U256::from(p.hedge_cooldown),
        ];
        slots::store(self.vm(), PARAMS, &words);
        emit(
            self.vm(),
            &[ParamsUpdated::SIGNATURE_HASH],
            &words.map(|w| w.to_word()),
        );
        Ok(())
    }

    fn load_tiers(&self) -> (Vec<FeeTier>, U256) {
        let mut w = [U256::ZERO; TIER_WORDS];
        slots::load(self.vm(), TIERS, &mut w);
        let count = w[1].saturating_to::<usize>().min(MAX_TIERS);
        // words 2.. are the bounds, 2 + MAX_TIERS.. the fees (no panic path)
        let (bounds, fees) = w.split_at(2).1.split_at(MAX_TIERS);
        let tiers = bounds
            .iter()
            .zip(fees)
            .take(count)
            .map(|(b, f)| FeeTier {
                min_sigma_wad: *b,
                fee_pips: f.saturating_to(),
            })
            .collect();
        (tiers, w[0])
    }

    fn store_tiers(
        &mut self,
        min_sigmas: &[U256],
        fees: &[u32],
        hysteresis: U256,
    ) -> Result<(), ManagerError> {
        if min_sigmas.len() != fees.len() || hysteresis > il_math::MAX_SIGMA_WAD {
            return Err(ManagerInvalidTiers {}.into());
        }
        let tiers: Vec<FeeTier> = min_sigmas
            .iter()
            .zip(fees)
            .map(|(s, f)| FeeTier {
                min_sigma_wad: *s,
                fee_pips: *f,
            })
            .collect();
        il_math::validate_tiers(&tiers).map_err(|_| ManagerInvalidTiers {})?;
        let mut w = [U256::ZERO; TIER_WORDS];
        w[0] = hysteresis;
        w[1] = U256::from(tiers.len());
        // words 2.. the bounds, 2 + MAX_TIERS.. the fees (no panic path)
        let (bounds, fees) = w.split_at_mut(2).1.split_at_mut(MAX_TIERS);
        for ((t, b), f) in tiers.iter().zip(bounds).zip(fees) {
            *b = t.min_sigma_wad;
            *f = U256::from(t.fee_pips);
        }
        slots::store(self.vm(), TIERS, &w);
        let mut cfg = self.load_config();
        // validate_tiers allows 1..=MAX_TIERS tiers: count >= 1, and the
        // conversion cannot truncate.
        let last = u8::try_from(tiers.len().saturating_sub(1)).unwrap_or(u8::MAX);
        if cfg.tier_index > last {
            cfg.tier_index = last;
            self.store_config(&cfg);
        }
        emit(
            self.vm(),
            &[TiersUpdated::SIGNATURE_HASH],
            &[w[1].to_word(), hysteresis.to_word()],
        );
        Ok(())
    }

    fn set_keeper_unchecked(&mut self, keeper: Address) {
        let mut cfg = self.load_config();
        let previous = cfg.keeper;
        cfg.keeper = keeper;
        self.store_config(&cfg);
        emit(
            self.vm(),
            &[
                KeeperChanged::SIGNATURE_HASH,
                previous.to_word(),
                keeper.to_word(),
            ],
            &[],
        );
    }

    /// The config, when the caller is the keeper and the vault not paused.
    fn keeper_action(&self) -> Result<Config, ManagerError> {
        let cfg = self.load_config();
        let caller = self.vm().msg_sender();
        if caller != cfg.keeper {
            return Err(ManagerNotKeeper { account: caller }.into());
        }
        let vault = self.wiring().vault;
        let state = self.read(vault, &lean::encode(stateCall::SELECTOR, &[], None))?;
        // state(): offset, length, controller, depositCap, paused, ...
        if !word(vault, &state, 4)?.is_zero() {
            return Err(ManagerPaused {}.into());
        }
        Ok(cfg)
    }

    /// `ManagerCooldown` unless a move in direction `dir` may follow the
    /// last one (at `last`, direction `last_dir`): see
    /// `il_math::vault::pacing::wait`.
    fn paced(&self, last: u64, last_dir: u8, dir: u8, cooldown: u64) -> Result<(), ManagerError> {
        let now = self.vm().block_timestamp();
        let wait = il_math::vault::pacing::wait(last, last_dir, dir, cooldown, now);
        if wait > 0 {
            return Err(ManagerCooldown {
                availableAt: now.saturating_add(wait),
            }
            .into());
        }
        Ok(())
    }

    /// `vault.adjustHedge(fund, trade, close)`.
    fn adjust(
        &mut self,
        w: &Wiring,
        fund: U256,
        trade: I256,
        close: bool,
    ) -> Result<(), ManagerError> {
        let data = lean::encode(
            adjustHedgeCall::SELECTOR,
            &[fund.to_word(), trade.to_word(), close.to_word()],
            None,
        );
        self.call(w.vault, &data)?;
        Ok(())
    }

    fn hedged(&self, previous: I256, new_size: I256, target: I256, added: U256, closed: bool) {
        emit(
            self.vm(),
            &[Hedged::SIGNATURE_HASH],
            &[
                previous.to_word(),
                new_size.to_word(),
                target.to_word(),
                added.to_word(),
                closed.to_word(),
            ],
        );
    }

    /// The pool key: the vault's tokens, the dynamic fee, its spacing, and
    /// this manager as the hook.
    fn key(&self, w: &Wiring) -> uni::Key {
        uni::Key {
            currency0: w.token0,
            currency1: w.token1,
            fee: uni::DYNAMIC_FEE_FLAG,
            tick_spacing: w.spacing,
            hooks: self.vm().contract_address(),
        }
    }

    /// The pool's `slot0` (price, tick, LP fee).
    fn slot0(&self, w: &Wiring) -> Result<uni::Slot0, ManagerError> {
        uni::slot0(self.vm(), w.pool_manager, &self.key(w))
            .map_err(|reason| failed(w.pool_manager, reason))
    }

    /// Sets the pool's LP fee (`updateDynamicLPFee`: only the hook may).
    fn set_fee(&mut self, w: &Wiring, tier: u8, fee: u32) -> Result<(), ManagerError> {
        let key = self.key(w);
        self.call(w.pool_manager, &uni::update_fee_call(&key, fee))?;
        emit(
            self.vm(),
            &[FeeApplied::SIGNATURE_HASH],
            &[tier.to_word(), fee.to_word()],
        );
        Ok(())
    }

    /// The oracle price (numerator, denominator), the pool block
    /// (sqrtPriceX96, tickLower, tickUpper) and the spot's deviation, when
    /// the oracle is fresh and complete and the deviation within bounds.
    fn checked_price(
        &self,
        w: &Wiring,
        p: &Params,
    ) -> Result<([U256; 3], [U256; 3]), ManagerError> {
        let sqrt_price = self.slot0(w)?.sqrt_price_x96;
        let round = self.read(
            w.oracle,
            &lean::encode(latestRoundDataCall::SELECTOR, &[], None),
        )?;
        // latestRoundData: roundId, answer, startedAt, updatedAt, answeredInRound
        let mut r = [U256::ZERO; 5];
        for (i, x) in r.iter_mut().enumerate() {
            *x = word(w.oracle, &round, i)?;
        }
        let [round_id, answer, _, updated_at, answered_in] = r;
        let now = U256::from(self.vm().block_timestamp());
        // fresh: set, not from the future, at most maxPriceAge old
        let fresh = match now.checked_sub(updated_at) {
            Some(age) => !updated_at.is_zero() && age <= U256::from(p.max_price_age),
            None => false,
        };
        if !fresh {
            return Err(ManagerStalePrice {
                updatedAt: updated_at,
                now,
            }
            .into());
        }
        if answered_in < round_id {
            return Err(ManagerIncompleteRound {
                roundId: round_id,
                answeredInRound: answered_in,
            }
            .into());
        }
        let args = [
            answer,
            w.decimals[2],
            w.decimals[0],
            w.decimals[1],
            sqrt_price,
        ];
        let price = self.compute(w.planner, priceCall::SELECTOR, &args, 3)?;
        let max = U256::from(p.max_deviation_bps);
        if price[2] > max {
            return Err(ManagerPriceDeviation {
                deviationBps: price[2],
                maxBps: max,
            }
            .into());
        }
        Ok((
            [price[0], price[1], price[2]],
            [sqrt_price, w.ticks[0], w.ticks[1]],
        ))
    }

    /// The pool, a fresh oracle price within the deviation bound, and the
    /// vault's ledger.
    fn market(&self, w: &Wiring, p: &Params) -> Result<Market, ManagerError> {
        let (price, pool) = self.checked_price(w, p)?;
        let state = self.read(w.vault, &lean::encode(stateCall::SELECTOR, &[], None))?;
        let state = lean::decode_array(&state).ok_or_else(|| failed(w.vault, Vec::new()))?;
        Ok(Market {
            pool,
            price: [price[0], price[1]],
            ledger: state.get(3..).unwrap_or_default().to_vec(),
        })
    }

    /// Whether a liquidity move is worth its fair value at the oracle within
    /// `maxSlippageBps` (the planner's `slippageOk`): `legs` are the
    /// liquidity minted in `pool`'s range, the tokens the burn returned, the
    /// burned liquidity's value and the tokens the mint took.
    fn slippage_ok(
        &self,
        w: &Wiring,
        p: &Params,
        pool: [U256; 3],
        m: &Market,
        legs: [U256; 6],
    ) -> Result<bool, ManagerError> {
        let mut args = pool.to_vec();
        args.extend_from_slice(&m.price);
        args.extend_from_slice(&legs);
        args.push(U256::from(p.max_slippage_bps));
        Ok(!self.compute(w.planner, slippageOkCall::SELECTOR, &args, 1)?[0].is_zero())
    }

    /// Calls planner function `selector` with `args`; the result must have
    /// `words` words.
    fn compute(
        &self,
        target: Address,
        selector: [u8; 4],
        args: &[U256],
        words: usize,
    ) -> Result<Vec<U256>, ManagerError> {
        let out = self.read(target, &lean::encode_array(selector, args))?;
        match lean::decode_array(&out) {
            Some(v) if v.len() == words => Ok(v),
            _ => Err(failed(target, Vec::new())),
        }
    }

    fn read(&self, target: Address, data: &[u8]) -> Result<Vec<u8>, ManagerError> {
        lean::static_call(self.vm(), target, data).map_err(|reason| failed(target, reason))
    }

    fn call(&mut self, target: Address, data: &[u8]) -> Result<Vec<u8>, ManagerError> {
        lean::call(self, target, data).map_err(|reason| failed(target, reason))
    }
}

il_common::ownable_methods!(Manager, ownable, ManagerError);

// SAFETY: `Manager` is the top-level storage of both programs that route
// over it (`il-manager` and `il-manager-ops`, run by delegate call in the
// manager's storage), as `#[entrypoint]` would declare.
unsafe impl stylus_sdk::stylus_core::storage::TopLevelStorage for Manager {}
