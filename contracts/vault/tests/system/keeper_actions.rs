//! The keeper's actions within the owner's bounds: `updateVolatility`
//! (tiers, hysteresis, the pool's fee), `rebalance` (cooldown, step,
//! deviation, staleness, slippage) and `hedge` (target, step, cooldown,
//! collateral, close); and the vault's controller moves they drive.

use alloy_primitives::{I256, U256};
use il_math::vault::{VenueState, add_amounts, lp_amounts, plan_hedge, plan_rebalance};

use crate::fixture::*;

fn pct(p: u64) -> U256 {
    il_math::WAD * U256::from(p) / u(100)
}

fn rebalance(s: &mut Sys, target: u16) -> Result<I256, il_testkit::Revert> {
    s.keeper_call(&IManager::rebalanceCall {
        targetBps: target,
        amount0Min: U256::ZERO,
        amount1Min: U256::ZERO,
    })
}

/// Alice's 10 token0 + 20,000 token1, all in the pool.
fn funded() -> Sys {
    let mut s = Sys::new();
    let alice = s.alice;
    s.deposit(alice, eth(10), usdc(20_000));
    s
}

/// Past every cooldown, with a fresh oracle at the same answer.
fn later(s: &mut Sys, seconds: u64) {
    s.w.advance(seconds);
    let answer = s.view(s.oracle, &IOracle::latestAnswerCall {});
    s.set_answer(answer);
}

// ---- updateVolatility ---------------------------------------------------------

/// The manager's default tier table (5 / 30 / 100 bps), the pool at tier 0.
fn tiered() -> Sys {
    Sys::with(Setup {
        pool_fee: None,
        seed_pool: true,
    })
}

#[test]
fn update_volatility_applies_the_tier_to_the_pool() {
    let mut s = tiered();
    let manager = s.manager;
    assert_eq!(s.pool_fee(), 500);
    let out = s
        .keeper_call(&IManager::updateVolatilityCall { sigma: pct(80) })
        .unwrap();
    assert_eq!((out.tier, out.feePips), (1, 3_000));
    assert_eq!(
        s.events_from::<IManager::VolatilityUpdated>(manager),
        vec![IManager::VolatilityUpdated {
            sigma: pct(80),
            tier: 1,
            feePips: 3_000,
            changed: true
        }]
    );
    assert_eq!(
        s.events_from::<IManager::FeeApplied>(manager),
        vec![IManager::FeeApplied {
            tier: 1,
            feePips: 3_000
        }]
    );
    // the PoolManager charges it (slot0's LP fee)
    assert_eq!(s.pool_fee(), 3_000);
    let c = s.view(manager, &IManager::configCall {});
    assert_eq!(
        (c.tierIndex, c.sigma, c.sigmaUpdatedAt, c.lastTierChange),
        (1, pct(80), s.w.timestamp(), s.w.timestamp())
    );
    // swaps pay it: a swap's fee is 30 bps of its input
    let pm = s.v4.pool_manager;
    s.swap(true, eth(1));
    let swaps = s.events_from::<il_testkit::v4::IPoolManager::Swap>(pm);
    assert_eq!(swaps[0].fee.to::<u32>(), 3_000);
}

#[test]
fn tiers_move_up_at_once_and_down_only_past_the_hysteresis() {
    let mut s = tiered();
    let manager = s.manager;
    // (sigma in %, tier, fee, applied to the pool now): hysteresis 5 %
    let steps: [(u64, u8, u32, bool); 10] = [
        (30, 0, 500, false),
        (60, 1, 3_000, true),
        (56, 1, 3_000, false),
        (55, 1, 3_000, false),
        (54, 0, 500, true),
        (100, 2, 10_000, true),
        (95, 2, 10_000, false),
        (94, 1, 3_000, true),
        (200, 2, 10_000, true),
        (10, 0, 500, true),
    ];
    for (sigma, tier, fee, changed) in steps {
        // a new tier at most once per TIER_COOLDOWN
        s.w.advance(il_manager::TIER_COOLDOWN);
        let out = s
            .keeper_call(&IManager::updateVolatilityCall { sigma: pct(sigma) })
            .unwrap();
        assert_eq!((out.tier, out.feePips), (tier, fee), "sigma {sigma} %");
        assert_eq!(
            s.events_from::<IManager::VolatilityUpdated>(manager),
            vec![IManager::VolatilityUpdated {
                sigma: pct(sigma),
                tier,
                feePips: fee,
                changed
            }]
        );
        assert_eq!(
            s.events_from::<IManager::FeeApplied>(manager).len(),
            usize::from(changed),
            "sigma {sigma} %"
        );
        assert_eq!(s.pool_fee(), fee);
    }
    // the reference: il-math's schedule
    let tiers = [
        il_math::FeeTier {
            min_sigma_wad: U256::ZERO,
            fee_pips: 500,
        },
        il_math::FeeTier {
            min_sigma_wad: pct(60),
            fee_pips: 3_000,
        },
        il_math::FeeTier {
            min_sigma_wad: pct(100),
            fee_pips: 10_000,
        },
    ];
    assert_eq!(il_math::select_tier(&tiers, 1, pct(55), pct(5)).unwrap(), 1);
    assert_eq!(il_math::select_tier(&tiers, 1, pct(54), pct(5)).unwrap(), 0);
}

#[test]
fn a_fee_out_of_date_with_the_table_is_reapplied() {
    // On v4 only the hook may set the pool's fee, so it cannot change
    // behind the manager's back; it falls out of date when the owner
    // changes the fee of the tier in force, until applied again.
    let mut s = tiered();
    let (owner, manager, stranger) = (s.owner, s.manager, s.stranger);
    s.ok(
        owner,
        manager,
        &IManager::setTiersCall {
            minSigmas: vec![U256::ZERO, pct(60)],
            feesPips: vec![700, 3_000],
            hysteresis: pct(5),
        },
    );
    assert_eq!(s.pool_fee(), 500);
    // the keeper's next report re-applies it (same tier: no tier change)
    let out = s
        .keeper_call(&IManager::updateVolatilityCall { sigma: pct(31) })
        .unwrap();
    assert_eq!((out.tier, out.feePips), (0, 700));
    assert!(s.events_from::<IManager::VolatilityUpdated>(manager)[0].changed);
    assert_eq!(s.pool_fee(), 700);
    assert_eq!(
        s.view(manager, &IManager::configCall {}).lastTierChange,
        0,
        "re-applying the tier in force is not a tier change"
    );
    // or anyone does, with applyFee; once applied there is nothing to do
    s.ok(
        owner,
        manager,
        &IManager::setTiersCall {
            minSigmas: vec![U256::ZERO],
            feesPips: vec![900],
            hysteresis: U256::ZERO,
        },
    );
    assert_eq!(s.ok(stranger, manager, &IManager::applyFeeCall {}), 900);
    assert_eq!(
        s.events_from::<IManager::FeeApplied>(manager),
        vec![IManager::FeeApplied {
            tier: 0,
            feePips: 900
        }]
    );
    assert_eq!(s.pool_fee(), 900);
    assert_revert(
        s.w.call_sol(stranger, manager, &IManager::applyFeeCall {}),
        IManager::ManagerNothingToDo {},
    );
    let out = s
        .keeper_call(&IManager::updateVolatilityCall { sigma: pct(31) })
        .unwrap();
    assert_eq!((out.tier, out.feePips), (0, 900));
    assert!(!s.events_from::<IManager::VolatilityUpdated>(manager)[0].changed);
}

#[test]
fn update_volatility_refuses_sigma_beyond_the_range() {
    let mut s = Sys::new();
    let too_high = il_math::MAX_SIGMA_WAD + u(1);
    assert_revert(
        s.keeper_call(&IManager::updateVolatilityCall { sigma: too_high }),
        IManager::ManagerVolatilityOutOfRange { sigma: too_high },
    );
    s.keeper_call(&IManager::updateVolatilityCall {
        sigma: il_math::MAX_SIGMA_WAD,
    })
    .unwrap();
}

#[test]
fn pause_stops_every_keeper_action() {
    let mut s = funded();
    s.set_paused(true);
    assert_revert(
        s.keeper_call(&IManager::updateVolatilityCall { sigma: pct(30) }),
        IManager::ManagerPaused {},
    );
    assert_revert(rebalance(&mut s, 7_500), IManager::ManagerPaused {});
    assert_revert(
        s.keeper_call(&IManager::hedgeCall {}),
        IManager::ManagerPaused {},
    );
    s.set_paused(false);
    rebalance(&mut s, 7_500).unwrap();
}

// ---- rebalance ---------------------------------------------------------------

#[test]
fn rebalance_burns_toward_the_target_as_planned() {
    let mut s = funded();
    let (vault, manager) = (s.vault, s.manager);
    let (pool, price, before) = (s.pool_state(), s.oracle_price(), s.ledger());
    let plan = plan_rebalance(
        &pool,
        &price,
        before.liquidity,
        before.idle0,
        before.idle1,
        7_500,
    )
    .unwrap();
    assert!(plan.burn > U256::ZERO && plan.add == U256::ZERO);
    let delta = rebalance(&mut s, 7_500).unwrap();
    assert_eq!(delta, -I256::from_raw(plan.burn));
    // the PoolManager pays the removed liquidity at spot, rounded down
    let (out0, out1) = lp_amounts(&pool, plan.burn).unwrap();
    assert_eq!(
        s.events_from::<IManager::Rebalanced>(manager),
        vec![IManager::Rebalanced {
            fromBps: plan.current_bps,
            toBps: 7_500,
            amount0: out0,
            amount1: out1,
            liquidityDelta: delta
        }]
    );
    assert_eq!(
        s.events_from::<IVault::LiquidityMoved>(vault),
        vec![IVault::LiquidityMoved {
            liquidityDelta: delta,
            amount0: out0,
            amount1: out1
        }]
    );
    let after = s.ledger();
    assert_eq!(
        (after.liquidity, after.idle0, after.idle1),
        (
            before.liquidity - plan.burn,
            before.idle0 + out0,
            before.idle1 + out1
        )
    );
    // the vault holds what its books say
    assert_eq!(s.balance0(vault), after.idle0);
    assert_eq!(s.balance1(vault), after.idle1);
    // now 75 % of capital is in the pool (to the bps, rounding down)
    let now = plan_rebalance(
        &s.pool_state(),
        &price,
        after.liquidity,
        after.idle0,
        after.idle1,
        7_500,
    )
    .unwrap();
    assert!(
        (7_499..=7_500).contains(&now.current_bps),
        "{}",
        now.current_bps
    );
    assert_eq!(
        s.view(manager, &IManager::configCall {}).lastRebalance,
        s.w.timestamp()
    );
}

#[test]
fn rebalance_adds_idle_back_to_the_pool() {
    let mut s = funded();
    let (vault, manager) = (s.vault, s.manager);
    rebalance(&mut s, 7_500).unwrap();
    // an add after a burn is a reversal
    later(&mut s, il_manager::REVERSAL_COOLDOWN);
    let (pool, price, before) = (s.pool_state(), s.oracle_price(), s.ledger());
    // the burn left 7,499 bps (the share is floored): one step up is 9,999
    let plan = plan_rebalance(
        &pool,
        &price,
        before.liquidity,
        before.idle0,
        before.idle1,
        9_999,
    )
    .unwrap();
    assert_eq!(plan.current_bps, 7_499);
    assert_eq!(plan.burn, U256::ZERO);
    assert_eq!(
        (plan.add0, plan.add1),
        add_amounts(&pool, plan.add).unwrap()
    );
    assert_revert(
        rebalance(&mut s, 10_000),
        IManager::ManagerInvalidTarget {
            targetBps: 10_000,
            currentBps: 7_499,
        },
    );
    let delta = rebalance(&mut s, 9_999).unwrap();
    let minted = delta.into_raw();
    assert_eq!(minted, plan.add);
    assert!(minted > U256::ZERO);
    assert_eq!(
        s.events_from::<IManager::Rebalanced>(manager),
        vec![IManager::Rebalanced {
            fromBps: plan.current_bps,
            toBps: 9_999,
            amount0: plan.add0,
            amount1: plan.add1,
            liquidityDelta: delta
        }]
    );
    assert_eq!(
        s.events_from::<IVault::LiquidityMoved>(vault),
        vec![IVault::LiquidityMoved {
            liquidityDelta: delta,
            amount0: plan.add0,
            amount1: plan.add1
        }]
    );
    let after = s.ledger();
    assert_eq!(
        (after.liquidity, after.idle0, after.idle1),
        (
            before.liquidity + minted,
            before.idle0 - plan.add0,
            before.idle1 - plan.add1
        )
    );
}

#[test]
fn rebalance_waits_for_its_cooldown_and_longer_to_reverse() {
    let mut s = funded();
    rebalance(&mut s, 7_500).unwrap();
    let t = s.w.timestamp();
    s.w.advance(3_599);
    s.set_answer(usd(START_PRICE));
    // the same way: the cooldown
    assert_revert(
        rebalance(&mut s, 5_000),
        IManager::ManagerCooldown {
            availableAt: t + 3_600,
        },
    );
    s.w.advance(1);
    s.set_answer(usd(START_PRICE));
    rebalance(&mut s, 5_000).unwrap();
    // the other way: REVERSAL_COOLDOWN after the last move
    let t = s.w.timestamp();
    s.w.advance(3_600);
    s.set_answer(usd(START_PRICE));
    assert_revert(
        rebalance(&mut s, 7_499),
        IManager::ManagerCooldown {
            availableAt: t + il_manager::REVERSAL_COOLDOWN,
        },
    );
    later(&mut s, il_manager::REVERSAL_COOLDOWN - 3_600);
    rebalance(&mut s, 7_499).unwrap();
    let c = s.view(s.manager, &IManager::configCall {});
    assert_eq!(c.rebalanceDirection, 1);
}

#[test]
fn rebalance_target_must_be_within_one_step_and_the_bounds() {
    let mut s = funded();
    let (owner, manager) = (s.owner, s.manager);
    assert_revert(
        rebalance(&mut s, 7_499),
        IManager::ManagerInvalidTarget {
            targetBps: 7_499,
            currentBps: 10_000,
        },
    );
    assert_revert(
        rebalance(&mut s, 10_001),
        IManager::ManagerInvalidTarget {
            targetBps: 10_001,
            currentBps: 10_000,
        },
    );
    let mut p = s.params();
    p.minLpBps = 8_000;
    s.ok(owner, manager, &p);
    assert_revert(
        rebalance(&mut s, 7_900),
        IManager::ManagerInvalidTarget {
            targetBps: 7_900,
            currentBps: 10_000,
        },
    );
    rebalance(&mut s, 8_000).unwrap();
}

#[test]
fn rebalance_with_nothing_to_move_reverts() {
    let mut s = funded();
    assert_revert(rebalance(&mut s, 10_000), IManager::ManagerNothingToDo {});
}

#[test]
fn rebalance_needs_a_fresh_oracle() {
    let mut s = funded();
    let updated = s.w.timestamp();
    s.w.advance(3_601);
    assert_revert(
        rebalance(&mut s, 7_500),
        IManager::ManagerStalePrice {
            updatedAt: u(updated.into()),
            now: u((updated + 3_601).into()),
        },
    );
    s.set_answer(usd(START_PRICE));
    rebalance(&mut s, 7_500).unwrap();
}

#[test]
fn rebalance_refuses_a_spot_away_from_the_oracle() {
    let mut s = funded();
    // push the spot up about 2 % without touching the oracle
    s.swap(false, usdc(20_000));
    let spot = s.pool_state().spot().unwrap();
    let deviation = spot.deviation_bps(&s.oracle_price()).unwrap();
    assert!(deviation > u(100));
    assert_revert(
        rebalance(&mut s, 7_500),
        IManager::ManagerPriceDeviation {
            deviationBps: deviation,
            maxBps: u(100),
        },
    );
    // a wider bound lets it through
    let mut params = s.params();
    params.maxDeviationBps = 1_000;
    s.set_params(params);
    rebalance(&mut s, 7_500).unwrap();
}

#[test]
fn rebalance_enforces_the_keepers_minimums() {
    let mut s = funded();
    let quote = s.dry_run(|s| {
        rebalance(s, 7_500).unwrap();
        let e = s.events_from::<IManager::Rebalanced>(s.manager);
        (e[0].amount0, e[0].amount1)
    });
    for (min0, min1) in [(quote.0 + u(1), U256::ZERO), (U256::ZERO, quote.1 + u(1))] {
        assert_revert(
            s.keeper_call(&IManager::rebalanceCall {
                targetBps: 7_500,
                amount0Min: min0,
                amount1Min: min1,
            }),
            IManager::ManagerSlippage {
                amount0: quote.0,
                amount1: quote.1,
            },
        );
    }
    s.keeper_call(&IManager::rebalanceCall {
        targetBps: 7_500,
        amount0Min: quote.0,
        amount1Min: quote.1,
    })
    .unwrap();
}

// ---- hedge -------------------------------------------------------------------

/// Funded, 25 % idle, the hedge at `ratio_bps`, cooldowns passed.
fn hedgeable(ratio_bps: u16) -> Sys {
    let mut s = funded();
    rebalance(&mut s, 7_500).unwrap();
    let mut p = s.params();
    p.hedgeRatioBps = ratio_bps;
    s.set_params(p);
    later(&mut s, 3_600);
    s
}

#[test]
fn hedge_opens_the_planned_short_with_collateral() {
    let mut s = hedgeable(5_000);
    let (vault, manager) = (s.vault, s.manager);
    let (pool, price, before) = (s.pool_state(), s.oracle_price(), s.ledger());
    let plan = plan_hedge(
        &pool,
        &price,
        before.liquidity,
        5_000,
        I256::ZERO,
        I256::ZERO,
        before.idle1,
        2_000,
        U256::MAX,
    )
    .unwrap();
    assert!(plan.target < I256::ZERO);
    assert_eq!(plan.new_size, plan.target);
    let size = s.keeper_call(&IManager::hedgeCall {}).unwrap();
    assert_eq!(size, plan.target);
    assert_eq!(
        s.events_from::<IManager::Hedged>(manager),
        vec![IManager::Hedged {
            previousSize: I256::ZERO,
            newSize: plan.new_size,
            target: plan.target,
            collateralAdded: plan.top_up,
            closed: false
        }]
    );
    assert_eq!(
        s.events_from::<IVault::HedgeAdjusted>(vault),
        vec![IVault::HedgeAdjusted {
            funded: plan.top_up,
            sizeDelta: plan.delta,
            newSize: plan.new_size,
            paid: U256::ZERO
        }]
    );
    let pos = s.position();
    assert_eq!(pos.size, plan.target);
    // the venue took from the collateral its trade fee and its spread (5 bps
    // of the notional each) and its impact on the first size of an empty
    // side, notional^2 / house * 0.5 % (the side's cap is 5x the house's
    // 1,000,000), each rounded up
    let notional = price
        .quote(plan.target.unsigned_abs(), il_math::Rounding::Ceil)
        .unwrap();
    let fee = (notional * u(500)).div_ceil(u(1_000_000));
    let impact = (notional * notional).div_ceil(usdc(HOUSE)).div_ceil(u(200));
    let cost = fee + fee + impact;
    assert!(impact > U256::ZERO);
    assert!(
        pos.collateral + cost >= plan.top_up && pos.collateral + cost <= plan.top_up + u(1),
        "{pos:?}"
    );
    let after = s.ledger();
    assert!(after.hedge_active);
    assert_eq!(after.idle1, before.idle1 - plan.top_up);
    assert_eq!(
        s.view(manager, &IManager::configCall {}).lastHedge,
        s.w.timestamp()
    );
}

#[test]
fn hedge_moves_at_most_one_step_per_cooldown() {
    let mut s = hedgeable(10_000);
    let step = eth(1) / u(10);
    let mut p = s.params();
    p.maxHedgeStep = step;
    s.set_params(p);
    let idle1 = s.ledger().idle1;
    let target = plan_hedge(
        &s.pool_state(),
        &s.oracle_price(),
        s.ledger().liquidity,
        10_000,
        I256::ZERO,
        I256::ZERO,
        idle1,
        2_000,
        U256::MAX,
    )
    .unwrap()
    .target;
    let one = -I256::from_raw(step);
    assert_eq!(s.keeper_call(&IManager::hedgeCall {}).unwrap(), one);
    let e = &s.events_from::<IManager::Hedged>(s.manager)[0];
    assert_eq!(
        (e.previousSize, e.newSize, e.target),
        (I256::ZERO, one, target)
    );
    let t = s.w.timestamp();
    s.w.advance(60);
    assert_revert(
        s.keeper_call(&IManager::hedgeCall {}),
        IManager::ManagerCooldown {
            availableAt: t + 3_600,
        },
    );
    later(&mut s, 3_600);
    assert_eq!(s.keeper_call(&IManager::hedgeCall {}).unwrap(), one + one);
    assert_eq!(s.position().size, one + one);
}

#[test]
fn hedge_off_with_no_position_has_nothing_to_do() {
    let mut s = hedgeable(0);
    assert_revert(
        s.keeper_call(&IManager::hedgeCall {}),
        IManager::ManagerNothingToDo {},
    );
}

#[test]
fn hedge_closes_when_the_ratio_returns_to_zero() {
    let mut s = hedgeable(5_000);
    let (vault, manager) = (s.vault, s.manager);
    let opened = s.keeper_call(&IManager::hedgeCall {}).unwrap();
    let mut p = s.params();
    p.hedgeRatioBps = 0;
    s.set_params(p);
    // closing a short is a reversal of the opening sale
    later(&mut s, il_manager::REVERSAL_COOLDOWN);
    let idle1 = s.ledger().idle1;
    assert_eq!(s.keeper_call(&IManager::hedgeCall {}).unwrap(), I256::ZERO);
    assert_eq!(
        s.events_from::<IManager::Hedged>(manager),
        vec![IManager::Hedged {
            previousSize: opened,
            newSize: I256::ZERO,
            target: I256::ZERO,
            collateralAdded: U256::ZERO,
            closed: true
        }]
    );
    let adj = s.events_from::<IVault::HedgeAdjusted>(vault);
    assert_eq!(adj.len(), 1);
    assert_eq!(
        (adj[0].funded, adj[0].sizeDelta, adj[0].newSize),
        (U256::ZERO, I256::ZERO, I256::ZERO)
    );
    assert!(adj[0].paid > U256::ZERO);
    let exited = s.events_from::<IHedge::Exited>(s.venue);
    assert_eq!(exited[0].paid, adj[0].paid);
    assert_eq!(s.position().size, I256::ZERO);
    assert_eq!(s.ledger().idle1, idle1 + adj[0].paid);
    assert_eq!(s.balance1(vault), s.ledger().idle1);
}

#[test]
fn hedge_without_idle_collateral_opens_nothing() {
    // all capital in the pool: no idle token1 to carry a margin, so the
    // plan cuts the position to zero (a hedge is never opened below margin)
    let mut s = funded();
    let mut p = s.params();
    p.hedgeRatioBps = 5_000;
    s.set_params(p);
    let (pool, price, l) = (s.pool_state(), s.oracle_price(), s.ledger());
    assert_eq!(l.idle1, U256::ZERO);
    let plan = plan_hedge(
        &pool,
        &price,
        l.liquidity,
        5_000,
        I256::ZERO,
        I256::ZERO,
        l.idle1,
        2_000,
        U256::MAX,
    )
    .unwrap();
    assert!(plan.target < I256::ZERO);
    assert_eq!((plan.new_size, plan.top_up), (I256::ZERO, U256::ZERO));
    assert_revert(
        s.keeper_call(&IManager::hedgeCall {}),
        IManager::ManagerNothingToDo {},
    );
}

#[test]
fn hedge_checks_the_oracle_like_rebalance() {
    let mut s = hedgeable(5_000);
    let updated = s.w.timestamp();
    s.w.advance(3_601);
    assert_revert(
        s.keeper_call(&IManager::hedgeCall {}),
        IManager::ManagerStalePrice {
            updatedAt: u(updated.into()),
            now: u((updated + 3_601).into()),
        },
    );
    s.set_answer(usd(2_100));
    let spot = s.pool_state().spot().unwrap();
    let deviation = spot.deviation_bps(&s.oracle_price()).unwrap();
    assert_revert(
        s.keeper_call(&IManager::hedgeCall {}),
        IManager::ManagerPriceDeviation {
            deviationBps: deviation,
            maxBps: u(100),
        },
    );
}

#[test]
fn withdraw_with_an_open_hedge_pays_the_venue_share_less_its_close() {
    let mut s = hedgeable(5_000);
    let (alice, vault, venue) = (s.alice, s.vault, s.venue);
    s.keeper_call(&IManager::hedgeCall {}).unwrap();
    let shares = s.shares(alice);
    let half = shares / u(2);
    let size = s.position().size;
    let (supply, ledger) = (s.supply(), s.ledger());
    let equity = s.view(venue, &IHedge::equityOfCall { account: vault });
    let b1 = s.balance1(alice);
    let out = s.withdraw(alice, half);
    let w = s.events_from::<IVault::Withdraw>(vault);
    let exited = s.events_from::<IHedge::Exited>(venue);
    assert_eq!(exited.len(), 1);
    let fraction = half * il_math::WAD / supply;
    assert_eq!(exited[0].fractionWad, fraction);
    // the venue pays the vault, which pays Alice her part at the leaving mark
    // less the whole cost of the close (spot = oracle here)
    assert_eq!(exited[0].to, vault);
    let after = s.view(venue, &IHedge::equityOfCall { account: vault });
    let (settled, due) = il_math::vault::settle_venue(
        &s.dry_run(|s| s.ledger()),
        supply - half,
        fraction,
        equity,
        equity,
        il_math::vault::VenueExit::Paid {
            paid: exited[0].paid,
            equity_after: after,
        },
    )
    .unwrap();
    assert_eq!(w[0].hedgePaid, due);
    assert!(due > U256::ZERO && due < exited[0].paid);
    assert_eq!(settled.equity_last, after);
    assert_eq!(out.amount1, w[0].amount1);
    assert_eq!(s.balance1(alice) - b1, out.amount1);
    // the vault kept the rest of the payout
    let l = s.ledger();
    assert!(l.idle1 > ledger.idle1 - ledger.idle1 * half / supply);
    assert_eq!(s.balance1(vault), l.idle1);
    // the position shrank by about the withdrawn fraction
    let left = s.position().size;
    assert!(left > size && left < I256::ZERO);
}

#[test]
fn deposits_while_a_hedge_is_open_are_locked_for_a_day() {
    let mut s = hedgeable(5_000);
    let (alice, bob, carol, vault) = (s.alice, s.bob, s.carol, s.vault);
    // before the hedge: no lock
    assert_eq!(
        s.view(vault, &IVault::lockOfCall { account: alice }).shares,
        U256::ZERO
    );
    s.keeper_call(&IManager::hedgeCall {}).unwrap();
    let minted = s.deposit(bob, eth(1), usdc(2_000)).shares;
    let until = s.w.timestamp() + il_vault::DEPOSIT_LOCK;
    let lock = s.view(vault, &IVault::lockOfCall { account: bob });
    assert_eq!((lock.shares, lock.unlockAt), (minted, until));
    assert_revert(
        s.try_withdraw(bob, u(1)),
        IVault::VaultLocked { unlockAt: until },
    );
    assert_revert(
        s.w.call_sol(
            bob,
            vault,
            &IVault::transferCall {
                to: carol,
                value: u(1),
            },
        ),
        IVault::VaultLocked { unlockAt: until },
    );
    // a deposit to someone else locks only what it minted for them
    let alice_shares = s.shares(alice);
    s.mint(bob, eth(1), usdc(2_000));
    let gift =
        s.w.call_sol(
            bob,
            vault,
            &IVault::depositCall {
                amount0Max: eth(1),
                amount1Max: usdc(2_000),
                minShares: U256::ZERO,
                receiver: alice,
            },
        )
        .unwrap()
        .shares;
    assert_revert(
        s.try_withdraw(alice, alice_shares + u(1)),
        IVault::VaultLocked { unlockAt: until },
    );
    s.withdraw(alice, alice_shares);
    assert_eq!(s.shares(alice), gift);
    // a day later every share is free
    later(&mut s, il_vault::DEPOSIT_LOCK);
    s.withdraw(bob, minted);
    s.withdraw(alice, gift);
}

// ---- the controller's moves, called directly -----------------------------------

#[test]
fn controller_moves_report_their_own_errors() {
    let mut s = funded();
    let (vault, carol) = (s.vault, s.carol);
    // carol becomes the controller to call the vault directly
    s.hand_control(carol);
    let l = s.ledger();
    assert_revert(
        s.w.call_sol(
            carol,
            vault,
            &IVault::moveLiquidityCall {
                liquidityDelta: I256::ZERO,
            },
        ),
        IVault::VaultZeroAmount {},
    );
    assert_revert(
        s.w.call_sol(
            carol,
            vault,
            &IVault::moveLiquidityCall {
                liquidityDelta: -I256::from_raw(l.liquidity + u(1)),
            },
        ),
        IVault::VaultInsufficientIdle {
            needed: l.liquidity + u(1),
            available: l.liquidity,
        },
    );
    // adding more than the idle tokens pay for: the vault cannot pay the
    // PoolManager (its token refuses the transfer inside the unlock)
    let r = s.w.call_sol(
        carol,
        vault,
        &IVault::moveLiquidityCall {
            liquidityDelta: I256::from_raw(l.liquidity),
        },
    );
    let failed = r
        .unwrap_err()
        .decode_error::<IVault::VaultCallFailed>()
        .expect("VaultCallFailed");
    assert_eq!(failed.target, s.v4.pool_manager);
    let inner =
        <IVault::VaultCallFailed as alloy_sol_types::SolError>::abi_decode(&failed.reason).unwrap();
    assert_eq!(inner.target, s.token0);
    assert!(
        <IToken::ERC20InsufficientBalance as alloy_sol_types::SolError>::abi_decode(&inner.reason)
            .is_ok()
    );
    assert_revert(
        s.w.call_sol(
            carol,
            vault,
            &IVault::adjustHedgeCall {
                fund: U256::ZERO,
                sizeDelta: I256::ZERO,
                close: false,
            },
        ),
        IVault::VaultZeroAmount {},
    );
    assert_revert(
        s.w.call_sol(
            carol,
            vault,
            &IVault::adjustHedgeCall {
                fund: l.idle1 + u(1),
                sizeDelta: I256::ZERO,
                close: false,
            },
        ),
        IVault::VaultInsufficientIdle {
            needed: l.idle1 + u(1),
            available: l.idle1,
        },
    );
    // half the liquidity out: the tokens the pool pays join the idle ones
    let half = l.liquidity / u(2);
    let out = s.ok(
        carol,
        vault,
        &IVault::moveLiquidityCall {
            liquidityDelta: -I256::from_raw(half),
        },
    );
    assert_eq!(
        (out.amount0, out.amount1),
        lp_amounts(&s.pool_state(), half).unwrap()
    );
    let after = s.ledger();
    assert_eq!(
        (after.liquidity, after.idle0, after.idle1),
        (
            l.liquidity - half,
            l.idle0 + out.amount0,
            l.idle1 + out.amount1
        )
    );
    assert_eq!(
        (s.balance0(vault), s.balance1(vault)),
        (after.idle0, after.idle1)
    );
    // and back in: the PoolManager takes at most the idle tokens
    let back = s.ok(
        carol,
        vault,
        &IVault::moveLiquidityCall {
            liquidityDelta: I256::from_raw(half / u(2)),
        },
    );
    assert_eq!(
        (back.amount0, back.amount1),
        add_amounts(&s.pool_state(), half / u(2)).unwrap()
    );
    assert_eq!(
        s.view(s.lens, &ILens::positionCall {}).liquidity,
        s.ledger().liquidity
    );
    // the venue refuses a trade without collateral: the vault reports it
    let r = s.w.call_sol(
        carol,
        vault,
        &IVault::adjustHedgeCall {
            fund: U256::ZERO,
            sizeDelta: -I256::from_raw(eth(1)),
            close: false,
        },
    );
    assert_eq!(
        r.unwrap_err()
            .decode_error::<IVault::VaultCallFailed>()
            .unwrap()
            .target,
        s.venue
    );
    // paused: controller moves stop
    s.ok(
        carol,
        vault,
        &IVault::configureCall {
            controller: carol,
            depositCap: U256::ZERO,
            paused: true,
        },
    );
    assert_revert(
        s.w.call_sol(
            carol,
            vault,
            &IVault::moveLiquidityCall {
                liquidityDelta: i(-1),
            },
        ),
        IVault::VaultPaused {},
    );
    assert_revert(
        s.w.call_sol(
            carol,
            vault,
            &IVault::adjustHedgeCall {
                fund: u(1),
                sizeDelta: I256::ZERO,
                close: false,
            },
        ),
        IVault::VaultPaused {},
    );
}

#[test]
fn withdraw_with_a_stale_feed_hands_the_hedge_over_in_kind() {
    let mut s = hedgeable(5_000);
    let (alice, vault, venue) = (s.alice, s.vault, s.venue);
    s.keeper_call(&IManager::hedgeCall {}).unwrap();
    // the venue's oldest usable answer is 25 h old (a feed's 24 h heartbeat
    // and an hour): one second more is stale
    s.w.advance(il_hedge::DEFAULT_MAX_PRICE_AGE + 1);
    // the venue cannot mark the account: deposits stop ...
    let stale =
        s.w.view_sol(venue, &IHedge::equityOfCall { account: vault });
    assert!(stale.is_err_and(|r| r.is::<IHedge::HedgeStalePrice>()));
    s.mint(s.bob, eth(1), usdc(2_000));
    let refused = s.try_deposit(s.bob, eth(1), usdc(2_000), U256::ZERO);
    assert!(refused.is_err_and(|r| r.is::<IVault::VaultCallFailed>()));
    let before = s.position();
    let (shares, supply, l) = (s.shares(alice), s.supply(), s.ledger());
    let half = shares / u(2);
    // ... but a withdrawal pays the LP and idle parts and moves its
    // fraction of the position to the receiver's own venue account, once
    // the receiver accepts positions from the vault there
    let refused = s.try_withdraw(alice, half).unwrap_err();
    let failed = refused
        .decode_error::<IVault::VaultCallFailed>()
        .expect("VaultCallFailed");
    assert_eq!(failed.target, venue);
    assert_eq!(
        <IHedge::HedgeTransferNotApproved as alloy_sol_types::SolError>::abi_decode(&failed.reason)
            .unwrap(),
        IHedge::HedgeTransferNotApproved {
            from: vault,
            to: alice
        }
    );
    s.ok(
        alice,
        venue,
        &IHedge::setPositionSenderCall { sender: vault },
    );
    let out = s.withdraw(alice, half);
    let fraction = half * il_math::WAD / supply;
    assert_eq!(
        s.events_from::<IVault::HedgeTransferred>(vault),
        vec![IVault::HedgeTransferred {
            receiver: alice,
            fractionWad: fraction
        }]
    );
    let w = &s.events_from::<IVault::Withdraw>(vault)[0];
    assert_eq!((w.hedgePaid, w.amount1), (U256::ZERO, out.amount1));
    assert!(out.amount0 > U256::ZERO && out.amount1 > U256::ZERO);
    let mine = s.view(venue, &IHedge::positionOfCall { account: alice });
    let left = s.position();
    // conserved exactly: what alice holds plus what the vault kept
    assert_eq!(mine.size + left.size, before.size);
    assert_eq!(mine.collateral + left.collateral, before.collateral);
    assert_eq!(
        mine.entryNotional + left.entryNotional,
        before.entryNotional
    );
    assert_eq!(
        mine.size,
        -I256::from_raw(before.size.unsigned_abs() * fraction / il_math::WAD)
    );
    // no hedge PnL was booked without a mark; the baseline kept its part
    let after = s.ledger();
    assert_eq!(after.acc.hedge_per_share, l.acc.hedge_per_share);
    assert_eq!(s.balance1(vault), after.idle1);
    // paused as well: withdrawals never stop
    s.set_paused(true);
    let rest = s.shares(alice);
    s.withdraw(alice, rest);
    assert_eq!(s.shares(alice), U256::ZERO);
}

#[test]
fn withdrawals_work_after_the_hedge_closed() {
    let mut s = hedgeable(5_000);
    let (alice, bob, vault) = (s.alice, s.bob, s.vault);
    s.keeper_call(&IManager::hedgeCall {}).unwrap();
    let mut p = s.params();
    p.hedgeRatioBps = 0;
    s.set_params(p);
    // closing a short is a reversal of the opening sale
    later(&mut s, il_manager::REVERSAL_COOLDOWN);
    s.keeper_call(&IManager::hedgeCall {}).unwrap();
    assert_eq!(s.position().size, I256::ZERO);
    // no open position: a withdrawal needs no price any more, even a
    // stale one; a deposit does (the manager vouches for the pool's price)
    s.w.advance(7_200);
    s.mint(bob, eth(1), usdc(2_000));
    let failed = s
        .try_deposit(bob, eth(1), usdc(2_000), U256::ZERO)
        .unwrap_err()
        .decode_error::<IVault::VaultCallFailed>()
        .expect("VaultCallFailed");
    assert_eq!(failed.target, s.manager);
    assert!(
        <IManager::ManagerStalePrice as alloy_sol_types::SolError>::abi_decode(&failed.reason)
            .is_ok()
    );
    let shares = s.shares(alice);
    let out = s.withdraw(alice, shares);
    assert!(out.amount0 > U256::ZERO && out.amount1 > U256::ZERO);
    assert_eq!(
        s.events_from::<IVault::Withdraw>(vault)[0].hedgePaid,
        U256::ZERO
    );
    later(&mut s, 0);
    s.try_deposit(bob, eth(1), usdc(2_000), U256::ZERO).unwrap();
    let bob_shares = s.shares(bob);
    s.withdraw(bob, bob_shares);
    let l = s.ledger();
    assert_eq!(s.balance1(vault), l.idle1);
}

#[test]
fn deposits_with_an_open_hedge_count_the_venue_equity() {
    let mut s = hedgeable(5_000);
    let (bob, vault, venue) = (s.bob, s.vault, s.venue);
    s.keeper_call(&IManager::hedgeCall {}).unwrap();
    let (l, pool, supply) = (s.ledger(), s.pool_state(), s.supply());
    let equity = s.view(venue, &IHedge::equityOfCall { account: vault });
    assert!(equity > I256::ZERO);
    // the deposit buys into the equity at the higher of its oracle and spot
    // marks
    let venue_state = VenueState {
        equity,
        size: s.position().size,
        mark: s.oracle_price(),
    };
    let entering = venue_state.entering(&pool.spot().unwrap()).unwrap();
    assert!(entering >= equity);
    let (in0, in1) = lp_amounts(&pool, l.liquidity).unwrap();
    let (total0, total1) = (in0 + l.idle0, in1 + l.idle1 + entering.into_raw());
    s.mint(bob, eth(100), usdc(10_000));
    let out = s
        .try_deposit(bob, eth(100), usdc(10_000), U256::ZERO)
        .unwrap();
    let shares = usdc(10_000) * supply / total1;
    assert_eq!(out.shares, shares);
    assert_eq!(out.amount0, (shares * total0).div_ceil(supply));
    assert_eq!(out.amount1, (shares * total1).div_ceil(supply));
    // the equity's part of token1 stays idle (the venue account is not topped up)
    let after = s.ledger();
    assert!(after.idle1 > l.idle1);
    assert_eq!(s.balance1(vault), after.idle1);
}
