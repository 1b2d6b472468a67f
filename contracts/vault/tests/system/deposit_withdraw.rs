//! Deposits, withdrawals and share transfers (the vault's public functions
//! and the lens's `previewDeposit`): happy paths, every named error, events.

use alloy_primitives::{Address, U256};
use il_math::{
    Rounding,
    vault::{add_amounts, lp_amounts},
};
use il_testkit::v4::IPoolManager;

use crate::fixture::*;

fn locked() -> U256 {
    U256::from(il_vault::MINIMUM_SHARES)
}

#[test]
fn first_deposit_mints_sqrt_of_amounts_less_locked_shares() {
    let mut s = Sys::new();
    let alice = s.alice;
    let out = s.deposit(alice, eth(10), usdc(20_000));
    let root = il_math::sqrt_product(eth(10), usdc(20_000), Rounding::Floor);
    assert_eq!(out.shares, root - locked());
    assert_eq!((out.amount0, out.amount1), (eth(10), usdc(20_000)));
    assert_eq!(s.shares(alice), out.shares);
    assert_eq!(s.supply(), root);
    assert_eq!(s.shares(Address::ZERO), locked());
}

#[test]
fn deposit_emits_deposit_and_share_transfers() {
    let mut s = Sys::new();
    let (alice, bob, vault) = (s.alice, s.bob, s.vault);
    s.mint(alice, eth(10), usdc(20_000));
    let out =
        s.w.call_sol(
            alice,
            vault,
            &IVault::depositCall {
                amount0Max: eth(10),
                amount1Max: usdc(20_000),
                minShares: U256::ZERO,
                receiver: bob,
            },
        )
        .unwrap();
    assert_eq!(
        s.events_from::<IVault::Deposit>(vault),
        vec![IVault::Deposit {
            sender: alice,
            receiver: bob,
            amount0: eth(10),
            amount1: usdc(20_000),
            shares: out.shares
        }]
    );
    assert_eq!(
        s.events_from::<IVault::Transfer>(vault),
        vec![
            IVault::Transfer {
                from: Address::ZERO,
                to: Address::ZERO,
                value: locked()
            },
            IVault::Transfer {
                from: Address::ZERO,
                to: bob,
                value: out.shares
            },
        ]
    );
    // the first deposit at the pool's price went to the pool as the most
    // liquidity it pays for; the rest (rounding) stays idle
    let l = s.ledger();
    let lm = s.events_from::<IVault::LiquidityMoved>(vault);
    assert_eq!(lm.len(), 1);
    assert_eq!(lm[0].liquidityDelta.into_raw(), l.liquidity);
    assert_eq!(
        (lm[0].amount0 + l.idle0, lm[0].amount1 + l.idle1),
        (eth(10), usdc(20_000))
    );
    assert_eq!(
        (lm[0].amount0, lm[0].amount1),
        add_amounts(&s.pool_state(), l.liquidity).unwrap()
    );
    assert!(l.idle0 < eth(1) / u(1_000_000) && l.idle1 < u(10), "{l:?}");
    // one modifyLiquidity in the PoolManager, by the vault, over the full
    // range (no touch before: the position was empty)
    let p = s.pool_state();
    let ml = s.events_from::<IPoolManager::ModifyLiquidity>(s.v4.pool_manager);
    assert_eq!(ml.len(), 1);
    assert_eq!(
        (
            ml[0].sender,
            ml[0].tickLower.as_i32(),
            ml[0].tickUpper.as_i32(),
            ml[0].liquidityDelta.into_raw()
        ),
        (vault, p.tick_lower, p.tick_upper, l.liquidity)
    );
    assert_eq!(
        s.view(s.lens, &ILens::positionCall {}).liquidity,
        l.liquidity
    );
}

#[test]
fn deposit_to_a_receiver_credits_the_receiver_not_the_payer() {
    let mut s = Sys::new();
    let (alice, bob, vault) = (s.alice, s.bob, s.vault);
    s.mint(alice, eth(10), usdc(20_000));
    let out =
        s.w.call_sol(
            alice,
            vault,
            &IVault::depositCall {
                amount0Max: eth(10),
                amount1Max: usdc(20_000),
                minShares: U256::ZERO,
                receiver: bob,
            },
        )
        .unwrap();
    assert_eq!(s.shares(bob), out.shares);
    assert_eq!(s.shares(alice), U256::ZERO);
    assert_eq!(
        (s.balance0(alice), s.balance1(alice)),
        (U256::ZERO, U256::ZERO)
    );
    let h = s.holder(bob);
    assert_eq!((h.hold0, h.hold1), (eth(10), usdc(20_000)));
    assert_eq!(s.holder(alice), il_math::vault::HolderRecord::default());
}

#[test]
fn later_deposits_are_proportional_and_take_no_more_than_the_maxima() {
    let mut s = Sys::new();
    let (alice, bob) = (s.alice, s.bob);
    // a first deposit off the pool's ratio leaves idle token0 (token1
    // binds the liquidity it adds)
    s.deposit(alice, eth(12), usdc(20_000));
    let l = s.ledger();
    let pool = s.pool_state();
    let (p0, p1) = add_amounts(&pool, l.liquidity).unwrap();
    assert_eq!((l.idle0, l.idle1), (eth(12) - p0, usdc(20_000) - p1));
    assert!(l.idle0.abs_diff(eth(2)) < eth(1) / u(1_000_000), "{l:?}");
    assert!(l.idle1 < u(2), "{l:?}");
    let supply = s.supply();
    let (in0, in1) = lp_amounts(&pool, l.liquidity).unwrap();
    let (total0, total1) = (in0 + l.idle0, in1 + l.idle1);
    // token1 binds: bob offers plenty of token0
    s.mint(bob, eth(100), usdc(5_000));
    let preview = s.view(
        s.lens,
        &ILens::previewDepositCall {
            amount0Max: eth(100),
            amount1Max: usdc(5_000),
        },
    );
    let out = s
        .try_deposit(bob, eth(100), usdc(5_000), U256::ZERO)
        .unwrap();
    let shares = usdc(5_000) * supply / total1;
    assert_eq!(out.shares, shares);
    assert_eq!(out.amount0, (shares * total0).div_ceil(supply));
    assert_eq!(out.amount1, (shares * total1).div_ceil(supply));
    assert!(out.amount1 <= usdc(5_000) && out.amount0 < eth(100));
    assert_eq!(
        (preview.shares, preview.amount0, preview.amount1),
        (out.shares, out.amount0, out.amount1)
    );
    // exactly the amounts were pulled
    assert_eq!(s.balance0(bob), eth(100) - out.amount0);
    assert_eq!(s.balance1(bob), usdc(5_000) - out.amount1);
    // token0 binds the other way round
    let carol = s.carol;
    let (l, supply) = (s.ledger(), s.supply());
    let (in0, _) = lp_amounts(&s.pool_state(), l.liquidity).unwrap();
    let total0 = in0 + l.idle0;
    s.mint(carol, eth(1), usdc(1_000_000));
    let out = s
        .try_deposit(carol, eth(1), usdc(1_000_000), U256::ZERO)
        .unwrap();
    assert_eq!(out.shares, eth(1) * supply / total0);
    // at most one share's worth of token0 is left over
    assert!(out.amount0 <= eth(1) && eth(1) - out.amount0 <= total0 / supply + u(1));
    assert!(out.amount1 < usdc(3_000));
}

#[test]
fn deposit_below_min_shares_reverts_with_the_shares_it_would_mint() {
    let mut s = Sys::new();
    let (alice, bob) = (s.alice, s.bob);
    s.deposit(alice, eth(10), usdc(20_000));
    s.mint(bob, eth(1), usdc(2_000));
    let preview = s.view(
        s.lens,
        &ILens::previewDepositCall {
            amount0Max: eth(1),
            amount1Max: usdc(2_000),
        },
    );
    assert_revert(
        s.try_deposit(bob, eth(1), usdc(2_000), preview.shares + u(1)),
        IVault::VaultInsufficientShares {
            shares: preview.shares,
            minShares: preview.shares + u(1),
        },
    );
    assert_eq!(
        s.try_deposit(bob, eth(1), usdc(2_000), preview.shares)
            .unwrap()
            .shares,
        preview.shares
    );
}

#[test]
fn a_deposit_that_mints_nothing_reverts() {
    let mut s = Sys::new();
    let (alice, bob) = (s.alice, s.bob);
    s.deposit(alice, eth(10), usdc(20_000));
    s.mint(bob, u(1), u(1));
    assert_revert(
        s.try_deposit(bob, u(1), u(1), U256::ZERO),
        IVault::VaultInsufficientShares {
            shares: U256::ZERO,
            minShares: U256::ZERO,
        },
    );
    // a first deposit at or below the locked shares mints nothing either
    let mut s = Sys::new();
    s.mint(alice, u(1_000), u(1_000));
    assert_revert(
        s.try_deposit(alice, u(1_000), u(1_000), U256::ZERO),
        IVault::VaultInsufficientShares {
            shares: U256::ZERO,
            minShares: U256::ZERO,
        },
    );
}

#[test]
fn deposit_of_zero_reverts() {
    let mut s = Sys::new();
    let alice = s.alice;
    s.mint(alice, eth(1), usdc(2_000));
    assert_revert(
        s.try_deposit(alice, U256::ZERO, usdc(2_000), U256::ZERO),
        IVault::VaultZeroAmount {},
    );
    assert_revert(
        s.try_deposit(alice, eth(1), U256::ZERO, U256::ZERO),
        IVault::VaultZeroAmount {},
    );
}

#[test]
fn deposit_to_the_zero_address_reverts() {
    let mut s = Sys::new();
    let (alice, vault) = (s.alice, s.vault);
    s.mint(alice, eth(1), usdc(2_000));
    assert_revert(
        s.w.call_sol(
            alice,
            vault,
            &IVault::depositCall {
                amount0Max: eth(1),
                amount1Max: usdc(2_000),
                minShares: U256::ZERO,
                receiver: Address::ZERO,
            },
        ),
        IVault::VaultInvalidAddress {
            account: Address::ZERO,
        },
    );
}

#[test]
fn deposit_into_an_uninitialised_pool_reverts() {
    let mut s = Sys::new();
    let (alice, planner) = (s.alice, s.planner);
    let (vault, manager, lens) = s.uninitialised_vault();
    s.mint(alice, eth(1), usdc(2_000));
    s.approve_all(alice, vault);
    // the manager cannot price a pool that has no price: the planner's
    // ZeroPrice, reported by the manager's checkSpot, reported by the vault
    let r =
        s.w.call_sol(
            alice,
            vault,
            &IVault::depositCall {
                amount0Max: eth(1),
                amount1Max: usdc(2_000),
                minShares: U256::ZERO,
                receiver: alice,
            },
        )
        .unwrap_err();
    let failed = r
        .decode_error::<IVault::VaultCallFailed>()
        .expect("VaultCallFailed");
    assert_eq!(failed.target, manager);
    assert_manager_call_failed::<(), _>(
        Err(il_testkit::Revert {
            data: failed.reason.to_vec(),
            halt: None,
        }),
        planner,
        IPlanner::PlannerMath {
            code: il_math::MathError::ZeroPrice.code(),
        },
    );
    // the lens's preview reports the engine's refusal
    let r =
        s.w.view_sol(
            lens,
            &ILens::previewDepositCall {
                amount0Max: eth(1),
                amount1Max: usdc(2_000),
            },
        )
        .unwrap_err();
    let failed = r
        .decode_error::<ILens::LensCallFailed>()
        .expect("LensCallFailed");
    assert_eq!(failed.target, s.engine);
    assert_eq!(
        <IEngine::EngineMath as alloy_sol_types::SolError>::abi_decode(&failed.reason).unwrap(),
        IEngine::EngineMath {
            code: il_math::MathError::ZeroPrice.code()
        }
    );
    // the vault's own check, for a controller that is not a manager: no
    // pool price, no move
    let (owner, carol) = (s.owner, s.carol);
    s.ok(
        owner,
        manager,
        &IManager::configureVaultCall {
            controller: carol,
            depositCap: U256::ZERO,
            paused: false,
        },
    );
    assert_revert(
        s.w.call_sol(
            carol,
            vault,
            &IVault::moveLiquidityCall {
                liquidityDelta: i(1),
            },
        ),
        IVault::VaultPoolEmpty {},
    );
}

#[test]
fn deposits_open_only_under_a_manager() {
    let mut s = Sys::new();
    let (owner, alice, vault) = (s.owner, s.alice, s.vault);
    // a vault whose pool is not set yet: no move
    let fresh =
        s.w.deploy_entry(
            "il-vault (fresh)",
            il_vault::route,
            &alloy_sol_types::SolValue::abi_encode_params(&(
                s.token0,
                s.token1,
                s.v4.pool_manager,
                s.venue,
                s.oracle,
                s.engine,
                s.ops,
                owner,
                SPACING,
            )),
        )
        .unwrap();
    assert_revert(
        s.w.call_sol(
            owner,
            fresh,
            &IVault::moveLiquidityCall {
                liquidityDelta: i(1),
            },
        ),
        IVault::VaultPoolEmpty {},
    );
    // the deployer (no checkSpot) controls the fixture's vault: deposits
    // are refused, with the controller's empty answer
    s.hand_control(owner);
    s.mint(alice, eth(1), usdc(2_000));
    let r = s.try_deposit(alice, eth(1), usdc(2_000), U256::ZERO);
    let failed = r
        .unwrap_err()
        .decode_error::<IVault::VaultCallFailed>()
        .expect("VaultCallFailed");
    assert_eq!((failed.target, failed.reason.len()), (owner, 0));
    // back under the manager they open
    s.ok(
        owner,
        vault,
        &IVault::configureCall {
            controller: s.manager,
            depositCap: U256::ZERO,
            paused: false,
        },
    );
    s.try_deposit(alice, eth(1), usdc(2_000), U256::ZERO)
        .unwrap();
}

#[test]
fn deposit_without_allowance_reports_the_token_error() {
    let mut s = Sys::new();
    let (carol, vault, token0) = (s.carol, s.vault, s.token0);
    s.mint(carol, eth(1), usdc(2_000));
    s.ok(
        carol,
        token0,
        &IToken::approveCall {
            spender: vault,
            value: U256::ZERO,
        },
    );
    let r = s
        .try_deposit(carol, eth(1), usdc(2_000), U256::ZERO)
        .unwrap_err();
    let failed = r
        .decode_error::<IVault::VaultCallFailed>()
        .expect("VaultCallFailed");
    assert_eq!(failed.target, token0);
    assert_eq!(
        <IToken::ERC20InsufficientAllowance as alloy_sol_types::SolError>::abi_decode(
            &failed.reason
        )
        .unwrap(),
        IToken::ERC20InsufficientAllowance {
            spender: vault,
            allowance: U256::ZERO,
            needed: eth(1)
        }
    );
}

#[test]
fn paused_vault_refuses_deposits_but_not_withdrawals() {
    let mut s = Sys::new();
    let alice = s.alice;
    let out = s.deposit(alice, eth(10), usdc(20_000));
    s.set_paused(true);
    s.mint(alice, eth(1), usdc(2_000));
    assert_revert(
        s.try_deposit(alice, eth(1), usdc(2_000), U256::ZERO),
        IVault::VaultPaused {},
    );
    let back = s.withdraw(alice, out.shares);
    assert!(back.amount0 > U256::ZERO && back.amount1 > U256::ZERO);
    assert_eq!(s.shares(alice), U256::ZERO);
    s.set_paused(false);
    s.try_deposit(alice, eth(1), usdc(2_000), U256::ZERO)
        .unwrap();
}

#[test]
fn deposit_cap_bounds_the_token1_the_vault_holds() {
    let mut s = Sys::new();
    let (owner, manager, alice, bob) = (s.owner, s.manager, s.alice, s.bob);
    let cap = usdc(30_000);
    s.ok(
        owner,
        manager,
        &IManager::configureVaultCall {
            controller: manager,
            depositCap: cap,
            paused: false,
        },
    );
    s.mint(alice, eth(20), usdc(40_000));
    // a first deposit: the total is what it brings
    assert_revert(
        s.try_deposit(alice, eth(20), usdc(40_000), U256::ZERO),
        IVault::VaultDepositCap {
            total1: usdc(40_000),
            cap,
        },
    );
    s.try_deposit(alice, eth(10), usdc(20_000), U256::ZERO)
        .unwrap();
    s.mint(bob, eth(10), usdc(20_000));
    let preview = s.view(
        s.lens,
        &ILens::previewDepositCall {
            amount0Max: eth(10),
            amount1Max: usdc(20_000),
        },
    );
    let l = s.ledger();
    let (_, in1) = lp_amounts(&s.pool_state(), l.liquidity).unwrap();
    let total1 = in1 + l.idle1 + preview.amount1;
    assert!(total1 > cap);
    assert_revert(
        s.try_deposit(bob, eth(10), usdc(20_000), U256::ZERO),
        IVault::VaultDepositCap { total1, cap },
    );
    // up to the cap passes
    let room = cap - in1 - l.idle1;
    s.try_deposit(bob, eth(10), room, U256::ZERO).unwrap();
    // a zero cap means none
    s.ok(
        owner,
        manager,
        &IManager::configureVaultCall {
            controller: manager,
            depositCap: U256::ZERO,
            paused: false,
        },
    );
    s.try_deposit(alice, eth(10), usdc(20_000), U256::ZERO)
        .unwrap();
}

#[test]
fn withdraw_pays_pro_rata_and_emits_withdraw() {
    let mut s = Sys::new();
    let (alice, carol, vault, pm) = (s.alice, s.carol, s.vault, s.v4.pool_manager);
    // leave some idle token0 so both parts are paid
    let shares = s.deposit(alice, eth(12), usdc(20_000)).shares;
    let before = s.ledger();
    let supply = s.supply();
    let p = s.pool_state();
    let half = shares / u(2);
    let out =
        s.w.call_sol(
            alice,
            vault,
            &IVault::withdrawCall {
                shares: half,
                amount0Min: U256::ZERO,
                amount1Min: U256::ZERO,
                receiver: carol,
            },
        )
        .unwrap();
    let liquidity = before.liquidity * half / supply;
    let idle0 = before.idle0 * half / supply;
    let idle1 = before.idle1 * half / supply;
    // the pool pays the removed liquidity at spot, rounded down
    let (b0, b1) = lp_amounts(&p, liquidity).unwrap();
    assert_eq!((out.amount0, out.amount1), (b0 + idle0, b1 + idle1));
    assert_eq!(
        (s.balance0(carol), s.balance1(carol)),
        (out.amount0, out.amount1)
    );
    assert_eq!(
        s.events_from::<IVault::Withdraw>(vault),
        vec![IVault::Withdraw {
            owner: alice,
            receiver: carol,
            amount0: out.amount0,
            amount1: out.amount1,
            shares: half,
            hedgePaid: U256::ZERO
        }]
    );
    assert_eq!(
        s.events_from::<IVault::Transfer>(vault),
        vec![IVault::Transfer {
            from: alice,
            to: Address::ZERO,
            value: half
        }]
    );
    // the PoolManager: the touch (no fees yet), then the removal
    let ml = s.events_from::<IPoolManager::ModifyLiquidity>(pm);
    let deltas: Vec<_> = ml.iter().map(|e| (e.sender, e.liquidityDelta)).collect();
    assert_eq!(
        deltas,
        vec![
            (vault, alloy_primitives::I256::ZERO),
            (vault, -alloy_primitives::I256::from_raw(liquidity))
        ]
    );
    assert!(s.events_from::<IVault::FeesCollected>(vault).is_empty());
    let after = s.ledger();
    assert_eq!(
        (after.liquidity, after.idle0, after.idle1),
        (
            before.liquidity - liquidity,
            before.idle0 - idle0,
            before.idle1 - idle1
        )
    );
    // the benchmark leaves pro rata
    let h = s.holder(alice);
    assert_eq!(h.hold0, eth(12) - eth(12) * half / shares);
    assert_eq!(after.hold0, h.hold0);
    assert_eq!(s.shares(alice), shares - half);
}

#[test]
fn withdraw_of_zero_or_to_zero_reverts() {
    let mut s = Sys::new();
    let (alice, vault) = (s.alice, s.vault);
    let shares = s.deposit(alice, eth(10), usdc(20_000)).shares;
    assert_revert(
        s.try_withdraw(alice, U256::ZERO),
        IVault::VaultZeroAmount {},
    );
    assert_revert(
        s.w.call_sol(
            alice,
            vault,
            &IVault::withdrawCall {
                shares,
                amount0Min: U256::ZERO,
                amount1Min: U256::ZERO,
                receiver: Address::ZERO,
            },
        ),
        IVault::VaultInvalidAddress {
            account: Address::ZERO,
        },
    );
}

#[test]
fn withdraw_of_more_than_the_balance_reverts() {
    let mut s = Sys::new();
    let (alice, bob) = (s.alice, s.bob);
    let shares = s.deposit(alice, eth(10), usdc(20_000)).shares;
    assert_revert(
        s.try_withdraw(alice, shares + u(1)),
        IVault::VaultExceedsBalance {
            balance: shares,
            requested: shares + u(1),
        },
    );
    assert_revert(
        s.try_withdraw(bob, u(1)),
        IVault::VaultExceedsBalance {
            balance: U256::ZERO,
            requested: u(1),
        },
    );
}

#[test]
fn withdraw_below_the_minimums_reverts_with_the_amounts() {
    let mut s = Sys::new();
    let (alice, vault) = (s.alice, s.vault);
    let shares = s.deposit(alice, eth(10), usdc(20_000)).shares;
    let quote = s.dry_run(|s| s.withdraw(alice, shares));
    for (min0, min1) in [
        (quote.amount0 + u(1), U256::ZERO),
        (U256::ZERO, quote.amount1 + u(1)),
    ] {
        assert_revert(
            s.w.call_sol(
                alice,
                vault,
                &IVault::withdrawCall {
                    shares,
                    amount0Min: min0,
                    amount1Min: min1,
                    receiver: alice,
                },
            ),
            IVault::VaultSlippage {
                amount0: quote.amount0,
                amount1: quote.amount1,
                min0,
                min1,
            },
        );
    }
    let out =
        s.w.call_sol(
            alice,
            vault,
            &IVault::withdrawCall {
                shares,
                amount0Min: quote.amount0,
                amount1Min: quote.amount1,
                receiver: alice,
            },
        )
        .unwrap();
    assert_eq!((out.amount0, out.amount1), (quote.amount0, quote.amount1));
}

#[test]
fn deposit_then_withdraw_returns_no_more_than_was_put_in() {
    let mut s = Sys::new();
    let (alice, bob) = (s.alice, s.bob);
    s.deposit(alice, eth(12), usdc(20_000));
    s.swap(true, eth(3));
    let inn = s.deposit(bob, eth(7), usdc(9_999));
    let out = s.withdraw(bob, inn.shares);
    assert!(
        out.amount0 <= inn.amount0 && out.amount1 <= inn.amount1,
        "{inn:?} -> {out:?}"
    );
}

#[test]
fn share_transfers_move_the_benchmark_pro_rata() {
    let mut s = Sys::new();
    let (alice, bob, vault) = (s.alice, s.bob, s.vault);
    let shares = s.deposit(alice, eth(10), usdc(20_000)).shares;
    s.deposit(bob, eth(1), usdc(2_000));
    let (a0, b0) = (s.holder(alice), s.holder(bob));
    let value = shares / u(3);
    assert!(s.ok(alice, vault, &IVault::transferCall { to: bob, value }));
    assert_eq!(
        s.events_from::<IVault::Transfer>(vault),
        vec![IVault::Transfer {
            from: alice,
            to: bob,
            value
        }]
    );
    let (a1, b1) = (s.holder(alice), s.holder(bob));
    let moved0 = a0.hold0 * value / shares;
    let moved1 = a0.hold1 * value / shares;
    assert_eq!((a1.hold0, a1.hold1), (a0.hold0 - moved0, a0.hold1 - moved1));
    assert_eq!((b1.hold0, b1.hold1), (b0.hold0 + moved0, b0.hold1 + moved1));
    // the vault-wide benchmark is unchanged
    let l = s.ledger();
    assert_eq!(
        (a1.hold0 + b1.hold0, a1.hold1 + b1.hold1),
        (l.hold0, l.hold1)
    );
    // transferFrom moves it the same way
    let carol = s.carol;
    s.ok(
        bob,
        vault,
        &IVault::approveCall {
            spender: carol,
            value,
        },
    );
    assert_eq!(
        s.events_from::<IVault::Approval>(vault),
        vec![IVault::Approval {
            owner: bob,
            spender: carol,
            value
        }]
    );
    let bob_shares = s.shares(bob);
    assert!(s.ok(
        carol,
        vault,
        &IVault::transferFromCall {
            from: bob,
            to: carol,
            value
        }
    ));
    assert_eq!(
        s.events_from::<IVault::Transfer>(vault),
        vec![IVault::Transfer {
            from: bob,
            to: carol,
            value
        }]
    );
    let c = s.holder(carol);
    assert_eq!(c.hold0, b1.hold0 * value / bob_shares);
    assert_eq!(
        s.view(
            vault,
            &IVault::allowanceCall {
                owner: bob,
                spender: carol
            }
        ),
        U256::ZERO
    );
}

#[test]
fn invalid_share_transfers_revert_with_the_erc20_errors() {
    let mut s = Sys::new();
    let (alice, bob, carol, vault) = (s.alice, s.bob, s.carol, s.vault);
    let shares = s.deposit(alice, eth(10), usdc(20_000)).shares;
    assert_revert(
        s.w.call_sol(
            alice,
            vault,
            &IVault::transferCall {
                to: bob,
                value: shares + u(1),
            },
        ),
        IVault::ERC20InsufficientBalance {
            sender: alice,
            balance: shares,
            needed: shares + u(1),
        },
    );
    assert_revert(
        s.w.call_sol(
            alice,
            vault,
            &IVault::transferCall {
                to: Address::ZERO,
                value: u(1),
            },
        ),
        IVault::ERC20InvalidReceiver {
            receiver: Address::ZERO,
        },
    );
    assert_revert(
        s.w.call_sol(
            carol,
            vault,
            &IVault::transferFromCall {
                from: alice,
                to: carol,
                value: u(1),
            },
        ),
        IVault::ERC20InsufficientAllowance {
            spender: carol,
            allowance: U256::ZERO,
            needed: u(1),
        },
    );
    // nothing moved
    assert_eq!(s.holder(bob), il_math::vault::HolderRecord::default());
    assert_eq!(s.shares(alice), shares);
}

#[test]
fn share_token_metadata_and_wiring_are_readable() {
    let mut s = Sys::new();
    let vault = s.vault;
    assert_eq!(s.view(vault, &IVault::nameCall {}), "IL-managed LP share");
    assert_eq!(s.view(vault, &IVault::symbolCall {}), "ilLP");
    assert_eq!(s.view(vault, &IVault::decimalsCall {}), 18);
    let pm = s.v4.pool_manager;
    let c = s.view(vault, &IVault::contractsCall {});
    assert_eq!(
        (
            c.token0,
            c.token1,
            c.poolManager,
            c.venue,
            c.oracle,
            c.engine,
            c.ops
        ),
        (s.token0, s.token1, pm, s.venue, s.oracle, s.engine, s.ops)
    );
    let l = s.view(s.lens, &ILens::contractsCall {});
    assert_eq!(
        (
            l.vault,
            l.token0,
            l.token1,
            l.poolManager,
            l.venue,
            l.oracle,
            l.engine,
            l.planner
        ),
        (
            vault, s.token0, s.token1, pm, s.venue, s.oracle, s.engine, s.planner
        )
    );
    assert_eq!(s.admin(), (s.manager, U256::ZERO, false));
}

#[test]
fn a_donation_to_the_vault_does_not_move_the_share_price() {
    let mut s = Sys::new();
    let (attacker, victim, vault, token0, token1) =
        (s.stranger, s.alice, s.vault, s.token0, s.token1);
    // a tiny first deposit at the pool's ratio
    let first = s.deposit(attacker, u(10_000_000_000_000), u(20_000));
    assert_eq!(first.shares + locked(), u(447_213_595));
    let preview = s.view(
        s.lens,
        &ILens::previewDepositCall {
            amount0Max: eth(10),
            amount1Max: usdc(20_000),
        },
    );
    // then a large donation straight to the vault
    s.mint(attacker, eth(100), usdc(200_000));
    s.ok(
        attacker,
        token0,
        &IToken::transferCall {
            to: vault,
            value: eth(100),
        },
    );
    s.ok(
        attacker,
        token1,
        &IToken::transferCall {
            to: vault,
            value: usdc(200_000),
        },
    );
    let after = s.view(
        s.lens,
        &ILens::previewDepositCall {
            amount0Max: eth(10),
            amount1Max: usdc(20_000),
        },
    );
    assert_eq!(
        (after.shares, after.amount0, after.amount1),
        (preview.shares, preview.amount0, preview.amount1)
    );
    let vin = s.deposit(victim, eth(10), usdc(20_000));
    assert_eq!(vin.shares, preview.shares);
    // the attacker gets its deposit back (less rounding), not the donation
    let back = s.withdraw(attacker, first.shares);
    assert!(back.amount0 <= first.amount0 && back.amount1 <= first.amount1);
    // the victim loses only rounding
    let vout = s.withdraw(victim, vin.shares);
    // the victim loses at most rounding (here it even gains the dust the
    // attacker's rounded-down withdrawal left behind)
    assert!(vin.amount0.saturating_sub(vout.amount0) < u(1_000_000));
    assert!(vin.amount1.saturating_sub(vout.amount1) < u(2));
    // the donation stays outside the books
    let l = s.ledger();
    assert_eq!(s.balance0(vault), l.idle0 + eth(100));
    assert_eq!(s.balance1(vault), l.idle1 + usdc(200_000));
}
