//! The audit's venue findings (issue 11) as tests, with the numbers:
//! oracle $2,000 (8 decimals), token0 with 18 decimals, token1 with 6, the
//! house funded with 1,000,000 token1 and the vault short 75 token0 with
//! 29,925 token1 of collateral. Each doc comment gives what the attacker got
//! from the code before the fix (measured with the same steps).

use super::*;

const VAULT: Address = address!("0x00000000000000000000000000000000000000d1");
const EVE: Address = address!("0x00000000000000000000000000000000000000e7");

/// The setting with the default parameters. The vault deposits
/// 30,187.5 and shorts 75 token0 ($150,000): fee 75 (5 bps), spread 75 (5
/// bps) and impact 112.5 (`150,000^2 / (2 * 5,000,000) * 5 %`, the short
/// side's cap being 5x the house), which leaves the 29,925.
fn setting() -> (World, Hedge) {
    let (world, mut hedge) = deploy();
    world.fund_wallet(OWNER, usdc(1_000_000));
    world.vm.set_sender(OWNER);
    hedge.fund(usdc(1_000_000)).unwrap();
    deposit(
        &world,
        &mut hedge,
        VAULT,
        u(30_187_500_000),
        u(30_187_500_000),
    );
    hedge.trade(eth(-750)).unwrap();
    assert_eq!(
        hedge.position_of(VAULT).unwrap(),
        (eth(-750), usdc(29_925), i(-150_000_000_000))
    );
    assert_eq!(last::<Traded>(&world).fee, u(262_500_000));
    assert_eq!(house(&hedge), i(1_000_262_500_000));
    (world, hedge)
}

fn queue(hedge: &mut Hedge, p: [u64; 8]) -> Result<(), HedgeError> {
    let w = Params(p).words();
    hedge.queue_params(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
}

fn held(world: &World) -> I256 {
    I256::try_from(world.balance(world.venue())).unwrap()
}

/// H-2, the trade. Before the fix Eve's 12,000-token0 short opened
/// at $2,000; after the update to $1,900 she closed it (+1,200,000 less
/// 11,400 of fee) and withdrew 3,530,075 token1, everything the venue held,
/// a profit of 1,030,000; the vault's exit then reverted
/// `HedgeInsufficientLiquidity(0, 37,353.75)`. Now the short side may hold
/// only 5x the house's free liquidity: the trade does not open, Eve leaves
/// with what she brought, and the vault's hedge closes and pays its whole
/// equity.
#[test]
fn h2_eve_cannot_drain_the_venue_across_a_known_update() {
    let (world, mut hedge) = setting();
    deposit(&world, &mut hedge, EVE, usdc(2_500_075), usdc(2_500_075));
    assert_eq!(
        hedge.trade(eth(-120_000)),
        Err(HedgeError::from(HedgeOpenInterestCap {
            openInterest: usdc(24_150_000),
            cap: u(5_001_312_500_000),
        }))
    );
    // nor the long after it: the house now owes the vault 7,500
    world.set_answer(usd(1_900));
    assert_eq!(
        hedge.trade(eth(120_000)),
        Err(HedgeError::from(HedgeOpenInterestCap {
            openInterest: usdc(22_800_000),
            cap: u(4_963_812_500_000),
        }))
    );
    hedge.withdraw(usdc(2_500_075), EVE).unwrap();
    assert_eq!(world.balance(EVE), usdc(2_500_075));
    // the vault's short gained 7,500; closing $142,500 costs 71.25
    world.vm.set_sender(VAULT);
    assert_eq!(hedge.exit(WAD, VAULT), Ok(u(37_353_750_000)));
    assert_eq!(world.balance(VAULT), u(37_353_750_000));
    assert_eq!(house(&hedge), i(992_833_750_000));
    assert_eq!(books(&hedge, &[VAULT, EVE]), held(&world));
}

/// H-2, the most Eve can open across the same update ($2,000 -> $1,900, a
/// known 5 % drop): the whole room left under the short side's cap,
/// 2,425.65625 token0. She pays 129,771.65 to open (fee 2,425.66, spread
/// 2,425.66, impact 124,920.34) and 2,304.37 to close, and gains 242,565.63:
/// +110,489.60 token1, paid by the house alone (which keeps 889,772.90).
/// (Her best size is a little smaller, see the next test.) The vault's
/// collateral is never touched: its exit still pays its whole equity. One
/// more wei does not open.
#[test]
fn h2_the_most_eve_can_take_is_bounded_and_paid_by_the_house_alone() {
    let (world, mut hedge) = setting();
    deposit(&world, &mut hedge, EVE, usdc(2_500_075), usdc(2_500_075));
    let most = i(2_425_656_250_000_000_000_000);
    assert_eq!(
        hedge.trade(-most - i(1)),
        Err(HedgeError::from(HedgeOpenInterestCap {
            openInterest: u(5_001_312_500_001),
            cap: u(5_001_312_500_000),
        }))
    );
    assert_eq!(hedge.trade(-most), Ok(-most));
    assert_eq!(last::<Traded>(&world).fee, u(129_771_654_524));
    world.set_answer(usd(1_900));
    assert_eq!(hedge.trade(most), Ok(I256::ZERO));
    let t = last::<Traded>(&world);
    assert_eq!(
        (t.realizedPnl, t.fee),
        (i(242_565_625_000), u(2_304_373_438))
    );
    let collateral = hedge.position_of(EVE).unwrap().1;
    assert_eq!(collateral, u(2_610_564_597_038));
    hedge.withdraw(collateral, EVE).unwrap();
    assert_eq!(world.balance(EVE) - usdc(2_500_075), u(110_489_597_038));
    assert_eq!(house(&hedge), i(889_772_902_962));
    world.vm.set_sender(VAULT);
    assert_eq!(hedge.exit(WAD, VAULT), Ok(u(37_353_750_000)));
    assert_eq!(books(&hedge, &[VAULT, EVE]), held(&world));
}

/// H-2, Eve's best size across the known 5 % drop: the impact grows with the
/// side's open interest, so the best is below the cap, about 2,351.9 token0
/// (scanning the venue's formulas on a 0.01-token0 grid gives 2,351.88 and
/// +110,598.406843): +110,598.41 token1, 11 % of the house; 50 token0
/// either side earns less.
#[test]
fn h2_eve_best_size_across_a_known_5_percent_drop() {
    let best = round_trip(i(-2_351_900_000_000_000_000_000), usd(1_900));
    assert_eq!(best, i(110_598_406_840));
    for other in [
        -2_301_900_000_000_000_000_000_i128,
        -2_401_900_000_000_000_000_000,
    ] {
        assert!(round_trip(i(other), usd(1_900)) < best);
    }
}

/// Eve's profit from opening `size` (signed) at $2,000 and closing it
/// after the oracle moves to `answer`, on top of the setting.
fn round_trip(size: I256, answer: I256) -> I256 {
    let (world, mut hedge) = setting();
    deposit(&world, &mut hedge, EVE, usdc(3_000_000), usdc(3_000_000));
    hedge.trade(size).unwrap();
    world.set_answer(answer);
    hedge.trade(-size).unwrap();
    let collateral = hedge.position_of(EVE).unwrap().1;
    I256::try_from(collateral).unwrap() - I256::try_from(usdc(3_000_000)).unwrap()
}

/// A known update of up to 14 bps never pays, at any size: the round trip
/// costs at least fee + spread + fee = 15 bps of the notional.
#[test]
fn small_known_updates_do_not_pay_at_any_size() {
    for tenths in [1, 10, 100, 1_000, 10_000, 24_000] {
        for bps in [1, 5, 10, 14] {
            // short before a drop, long before a rise
            let drop = round_trip(
                eth(-tenths),
                answer(200_000_000_000 * (10_000 - bps) / 10_000),
            );
            let rise = round_trip(
                eth(tenths),
                answer(200_000_000_000 * (10_000 + bps) / 10_000),
            );
            assert!(drop < I256::ZERO, "{tenths} tenths, -{bps} bps: {drop}");
            assert!(rise < I256::ZERO, "{tenths} tenths, +{bps} bps: {rise}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The same for any size that opens and any update of at most 14 bps.
    #[test]
    fn no_size_profits_from_an_update_of_at_most_14_bps(
        wei in 1_000_000_u128..2_400_000_000_000_000_000_000,
        short in any::<bool>(),
        bps in 0_i128..=14,
    ) {
        let size = if short { -i(wei as i128) } else { i(wei as i128) };
        let moved = if short { 10_000 - bps } else { 10_000 + bps };
        let profit = round_trip(size, answer(200_000_000_000 * moved / 10_000));
        prop_assert!(profit <= I256::ZERO, "{size} across {bps} bps: {profit}");
    }
}

/// M-4, the parameters. Before the fix `setParams(500, 10_000,
/// 9_999, 9_998, 3_600)` applied at once and `liquidate(vault)` paid the
/// owner the vault's whole 29,925 as penalty. Now they are out of bounds;
/// the harshest parameters within bounds only queue, apply two days later
/// at the earliest, and even then leave the vault (equity 19.95 % of its
/// notional) above the highest maintenance margin, 10 %.
#[test]
fn m4_the_owner_cannot_seize_the_vault_collateral() {
    let (world, mut hedge) = setting();
    world.vm.set_sender(OWNER);
    let invalid = Err(HedgeError::from(HedgeInvalidParameter {}));
    assert_eq!(
        queue(
            &mut hedge,
            [500, 10_000, 9_999, 9_998, 3_600, 500, 50_000, 2_000]
        ),
        invalid
    );
    let harshest = [3_000, 5_000, 1_000, 200, 90_000, 10_000, 100_000, 1_000];
    assert_eq!(queue(&mut hedge, harshest), Ok(()));
    let eta = T0 + PARAMS_DELAY;
    assert_eq!(
        hedge.liquidate(VAULT),
        Err(HedgeError::from(HedgeNotLiquidatable {
            equity: i(29_925_000_000),
            maintenance: usdc(7_500),
        }))
    );
    world.vm.set_block_timestamp(eta - 1);
    assert_eq!(
        hedge.apply_params(),
        Err(HedgeError::from(HedgeParamsNotReady {
            eta: u(eta.into()),
            now: u((eta - 1).into()),
        }))
    );
    world.vm.set_block_timestamp(eta);
    world.set_answer(usd(2_000));
    world.vm.set_sender(STRANGER);
    hedge.apply_params().unwrap();
    assert_eq!(params(&hedge), harshest);
    assert_eq!(
        hedge.liquidate(VAULT),
        Err(HedgeError::from(HedgeNotLiquidatable {
            equity: i(29_925_000_000),
            maintenance: usdc(15_000),
        }))
    );
    assert_eq!(hedge.position_of(VAULT).unwrap().1, usdc(29_925));
}

/// M-4, holders leave first: Bob and Carol hold 10 token0 long with equity
/// a little under 10 % of the notional after a 1 % drop, safe at today's
/// 5 % maintenance margin, liquidatable at 10 %. While the owner's change to
/// 10 % waits, nobody can liquidate them and Bob exits with his equity less
/// the close fee; Carol stays and is liquidatable once it applies.
#[test]
fn m4_holders_can_leave_before_a_queued_change_applies() {
    let (world, mut hedge) = setting();
    for who in [BOB, CAROL] {
        deposit(&world, &mut hedge, who, usdc(2_100), usdc(2_100));
        hedge.trade(eth(100)).unwrap();
    }
    world.set_answer(usd(1_980));
    world.vm.set_sender(OWNER);
    let mut stricter = Params::DEFAULT.0;
    (stricter[IM], stricter[MM]) = (2_000, 1_000);
    queue(&mut hedge, stricter).unwrap();
    world.vm.set_sender(STRANGER);
    for who in [BOB, CAROL] {
        assert!(is::<HedgeNotLiquidatable>(
            &hedge.liquidate(who).unwrap_err()
        ));
    }
    let equity = hedge.equity_of(BOB).unwrap();
    // at 10 % of 19,800 he would be liquidatable; at 5 % he is not
    assert!(
        equity < i(1_980_000_000) && equity > i(990_000_000),
        "{equity}"
    );
    world.vm.set_sender(BOB);
    let paid = hedge.exit(WAD, BOB).unwrap();
    // closing $19,800 costs 9.9
    assert_eq!(I256::try_from(paid).unwrap(), equity - i(9_900_000));
    world.vm.set_block_timestamp(T0 + PARAMS_DELAY);
    world.set_answer(usd(1_980));
    hedge.apply_params().unwrap();
    world.vm.set_sender(STRANGER);
    assert!(hedge.liquidate(CAROL).unwrap() > U256::ZERO);
    assert_eq!(hedge.position_of(CAROL).unwrap().0, I256::ZERO);
}

/// M-4, the price age. Before the fix `setParams(..., maxPriceAge = 60)`
/// applied at once and the vault's exit 61 s after the last answer reverted
/// `HedgeStalePrice`. Now the age cannot go below 25 h (a feed with a 24 h
/// heartbeat, the longest of Chainlink's standard feeds, plus an hour), so
/// a live feed never looks stale to the venue.
#[test]
fn m4_max_price_age_cannot_block_withdrawals() {
    let (world, mut hedge) = setting();
    world.vm.set_sender(OWNER);
    let mut p = Params::DEFAULT.0;
    for (age, ok) in [
        (60, false),
        (MIN_MAX_PRICE_AGE - 1, false),
        (MIN_MAX_PRICE_AGE, true),
    ] {
        p[MAX_AGE] = age;
        assert_eq!(queue(&mut hedge, p).is_ok(), ok, "{age}");
    }
    // 61 s after the answer, as in the issue: the exit goes through
    world.vm.set_block_timestamp(T0 + 61);
    world.vm.set_sender(VAULT);
    assert!(hedge.exit(WAD / u(2), VAULT).unwrap() > U256::ZERO);
    // with the floor in force, a heartbeat answer is fresh for 25 h
    world.vm.set_block_timestamp(T0 + PARAMS_DELAY);
    hedge.apply_params().unwrap();
    assert_eq!(params(&hedge)[MAX_AGE], MIN_MAX_PRICE_AGE);
    world.set_answer(usd(2_000));
    world
        .vm
        .set_block_timestamp(T0 + PARAMS_DELAY + 86_400 + 3_599);
    assert!(hedge.exit(WAD, VAULT).unwrap() > U256::ZERO);
    assert_eq!(
        hedge.position_of(VAULT).unwrap(),
        (I256::ZERO, U256::ZERO, I256::ZERO)
    );
}
