//! The audit's findings (issue #11) as scenarios with the numbers.
//! Setting of every scenario: oracle $2,000; Alice deposits 100 token0 +
//! 200,000 token1; the keeper moves 75 % into the pool; hedge ratio 100 %;
//! the vault is short 75 token0 with 29,925 token1 collateral at the venue.
//!
//! Each test prints what the attacker (or the honest holder) ends with, in
//! token1 at the final oracle price (`cargo test -p il-vault --test system
//! security -- --nocapture` shows the figures).

use alloy_primitives::{I256, U256};
use il_math::{Price, Rounding};

use crate::fixture::*;

/// Token1 raw units as a decimal string with 2 places (6-decimals token1).
fn show(x: I256) -> String {
    let neg = x.is_negative();
    let m = x.unsigned_abs();
    let cents = (m + u(5_000)) / u(10_000);
    format!(
        "{}{}.{:02}",
        if neg { "-" } else { "" },
        cents / u(100),
        cents % u(100)
    )
}

fn signed(x: U256) -> I256 {
    I256::try_from(x).unwrap()
}

/// `amount0` token0 + `amount1` token1 valued in token1 at `price` (floor).
fn worth(price: &Price, amount0: U256, amount1: U256) -> U256 {
    price.quote(amount0, Rounding::Floor).unwrap() + amount1
}

fn rebalance(s: &mut Sys, target: u16) -> Result<I256, il_testkit::Revert> {
    s.keeper_call(&IManager::rebalanceCall {
        targetBps: target,
        amount0Min: U256::ZERO,
        amount1Min: U256::ZERO,
    })
}

fn hedge(s: &mut Sys) -> Result<I256, il_testkit::Revert> {
    s.keeper_call(&IManager::hedgeCall {})
}

/// Past every cooldown, with a fresh oracle at the same answer.
fn later(s: &mut Sys, seconds: u64) {
    s.w.advance(seconds);
    let answer = s.view(s.oracle, &IOracle::latestAnswerCall {});
    s.set_answer(answer);
}

/// The setting (see the module documentation).
fn setting() -> Sys {
    setting_with(Setup::default())
}

/// The setting on a system built with `setup`.
fn setting_with(setup: Setup) -> Sys {
    let mut s = Sys::with(setup);
    let alice = s.alice;
    s.deposit(alice, eth(100), usdc(200_000));
    let mut p = s.params();
    p.hedgeRatioBps = 10_000;
    s.set_params(p);
    rebalance(&mut s, 7_500).unwrap();
    hedge(&mut s).unwrap();
    // 75 token0 up to the LP's rounding, and 30,000 token1 of collateral
    // less the opening's costs: the 29,925 paid the 5 bps fee only;
    // the bounded venue (H-2) also charges a 5 bps spread and a 112.50 impact
    let pos = s.position();
    let short = (-pos.size).into_raw();
    assert!(eth(75) - short < eth(1) / u(1_000_000), "short {short}");
    let costs = usdc(75) + usdc(75) + usdc(112) + usdc(1) / u(2);
    assert!(
        (usdc(30_000) - costs).abs_diff(pos.collateral) < usdc(1),
        "{}",
        pos.collateral
    );
    s
}

/// The vault's totals as a deposit sees them: LP at spot + idle + the fees
/// the position is owed (token0), and the same + venue equity at the
/// oracle (token1).
fn totals(s: &mut Sys) -> (U256, U256) {
    let (pool, l) = (s.pool_state(), s.ledger());
    let (in0, in1) = il_math::vault::lp_amounts(&pool, l.liquidity).unwrap();
    let pos = s.view(s.lens, &ILens::positionCall {});
    let equity = s.view(s.venue, &IHedge::equityOfCall { account: s.vault });
    (
        in0 + l.idle0 + pos.fees0,
        in1 + l.idle1 + pos.fees1 + equity.into_raw(),
    )
}

/// Moves the pool's spot to `dollars` per token0 with the trader's swaps,
/// leaving the oracle as it is (the market moved, the feed lags).
fn move_spot_only(s: &mut Sys, dollars: i128) {
    let answer = s.view(s.oracle, &IOracle::latestAnswerCall {});
    s.move_price_to(dollars);
    // the feed still answers the old price: only the pool moved
    s.set_answer(answer);
}

// ---- H-1: stale oracle in the share price --------------------------------------

/// Bob deposits `19 x` the vault (95 % of the supply after) while the pool
/// has moved to `to` dollars and the feed still says 2,000; the feed then
/// updates; Bob withdraws everything. Returns (Bob's result, Alice's value
/// at the end, Alice's value at the end had Bob not come), in token1 raw at
/// the final oracle price.
fn bob_round_trip_across_update(to: i128) -> (I256, U256, U256) {
    let mut s = setting();
    let (alice, bob) = (s.alice, s.bob);
    move_spot_only(&mut s, to);
    let without_bob = s.dry_run(|s| {
        s.set_answer(usd(to));
        s.account_of(alice).value
    });
    let (t0, t1) = totals(&mut s);
    let (max0, max1) = (t0 * u(19), t1 * u(19));
    s.mint(bob, max0, max1);
    let (b0, b1) = (s.balance0(bob), s.balance1(bob));
    let dep = s.try_deposit(bob, max0, max1, U256::ZERO).unwrap();
    let supply = s.supply();
    assert!(
        dep.shares * u(100) >= supply * u(94),
        "Bob holds {} of {supply}",
        dep.shares
    );
    s.set_answer(usd(to));
    let shares = s.shares(bob);
    // the deposit lock: Bob waits it out (the feed keeps answering `to`)
    assert!(
        s.try_withdraw(bob, shares)
            .is_err_and(|r| r.is::<IVault::VaultLocked>())
    );
    later(&mut s, il_vault::DEPOSIT_LOCK);
    s.withdraw(bob, shares);
    let price = s.oracle_price();
    let (a0, a1) = (s.balance0(bob), s.balance1(bob));
    let before = worth(&price, b0, b1);
    let after = worth(&price, a0, a1);
    let alice_value = s.account_of(alice).value;
    (signed(after) - signed(before), alice_value, without_bob)
}

#[test]
fn h1_depositing_before_a_known_feed_update_is_refused_or_does_not_pay() {
    // the 2 % move: the manager vouches for the pool's price before
    // every deposit (checkSpot), and 2 % is beyond its 1 % bound
    let mut s = setting();
    let (bob, manager) = (s.bob, s.manager);
    move_spot_only(&mut s, 1_960);
    let (t0, t1) = totals(&mut s);
    s.mint(bob, t0 * u(19), t1 * u(19));
    let r = s.try_deposit(bob, t0 * u(19), t1 * u(19), U256::ZERO);
    let deviation = s
        .pool_state()
        .spot()
        .unwrap()
        .deviation_bps(&s.oracle_price())
        .unwrap();
    let failed = r
        .unwrap_err()
        .decode_error::<IVault::VaultCallFailed>()
        .expect("VaultCallFailed");
    assert_eq!(failed.target, manager);
    assert_eq!(
        <IManager::ManagerPriceDeviation as alloy_sol_types::SolError>::abi_decode(&failed.reason)
            .unwrap(),
        IManager::ManagerPriceDeviation {
            deviationBps: deviation,
            maxBps: u(100),
        }
    );
    // 1,960 at the sqrt price rounded down: 200 bps and a hair, rounded up
    assert_eq!(deviation, u(201));
    // within the bound (0.95 %): the round trip across the update
    let (bob, alice, alice_alone) = bob_round_trip_across_update(1_981);
    let alice_loss = signed(alice) - signed(alice_alone);
    println!(
        "H-1 (spot 1,960 before the feed): Bob's deposit refused at {deviation} bps; spot 1,981: Bob {} token1, Alice {} token1 against Bob not coming",
        show(bob),
        show(alice_loss)
    );
    assert!(bob <= I256::ZERO, "Bob gains {}", show(bob));
    assert!(alice_loss >= I256::ZERO, "Alice loses {}", show(alice_loss));
}

/// The mirror: the market rose 2 % (the short lost 3,000) and the feed still
/// says 2,000; Carol, who holds as much as Alice, leaves before the update.
/// Returns (Carol's result against staying, Alice's value at the end, Alice's
/// value at the end had Carol stayed) at the final oracle price.
fn carol_leaves_before_a_bad_update(to: i128) -> (I256, U256, U256) {
    let mut s = setting();
    let (alice, carol) = (s.alice, s.carol);
    let (t0, t1) = totals(&mut s);
    s.mint(carol, t0, t1);
    s.try_deposit(carol, t0, t1, U256::ZERO).unwrap();
    later(&mut s, 30 * 86_400);
    move_spot_only(&mut s, to);
    let (stay_carol, stay_alice) = s.dry_run(|s| {
        s.set_answer(usd(to));
        (s.account_of(carol).value, s.account_of(alice).value)
    });
    let (b0, b1) = (s.balance0(carol), s.balance1(carol));
    let shares = s.shares(carol);
    s.withdraw(carol, shares);
    s.set_answer(usd(to));
    let price = s.oracle_price();
    let (a0, a1) = (s.balance0(carol), s.balance1(carol));
    let got = signed(worth(&price, a0, a1)) - signed(worth(&price, b0, b1));
    (
        got - signed(stay_carol),
        s.account_of(alice).value,
        stay_alice,
    )
}

#[test]
fn h1_leaving_before_a_known_bad_update_does_not_pay() {
    let (carol, alice, alice_if_stayed) = carol_leaves_before_a_bad_update(2_040);
    let alice_loss = signed(alice) - signed(alice_if_stayed);
    println!(
        "H-1 mirror (spot 2,040 before the feed): Carol {} token1 against staying, Alice {} token1",
        show(carol),
        show(alice_loss)
    );
    assert!(carol <= I256::ZERO, "Carol gains {}", show(carol));
    assert!(alice_loss >= I256::ZERO, "Alice loses {}", show(alice_loss));
}

// ---- M-1: hedge unwound by a deposit + withdrawal round trip ------------------

#[test]
fn m1_a_round_trip_does_not_unwind_the_hedge_or_charge_the_others() {
    let mut s = setting();
    let (alice, bob) = (s.alice, s.bob);
    let (t0, t1) = totals(&mut s);
    s.mint(bob, t0 * u(9), t1 * u(9));
    s.try_deposit(bob, t0 * u(9), t1 * u(9), U256::ZERO)
        .unwrap();
    let shares = s.shares(bob);
    let now = s.dry_run(|s| {
        let out = s.try_withdraw(bob, shares);
        (out, s.position().size)
    });
    match now {
        (Ok(_), size) => panic!(
            "Bob's immediate withdrawal went through; the short is now {} token0",
            show(size / I256::try_from(u(1_000_000_000_000)).unwrap())
        ),
        (Err(r), _) => assert!(r.is::<IVault::VaultLocked>(), "{r:?}"),
    }
    // after the lock the keeper has hedged Bob's part; Bob's exit takes only it
    later(&mut s, 86_400);
    hedge(&mut s).unwrap();
    let grown = s.position().size;
    assert!(grown < -I256::try_from(eth(700)).unwrap(), "{grown}");
    let before = s.account_of(alice).value;
    s.withdraw(bob, shares);
    let after = s.account_of(alice).value;
    let size = s.position().size;
    let milli = |x: I256| x / I256::try_from(eth(1) / u(1_000)).unwrap();
    println!(
        "M-1: the keeper hedged Bob's part ({} milli-token0 short), Bob left: {} milli-token0; Alice's value {} -> {} token1",
        milli(grown),
        milli(size),
        show(signed(before)),
        show(signed(after))
    );
    assert!(
        after >= before,
        "Alice paid {} of Bob's exit",
        before - after
    );
    // Alice's hedge is what it was (her LP's token0, within a step's rounding)
    assert!(
        (size + I256::try_from(eth(75)).unwrap()).unsigned_abs() < eth(1),
        "short after Bob left: {size}"
    );
}

// ---- M-2: liquidated while the keeper hedges every hour -----------------------

#[test]
fn m2_hourly_hedges_keep_the_account_above_its_margin_in_a_rally() {
    let mut s = setting();
    let (venue, vault, stranger) = (s.venue, s.vault, s.stranger);
    let mut price = 2_000.0f64;
    let mut liquidated = None;
    let mut lowest = f64::MAX;
    for hour in 1..=12 {
        price *= 1.06;
        s.w.advance(3_600);
        s.move_price_to(price.round() as i128);
        let equity = s.view(venue, &IHedge::equityOfCall { account: vault });
        let (_, maintenance) = {
            let m = s.view(venue, &IHedge::marginOfCall { account: vault });
            (m.initial, m.maintenance)
        };
        if maintenance > U256::ZERO {
            // maintenance is 5 % of the notional
            let ratio =
                i128::try_from(equity).unwrap() as f64 / (maintenance.to::<u128>() as f64 * 20.0);
            lowest = lowest.min(ratio);
        }
        let out =
            s.w.call_sol(stranger, venue, &IHedge::liquidateCall { account: vault });
        if let Ok(penalty) = out {
            liquidated = Some((hour, penalty));
            break;
        }
        let _ = hedge(&mut s);
    }
    println!(
        "M-2: lowest equity before a hedge {:.2} % of the notional; liquidated: {:?}",
        lowest * 100.0,
        liquidated.map(|(h, p)| (h, show(signed(p))))
    );
    assert_eq!(liquidated, None);
}

// ---- M-3: keeper churn ---------------------------------------------------------

#[test]
fn m3_alternating_rebalances_and_hedges_are_spaced() {
    let mut s = setting();
    let venue = s.venue;
    let mut fees = U256::ZERO;
    let (mut moves, mut hedges) = (0, 0);
    for hour in 0..24 {
        let target = if hour % 2 == 0 { 8_108 } else { 5_708 };
        if rebalance(&mut s, target).is_ok() {
            moves += 1;
        }
        if hedge(&mut s).is_ok() {
            hedges += 1;
            for t in s.events_from::<IHedge::Traded>(venue) {
                fees += t.fee;
            }
        }
        later(&mut s, 3_600);
    }
    println!(
        "M-3: 24 h of alternating 5,708 <-> 8,108 bps: {moves} rebalances, {hedges} hedges, venue fees {} token1",
        show(signed(fees))
    );
    // a reversal waits REVERSAL_COOLDOWN (6 h): the first move and at most
    // four reversals a day, for the LP and for the hedge (before the fix: 23
    // of each and 510.34 token1 of fees, with the venue's fee alone)
    assert!(moves <= 5, "{moves} rebalances in a day");
    assert!(hedges <= 5, "{hedges} hedges in a day");
}

// ---- M-5: controller swap ------------------------------------------------------

#[test]
fn m5_a_new_controller_waits_out_a_delay_the_holders_can_see() {
    let mut s = setting();
    let (owner, manager, vault, stranger) = (s.owner, s.manager, s.vault, s.stranger);
    s.ok(
        owner,
        manager,
        &IManager::configureVaultCall {
            controller: stranger,
            depositCap: U256::ZERO,
            paused: false,
        },
    );
    let (controller, _, _) = s.admin();
    assert_eq!(controller, manager, "the controller changed at once");
    let proposed = s.events_from::<IVault::ControllerProposed>(vault);
    assert_eq!(proposed.len(), 1);
    assert_eq!(proposed[0].controller, stranger);
    let ready = proposed[0].readyAt;
    assert_eq!(ready, s.w.timestamp() + il_vault::CONTROLLER_DELAY);
    // the stranger cannot move money meanwhile
    assert_revert(
        s.w.call_sol(
            stranger,
            vault,
            &IVault::moveLiquidityCall {
                liquidityDelta: i(-1),
            },
        ),
        IVault::VaultNotController { account: stranger },
    );
    // confirming early is refused; after the delay it applies
    assert_manager_call_failed(
        s.w.call_sol(
            owner,
            manager,
            &IManager::configureVaultCall {
                controller: stranger,
                depositCap: U256::ZERO,
                paused: false,
            },
        ),
        vault,
        IVault::VaultControllerNotReady { readyAt: ready },
    );
    s.w.advance(il_vault::CONTROLLER_DELAY);
    s.ok(
        owner,
        manager,
        &IManager::configureVaultCall {
            controller: stranger,
            depositCap: U256::ZERO,
            paused: false,
        },
    );
    assert_eq!(s.admin().0, stranger);
}

// ---- lows ---------------------------------------------------------------------

#[test]
fn l1_a_rebalance_add_at_a_skewed_spot_is_checked_against_fair_value() {
    let mut s = Sys::new();
    let alice = s.alice;
    s.deposit(alice, eth(100), usdc(200_000));
    rebalance(&mut s, 7_500).unwrap();
    let mut p = s.params();
    p.maxDeviationBps = 1_000;
    p.maxSlippageBps = 5;
    s.set_params(p);
    // adding after a burn is a reversal
    later(&mut s, il_manager::REVERSAL_COOLDOWN);
    move_spot_only(&mut s, 2_200);
    let out = rebalance(&mut s, 9_999);
    println!("L-1: add at a spot 10 % off the oracle: {out:?}");
    assert!(
        out.as_ref()
            .is_err_and(|r| r.is::<IManager::ManagerSlippage>()),
        "{out:?}"
    );
}

#[test]
fn l2_the_fee_tier_cannot_flip_within_its_cooldown() {
    // the manager's default tier table (5 / 30 / 100 bps)
    let mut s = setting_with(Setup {
        pool_fee: None,
        seed_pool: true,
    });
    let sigma = |p: u64| il_math::WAD * U256::from(p) / u(100);
    s.keeper_call(&IManager::updateVolatilityCall { sigma: sigma(120) })
        .unwrap();
    let flip = s.keeper_call(&IManager::updateVolatilityCall { sigma: sigma(10) });
    assert!(
        flip.as_ref()
            .is_err_and(|r| r.is::<IManager::ManagerCooldown>()),
        "{flip:?}"
    );
    s.w.advance(il_manager::TIER_COOLDOWN);
    let out = s
        .keeper_call(&IManager::updateVolatilityCall { sigma: sigma(10) })
        .unwrap();
    assert_eq!(out.tier, 0);
}

#[test]
fn l3_the_owner_closes_the_hedge_while_paused() {
    let mut s = setting();
    let (owner, manager, vault) = (s.owner, s.manager, s.vault);
    s.set_paused(true);
    let idle1 = s.ledger().idle1;
    s.ok(owner, manager, &IManager::closeHedgeCall {});
    assert_eq!(s.position().size, I256::ZERO);
    let closed = s.events_from::<IVault::HedgeAdjusted>(vault);
    assert_eq!(closed.len(), 1);
    assert!(s.ledger().idle1 > idle1);
    // the keeper cannot, and nothing else moves while paused
    assert_revert(
        s.keeper_call(&IManager::closeHedgeCall {}),
        IManager::OwnableUnauthorizedAccount { account: s.keeper },
    );
}
