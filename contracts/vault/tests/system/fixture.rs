//! The vault system wired as a deployer wires it, on `il_testkit::World`:
//! token0 (WETH-like, 18 decimals), token1 (USDC-like, 6 decimals), an
//! 8-decimals oracle, the pool, the hedge venue, the engine, the vault, the
//! manager (then `vault.configure(manager)` and `pool.setFeeManager(manager)`),
//! the lens; the pool seeded by a third party, the venue's house funded.
//!
//! Calls are bound from the committed Solidity interfaces (`*.sol`).

use alloy_primitives::{Address, I256, U256};
use alloy_sol_types::{SolCall, SolError, SolValue};
use il_math::{
    Price,
    vault::{HolderRecord, Ledger, PoolState},
};
use il_testkit::{Revert, World};

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
        "../pool/IPool.sol"
    );
    alloy_sol_types::sol!(
        #[sol(all_derives)]
        "../hedge/IHedge.sol"
    );
}

pub use abi::{IEngine, IHedge, ILens, IManager, IOracle, IPool, IToken, IVault};

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
/// Seed liquidity of the pool: 1,000 token0 and 2,000,000 token1 (spot 2,000).
pub const SEED0: u64 = 1_000;
pub const SEED1: u64 = 2_000_000;
/// The starting price, dollars per token0.
pub const START_PRICE: i128 = 2_000;
/// What the deployer gives the venue's house.
pub const HOUSE: u64 = 1_000_000;
/// A deadline far in the future.
pub const DEADLINE: u64 = u64::MAX / 2;

/// How to build the system.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    /// The pool's swap fee at deployment, pips.
    pub pool_fee: u32,
    /// Whether a third party seeds the pool's liquidity.
    pub seed_pool: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            pool_fee: 3_000,
            seed_pool: true,
        }
    }
}

/// The deployed system.
pub struct Sys {
    pub w: World,
    /// Deployer: owns the tokens, oracle, pool, venue and manager.
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
    pub pool: Address,
    pub venue: Address,
    pub engine: Address,
    pub vault: Address,
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

impl Sys {
    pub fn new() -> Self {
        Self::with(Setup::default())
    }

    pub fn with(setup: Setup) -> Self {
        let mut w = World::new();
        let owner = w.account(0);
        let token0 = deploy(
            &mut w,
            "il-token token0",
            il_token::route,
            &(
                "Wrapped Ether".to_string(),
                "WETH".to_string(),
                U256::from(DECIMALS0),
                owner,
                U256::ZERO,
                0u64,
            )
                .abi_encode_params(),
        );
        let token1 = deploy(
            &mut w,
            "il-token token1",
            il_token::route,
            &(
                "USD Coin".to_string(),
                "USDC".to_string(),
                U256::from(DECIMALS1),
                owner,
                U256::ZERO,
                0u64,
            )
                .abi_encode_params(),
        );
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
        let pool = deploy(
            &mut w,
            "il-pool",
            il_pool::route,
            &(token0, token1, setup.pool_fee, 100_000u32, owner).abi_encode_params(),
        );
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
        let vault = deploy(
            &mut w,
            "il-vault",
            il_vault::route,
            &(token0, token1, pool, venue, oracle, engine, owner).abi_encode_params(),
        );
        let keeper = w.account(1);
        let manager = deploy(
            &mut w,
            "il-manager",
            il_manager::route,
            &(vault, owner, keeper).abi_encode_params(),
        );
        let lens = deploy(
            &mut w,
            "il-lens",
            il_lens::route,
            &(vault,).abi_encode_params(),
        );
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
            pool,
            venue,
            engine,
            vault,
            manager,
            lens,
        };
        s.ok(
            owner,
            vault,
            &IVault::configureCall {
                controller: manager,
                depositCap: U256::ZERO,
                paused: false,
            },
        );
        s.ok(owner, pool, &IPool::setFeeManagerCall { manager });
        // seed the pool (a third-party LP) and the venue's house
        let seeder = s.seeder;
        s.mint(seeder, eth(SEED0), usdc(SEED1));
        s.approve_all(seeder, pool);
        if setup.seed_pool {
            s.ok(
                seeder,
                pool,
                &IPool::addLiquidityCall {
                    amount0Desired: eth(SEED0),
                    amount1Desired: usdc(SEED1),
                    amount0Min: U256::ZERO,
                    amount1Min: U256::ZERO,
                    to: seeder,
                    deadline: u(DEADLINE.into()),
                },
            );
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
            s.approve_all(who, pool);
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

    /// The pool's reserves and LP supply.
    pub fn pool_state(&mut self) -> PoolState {
        let r = self.view(self.pool, &IPool::getReservesCall {});
        let supply = self.view(self.pool, &IPool::totalSupplyCall {});
        PoolState {
            reserve0: U256::from(r.reserve0),
            reserve1: U256::from(r.reserve1),
            supply,
        }
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

    /// The trader swaps `amount_in` through the pool (minting it first).
    pub fn swap(&mut self, zero_for_one: bool, amount_in: U256) -> U256 {
        let trader = self.trader;
        if zero_for_one {
            self.mint(trader, amount_in, U256::ZERO);
        } else {
            self.mint(trader, U256::ZERO, amount_in);
        }
        self.ok(
            trader,
            self.pool,
            &IPool::swapExactInCall {
                zeroForOne: zero_for_one,
                amountIn: amount_in,
                minAmountOut: U256::ZERO,
                to: trader,
                deadline: u(DEADLINE.into()),
            },
        )
    }

    /// Moves the pool's reserves to exactly `(reserve0 * den / num,
    /// reserve1 * num / den)`: the spot price times `(num / den)^2` with `k`
    /// unchanged (a fee-less pool accepts it; the amounts must divide).
    /// Returns the new reserves.
    pub fn move_spot_exact(&mut self, num: u64, den: u64) -> (U256, U256) {
        let s = self.pool_state();
        let (n, d) = (U256::from(num), U256::from(den));
        assert!(
            (s.reserve0 * d) % n == U256::ZERO && (s.reserve1 * n) % d == U256::ZERO,
            "reserves do not divide"
        );
        let (new0, new1) = (s.reserve0 * d / n, s.reserve1 * n / d);
        assert_eq!(new0 * new1, s.reserve0 * s.reserve1, "k must not change");
        let trader = self.trader;
        let (pool, token0, token1) = (self.pool, self.token0, self.token1);
        if new0 < s.reserve0 {
            let pay = new1 - s.reserve1;
            self.mint(trader, U256::ZERO, pay);
            self.ok(
                trader,
                token1,
                &IToken::transferCall {
                    to: pool,
                    value: pay,
                },
            );
            self.ok(
                trader,
                pool,
                &IPool::swapCall {
                    amount0Out: s.reserve0 - new0,
                    amount1Out: U256::ZERO,
                    to: trader,
                },
            );
        } else {
            let pay = new0 - s.reserve0;
            self.mint(trader, pay, U256::ZERO);
            self.ok(
                trader,
                token0,
                &IToken::transferCall {
                    to: pool,
                    value: pay,
                },
            );
            self.ok(
                trader,
                pool,
                &IPool::swapCall {
                    amount0Out: U256::ZERO,
                    amount1Out: s.reserve1 - new1,
                    to: trader,
                },
            );
        }
        let after = self.pool_state();
        assert_eq!((after.reserve0, after.reserve1), (new0, new1));
        (new0, new1)
    }

    /// Swaps the pool's spot to (about) `dollars` per token0 and sets the
    /// oracle to exactly that; the spot lands within 1 bps.
    pub fn move_price_to(&mut self, dollars: i128) {
        let target =
            Price::from_oracle(usd(dollars), ORACLE_DECIMALS, DECIMALS0, DECIMALS1).unwrap();
        for _ in 0..4 {
            let s = self.pool_state();
            let spot = Price::from_reserves(s.reserve0, s.reserve1).unwrap();
            if spot.deviation_bps(&target).unwrap() <= U256::from(1u8) {
                break;
            }
            // the fair reserve0 at the target: sqrt(k / P)
            let (fair0, fair1) =
                il_math::fair_reserves(s.reserve0, s.reserve1, &target, il_math::Rounding::Floor)
                    .unwrap();
            if fair0 < s.reserve0 {
                // buy token0: pay token1 (plus the fee, roughly)
                let pay = (fair1 - s.reserve1) * u(1_003_100) / u(1_000_000);
                self.swap(false, pay);
            } else {
                let pay = (fair0 - s.reserve0) * u(1_003_100) / u(1_000_000);
                self.swap(true, pay);
            }
        }
        self.set_answer(usd(dollars));
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
