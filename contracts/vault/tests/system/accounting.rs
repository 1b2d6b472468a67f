//! IL accounting through the lens: after a fee-less price move by `r` the IL
//! view is IL(r) times the hold value (il-math's exact IL as the reference,
//! within 1e-12 relative); with fees, fee income is the sqrt(k) growth
//! credited to the vault's pool shares; hedge PnL is the venue equity's
//! change; `pnl = il + fees + hedgePnl` exactly; and the lens's `price`.

use alloy_primitives::{I256, U256};
use il_math::{
    Price, Rounding,
    vault::{PoolState, growth, liquidity_value},
};

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

/// A fee-less pool, Alice's deposit at its ratio (all in the pool), then an
/// exact swap moving the spot by `(num/den)^2` with the oracle set to the
/// same price; checks the IL view against IL(r) * hold.
fn il_after_move(deposit0: u64, num: u64, den: u64) {
    let mut s = Sys::with(Setup {
        pool_fee: 0,
        ..Setup::default()
    });
    let alice = s.alice;
    s.deposit(alice, eth(deposit0), usdc(deposit0 * 2_000));
    let l = s.ledger();
    assert_eq!(
        (l.idle0, l.idle1),
        (U256::ZERO, U256::ZERO),
        "all in the pool"
    );
    let p0 = s.oracle_price();
    let before = s.accounting();
    assert_eq!(before.fees, I256::ZERO);
    let (r0, r1) = s.move_spot_exact(num, den);
    // the oracle follows the spot exactly
    let p1 = Price::from_reserves(r0, r1).unwrap();
    let answer = p1.num()
        * pow10(u32::from(ORACLE_DECIMALS) + u32::from(DECIMALS0) - u32::from(DECIMALS1))
        / p1.den();
    s.set_answer(I256::from_raw(answer));
    assert_eq!(s.oracle_price().cmp_price(&p1), std::cmp::Ordering::Equal);
    let a = s.accounting();
    // the reference: il-math's exact IL of the ratio, times the hold value now
    let hold = hold_at(eth(deposit0), usdc(deposit0 * 2_000), &p1);
    assert_eq!(a.hold, hold);
    let il_wad = il_math::il_between(&p0, &p1).unwrap();
    let r_wad = p0.ratio_wad(&p1, Rounding::Floor).unwrap();
    if (r_wad * u(10)) % il_math::WAD == U256::ZERO {
        // a ratio exact in WAD: the closed form on the ratio agrees
        assert_eq!(il_math::il_from_ratio(r_wad).unwrap(), il_wad);
    }
    let want = il_math::signed_mul_div(il_wad, hold, il_math::WAD, Rounding::Floor).unwrap();
    assert!(want < I256::ZERO);
    assert_within_1e12(a.il, want);
    // no fees (growth unchanged by a k-preserving swap), no hedge
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
    // r = 4: IL = -20 % exactly
    il_after_move(10_000, 2, 1);
}

#[test]
fn il_view_matches_il_of_r_for_a_fall_to_a_quarter() {
    il_after_move(10_000, 1, 2);
}

#[test]
fn il_view_matches_il_of_r_for_a_ratio_of_nine_quarters() {
    // r = 9/4: IL = -1/13, not a finite WAD
    il_after_move(5_000, 3, 2);
}

#[test]
fn fee_income_is_the_sqrt_k_growth_of_the_vaults_pool_shares() {
    let mut s = Sys::new();
    let alice = s.alice;
    s.deposit(alice, eth(100), usdc(200_000));
    let lp = s.ledger().lp;
    let g0 = s.ledger().growth_last;
    let pool0 = s.pool_state();
    // round trips through the 30 bps pool: the price comes back, k grows
    for _ in 0..5 {
        s.swap(true, eth(50));
        let got1 = s.balance1(s.trader);
        s.swap(false, got1);
    }
    let pool1 = s.pool_state();
    assert_eq!(pool1.supply, pool0.supply);
    let g1 = growth(&pool1).unwrap();
    assert!(g1 > g0);
    // the oracle at the spot the swaps left
    let spot = Price::from_reserves(pool1.reserve0, pool1.reserve1).unwrap();
    let answer = spot.num() * pow10(20) / spot.den();
    s.set_answer(I256::from_raw(answer));
    let p = s.oracle_price();
    let a = s.accounting();
    // exactly what the accumulator credits: lp * dg liquidity at 2 sqrt(P)
    let fee_liquidity = lp * (g1 - g0);
    assert_eq!(
        a.fees,
        I256::from_raw(liquidity_value(fee_liquidity, &p).unwrap())
    );
    // and that is the vault's share of the sqrt(k) growth (wide reference)
    let sqrt_k = |q: &PoolState| il_math::sqrt_product(q.reserve0, q.reserve1, Rounding::Floor);
    let dl = (sqrt_k(&pool1) - sqrt_k(&pool0)) * lp / pool1.supply;
    let reference = liquidity_value(dl * il_math::WAD, &p).unwrap();
    let fees = a.fees.into_raw();
    let diff = if fees > reference {
        fees - reference
    } else {
        reference - fees
    };
    assert!(
        diff * pow10(9) <= reference,
        "fees {fees} vs sqrt(k) growth {reference}"
    );
    assert_eq!(a.pnl, a.il + a.fees + a.hedgePnl);
    // a checkpoint (a deposit) stores the accrual; the view does not change
    s.deposit(s.bob, eth(1), usdc(2_000));
    let l = s.ledger();
    assert_eq!(l.acc.fee_total, fee_liquidity);
    assert_eq!(l.growth_last, g1);
    let after = s.accounting();
    assert!(after.fees >= a.fees);
    // Alice holds all fee credit but the locked shares' (rounded down)
    let mine = s.account_of(alice);
    assert!(
        mine.fees <= a.fees
            && mine.fees * I256::try_from(1_000_000i64).unwrap()
                >= a.fees * I256::try_from(999_999i64).unwrap()
    );
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
    // the value counts the equity: LP at fair value + idle + equity
    let (pool, price, l) = (s.pool_state(), s.oracle_price(), s.ledger());
    let value = il_math::vault::lp_value(&pool, l.lp, &price).unwrap()
        + price.quote(l.idle0, Rounding::Floor).unwrap()
        + l.idle1
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
    assert_eq!(p.deviationBps, U256::ZERO);
    s.w.advance(10);
    s.set_answer(usd(2_050));
    let p = s.view(lens, &ILens::priceCall {});
    let oracle = Price::from_oracle(usd(2_050), ORACLE_DECIMALS, DECIMALS0, DECIMALS1).unwrap();
    let pool = s.pool_state();
    let spot = Price::from_reserves(pool.reserve0, pool.reserve1).unwrap();
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
    // the lens refuses a zero vault at construction
    let err =
        s.w.deploy_entry(
            "il-lens (zero)",
            il_lens::route,
            &alloy_sol_types::SolValue::abi_encode_params(&(alloy_primitives::Address::ZERO,)),
        )
        .unwrap_err();
    assert_eq!(
        <ILens::LensInvalidAddress as alloy_sol_types::SolError>::abi_decode(&err).unwrap(),
        ILens::LensInvalidAddress {
            account: alloy_primitives::Address::ZERO
        }
    );
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
    assert_revert(
        s.w.view_sol(
            engine,
            &IEngine::checkpointCall {
                args: vec![U256::ZERO; 15],
            },
        ),
        IEngine::EngineMath { code: invalid },
    );
    // a withdrawal of more shares than the balance
    let mut args = vec![U256::ZERO; 12 + 6];
    args.extend([u(1), u(1), u(1), U256::ZERO, u(10), u(5), u(6)]);
    assert_revert(
        s.w.view_sol(engine, &IEngine::withdrawCall { args }),
        IEngine::EngineMath { code: invalid },
    );
}

#[test]
fn preview_deposit_reports_the_engines_refusal_on_an_empty_pool() {
    let mut s = Sys::with(Setup {
        seed_pool: false,
        ..Setup::default()
    });
    let (lens, engine) = (s.lens, s.engine);
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
    assert_eq!(failed.target, engine);
    assert_eq!(
        <IEngine::EngineMath as alloy_sol_types::SolError>::abi_decode(&failed.reason).unwrap(),
        IEngine::EngineMath {
            code: il_math::MathError::ZeroPrice.code()
        }
    );
}

#[test]
fn views_are_priced_at_the_oracle_not_the_spot() {
    let mut s = Sys::with(Setup {
        pool_fee: 0,
        ..Setup::default()
    });
    let alice = s.alice;
    s.deposit(alice, eth(100), usdc(200_000));
    let before = s.accounting();
    // a large swap moves the spot ~20 % but not the oracle
    s.swap(true, eth(100));
    let p = s.pool_state();
    let spot = Price::from_reserves(p.reserve0, p.reserve1).unwrap();
    assert!(spot.deviation_bps(&s.oracle_price()).unwrap() > u(1_500));
    let after = s.accounting();
    assert_eq!(after.hold, before.hold);
    // the fair value moved only by the sqrt(k) growth of the swap's rounding
    // (which the fee view counts), to the unit of rounding
    let moved = I256::from_raw(after.value) - I256::from_raw(before.value);
    let fees = after.fees - before.fees;
    assert!(
        (moved - fees).unsigned_abs() <= u(2),
        "value moved {moved}, fees {fees}"
    );
    assert!(moved.unsigned_abs() < usdc(1));
}
