//! IL accounting through the lens: after a fee-less price move the IL view
//! is the v4 position's IL (il-math's closed form,
//! `RangePosition::il`, and the constant-product IL(r) times the hold value,
//! within 1e-12 relative); with fees, fee income is the vault's share of
//! the swap fees, exactly what the PoolManager pays it (`FeesCollected`);
//! hedge PnL is the venue equity's change; `pnl = il + fees + hedgePnl`
//! exactly; and the lens's `price`.

use alloy_primitives::{I256, U256};
use il_math::{
    Price, RangePosition, Rounding,
    vault::{lp_value, to_liquidity},
};
use il_testkit::v4::IPoolManager;

use crate::fixture::*;

/// `|got - want| <= |want| * 1e-12`.
#[track_caller]
fn assert_within_1e12(got: I256, want: I256) {
    let diff = (got - want).unsigned_abs();
    assert!(
        diff * pow10(12) <= want.unsigned_abs(),
        "got {got}, want {want}: off by {diff} (more than 1e-12 relative)"
    );
}

/// `hold0 * P + hold1`, rounded up, computed here.
fn hold_at(hold0: U256, hold1: U256, p: &Price) -> U256 {
    (hold0 * p.num()).div_ceil(p.den()) + hold1
}

/// A fee-less pool, Alice's deposit at the pool's price (all in the pool
/// but rounding dust), then the pool's spot swapped exactly to `to` dollars
/// with the oracle set to the same price; checks the IL view against the
/// closed forms.
fn il_after_move(deposit0: u64, to: i128) {
    let mut s = Sys::with(Setup {
        pool_fee: Some(0),
        ..Setup::default()
    });
    assert_eq!(s.pool_fee(), 0);
    let alice = s.alice;
    s.deposit(alice, eth(deposit0), usdc(deposit0 * 2_000));
    let l = s.ledger();
    assert!(
        l.idle0 < eth(1) / u(1_000_000) && l.idle1 < u(10),
        "all in the pool: {l:?}"
    );
    let p0 = s.oracle_price();
    let s0 = s.pool_state().sqrt_price;
    assert_eq!(s0, p0.sqrt_price_x96(Rounding::Floor));
    let before = s.accounting();
    assert_eq!(before.fees, I256::ZERO);
    s.move_price_to(to);
    let p1 = s.oracle_price();
    let s1 = p1.sqrt_price_x96(Rounding::Floor);
    // the pool sits exactly at the oracle's (floored) sqrt price
    assert_eq!(s.pool_state().sqrt_price, s1);
    let a = s.accounting();
    let hold = hold_at(eth(deposit0), usdc(deposit0 * 2_000), &p1);
    assert_eq!(a.hold, hold);
    // reference 1: il-math's closed form of the position the vault holds
    // (v4's full range for the spacing), from the entry to the exit price
    let position =
        RangePosition::full_range(to_liquidity(l.liquidity).unwrap(), SPACING as i32).unwrap();
    let want = position.il(s0, s1).unwrap();
    assert!(want < I256::ZERO);
    assert_within_1e12(a.il, want);
    // reference 2: the constant-product IL(r) times the hold value now
    let il_wad = il_math::il_between(&p0, &p1).unwrap();
    let r_wad = p0.ratio_wad(&p1, Rounding::Floor).unwrap();
    if (r_wad * u(10)) % il_math::WAD == U256::ZERO {
        // a ratio exact in WAD: the closed form on the ratio agrees
        assert_eq!(il_math::il_from_ratio(r_wad).unwrap(), il_wad);
    }
    let want_cp = il_math::signed_mul_div(il_wad, hold, il_math::WAD, Rounding::Floor).unwrap();
    assert_within_1e12(a.il, want_cp);
    // no fees (a fee-less pool), no hedge
    assert_eq!((a.fees, a.hedgePnl), (I256::ZERO, I256::ZERO));
    assert_eq!(a.pnl, a.il + a.fees + a.hedgePnl);
    assert_eq!(a.pnl, I256::from_raw(a.value) - I256::from_raw(a.hold));
    // Alice's share: the same, less the locked shares' part of the value
    let mine = s.account_of(alice);
    let supply = s.supply();
    assert_eq!(mine.hold, hold);
    let locked_part = a.value * u(il_vault::MINIMUM_SHARES.into()) / supply;
    let diff = (mine.il - want).unsigned_abs();
    assert!(
        diff <= locked_part + u(2) + want.unsigned_abs() / pow10(12),
        "alice il {} vs {want}",
        mine.il
    );
    assert_eq!(mine.pnl, mine.il + mine.fees + mine.hedgePnl);
}

#[test]
fn il_view_matches_il_of_r_for_a_fourfold_rise() {
    // r = 4: IL = -20 % exactly (constant product)
    il_after_move(10_000, 8_000);
}

#[test]
fn il_view_matches_il_of_r_for_a_fall_to_a_quarter() {
    il_after_move(10_000, 500);
}

#[test]
fn il_view_matches_il_of_r_for_a_ratio_of_nine_quarters() {
    // r = 9/4: IL = -1/13, not a finite WAD
    il_after_move(5_000, 4_500);
}

#[test]
fn fee_income_is_the_vaults_share_of_the_swap_fees() {
    let mut s = Sys::new();
    let (alice, bob, vault, pm) = (s.alice, s.bob, s.vault, s.v4.pool_manager);
    s.deposit(alice, eth(100), usdc(200_000));
    let liquidity = s.ledger().liquidity;
    // round trips through the 30 bps pool; each swap's fee is 30 bps of its
    // input, paid pro rata to the liquidity in range (the seeder's and the
    // vault's, as the Swap event reports it): the reference is the vault's
    // part of each
    let mut want = [U256::ZERO; 2];
    let mut out = U256::ZERO;
    for leg in 0..10 {
        let zero_for_one = leg % 2 == 0;
        out = if zero_for_one {
            s.swap(true, eth(50))
        } else {
            s.swap(false, out)
        };
        let e = &s.events_from::<IPoolManager::Swap>(pm)[0];
        let input = if zero_for_one { e.amount0 } else { e.amount1 };
        assert!(input < 0, "the swapper pays its input");
        let fee = U256::from(input.unsigned_abs()) * U256::from(e.fee.to::<u32>()) / u(1_000_000);
        assert_eq!(e.fee.to::<u32>(), 3_000);
        want[usize::from(!zero_for_one)] += fee * liquidity / U256::from(e.liquidity);
    }
    let pos = s.view(s.lens, &ILens::positionCall {});
    // to a unit of rounding per swap (five swaps in each token)
    for (got, want) in [(pos.fees0, want[0]), (pos.fees1, want[1])] {
        assert!(
            got.abs_diff(want) <= u(5),
            "fees {got} vs the vault's part of the swap fees {want}"
        );
    }
    // the feed catches up with the pool (round trips drift the price)
    s.oracle_to_spot();
    let p = s.oracle_price();
    let a = s.accounting();
    // the view credits exactly what the PoolManager owes, at the oracle
    let owed = p.quote(pos.fees0, Rounding::Floor).unwrap() + pos.fees1;
    assert_eq!(a.fees, I256::from_raw(owed));
    assert_eq!(a.pnl, a.il + a.fees + a.hedgePnl);
    // a checkpoint (a deposit) collects exactly that, credits it per share,
    // and the view does not change
    s.deposit(bob, eth(1), usdc(2_000));
    assert_eq!(
        s.events_from::<IVault::FeesCollected>(vault),
        vec![IVault::FeesCollected {
            amount0: pos.fees0,
            amount1: pos.fees1
        }]
    );
    let l = s.ledger();
    assert_eq!(
        (l.acc.fee0_total, l.acc.fee1_total),
        (pos.fees0 * il_math::WAD, pos.fees1 * il_math::WAD)
    );
    let supply_then = s.supply() - s.shares(bob);
    assert_eq!(l.acc.fee0_per_share, pos.fees0 * il_math::WAD / supply_then);
    let after = s.accounting();
    assert_eq!(after.fees, a.fees);
    // nothing is owed now
    let pos = s.view(s.lens, &ILens::positionCall {});
    assert_eq!((pos.fees0, pos.fees1), (U256::ZERO, U256::ZERO));
    // Alice holds all fee credit but the locked shares' (rounded down)
    let mine = s.account_of(alice);
    assert!(
        mine.fees <= a.fees
            && mine.fees * I256::try_from(1_000_000i64).unwrap()
                >= a.fees * I256::try_from(999_999i64).unwrap()
    );
    // Bob, who came after, has none of it
    assert_eq!(s.account_of(bob).fees, I256::ZERO);
}

#[test]
fn hedge_pnl_is_the_change_of_the_venue_equity() {
    let mut s = Sys::new();
    let (alice, vault, venue) = (s.alice, s.vault, s.venue);
    s.deposit(alice, eth(10), usdc(20_000));
    s.keeper_call(&IManager::rebalanceCall {
        targetBps: 7_500,
        amount0Min: U256::ZERO,
        amount1Min: U256::ZERO,
    })
    .unwrap();
    let mut p = s.params();
    p.hedgeRatioBps = 10_000;
    s.set_params(p);
    s.keeper_call(&IManager::hedgeCall {}).unwrap();
    let funded = s.events_from::<IManager::Hedged>(s.manager)[0].collateralAdded;
    // right after opening, the hedge PnL is the trade fee
    let eq0 = s.view(venue, &IHedge::equityOfCall { account: vault });
    let a = s.accounting();
    assert_eq!(a.hedgePnl, eq0 - I256::from_raw(funded));
    assert!(a.hedgePnl < I256::ZERO);
    // the price falls 10 %: the short gains, the LP loses
    s.move_price_to(1_800);
    let eq1 = s.view(venue, &IHedge::equityOfCall { account: vault });
    assert!(eq1 > eq0);
    let a = s.accounting();
    assert_eq!(a.hedgePnl, eq1 - I256::from_raw(funded));
    assert_eq!(a.pnl, a.il + a.fees + a.hedgePnl);
    // the value counts the equity: LP at fair value + idle (with the fees
    // the position is owed) + equity
    let (pool, price, l) = (s.pool_state(), s.oracle_price(), s.ledger());
    let pos = s.view(s.lens, &ILens::positionCall {});
    let value = lp_value(&pool, l.liquidity, &price).unwrap()
        + price.quote(l.idle0 + pos.fees0, Rounding::Floor).unwrap()
        + l.idle1
        + pos.fees1
        + eq1.into_raw();
    assert_eq!(a.value, value);
    // holders' hedge PnL: Alice has all of it but the locked shares' part
    let mine = s.account_of(alice);
    assert!(mine.hedgePnl <= a.hedgePnl && mine.hedgePnl > I256::ZERO);
}

#[test]
fn price_view_reports_the_oracle_and_the_spot_deviation() {
    let mut s = Sys::new();
    let lens = s.lens;
    let p = s.view(lens, &ILens::priceCall {});
    let want = Price::from_oracle(usd(START_PRICE), ORACLE_DECIMALS, DECIMALS0, DECIMALS1).unwrap();
    assert_eq!((p.num, p.den), (want.num(), want.den()));
    assert_eq!(p.updatedAt, u(s.w.timestamp().into()));
    // the pool sits at the oracle's sqrt price rounded down: a hair below
    // it, 1 bps rounded up
    let spot = s.pool_state().spot().unwrap();
    assert_eq!(p.deviationBps, spot.deviation_bps(&want).unwrap());
    assert_eq!(p.deviationBps, u(1));
    s.w.advance(10);
    s.set_answer(usd(2_050));
    let p = s.view(lens, &ILens::priceCall {});
    let oracle = Price::from_oracle(usd(2_050), ORACLE_DECIMALS, DECIMALS0, DECIMALS1).unwrap();
    let spot = s.pool_state().spot().unwrap();
    assert_eq!(p.deviationBps, spot.deviation_bps(&oracle).unwrap());
    // 2000 vs 2050: 2.439 % -> 244 bps, rounded up
    assert_eq!(p.deviationBps, u(244));
    assert_eq!(p.updatedAt, u(s.w.timestamp().into()));
    // a non-positive answer is refused by name
    for bad in [I256::ZERO, -usd(1)] {
        s.set_answer(bad);
        assert_revert(
            s.w.view_sol(lens, &ILens::priceCall {}),
            ILens::LensInvalidPrice { answer: bad },
        );
        assert_revert(
            s.w.view_sol(lens, &ILens::accountingCall {}),
            ILens::LensInvalidPrice { answer: bad },
        );
    }
}

#[test]
fn views_of_an_empty_vault_are_zero() {
    let mut s = Sys::new();
    let a = s.accounting();
    assert_eq!(
        (a.value, a.hold, a.pnl, a.il, a.fees, a.hedgePnl),
        (
            U256::ZERO,
            U256::ZERO,
            I256::ZERO,
            I256::ZERO,
            I256::ZERO,
            I256::ZERO
        )
    );
    let m = s.account_of(s.stranger);
    assert_eq!(
        (m.shares, m.value, m.hold, m.pnl),
        (U256::ZERO, U256::ZERO, U256::ZERO, I256::ZERO)
    );
    let pos = s.view(s.lens, &ILens::positionCall {});
    assert_eq!(
        (pos.liquidity, pos.fees0, pos.fees1),
        (U256::ZERO, U256::ZERO, U256::ZERO)
    );
    // the lens refuses a zero vault or planner at construction
    let zero = alloy_primitives::Address::ZERO;
    for args in [(zero, s.planner), (s.vault, zero)] {
        let err =
            s.w.deploy_entry(
                "il-lens (zero)",
                il_lens::route,
                &alloy_sol_types::SolValue::abi_encode_params(&args),
            )
            .unwrap_err();
        assert_eq!(
            <ILens::LensInvalidAddress as alloy_sol_types::SolError>::abi_decode(&err).unwrap(),
            ILens::LensInvalidAddress { account: zero }
        );
    }
}

#[test]
fn holder_views_sum_to_the_vault_view_for_the_benchmark() {
    let mut s = Sys::new();
    let (alice, bob, carol, vault) = (s.alice, s.bob, s.carol, s.vault);
    s.deposit(alice, eth(10), usdc(20_000));
    s.swap(true, eth(5));
    s.deposit(bob, eth(3), usdc(5_000));
    let bob_shares = s.shares(bob);
    s.ok(
        bob,
        vault,
        &IVault::transferCall {
            to: carol,
            value: bob_shares / u(3),
        },
    );
    s.move_price_to(2_200);
    let a = s.accounting();
    let parts: Vec<_> = [alice, bob, carol]
        .iter()
        .map(|w| s.account_of(*w))
        .collect();
    let l = s.ledger();
    let (h0, h1): (U256, U256) =
        [alice, bob, carol]
            .iter()
            .fold((U256::ZERO, U256::ZERO), |(x, y), w| {
                let h = s.holder(*w);
                (x + h.hold0, y + h.hold1)
            });
    assert_eq!((h0, h1), (l.hold0, l.hold1));
    let value: U256 = parts.iter().map(|p| p.value).sum();
    assert!(value <= a.value);
    for p in &parts {
        assert_eq!(p.pnl, p.il + p.fees + p.hedgePnl);
        assert_eq!(p.pnl, I256::from_raw(p.value) - I256::from_raw(p.hold));
    }
    let fees: I256 = parts.iter().map(|p| p.fees).fold(I256::ZERO, |x, y| x + y);
    assert!(fees <= a.fees);
}

#[test]
fn engine_refuses_malformed_argument_lists() {
    let mut s = Sys::new();
    let engine = s.engine;
    let invalid = il_math::MathError::InvalidInput.code();
    // checkpoint takes ledger[13], pool[3], fees[2], venue[5], supply
    assert_revert(
        s.w.view_sol(
            engine,
            &IEngine::checkpointCall {
                args: vec![U256::ZERO; 23],
            },
        ),
        IEngine::EngineMath { code: invalid },
    );
    // a withdrawal of more shares than the balance: ledger[13], holder[8],
    // pool[3], fees[2], venue[5] (not valued), supply 10, balance 5, shares 6
    let p = s.pool_state();
    let tick = |t: i32| I256::try_from(t).unwrap().into_raw();
    let mut args = vec![U256::ZERO; 13 + 8];
    args.extend([p.sqrt_price, tick(p.tick_lower), tick(p.tick_upper)]);
    args.extend([U256::ZERO; 2 + 5]);
    args.extend([u(10), u(5), u(6)]);
    assert_revert(
        s.w.view_sol(engine, &IEngine::withdrawCall { args: args.clone() }),
        IEngine::EngineMath { code: invalid },
    );
    // the same with 5 shares passes
    let n = args.len();
    args[n - 1] = u(5);
    s.w.view_sol(engine, &IEngine::withdrawCall { args })
        .unwrap();
}

#[test]
fn views_are_priced_at_the_oracle_not_the_spot() {
    let mut s = Sys::with(Setup {
        pool_fee: Some(0),
        ..Setup::default()
    });
    let alice = s.alice;
    s.deposit(alice, eth(100), usdc(200_000));
    let before = s.accounting();
    // a large swap moves the spot ~17 % but not the oracle
    s.swap(true, eth(100));
    let spot = s.pool_state().spot().unwrap();
    assert!(spot.deviation_bps(&s.oracle_price()).unwrap() > u(1_500));
    // on a fee-less pool the swap changes nothing the views price: the
    // position's liquidity is valued at the oracle, not at the spot
    let after = s.accounting();
    assert_eq!(after, before);
    let pos = s.view(s.lens, &ILens::positionCall {});
    assert_eq!((pos.fees0, pos.fees1), (U256::ZERO, U256::ZERO));
}
