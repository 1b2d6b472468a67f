//! The vault system wired as a deployer wires it, on `il_testkit::World`:
//! token0 (WETH-like, 18 decimals; the lower address, v4's currency0),
//! token1 (USDC-like, 6 decimals), an 8-decimals oracle, Uniswap v4's
//! PoolManager and test routers (EVM, from the npm artifacts), the hedge
//! venue, the engine, the planner, the vault and its operations program,
//! the manager at a hook address (no permission bits), the lens; then
//! `vault.setPool(manager)`, the pool initialised at the oracle price,
//! `manager.applyFee()`, `vault.configure(manager)`; the pool seeded over
//! the full range by a third party, the venue's house funded.
//!
//! Calls are bound from the committed Solidity interfaces (`*.sol`).

use alloy_primitives::{Address, Bytes, I256, U256, aliases::U160};
use alloy_sol_types::{SolCall, SolError, SolValue};
use il_math::{
    Price, Rounding,
    vault::{HolderRecord, Ledger, PoolState},
};
use il_testkit::{
    Revert, World,
    v4::{self, PoolKey, V4},
};

// The generated `setParams` builder takes ten arguments, as the function does.
#[allow(clippy::too_many_arguments)]
pub mod abi {
    alloy_sol_types::sol!(
        #[sol(all_derives)]
        "IVault.sol"
    );
    alloy_sol_types::sol!(
        #[sol(all_derives)]
        "../manager/IManager.sol"
    );
    alloy_sol_types::sol!(
        #[sol(all_derives)]
        "../lens/ILens.sol"
    );
    alloy_sol_types::sol!(
        #[sol(all_derives)]
        "../engine/IEngine.sol"
    );
    alloy_sol_types::sol!(
        #[sol(all_derives)]
        "../token/IToken.sol"
    );
    alloy_sol_types::sol!(
        #[sol(all_derives)]
        "../oracle/IOracle.sol"
    );
    alloy_sol_types::sol!(
        #[sol(all_derives)]
        "../planner/IPlanner.sol"
    );
    alloy_sol_types::sol!(
        #[sol(all_derives)]
        "../hedge/IHedge.sol"
    );
}

pub use abi::{IEngine, IHedge, ILens, IManager, IOracle, IPlanner, IToken, IVault};

/// 10^n.
pub fn pow10(n: u32) -> U256 {
    U256::from(10u8).pow(U256::from(n))
}

/// `n` whole token0 (18 decimals).
pub fn eth(n: u64) -> U256 {
    U256::from(n) * pow10(18)
}

/// `n` whole token1 (6 decimals).
pub fn usdc(n: u64) -> U256 {
    U256::from(n) * pow10(6)
}

pub fn u(n: u128) -> U256 {
    U256::from(n)
}

pub fn i(n: i128) -> I256 {
    I256::try_from(n).unwrap()
}

/// An 8-decimals oracle answer of `dollars` per token0.
pub fn usd(dollars: i128) -> I256 {
    i(dollars * 100_000_000)
}

/// Token decimals and the oracle's.
pub const DECIMALS0: u8 = 18;
pub const DECIMALS1: u8 = 6;
pub const ORACLE_DECIMALS: u8 = 8;
/// Seed liquidity of the pool: about 1,000 token0 and 2,000,000 token1
/// over the full range (spot 2,000).
pub const SEED0: u64 = 1_000;
pub const SEED1: u64 = 2_000_000;
/// The pool's tick spacing.
pub const SPACING: u32 = 60;
/// The starting price, dollars per token0.
pub const START_PRICE: i128 = 2_000;
/// What the deployer gives the venue's house.
pub const HOUSE: u64 = 1_000_000;

/// How to build the system.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    /// The pool's LP fee, pips: the manager's tier table is set to this one
    /// fee (`None`: the manager's default table, 500 pips to start).
    pub pool_fee: Option<u32>,
    /// Whether a third party seeds the pool's liquidity.
    pub seed_pool: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            pool_fee: Some(3_000),
            seed_pool: true,
        }
    }
}

/// The deployed system.
pub struct Sys {
    pub w: World,
    /// Deployer: owns the tokens, oracle, PoolManager, venue and manager.
    pub owner: Address,
    pub keeper: Address,
    pub alice: Address,
    pub bob: Address,
    pub carol: Address,
    pub stranger: Address,
    /// The third-party LP that seeds the pool.
    pub seeder: Address,
    /// Moves the pool's price with swaps.
    pub trader: Address,
    pub token0: Address,
    pub token1: Address,
    pub oracle: Address,
    /// Uniswap v4: the PoolManager and its test routers.
    pub v4: V4,
    /// The vault's pool key (the manager is the hook).
    pub key: PoolKey,
    pub venue: Address,
    pub engine: Address,
    pub planner: Address,
    pub vault: Address,
    pub ops: Address,
    /// The manager's operations program (`il-manager-ops`).
    pub manager_ops: Address,
    pub manager: Address,
    pub lens: Address,
}

fn deploy(
    w: &mut World,
    name: &str,
    entry: fn(Vec<u8>, stylus_sdk::host::VM) -> stylus_sdk::ArbResult,
    args: &[u8],
) -> Address {
    w.deploy_entry(name, entry, args)
        .unwrap_or_else(|e| panic!("deploy {name}: 0x{}", alloy_primitives::hex::encode(e)))
}

/// The sqrtPriceX96 of `dollars` per token0 (floor).
pub fn sqrt_price_of(dollars: i128) -> U256 {
    Price::from_oracle(usd(dollars), ORACLE_DECIMALS, DECIMALS0, DECIMALS1)
        .unwrap()
        .sqrt_price_x96(Rounding::Floor)
}

impl Sys {
    pub fn new() -> Self {
        Self::with(Setup::default())
    }

    pub fn with(setup: Setup) -> Self {
        let mut w = World::new();
        let owner = w.account(0);
        let token = |w: &mut World, name: &str, symbol: &str, decimals: u8| {
            deploy(
                w,
                &format!("il-token {symbol}"),
                il_token::route,
                &(
                    name.to_string(),
                    symbol.to_string(),
                    U256::from(decimals),
                    owner,
                    U256::ZERO,
                    0u64,
                )
                    .abi_encode_params(),
            )
        };
        // token0 must be the lower address (v4's currency0): deploy again
        // until it is
        let token1 = token(&mut w, "USD Coin", "USDC", DECIMALS1);
        let mut token0 = token(&mut w, "Wrapped Ether", "WETH", DECIMALS0);
        while token0 > token1 {
            token0 = token(&mut w, "Wrapped Ether", "WETH", DECIMALS0);
        }
        let oracle = deploy(
            &mut w,
            "il-oracle",
            il_oracle::route,
            &(
                U256::from(ORACLE_DECIMALS),
                "ETH / USD".to_string(),
                usd(START_PRICE),
                owner,
            )
                .abi_encode_params(),
        );
        let v4 = V4::deploy(&mut w, owner);
        let venue = deploy(
            &mut w,
            "il-hedge",
            il_hedge::route,
            &(
                token1,
                oracle,
                U256::from(DECIMALS0),
                U256::from(DECIMALS1),
                owner,
            )
                .abi_encode_params(),
        );
        let engine = deploy(&mut w, "il-engine", il_engine::route, &[]);
        let planner = deploy(&mut w, "il-planner", il_planner::route, &[]);
        let ops = deploy(&mut w, "il-vault-ops", il_vault_ops::route, &[]);
        let vault = deploy(
            &mut w,
            "il-vault",
            il_vault::route,
            &(
                token0,
                token1,
                v4.pool_manager,
                venue,
                oracle,
                engine,
                ops,
                owner,
                SPACING,
            )
                .abi_encode_params(),
        );
        let keeper = w.account(1);
        let manager_ops = deploy(&mut w, "il-manager-ops", il_manager_ops::route, &[]);
        let manager = w
            .deploy_entry_as_hook(
                "il-manager",
                il_manager::route,
                &(vault, planner, manager_ops, owner, keeper).abi_encode_params(),
                0,
            )
            .unwrap_or_else(|e| panic!("deploy manager: 0x{}", alloy_primitives::hex::encode(e)));
        let lens = deploy(
            &mut w,
            "il-lens",
            il_lens::route,
            &(vault, planner).abi_encode_params(),
        );
        let key = PoolKey {
            currency0: token0,
            currency1: token1,
            fee: il_common::v4::DYNAMIC_FEE_FLAG.try_into().unwrap(),
            tickSpacing: i32::try_from(SPACING).unwrap().try_into().unwrap(),
            hooks: manager,
        };
        let mut s = Self {
            owner,
            keeper,
            alice: w.account(2),
            bob: w.account(3),
            carol: w.account(4),
            stranger: w.account(5),
            seeder: w.account(6),
            trader: w.account(7),
            w,
            token0,
            token1,
            oracle,
            v4,
            key,
            venue,
            engine,
            planner,
            vault,
            ops,
            manager_ops,
            manager,
            lens,
        };
        s.ok(owner, vault, &IVault::setPoolCall { hooks: manager });
        let pm = s.v4.pool_manager;
        s.ok(
            owner,
            pm,
            &v4::IPoolManager::initializeCall {
                key: s.key.clone(),
                sqrtPriceX96: U160::from(sqrt_price_of(START_PRICE)),
            },
        );
        if let Some(fee) = setup.pool_fee {
            s.ok(
                owner,
                manager,
                &IManager::setTiersCall {
                    minSigmas: vec![U256::ZERO],
                    feesPips: vec![fee],
                    hysteresis: U256::ZERO,
                },
            );
        }
        if s.w
            .call_sol(owner, manager, &IManager::applyFeeCall {})
            .is_err()
        {
            // a fee of 0: the pool's already
            assert_eq!(setup.pool_fee, Some(0));
        }
        s.ok(
            owner,
            vault,
            &IVault::configureCall {
                controller: manager,
                depositCap: U256::ZERO,
                paused: false,
            },
        );
        // seed the pool (a third-party LP over the full range) and the
        // venue's house
        let seeder = s.seeder;
        if setup.seed_pool {
            let liquidity = s.liquidity_for(eth(SEED0), usdc(SEED1));
            s.add_liquidity(seeder, liquidity);
        }
        s.mint(owner, U256::ZERO, usdc(HOUSE));
        s.ok(
            owner,
            token1,
            &IToken::approveCall {
                spender: venue,
                value: U256::MAX,
            },
        );
        s.ok(
            owner,
            venue,
            &IHedge::fundCall {
                amount: usdc(HOUSE),
            },
        );
        for who in [s.alice, s.bob, s.carol, s.stranger, s.trader] {
            s.approve_all(who, vault);
            s.approve_all(who, s.v4.swap_router);
        }
        s
    }

    /// A call that must succeed.
    ///
    /// # Panics
    /// On a revert (with the decoded data).
    pub fn ok<C: SolCall>(&mut self, from: Address, to: Address, call: &C) -> C::Return {
        self.w
            .call_sol(from, to, call)
            .unwrap_or_else(|e| panic!("{} from {from} failed: {e:?}", C::SIGNATURE))
    }

    pub fn view<C: SolCall>(&mut self, to: Address, call: &C) -> C::Return {
        self.w
            .view_sol(to, call)
            .unwrap_or_else(|e| panic!("{} failed: {e:?}", C::SIGNATURE))
    }

    /// Mints tokens to `to` (the tokens' owner mints).
    pub fn mint(&mut self, to: Address, amount0: U256, amount1: U256) {
        let owner = self.owner;
        if !amount0.is_zero() {
            self.ok(
                owner,
                self.token0,
                &IToken::mintCall {
                    to,
                    amount: amount0,
                },
            );
        }
        if !amount1.is_zero() {
            self.ok(
                owner,
                self.token1,
                &IToken::mintCall {
                    to,
                    amount: amount1,
                },
            );
        }
    }

    pub fn approve_all(&mut self, who: Address, spender: Address) {
        for t in [self.token0, self.token1] {
            self.ok(
                who,
                t,
                &IToken::approveCall {
                    spender,
                    value: U256::MAX,
                },
            );
        }
    }

    pub fn balance0(&mut self, who: Address) -> U256 {
        self.view(self.token0, &IToken::balanceOfCall { account: who })
    }

    pub fn balance1(&mut self, who: Address) -> U256 {
        self.view(self.token1, &IToken::balanceOfCall { account: who })
    }

    pub fn shares(&mut self, who: Address) -> U256 {
        self.view(self.vault, &IVault::balanceOfCall { account: who })
    }

    pub fn supply(&mut self) -> U256 {
        self.view(self.vault, &IVault::totalSupplyCall {})
    }

    /// Deposits from `who` (minting the tokens first) to `who`.
    pub fn try_deposit(
        &mut self,
        who: Address,
        amount0: U256,
        amount1: U256,
        min_shares: U256,
    ) -> Result<IVault::depositReturn, Revert> {
        self.w.call_sol(
            who,
            self.vault,
            &IVault::depositCall {
                amount0Max: amount0,
                amount1Max: amount1,
                minShares: min_shares,
                receiver: who,
            },
        )
    }

    /// Mints `amount0`/`amount1` to `who` and deposits them; returns the shares.
    pub fn deposit(&mut self, who: Address, amount0: U256, amount1: U256) -> IVault::depositReturn {
        self.mint(who, amount0, amount1);
        self.try_deposit(who, amount0, amount1, U256::ZERO)
            .unwrap_or_else(|e| panic!("deposit failed: {e:?}"))
    }

    pub fn try_withdraw(
        &mut self,
        who: Address,
        shares: U256,
    ) -> Result<IVault::withdrawReturn, Revert> {
        self.w.call_sol(
            who,
            self.vault,
            &IVault::withdrawCall {
                shares,
                amount0Min: U256::ZERO,
                amount1Min: U256::ZERO,
                receiver: who,
            },
        )
    }

    pub fn withdraw(&mut self, who: Address, shares: U256) -> IVault::withdrawReturn {
        self.try_withdraw(who, shares)
            .unwrap_or_else(|e| panic!("withdraw failed: {e:?}"))
    }

    /// The pool as the engine sees it: its sqrt price now and the vault's
    /// range.
    pub fn pool_state(&mut self) -> PoolState {
        let p = self.view(self.vault, &IVault::poolCall {});
        let pos = self.view(self.lens, &ILens::positionCall {});
        PoolState {
            sqrt_price: pos.sqrtPriceX96,
            tick_lower: p.tickLower.as_i32(),
            tick_upper: p.tickUpper.as_i32(),
        }
    }

    /// The pool's LP fee in force (slot0), pips.
    pub fn pool_fee(&mut self) -> u32 {
        let pos = self.view(self.lens, &ILens::positionCall {});
        pos.lpFee.to::<u32>()
    }

    /// The largest full-range liquidity `amount0`/`amount1` pay for now.
    pub fn liquidity_for(&mut self, amount0: U256, amount1: U256) -> U256 {
        il_math::vault::liquidity_for(&self.pool_state(), amount0, amount1).unwrap()
    }

    /// `who` adds `liquidity` over the full range through the liquidity
    /// router (minting what it takes first).
    pub fn add_liquidity(&mut self, who: Address, liquidity: U256) {
        let (need0, need1) = il_math::vault::add_amounts(&self.pool_state(), liquidity).unwrap();
        self.mint(who, need0, need1);
        let router = self.v4.liquidity_router;
        self.approve_all(who, router);
        let p = self.pool_state();
        let call = v4::modify_call(
            &self.key,
            p.tick_lower,
            p.tick_upper,
            I256::from_raw(liquidity),
        );
        self.ok(who, router, &call);
    }

    /// The trader swaps `amount_in` through the PoolManager (minting it
    /// first); returns what came out.
    pub fn swap(&mut self, zero_for_one: bool, amount_in: U256) -> U256 {
        self.swap_to(zero_for_one, amount_in, None)
    }

    /// A swap of at most `amount_in` that stops at `limit` (a sqrt price);
    /// returns what came out.
    pub fn swap_to(&mut self, zero_for_one: bool, amount_in: U256, limit: Option<U256>) -> U256 {
        let trader = self.trader;
        if zero_for_one {
            self.mint(trader, amount_in, U256::ZERO);
        } else {
            self.mint(trader, U256::ZERO, amount_in);
        }
        let call = v4::swap_call(&self.key, zero_for_one, amount_in, limit.map(U160::from));
        let delta = self.ok(trader, self.v4.swap_router, &call);
        let (d0, d1) = v4::delta_amounts(delta);
        U256::from(if zero_for_one { d1 } else { d0 }.unsigned_abs())
    }

    /// Swaps the pool's spot to exactly `dollars` per token0 (a swap that
    /// stops at that sqrt price) and sets the oracle to it.
    pub fn move_price_to(&mut self, dollars: i128) {
        self.move_spot_to(sqrt_price_of(dollars));
        self.set_answer(usd(dollars));
    }

    /// Swaps the pool's spot to exactly `sqrt_price` (the oracle unchanged).
    pub fn move_spot_to(&mut self, sqrt_price: U256) {
        let now = self.pool_state().sqrt_price;
        if now == sqrt_price {
            return;
        }
        // more than any pool here holds: the swap stops at the limit
        let plenty = eth(1_000_000_000);
        self.swap_to(sqrt_price < now, plenty, Some(sqrt_price));
        assert_eq!(self.pool_state().sqrt_price, sqrt_price);
    }

    /// Donates `amount0`/`amount1` to the pool's in-range liquidity (as
    /// fees) from `who` through the donate router (minting them first).
    pub fn donate(&mut self, who: Address, amount0: U256, amount1: U256) {
        self.mint(who, amount0, amount1);
        let router = self.v4.donate_router;
        self.approve_all(who, router);
        let call = v4::IPoolDonateTest::donateCall {
            key: self.key.clone(),
            amount0,
            amount1,
            hookData: Bytes::new(),
        };
        self.ok(who, router, &call);
    }

    /// The vault's ledger as stored (last checkpoint).
    pub fn ledger(&mut self) -> Ledger {
        let words = self.view(self.vault, &IVault::stateCall {});
        Ledger::from_words(&words[3..]).unwrap()
    }

    /// Controller, cap, paused.
    pub fn admin(&mut self) -> (Address, U256, bool) {
        let words = self.view(self.vault, &IVault::stateCall {});
        (
            Address::from_word(words[0].into()),
            words[1],
            !words[2].is_zero(),
        )
    }

    pub fn holder(&mut self, who: Address) -> HolderRecord {
        let words = self.view(self.vault, &IVault::holderCall { account: who });
        HolderRecord::from_words(&words).unwrap()
    }

    pub fn accounting(&mut self) -> ILens::accountingReturn {
        self.view(self.lens, &ILens::accountingCall {})
    }

    pub fn account_of(&mut self, who: Address) -> ILens::accountOfReturn {
        self.view(self.lens, &ILens::accountOfCall { account: who })
    }

    /// `who` withdraws all its shares; what it is paid (token0 at the
    /// oracle, rounded down, plus token1) is at most the lens's value of
    /// them before, and within 0.1 % of it.
    pub fn withdraw_all_at_lens_value(&mut self, who: Address) {
        let shares = self.shares(who);
        let lens = self.account_of(who).value;
        let got = self.withdraw(who, shares);
        let paid = self
            .oracle_price()
            .quote(got.amount0, Rounding::Floor)
            .unwrap()
            + got.amount1;
        assert!(
            paid <= lens && lens - paid <= lens / U256::from(1_000u32),
            "{paid} vs {lens}"
        );
    }

    /// The oracle's price as il-math reads it.
    pub fn oracle_price(&mut self) -> Price {
        let answer = self.view(self.oracle, &IOracle::latestAnswerCall {});
        Price::from_oracle(answer, ORACLE_DECIMALS, DECIMALS0, DECIMALS1).unwrap()
    }

    /// The owner sets the oracle's answer (dollars per token0, 8 decimals).
    pub fn set_answer(&mut self, answer: I256) {
        let owner = self.owner;
        self.ok(owner, self.oracle, &IOracle::setAnswerCall { answer });
    }

    /// Sets the oracle to the pool's spot price (to the answer's 8
    /// decimals, rounded down): the feed catches up with the pool.
    pub fn oracle_to_spot(&mut self) {
        let p = self.pool_state().spot().unwrap();
        let digits = u32::from(ORACLE_DECIMALS) + u32::from(DECIMALS0) - u32::from(DECIMALS1);
        let answer = p.num() * pow10(digits) / p.den();
        self.set_answer(I256::from_raw(answer));
    }

    /// The keeper's call on the manager.
    pub fn keeper_call<C: SolCall>(&mut self, call: &C) -> Result<C::Return, Revert> {
        let keeper = self.keeper;
        self.w.call_sol(keeper, self.manager, call)
    }

    /// The owner sets the manager's parameters.
    pub fn set_params(&mut self, p: IManager::setParamsCall) {
        let owner = self.owner;
        self.ok(owner, self.manager, &p);
    }

    /// The manager's current parameters, as a `setParams` call.
    pub fn params(&mut self) -> IManager::setParamsCall {
        let p = self.view(self.manager, &IManager::paramsCall {});
        IManager::setParamsCall {
            maxPriceAge: p.maxPriceAge,
            maxDeviationBps: p.maxDeviationBps,
            maxSlippageBps: p.maxSlippageBps,
            minLpBps: p.minLpBps,
            maxStepBps: p.maxStepBps,
            rebalanceCooldown: p.rebalanceCooldown,
            hedgeRatioBps: p.hedgeRatioBps,
            maxHedgeStep: p.maxHedgeStep,
            collateralBps: p.collateralBps,
            hedgeCooldown: p.hedgeCooldown,
        }
    }

    /// The venue position of the vault: size, collateral, entry.
    pub fn position(&mut self) -> IHedge::positionOfReturn {
        self.view(
            self.venue,
            &IHedge::positionOfCall {
                account: self.vault,
            },
        )
    }
}

/// Asserts that `result` reverted with exactly `expected`.
#[track_caller]
pub fn assert_revert<T, E: SolError + PartialEq + std::fmt::Debug>(
    result: Result<T, Revert>,
    expected: E,
) {
    match result {
        Ok(_) => panic!("expected {expected:?}, got success"),
        Err(r) => assert_eq!(r.decode_error::<E>(), Some(expected), "revert was {r:?}"),
    }
}

/// Asserts that `result` reverted with `ManagerCallFailed(target, reason)`
/// whose reason is exactly `inner`.
#[track_caller]
pub fn assert_manager_call_failed<T, E: SolError + PartialEq + std::fmt::Debug>(
    result: Result<T, Revert>,
    target: Address,
    inner: E,
) {
    let Err(r) = result else {
        panic!("expected ManagerCallFailed, got success")
    };
    let failed = r
        .decode_error::<IManager::ManagerCallFailed>()
        .unwrap_or_else(|| panic!("not ManagerCallFailed: {r:?}"));
    assert_eq!(failed.target, target);
    assert_eq!(
        E::abi_decode(&failed.reason).ok(),
        Some(inner),
        "inner revert 0x{}",
        alloy_primitives::hex::encode(&failed.reason)
    );
}

impl Sys {
    /// The last committed call's events `E` emitted by `address`.
    pub fn events_from<E: alloy_sol_types::SolEvent>(&self, address: Address) -> Vec<E> {
        self.w
            .logs()
            .iter()
            .filter(|l| l.address == address && l.topics().first() == Some(&E::SIGNATURE_HASH))
            .map(|l| E::decode_log_data(&l.data).expect("event decodes"))
            .collect()
    }

    /// Runs `f` and returns what it returned, then undoes every effect.
    pub fn dry_run<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let snap = self.w.snapshot();
        let out = f(self);
        self.w.revert(&snap);
        out
    }

    /// The owner hands the vault to `controller` through the manager: the
    /// proposal, `CONTROLLER_DELAY` later the confirmation (immediate while
    /// the vault holds no deposits).
    pub fn hand_control(&mut self, controller: Address) {
        let (owner, manager) = (self.owner, self.manager);
        let call = IManager::configureVaultCall {
            controller,
            depositCap: U256::ZERO,
            paused: false,
        };
        self.ok(owner, manager, &call);
        if self.admin().0 != controller {
            self.w.advance(il_vault::CONTROLLER_DELAY);
            self.ok(owner, manager, &call);
        }
        assert_eq!(self.admin().0, controller);
    }

    /// A second vault on the same tokens and PoolManager, with its own
    /// manager (a hook at a mined address, the same keeper) and lens, whose
    /// pool is set and handed to the manager but NOT initialised in the
    /// PoolManager. Returns (vault, manager, lens).
    pub fn uninitialised_vault(&mut self) -> (Address, Address, Address) {
        let owner = self.owner;
        let vault = deploy(
            &mut self.w,
            "il-vault (second)",
            il_vault::route,
            &(
                self.token0,
                self.token1,
                self.v4.pool_manager,
                self.venue,
                self.oracle,
                self.engine,
                self.ops,
                owner,
                SPACING,
            )
                .abi_encode_params(),
        );
        let manager = self
            .w
            .deploy_entry_as_hook(
                "il-manager (second)",
                il_manager::route,
                &(vault, self.planner, self.manager_ops, owner, self.keeper).abi_encode_params(),
                0,
            )
            .unwrap_or_else(|e| panic!("deploy manager: 0x{}", alloy_primitives::hex::encode(e)));
        let lens = deploy(
            &mut self.w,
            "il-lens (second)",
            il_lens::route,
            &(vault, self.planner).abi_encode_params(),
        );
        self.ok(owner, vault, &IVault::setPoolCall { hooks: manager });
        self.ok(
            owner,
            vault,
            &IVault::configureCall {
                controller: manager,
                depositCap: U256::ZERO,
                paused: false,
            },
        );
        (vault, manager, lens)
    }

    /// The owner pauses or unpauses the vault through the manager (cap kept).
    pub fn set_paused(&mut self, paused: bool) {
        let (owner, manager) = (self.owner, self.manager);
        let (_, cap, _) = self.admin();
        self.ok(
            owner,
            manager,
            &IManager::configureVaultCall {
                controller: manager,
                depositCap: cap,
                paused,
            },
        );
    }
}
