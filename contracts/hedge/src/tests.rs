// Test code: plain operators on values chosen not to wrap.
#![allow(clippy::arithmetic_side_effects)]

mod audit;
mod params;
mod transfer;
mod world;

use alloy_primitives::{Address, I256, U256, address};
use alloy_sol_types::{SolError, SolEvent};
use il_common::ownable::{OwnableInvalidOwner, OwnableUnauthorizedAccount, OwnershipTransferred};
use proptest::prelude::*;
use world::{ORACLE, Round, TOKEN, TokenMode, World};

use super::*;

const OWNER: Address = address!("0x00000000000000000000000000000000000000a1");
const ALICE: Address = address!("0x00000000000000000000000000000000000000b2");
const BOB: Address = address!("0x00000000000000000000000000000000000000b3");
const CAROL: Address = address!("0x00000000000000000000000000000000000000b4");
const STRANGER: Address = address!("0x00000000000000000000000000000000000000e5");
/// Funds the house in the mechanics tests.
const FUNDER: Address = address!("0x00000000000000000000000000000000000000a9");
/// What `market()` puts in the house: 1,000,000 USDC.
const HOUSE: u128 = 1_000_000;
/// The oldest usable oracle answer by default (25 h).
const AGE: u64 = DEFAULT_MAX_PRICE_AGE;
const T0: u64 = 1_700_000_000;
/// ETH/USD answer with 8 decimals: 2000.00000000.
const ETH_2000: i128 = 2_000 * 100_000_000;
/// Price denominator for an 8-decimals feed, 18-decimals base, 6-decimals
/// collateral: 10^(8 + 18 - 6).
const DEN: u128 = 100_000_000_000_000_000_000;
const ONE_ETH: i128 = 1_000_000_000_000_000_000;

fn usdc(units: u128) -> U256 {
    U256::from(units * 1_000_000)
}

fn u(v: u128) -> U256 {
    U256::from(v)
}

fn i(v: i128) -> I256 {
    I256::try_from(v).unwrap()
}

fn eth(tenths: i128) -> I256 {
    i(tenths * ONE_ETH / 10)
}

/// An 8-decimals oracle answer, raw.
fn answer(a: i128) -> I256 {
    i(a)
}

/// An 8-decimals oracle answer of `dollars` USD per ETH.
fn usd(dollars: i128) -> I256 {
    i(dollars * 100_000_000)
}

fn deploy() -> (World, Hedge) {
    let world = World::new(T0, ETH_2000);
    let mut hedge = Hedge::from(&world);
    hedge.constructor(TOKEN, ORACLE, 18, 6, OWNER).unwrap();
    (world, hedge)
}

/// `who` gets `wallet` USDC (raw) and deposits `deposit` of it.
fn deposit(world: &World, hedge: &mut Hedge, who: Address, wallet: U256, deposit: U256) {
    world.fund_wallet(who, wallet);
    world.vm.set_sender(who);
    hedge.deposit(deposit).unwrap();
}

fn events<E: SolEvent>(world: &World) -> Vec<E> {
    world
        .vm
        .get_emitted_logs()
        .iter()
        .filter(|(t, _)| t.first() == Some(&E::SIGNATURE_HASH))
        .map(|(t, d)| E::decode_raw_log(t.iter().copied(), d).unwrap())
        .collect()
}

fn last<E: SolEvent>(world: &World) -> E {
    events::<E>(world).pop().expect("event emitted")
}

/// Whether `e` is the named error `E`.
fn is<E: SolError>(e: &HedgeError) -> bool {
    e.0.get(..4) == Some(&E::SELECTOR[..])
}

fn unauthorized(account: Address) -> HedgeError {
    HedgeError::from(OwnableUnauthorizedAccount { account })
}

fn house(hedge: &Hedge) -> I256 {
    hedge.house().unwrap()
}

/// The parameters in force, by the `Params` indexes.
fn params(hedge: &Hedge) -> [u64; 8] {
    hedge.params().unwrap().0.map(|w| w.to::<u64>())
}

/// Puts `p` in force at once, bypassing the queue (which `params.rs`
/// tests): for set-ups only, and only with valid parameters.
fn force_params(hedge: &mut Hedge, p: [u64; 8]) {
    let p = Params(p);
    assert!(p.is_valid(), "{p:?}");
    hedge.store_params(&p);
}

/// A venue whose house holds `HOUSE` USDC, with no spread or impact and a
/// cover of 100 % (a side may hold the house's free liquidity in
/// notional). The mechanics tests below (fees, margins, PnL, exits,
/// liquidation) keep their hand-computed figures this way; the charges
/// and the cap have their own tests (`audit.rs`, `market/tests.rs`).
fn market() -> (World, Hedge) {
    let (world, mut hedge) = deploy();
    let mut p = Params::DEFAULT.0;
    (p[SPREAD], p[IMPACT], p[COVER]) = (0, 0, 10_000);
    force_params(&mut hedge, p);
    world.fund_wallet(FUNDER, usdc(HOUSE));
    world.vm.set_sender(FUNDER);
    hedge.fund(usdc(HOUSE)).unwrap();
    (world, hedge)
}

/// The house of `market()` plus `x` (raw).
fn h(x: i128) -> I256 {
    I256::try_from(usdc(HOUSE)).unwrap() + i(x)
}

/// The books: every account's collateral plus the house.
fn books(hedge: &Hedge, accounts: &[Address]) -> I256 {
    let sum: U256 = accounts
        .iter()
        .map(|a| hedge.position_of(*a).unwrap().1)
        .fold(U256::ZERO, |s, c| s + c);
    // the venue's own total agrees with the sum over the accounts
    assert_eq!(hedge.totals_now().collateral, sum);
    I256::try_from(sum).unwrap() + house(hedge)
}

// ---------------------------------------------------------------- constructor

#[test]
fn constructor_sets_token_oracle_decimals_owner_and_default_params() {
    let (world, hedge) = deploy();
    assert_eq!(
        (hedge.collateral_token(), hedge.oracle()),
        (Ok(TOKEN), Ok(ORACLE))
    );
    assert_eq!(hedge.owner().unwrap(), OWNER);
    assert_eq!(params(&hedge), Params::DEFAULT.0);
    assert_eq!(
        Params::DEFAULT.0,
        [500, 1_000, 500, 100, 90_000, 500, 50_000, 2_000]
    );
    assert_eq!(hedge.pending_params().unwrap(), Words([U256::ZERO; 9]));
    // 2000 USD per ETH = 2000e6 USDC raw per 1e18 wei = 2000e8 / 1e20, exactly
    assert_eq!(
        hedge.mark_price(),
        Ok((u(ETH_2000 as u128), u(DEN), u(T0.into())))
    );
    assert_eq!(
        last::<ParamsUpdated>(&world),
        ParamsUpdated {
            tradeFeePips: 500,
            initialMarginBps: 1_000,
            maintenanceMarginBps: 500,
            liquidationPenaltyBps: 100,
            maxPriceAge: 90_000,
            spreadPips: 500,
            impactPips: 50_000,
            coverBps: 2_000,
        }
    );
    assert_eq!(
        last::<OwnershipTransferred>(&world),
        OwnershipTransferred {
            previousOwner: Address::ZERO,
            newOwner: OWNER
        }
    );
    assert_eq!(house(&hedge), I256::ZERO);
}

#[test]
fn constructor_refuses_zero_addresses_and_a_zero_owner() {
    let world = World::new(T0, ETH_2000);
    for (token, oracle) in [(Address::ZERO, ORACLE), (TOKEN, Address::ZERO)] {
        let mut hedge = Hedge::from(&world);
        assert_eq!(
            hedge.constructor(token, oracle, 18, 6, OWNER),
            Err(HedgeError::from(HedgeZeroAddress {}))
        );
    }
    let mut hedge = Hedge::from(&world);
    assert_eq!(
        hedge.constructor(TOKEN, ORACLE, 18, 6, Address::ZERO),
        Err(HedgeError::from(OwnableInvalidOwner {
            owner: Address::ZERO
        }))
    );
}

#[test]
fn constructor_needs_an_oracle_that_answers_decimals() {
    let world = World::new(T0, ETH_2000);
    world.set_oracle_reverts(true);
    let mut hedge = Hedge::from(&world);
    assert_eq!(
        hedge.constructor(TOKEN, ORACLE, 18, 6, OWNER),
        Err(HedgeError::from(HedgeOracleUnavailable { oracle: ORACLE }))
    );
}

#[test]
fn constructor_refuses_decimals_above_36() {
    for (oracle_decimals, base, collateral) in [(37, 18, 6), (8, 37, 6), (8, 18, 37)] {
        let world = World::new(T0, ETH_2000);
        world.set_oracle_decimals(oracle_decimals);
        let mut hedge = Hedge::from(&world);
        assert_eq!(
            hedge.constructor(TOKEN, ORACLE, base, collateral, OWNER),
            Err(HedgeError::from(HedgeInvalidParameter {})),
            "{oracle_decimals} {base} {collateral}"
        );
    }
    // 36 everywhere is accepted
    let world = World::new(T0, ETH_2000);
    world.set_oracle_decimals(36);
    let mut hedge = Hedge::from(&world);
    assert_eq!(hedge.constructor(TOKEN, ORACLE, 36, 36, OWNER), Ok(()));
}

// -------------------------------------------------------- deposit / withdraw

#[test]
fn deposit_pulls_collateral_and_credits_the_caller() {
    let (world, mut hedge) = deploy();
    deposit(&world, &mut hedge, ALICE, usdc(1_000), usdc(600));
    assert_eq!(world.balance(ALICE), usdc(400));
    assert_eq!(world.balance(world.venue()), usdc(600));
    assert_eq!(
        hedge.position_of(ALICE).unwrap(),
        (I256::ZERO, usdc(600), I256::ZERO)
    );
    assert_eq!(
        last::<Deposited>(&world),
        Deposited {
            account: ALICE,
            amount: usdc(600)
        }
    );
}

#[test]
fn deposit_refuses_zero_and_failed_transfers() {
    let (world, mut hedge) = deploy();
    world.vm.set_sender(ALICE);
    assert_eq!(
        hedge.deposit(U256::ZERO),
        Err(HedgeError::from(HedgeZeroAmount {}))
    );
    let failed = Err(HedgeError::from(HedgeTransferFailed { token: TOKEN }));
    // no tokens / no allowance: the token reverts
    assert_eq!(hedge.deposit(usdc(1)), failed);
    world.fund_wallet(ALICE, usdc(10));
    world.approve_venue(ALICE, usdc(1) - u(1));
    assert_eq!(hedge.deposit(usdc(1)), failed);
    world.approve_venue(ALICE, usdc(10));
    world.set_token_mode(TokenMode::ReturnsFalse);
    assert_eq!(hedge.deposit(usdc(1)), failed);
    world.set_token_mode(TokenMode::Reverts);
    assert_eq!(hedge.deposit(usdc(1)), failed);
    assert_eq!(
        hedge.position_of(ALICE).unwrap(),
        (I256::ZERO, U256::ZERO, I256::ZERO)
    );
    assert!(events::<Deposited>(&world).is_empty());
}

#[test]
fn withdraw_without_a_position_reads_no_price() {
    let (world, mut hedge) = deploy();
    deposit(&world, &mut hedge, ALICE, usdc(600), usdc(600));
    world.set_oracle_reverts(true);
    hedge.withdraw(usdc(200), BOB).unwrap();
    assert_eq!(world.balance(BOB), usdc(200));
    assert_eq!(hedge.position_of(ALICE).unwrap().1, usdc(400));
    assert_eq!(
        last::<Withdrawn>(&world),
        Withdrawn {
            account: ALICE,
            to: BOB,
            amount: usdc(200)
        }
    );
}

#[test]
fn withdraw_refuses_bad_arguments_and_failed_transfers() {
    let (world, mut hedge) = deploy();
    deposit(&world, &mut hedge, ALICE, usdc(600), usdc(600));
    assert_eq!(
        hedge.withdraw(U256::ZERO, BOB),
        Err(HedgeError::from(HedgeZeroAmount {}))
    );
    assert_eq!(
        hedge.withdraw(u(1), Address::ZERO),
        Err(HedgeError::from(HedgeZeroAddress {}))
    );
    assert_eq!(
        hedge.withdraw(usdc(600) + u(1), BOB),
        Err(HedgeError::from(HedgeInsufficientCollateral {
            available: usdc(600),
            needed: usdc(600) + u(1),
        }))
    );
    world.set_token_mode(TokenMode::ReturnsFalse);
    assert_eq!(
        hedge.withdraw(usdc(1), BOB),
        Err(HedgeError::from(HedgeTransferFailed { token: TOKEN }))
    );
}

#[test]
fn withdraw_keeps_the_initial_margin_exactly() {
    let (world, mut hedge) = market();
    deposit(&world, &mut hedge, ALICE, usdc(1_000), usdc(1_000));
    // long 1 ETH at 2000: fee 5 bps of 2000 = 1, so collateral 999 and equity 999
    hedge.trade(eth(10)).unwrap();
    assert_eq!(
        hedge.equity_of(ALICE),
        Ok(I256::try_from(usdc(999)).unwrap())
    );
    assert_eq!(hedge.margin_of(ALICE), Ok((usdc(200), usdc(100))));
    assert_eq!(
        hedge.withdraw(usdc(799) + u(1), BOB),
        Err(HedgeError::from(HedgeInsufficientMargin {
            equity: I256::try_from(usdc(200) - u(1)).unwrap(),
            required: usdc(200),
        }))
    );
    hedge.withdraw(usdc(799), BOB).unwrap();
    assert_eq!(
        hedge.position_of(ALICE).unwrap(),
        (eth(10), usdc(200), I256::try_from(usdc(2_000)).unwrap())
    );
    // with a position the price is read: a stale one blocks the withdrawal
    world.vm.set_block_timestamp(T0 + AGE + 1);
    assert_eq!(
        hedge.withdraw(u(1), BOB),
        Err(HedgeError::from(HedgeStalePrice {
            updatedAt: u(T0.into()),
            now: u((T0 + AGE + 1).into())
        }))
    );
}

#[test]
fn a_profit_is_paid_by_the_house_alone_and_an_unpaid_one_stays_in_the_position() {
    let (world, mut hedge) = deploy();
    let mut p = Params::DEFAULT.0;
    (p[SPREAD], p[IMPACT], p[COVER]) = (0, 0, 10_000);
    force_params(&mut hedge, p);
    world.fund_wallet(FUNDER, usdc(4_000));
    world.vm.set_sender(FUNDER);
    hedge.fund(usdc(2_000)).unwrap();
    deposit(&world, &mut hedge, BOB, usdc(1_000), usdc(1_000));
    deposit(&world, &mut hedge, ALICE, usdc(1_000), usdc(1_000));
    // long 1 ETH at 2000, fee 1: the house holds 2001
    hedge.trade(eth(10)).unwrap();
    world.set_answer(usd(5_000));
    let before = hedge.position_of(ALICE).unwrap();
    // closing realises +3000 less a fee of 2.5: more than the house holds
    assert_eq!(
        hedge.trade(eth(-10)),
        Err(HedgeError::from(HedgeInsufficientLiquidity {
            available: usdc(2_001),
            needed: usdc(2_997) + u(500_000),
        }))
    );
    assert_eq!(
        hedge.exit(WAD, ALICE),
        Err(HedgeError::from(HedgeInsufficientLiquidity {
            available: usdc(2_001),
            needed: usdc(2_997) + u(500_000),
        }))
    );
    // the unpaid profit stays unrealised in the position
    assert_eq!(hedge.position_of(ALICE).unwrap(), before);
    assert_eq!(hedge.equity_of(ALICE), Ok(i(3_999_000_000)));
    // Bob's collateral never pays it: he withdraws all of it
    world.vm.set_sender(BOB);
    hedge.withdraw(usdc(1_000), BOB).unwrap();
    assert_eq!(world.balance(BOB), usdc(1_000));
    // half fits: +1500 less a fee of 1.25
    world.vm.set_sender(ALICE);
    assert_eq!(hedge.trade(eth(-5)), Ok(eth(5)));
    assert_eq!(house(&hedge), i(2_001_000_000 - 1_498_750_000));
    // once the house is funded, the rest
    world.vm.set_sender(FUNDER);
    hedge.fund(usdc(2_000)).unwrap();
    world.vm.set_sender(ALICE);
    assert_eq!(hedge.trade(eth(-5)), Ok(I256::ZERO));
    let collateral = u(999_000_000 + 2 * 1_498_750_000);
    assert_eq!(
        hedge.position_of(ALICE).unwrap(),
        (I256::ZERO, collateral, I256::ZERO)
    );
    hedge.withdraw(collateral, ALICE).unwrap();
    assert_eq!(
        books(&hedge, &[ALICE, BOB]),
        I256::try_from(world.balance(world.venue())).unwrap()
    );
    assert_eq!(house(&hedge), i(4_001_000_000 - 2 * 1_498_750_000));
}

// ----------------------------------------------------------------------- trade

#[test]
fn trade_opens_at_the_mark_and_charges_the_fee() {
    let (world, mut hedge) = market();
    deposit(&world, &mut hedge, ALICE, usdc(1_000), usdc(1_000));
    assert_eq!(hedge.trade(eth(-5)), Ok(eth(-5)));
    // short 0.5 ETH at 2000: entry -1000, fee 5 bps of 1000 = 0.5
    assert_eq!(
        hedge.position_of(ALICE).unwrap(),
        (
            eth(-5),
            usdc(1_000) - u(500_000),
            I256::try_from(usdc(1_000)).unwrap().wrapping_neg()
        )
    );
    assert_eq!(
        last::<Traded>(&world),
        Traded {
            account: ALICE,
            sizeDelta: eth(-5),
            newSize: eth(-5),
            priceNum: u(ETH_2000 as u128),
            priceDen: u(DEN),
            fee: u(500_000),
            realizedPnl: I256::ZERO,
        }
    );
    assert_eq!(house(&hedge), h(500_000));
    assert_eq!(
        hedge.trade(I256::ZERO),
        Err(HedgeError::from(HedgeZeroAmount {}))
    );
}

#[test]
fn opening_needs_the_initial_margin_exactly() {
    let (world, mut hedge) = market();
    // 1 ETH at 2000: fee 1, initial margin 200; equity after = deposit - 1
    deposit(&world, &mut hedge, ALICE, usdc(1_000), usdc(201) - u(1));
    assert_eq!(
        hedge.trade(eth(10)),
        Err(HedgeError::from(HedgeInsufficientMargin {
            equity: I256::try_from(usdc(200) - u(1)).unwrap(),
            required: usdc(200),
        }))
    );
    assert_eq!(hedge.position_of(ALICE).unwrap().0, I256::ZERO);
    hedge.deposit(u(1)).unwrap();
    assert_eq!(hedge.trade(eth(10)), Ok(eth(10)));
    // a deposit too small for the fee of an opening trade
    deposit(&world, &mut hedge, BOB, usdc(1), u(999_999));
    assert_eq!(
        hedge.trade(eth(10)),
        Err(HedgeError::from(HedgeInsufficientCollateral {
            available: u(999_999),
            needed: usdc(1),
        }))
    );
}

#[test]
fn reducing_is_never_blocked_by_margin_and_realises_pro_rata() {
    let (world, mut hedge) = market();
    deposit(&world, &mut hedge, ALICE, usdc(201), usdc(201));
    hedge.trade(eth(10)).unwrap();
    world.set_answer(usd(1_850));
    // equity 200 - 150 = 50: below the initial (185) and maintenance (92.5) margins
    assert_eq!(
        hedge.equity_of(ALICE),
        Ok(I256::try_from(usdc(50)).unwrap())
    );
    assert_eq!(
        hedge.trade(eth(1)),
        Err(HedgeError::from(HedgeInsufficientMargin {
            equity: I256::try_from(usdc(50) - u(92_500)).unwrap(),
            required: usdc(185) + u(18_500_000),
        }))
    );
    assert_eq!(hedge.trade(eth(-5)), Ok(eth(5)));
    // half closed: -75 realised, fee 5 bps of 925 = 0.4625
    let t = last::<Traded>(&world);
    assert_eq!((t.realizedPnl, t.fee), (i(-75_000_000), u(462_500)));
    assert_eq!(
        hedge.position_of(ALICE).unwrap(),
        (
            eth(5),
            usdc(200) - usdc(75) - u(462_500),
            I256::try_from(usdc(1_000)).unwrap()
        )
    );
}

#[test]
fn the_oracle_is_checked_on_every_use() {
    let (world, mut hedge) = market();
    deposit(&world, &mut hedge, ALICE, usdc(1_000), usdc(1_000));
    for bad in [I256::ZERO, i(-5)] {
        world.set_answer(bad);
        assert_eq!(
            hedge.mark_price(),
            Err(HedgeError::from(HedgeInvalidPrice { answer: bad }))
        );
        assert_eq!(
            hedge.trade(eth(1)),
            Err(HedgeError::from(HedgeInvalidPrice { answer: bad }))
        );
    }
    let now = T0 + 200_000;
    world.vm.set_block_timestamp(now);
    let round = |updated_at: u64, round_id: u64, answered_in_round: u64| Round {
        round_id,
        answer: i(ETH_2000),
        updated_at,
        answered_in_round,
    };
    let stale = |updated_at: u64| {
        HedgeError::from(HedgeStalePrice {
            updatedAt: u(updated_at.into()),
            now: u(now.into()),
        })
    };
    // exactly max age is fresh, one second more is stale
    world.set_round(round(now - AGE, 7, 7));
    assert_eq!(
        hedge.mark_price(),
        Ok((u(ETH_2000 as u128), u(DEN), u((now - AGE).into())))
    );
    world.set_round(round(now - AGE - 1, 7, 7));
    assert_eq!(hedge.mark_price(), Err(stale(now - AGE - 1)));
    assert_eq!(hedge.trade(eth(1)), Err(stale(now - AGE - 1)));
    // never updated, or from the future
    world.set_round(round(0, 7, 7));
    assert_eq!(hedge.mark_price(), Err(stale(0)));
    world.set_round(round(now + 1, 7, 7));
    assert_eq!(hedge.mark_price(), Err(stale(now + 1)));
    // answer carried over from an earlier round
    world.set_round(round(now, 7, 6));
    assert_eq!(
        hedge.mark_price(),
        Err(HedgeError::from(HedgeIncompleteRound {
            roundId: u(7),
            answeredInRound: u(6),
        }))
    );
    world.set_round(round(now, 7, 8));
    assert!(hedge.mark_price().is_ok());
    world.set_oracle_reverts(true);
    assert_eq!(
        hedge.trade(eth(1)),
        Err(HedgeError::from(HedgeOracleUnavailable { oracle: ORACLE }))
    );
    assert_eq!(
        hedge.position_of(ALICE).unwrap(),
        (I256::ZERO, usdc(1_000), I256::ZERO)
    );
}

#[test]
fn a_close_beyond_the_collateral_is_bad_debt_for_the_house() {
    let (world, mut hedge) = market();
    deposit(&world, &mut hedge, ALICE, usdc(201), usdc(201));
    hedge.trade(eth(10)).unwrap();
    world.set_answer(usd(1_500));
    // loss 500 against 200 collateral: the fee finds nothing left
    assert_eq!(hedge.trade(eth(-10)), Ok(I256::ZERO));
    assert_eq!(
        last::<BadDebt>(&world),
        BadDebt {
            account: ALICE,
            amount: usdc(300)
        }
    );
    let t = last::<Traded>(&world);
    assert_eq!(
        (t.realizedPnl, t.fee),
        (
            I256::try_from(usdc(500)).unwrap().wrapping_neg(),
            U256::ZERO
        )
    );
    assert_eq!(
        hedge.position_of(ALICE).unwrap(),
        (I256::ZERO, U256::ZERO, I256::ZERO)
    );
    // the house got the opening fee and the 200 collateral
    assert_eq!(house(&hedge), h(201_000_000));
    assert_eq!(
        books(&hedge, &[ALICE]),
        I256::try_from(world.balance(world.venue())).unwrap()
    );
}

// ------------------------------------------------------------------------ exit

#[test]
fn exit_refuses_fractions_outside_zero_to_one_and_a_zero_receiver() {
    let (world, mut hedge) = market();
    deposit(&world, &mut hedge, ALICE, usdc(10), usdc(10));
    for f in [U256::ZERO, WAD + u(1), U256::MAX] {
        assert_eq!(
            hedge.exit(f, BOB),
            Err(HedgeError::from(HedgeInvalidFraction { fractionWad: f }))
        );
    }
    assert_eq!(
        hedge.exit(WAD, Address::ZERO),
        Err(HedgeError::from(HedgeZeroAddress {}))
    );
}

#[test]
fn exit_of_everything_closes_and_pays_the_whole_equity() {
    let (world, mut hedge) = market();
    deposit(&world, &mut hedge, ALICE, usdc(1_000), usdc(1_000));
    hedge.trade(eth(10)).unwrap();
    world.set_answer(usd(2_100));
    // +100 realised, fee 5 bps of 2100 = 1.05: equity 999 + 100 - 1.05
    let paid = usdc(1_098) - u(50_000);
    assert_eq!(hedge.exit(WAD, BOB), Ok(paid));
    assert_eq!(world.balance(BOB), paid);
    assert_eq!(
        hedge.position_of(ALICE).unwrap(),
        (I256::ZERO, U256::ZERO, I256::ZERO)
    );
    let t = last::<Traded>(&world);
    assert_eq!(
        (t.sizeDelta, t.newSize, t.fee, t.realizedPnl),
        (eth(-10), I256::ZERO, u(1_050_000), i(100_000_000))
    );
    assert_eq!(
        last::<Exited>(&world),
        Exited {
            account: ALICE,
            to: BOB,
            fractionWad: WAD,
            paid
        }
    );
    assert_eq!(
        books(&hedge, &[ALICE]),
        I256::try_from(world.balance(world.venue())).unwrap()
    );
}

#[test]
fn exit_of_a_fraction_pays_that_fraction_of_the_equity() {
    let (world, mut hedge) = market();
    deposit(&world, &mut hedge, ALICE, usdc(1_000), usdc(1_000));
    hedge.trade(eth(10)).unwrap();
    world.set_answer(usd(2_100));
    // close half: +50, fee 0.525; collateral 1048.475, open half worth +50: equity 1098.475
    assert_eq!(hedge.exit(WAD / u(2), BOB), Ok(u(549_237_500)));
    assert_eq!(
        hedge.position_of(ALICE).unwrap(),
        (
            eth(5),
            u(1_048_475_000 - 549_237_500),
            I256::try_from(usdc(1_000)).unwrap()
        )
    );
    assert_eq!(hedge.equity_of(ALICE), Ok(i(549_237_500)));
}

#[test]
fn exit_without_a_position_pays_the_fraction_of_collateral_and_reads_no_price() {
    let (world, mut hedge) = market();
    deposit(&world, &mut hedge, ALICE, usdc(1_000), usdc(1_000));
    world.set_oracle_reverts(true);
    assert_eq!(hedge.exit(WAD / u(3), BOB), Ok(u(333_333_333)));
    assert_eq!(world.balance(BOB), u(333_333_333));
    assert!(events::<Traded>(&world).is_empty());
    // nothing at all: pays nothing, still reports the exit
    world.vm.set_sender(CAROL);
    assert_eq!(hedge.exit(WAD, BOB), Ok(U256::ZERO));
    assert_eq!(
        last::<Exited>(&world),
        Exited {
            account: CAROL,
            to: BOB,
            fractionWad: WAD,
            paid: U256::ZERO
        }
    );
}

#[test]
fn exit_is_limited_by_the_house_and_writes_nothing_when_refused() {
    let (world, mut hedge) = deploy();
    let mut p = Params::DEFAULT.0;
    (p[SPREAD], p[IMPACT], p[COVER]) = (0, 0, 10_000);
    force_params(&mut hedge, p);
    world.fund_wallet(FUNDER, usdc(2_000));
    world.vm.set_sender(FUNDER);
    hedge.fund(usdc(2_000)).unwrap();
    deposit(&world, &mut hedge, ALICE, usdc(1_000), usdc(1_000));
    hedge.trade(eth(10)).unwrap();
    world.set_answer(usd(5_000));
    let before = hedge.position_of(ALICE).unwrap();
    // closing all realises +3000 less 2.5: the house holds 2001
    assert_eq!(
        hedge.exit(WAD, BOB),
        Err(HedgeError::from(HedgeInsufficientLiquidity {
            available: usdc(2_001),
            needed: usdc(2_997) + u(500_000),
        }))
    );
    assert_eq!(hedge.position_of(ALICE).unwrap(), before);
    assert_eq!(world.balance(BOB), U256::ZERO);
    // half fits: +1500 less 1.25 realised, then half of the equity left,
    // (999 + 1498.75 + 1500) / 2
    assert_eq!(hedge.exit(WAD / u(2), BOB), Ok(u(1_998_875_000)));
    assert_eq!(world.balance(BOB), u(1_998_875_000));
}

// ------------------------------------------------------------------ liquidate

/// Alice: 200 collateral after a 1-ETH long at 2000 (entry 2000).
fn leveraged_alice() -> (World, Hedge) {
    let (world, mut hedge) = market();
    deposit(&world, &mut hedge, ALICE, usdc(201), usdc(201));
    hedge.trade(eth(10)).unwrap();
    (world, hedge)
}

#[test]
fn liquidation_needs_equity_below_maintenance_margin() {
    let (world, mut hedge) = leveraged_alice();
    world.vm.set_sender(CAROL);
    // at 1894.736843: equity 94.736843 == maintenance ceil(5 % of 1894.736843)
    world.set_answer(answer(189_473_684_300));
    assert_eq!(
        hedge.liquidate(ALICE),
        Err(HedgeError::from(HedgeNotLiquidatable {
            equity: i(94_736_843),
            maintenance: u(94_736_843),
        }))
    );
    // one micro-dollar lower it is liquidatable
    world.set_answer(answer(189_473_684_200));
    assert_eq!(hedge.liquidate(ALICE), Ok(u(18_947_369)));
    // loss 105.263158 from 200; penalty ceil(1 % of 1894.736842)
    assert_eq!(
        hedge.position_of(ALICE).unwrap(),
        (I256::ZERO, u(94_736_842 - 18_947_369), I256::ZERO)
    );
    assert_eq!(
        hedge.position_of(CAROL).unwrap(),
        (I256::ZERO, u(18_947_369), I256::ZERO)
    );
    assert_eq!(
        last::<Liquidated>(&world),
        Liquidated {
            account: ALICE,
            liquidator: CAROL,
            size: eth(10),
            priceNum: u(189_473_684_200),
            priceDen: u(DEN),
            realizedPnl: i(-105_263_158),
            penalty: u(18_947_369),
        }
    );
    assert!(events::<BadDebt>(&world).is_empty());
    assert_eq!(house(&hedge), h(1_000_000 + 105_263_158));
    assert_eq!(
        books(&hedge, &[ALICE, CAROL]),
        I256::try_from(world.balance(world.venue())).unwrap()
    );
    // the liquidator withdraws the penalty like any collateral
    hedge.withdraw(u(18_947_369), CAROL).unwrap();
    assert_eq!(world.balance(CAROL), u(18_947_369));
}

#[test]
fn liquidation_under_water_writes_off_bad_debt_and_pays_no_penalty() {
    let (world, mut hedge) = leveraged_alice();
    world.set_answer(usd(1_500));
    world.vm.set_sender(CAROL);
    assert_eq!(hedge.liquidate(ALICE), Ok(U256::ZERO));
    assert_eq!(
        last::<BadDebt>(&world),
        BadDebt {
            account: ALICE,
            amount: usdc(300)
        }
    );
    assert_eq!(
        hedge.position_of(ALICE).unwrap(),
        (I256::ZERO, U256::ZERO, I256::ZERO)
    );
    assert_eq!(house(&hedge), h(201_000_000));
}

#[test]
fn liquidation_refuses_flat_accounts_and_stale_prices() {
    let (world, mut hedge) = leveraged_alice();
    deposit(&world, &mut hedge, BOB, usdc(5), usdc(5));
    assert_eq!(
        hedge.liquidate(BOB),
        Err(HedgeError::from(HedgeNotLiquidatable {
            equity: I256::try_from(usdc(5)).unwrap(),
            maintenance: U256::ZERO,
        }))
    );
    world.set_answer(usd(1_500));
    world.vm.set_block_timestamp(T0 + AGE + 1);
    assert_eq!(
        hedge.liquidate(ALICE),
        Err(HedgeError::from(HedgeStalePrice {
            updatedAt: u(T0.into()),
            now: u((T0 + AGE + 1).into())
        }))
    );
}

// ------------------------------------------------------------- fund / defund

#[test]
fn anyone_funds_the_house() {
    let (world, mut hedge) = deploy();
    world.fund_wallet(STRANGER, usdc(50));
    world.vm.set_sender(STRANGER);
    hedge.fund(usdc(50)).unwrap();
    assert_eq!(house(&hedge), I256::try_from(usdc(50)).unwrap());
    assert_eq!(world.balance(world.venue()), usdc(50));
    assert_eq!(
        last::<Funded>(&world),
        Funded {
            from: STRANGER,
            amount: usdc(50)
        }
    );
    assert_eq!(
        hedge.fund(U256::ZERO),
        Err(HedgeError::from(HedgeZeroAmount {}))
    );
    assert_eq!(
        hedge.fund(u(1)),
        Err(HedgeError::from(HedgeTransferFailed { token: TOKEN }))
    );
}

#[test]
fn only_the_owner_defunds() {
    let (world, mut hedge) = deploy();
    world.fund_wallet(STRANGER, usdc(50));
    world.vm.set_sender(STRANGER);
    hedge.fund(usdc(50)).unwrap();
    assert_eq!(hedge.defund(usdc(1), STRANGER), Err(unauthorized(STRANGER)));
    world.vm.set_sender(OWNER);
    hedge.defund(usdc(20), CAROL).unwrap();
    assert_eq!(world.balance(CAROL), usdc(20));
    assert_eq!(house(&hedge), I256::try_from(usdc(30)).unwrap());
    assert_eq!(
        last::<Defunded>(&world),
        Defunded {
            to: CAROL,
            amount: usdc(20)
        }
    );
    assert_eq!(
        hedge.defund(U256::ZERO, CAROL),
        Err(HedgeError::from(HedgeZeroAmount {}))
    );
    assert_eq!(
        hedge.defund(u(1), Address::ZERO),
        Err(HedgeError::from(HedgeZeroAddress {}))
    );
    assert_eq!(
        hedge.defund(usdc(30) + u(1), CAROL),
        Err(HedgeError::from(HedgeInsufficientLiquidity {
            available: usdc(30),
            needed: usdc(30) + u(1),
        }))
    );
}

#[test]
fn defund_keeps_what_the_house_owes_each_side_and_the_cover_of_the_larger() {
    let (world, mut hedge) = deploy();
    // no charges; the default cover: the house covers a 20 % move
    let mut p = Params::DEFAULT.0;
    (p[SPREAD], p[IMPACT]) = (0, 0);
    force_params(&mut hedge, p);
    world.fund_wallet(OWNER, usdc(1_000));
    world.vm.set_sender(OWNER);
    hedge.fund(usdc(1_000)).unwrap();
    deposit(&world, &mut hedge, ALICE, usdc(1_000), usdc(1_000));
    hedge.trade(eth(10)).unwrap();
    let refused = |free: U256| {
        Err(HedgeError::from(HedgeInsufficientLiquidity {
            available: free,
            needed: free + u(1),
        }))
    };
    // house 1001; at 2300 the house owes Alice 300, and 20 % of 2300 is 460
    world.set_answer(usd(2_300));
    world.vm.set_sender(OWNER);
    assert_eq!(hedge.defund(usdc(241) + u(1), OWNER), refused(usdc(241)));
    // at 1900 Alice is down 100: owed nothing, cover 380
    world.set_answer(usd(1_900));
    assert_eq!(hedge.defund(usdc(621) + u(1), OWNER), refused(usdc(621)));
    // Bob shorts 0.5 at 1900 (fee 0.475). At 1800 he is up 50 while Alice is
    // down 200: the house owes the short side 50 whatever the long side lost
    deposit(&world, &mut hedge, BOB, usdc(1_000), usdc(1_000));
    hedge.trade(eth(-5)).unwrap();
    world.set_answer(usd(1_800));
    world.vm.set_sender(OWNER);
    let free = u(1_001_475_000 - 50_000_000 - 360_000_000);
    assert_eq!(hedge.defund(free + u(1), OWNER), refused(free));
    hedge.defund(free, OWNER).unwrap();
    assert_eq!(house(&hedge), i(410_000_000));
    // the price is read when there is open interest
    world.vm.set_block_timestamp(world.now() + AGE + 1);
    assert!(is::<HedgeStalePrice>(
        &hedge.defund(u(1), OWNER).unwrap_err()
    ));
}

// ------------------------------------------------------------ owner settings

#[test]
fn ownership_moves_in_two_steps_and_carries_the_privileges() {
    let (world, mut hedge) = deploy();
    world.vm.set_sender(STRANGER);
    assert_eq!(
        hedge.transfer_ownership(STRANGER),
        Err(unauthorized(STRANGER))
    );
    world.vm.set_sender(OWNER);
    hedge.transfer_ownership(BOB).unwrap();
    assert_eq!(hedge.pending_owner().unwrap(), BOB);
    world.vm.set_sender(STRANGER);
    assert_eq!(hedge.accept_ownership(), Err(unauthorized(STRANGER)));
    world.vm.set_sender(BOB);
    hedge.accept_ownership().unwrap();
    assert_eq!(hedge.owner().unwrap(), BOB);
    let w = Params::DEFAULT.words();
    let queue =
        |hedge: &mut Hedge| hedge.queue_params(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
    assert_eq!(queue(&mut hedge), Ok(()));
    world.vm.set_sender(OWNER);
    assert_eq!(queue(&mut hedge), Err(unauthorized(OWNER)));
    assert_eq!(hedge.cancel_params(), Err(unauthorized(OWNER)));
    assert_eq!(hedge.defund(u(1), OWNER), Err(unauthorized(OWNER)));
}

// ---------------------------------------------------------------------- views

#[test]
fn views_without_a_position_read_no_price() {
    let (world, mut hedge) = deploy();
    deposit(&world, &mut hedge, ALICE, usdc(7), usdc(7));
    world.set_oracle_reverts(true);
    assert_eq!(hedge.equity_of(ALICE), Ok(I256::try_from(usdc(7)).unwrap()));
    assert_eq!(hedge.margin_of(ALICE), Ok((U256::ZERO, U256::ZERO)));
    assert_eq!(
        hedge.mark_price(),
        Err(HedgeError::from(HedgeOracleUnavailable { oracle: ORACLE }))
    );
}

#[test]
fn equity_and_margins_follow_the_mark() {
    let (world, hedge) = leveraged_alice();
    world.set_answer(usd(2_200));
    assert_eq!(
        hedge.equity_of(ALICE),
        Ok(I256::try_from(usdc(400)).unwrap())
    );
    assert_eq!(hedge.margin_of(ALICE), Ok((usdc(220), usdc(110))));
    world.vm.set_block_timestamp(T0 + AGE + 1);
    assert!(is::<HedgeStalePrice>(&hedge.equity_of(ALICE).unwrap_err()));
    assert!(is::<HedgeStalePrice>(&hedge.margin_of(ALICE).unwrap_err()));
}

#[test]
fn math_errors_carry_the_il_math_code() {
    assert_eq!(
        HedgeError::from(MathError::Overflow),
        HedgeError::from(HedgeMathError { code: 2 })
    );
    assert_eq!(
        HedgeError::from(MathError::DecimalsOutOfRange),
        HedgeError::from(HedgeMathError { code: 6 })
    );
}

#[test]
fn compact_error_encoding_matches_alloy() {
    fn check<E: SolError + Clone>(e: E)
    where
        HedgeError: From<E>,
    {
        assert_eq!(HedgeError::from(e.clone()), HedgeError::standard(&e));
    }
    check(OwnableUnauthorizedAccount { account: ALICE });
    check(OwnableInvalidOwner { owner: ALICE });
    check(HedgeZeroAmount {});
    check(HedgeZeroAddress {});
    check(HedgeInvalidParameter {});
    check(HedgeInvalidFraction { fractionWad: WAD });
    check(HedgeInvalidPrice { answer: i(-3) });
    check(HedgeStalePrice {
        updatedAt: u(1),
        now: u(2),
    });
    check(HedgeIncompleteRound {
        roundId: u(3),
        answeredInRound: u(2),
    });
    check(HedgeOracleUnavailable { oracle: ORACLE });
    check(HedgeTransferFailed { token: TOKEN });
    check(HedgeInsufficientCollateral {
        available: u(1),
        needed: u(2),
    });
    check(HedgeInsufficientMargin {
        equity: i(-1),
        required: u(2),
    });
    check(HedgeInsufficientLiquidity {
        available: u(1),
        needed: u(2),
    });
    check(HedgeOpenInterestCap {
        openInterest: u(3),
        cap: u(2),
    });
    check(HedgeNoPendingParams {});
    check(HedgeParamsNotReady {
        eta: u(5),
        now: u(4),
    });
    check(HedgeSelfTransfer {});
    check(HedgeNothingToTransfer {});
    check(HedgeTransferNotApproved {
        from: ALICE,
        to: BOB,
    });
    check(HedgeOppositePosition {
        receiverSize: i(-1),
        movedSize: i(2),
    });
    check(HedgeNotLiquidatable {
        equity: i(5),
        maintenance: u(6),
    });
    check(HedgeMathError { code: 2 });
}

// ---------------------------------------------------------------- properties

#[derive(Clone, Debug)]
enum Op {
    Deposit(usize, u128),
    /// Withdraw this many permille of the collateral (above 1000: too much).
    Withdraw(usize, u128),
    Trade(usize, i128),
    Exit(usize, u128),
    Liquidate(usize, usize),
    Fund(usize, u128),
    /// Defund this many permille of the house (above 1000: too much).
    Defund(u128),
    /// `transferPosition(fraction, to)` from the first to the second.
    Transfer(usize, usize, u128),
    /// The first accepts positions from the second (`None`: from nobody).
    SetSender(usize, Option<usize>),
    /// The owner queues parameter set `n` of `PARAM_SETS` (the last one is
    /// out of bounds).
    Queue(usize),
    Apply,
    Cancel,
    /// New answer: the old one times (1000 + permille) / 1000.
    Price(i32),
    Wait(u64),
}

const TRADERS: [Address; 3] = [ALICE, BOB, CAROL];

/// Parameter sets the property test queues: the defaults, the tightest
/// bounds everywhere, the loosest, and one out of bounds.
const PARAM_SETS: [[u64; 8]; 4] = [
    [500, 1_000, 500, 100, 90_000, 500, 50_000, 2_000],
    [3_000, 5_000, 1_000, 200, 90_000, 10_000, 100_000, 1_000],
    [0, 200, 100, 0, 604_800, 0, 0, 10_000],
    [500, 1_000, 500, 100, 60, 500, 50_000, 2_000],
];

fn op() -> impl Strategy<Value = Op> {
    let who = 0..TRADERS.len();
    prop_oneof![
        2 => (who.clone(), 1_u128..2_000_000_000).prop_map(|(w, a)| Op::Deposit(w, a)),
        1 => (who.clone(), 0_u128..1_100).prop_map(|(w, p)| Op::Withdraw(w, p)),
        5 => (who.clone(), -2 * ONE_ETH..2 * ONE_ETH).prop_map(|(w, d)| Op::Trade(w, d)),
        1 => (who.clone(), 0_u128..1_100_000_000_000_000_000).prop_map(|(w, f)| Op::Exit(w, f)),
        2 => (who.clone(), who.clone()).prop_map(|(l, a)| Op::Liquidate(l, a)),
        1 => (who.clone(), 1_u128..2_000_000_000).prop_map(|(w, a)| Op::Fund(w, a)),
        1 => (0_u128..1_100).prop_map(Op::Defund),
        2 => (who.clone(), who.clone(), 0_u128..1_100_000_000_000_000_000)
            .prop_map(|(f, t, x)| Op::Transfer(f, t, x)),
        1 => (who.clone(), proptest::option::of(who)).prop_map(|(a, s)| Op::SetSender(a, s)),
        1 => (0..PARAM_SETS.len()).prop_map(Op::Queue),
        1 => Just(Op::Apply),
        1 => Just(Op::Cancel),
        3 => (-300_i32..300).prop_map(Op::Price),
        1 => (0_u64..200_000).prop_map(Op::Wait),
    ]
}

type Snapshot = (Vec<(I256, U256, I256)>, I256, Vec<U256>, Words<8>, Words<9>);

fn snapshot(world: &World, hedge: &Hedge) -> Snapshot {
    let mut wallets: Vec<U256> = TRADERS.iter().map(|a| world.balance(*a)).collect();
    wallets.push(world.balance(OWNER));
    wallets.push(world.balance(world.venue()));
    (
        TRADERS
            .iter()
            .map(|a| hedge.position_of(*a).unwrap())
            .collect(),
        house(hedge),
        wallets,
        hedge.params().unwrap(),
        hedge.pending_params().unwrap(),
    )
}

/// The book as the accounts add up: long size, short size (magnitude),
/// long entry, short entry.
fn book_of(hedge: &Hedge, accounts: &[Address]) -> Book {
    let mut book = Book::default();
    for a in accounts {
        let (size, collateral, entry) = hedge.position_of(*a).unwrap();
        book.count(
            &Position {
                collateral,
                size,
                entry,
            },
            true,
        )
        .unwrap();
    }
    book
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever happens (trades, price moves, exits, liquidations, bad debt,
    /// funding, position transfers, parameter changes), the books equal the
    /// tokens the venue holds, exactly; the house never goes below zero, so
    /// the tokens always cover every account's collateral; a refused call
    /// changes nothing; a flat account has no entry notional; the book's
    /// sides are the sums over the accounts; a transfer conserves every sum.
    #[test]
    fn books_always_equal_the_tokens_held(ops in proptest::collection::vec(op(), 1..40)) {
        let (world, mut hedge) = deploy();
        for who in TRADERS {
            world.fund_wallet(who, usdc(1_000_000));
        }
        world.fund_wallet(OWNER, usdc(1_000_000));
        world.vm.set_sender(OWNER);
        hedge.fund(usdc(5_000)).unwrap();
        for who in TRADERS {
            world.vm.set_sender(who);
            hedge.deposit(usdc(600)).unwrap();
        }
        let mut accounts = TRADERS.to_vec();
        accounts.push(OWNER);
        for op in ops {
            let before = snapshot(&world, &hedge);
            let book_before = book_of(&hedge, &accounts);
            let result = match op.clone() {
                Op::Deposit(w, a) => { world.vm.set_sender(TRADERS[w]); hedge.deposit(u(a)).err() }
                Op::Withdraw(w, p) => {
                    world.vm.set_sender(TRADERS[w]);
                    let amount = hedge.position_of(TRADERS[w]).unwrap().1 * u(p) / u(1_000);
                    hedge.withdraw(amount, TRADERS[w]).err()
                }
                Op::Trade(w, d) => { world.vm.set_sender(TRADERS[w]); hedge.trade(i(d)).err() }
                Op::Exit(w, f) => { world.vm.set_sender(TRADERS[w]); hedge.exit(u(f), TRADERS[w]).err() }
                Op::Liquidate(l, a) => { world.vm.set_sender(TRADERS[l]); hedge.liquidate(TRADERS[a]).err() }
                Op::Fund(w, a) => { world.vm.set_sender(TRADERS[w]); hedge.fund(u(a)).err() }
                Op::Defund(p) => {
                    world.vm.set_sender(OWNER);
                    let amount = house(&hedge).max(I256::ZERO).unsigned_abs() * u(p) / u(1_000);
                    hedge.defund(amount, OWNER).err()
                }
                Op::Transfer(f, t, x) => {
                    world.vm.set_sender(TRADERS[f]);
                    let err = hedge.transfer_position(u(x), TRADERS[t]).err();
                    if err.is_none() {
                        // sums over the accounts are conserved exactly
                        let after = book_of(&hedge, &accounts);
                        prop_assert_eq!(after, book_before);
                    }
                    err
                }
                Op::SetSender(a, s) => {
                    world.vm.set_sender(TRADERS[a]);
                    hedge.set_position_sender(s.map_or(Address::ZERO, |s| TRADERS[s])).err()
                }
                Op::Queue(n) => {
                    world.vm.set_sender(OWNER);
                    let w = Params(PARAM_SETS[n]).words();
                    let r = hedge.queue_params(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
                    prop_assert_eq!(r.is_ok(), n + 1 < PARAM_SETS.len());
                    r.err()
                }
                Op::Apply => { world.vm.set_sender(CAROL); hedge.apply_params().err() }
                Op::Cancel => { world.vm.set_sender(OWNER); hedge.cancel_params().err() }
                Op::Price(permille) => {
                    let old = world.round().answer;
                    let new = old * i(1_000 + permille as i128) / i(1_000);
                    world.set_answer(new.max(i(1)));
                    None
                }
                Op::Wait(s) => { world.vm.set_block_timestamp(world.now() + s); None }
            };
            if let Some(err) = &result {
                prop_assert_eq!(&snapshot(&world, &hedge), &before, "{:?} failed with {:?} but changed state", op, err);
                prop_assert!(
                    !is::<HedgeMathError>(err) && !is::<HedgeTransferFailed>(err),
                    "{:?}: unexpected {:?}", op, err
                );
            }
            let held = I256::try_from(world.balance(world.venue())).unwrap();
            prop_assert_eq!(books(&hedge, &accounts), held, "after {:?}", op);
            prop_assert!(!house(&hedge).is_negative(), "house {} after {:?}", house(&hedge), op);
            for a in &accounts {
                let (size, _, entry) = hedge.position_of(*a).unwrap();
                prop_assert!(!size.is_zero() || entry.is_zero(), "flat account with entry {entry}");
            }
            prop_assert_eq!(hedge.totals_now().book, book_of(&hedge, &accounts));
            prop_assert!(Params::from_words(&hedge.params().unwrap().0).is_valid());
        }
    }
}

// --------------------------------------------------------------------- router

/// Calls the contract through its entrypoint, with alloy's encoding.
fn route_call(world: &World, data: Vec<u8>) -> Result<Vec<u8>, Vec<u8>> {
    route(
        data,
        stylus_sdk::host::VM {
            host: Box::new(world.clone()),
        },
    )
}

#[test]
fn the_router_dispatches_every_selector_with_its_arguments() {
    use IHedge::*;
    use alloy_sol_types::{SolCall, SolValue};
    use il_common::{
        ownable::IOwnable,
        router::{AlreadyInitialized, CONSTRUCTOR_SELECTOR, NotPayable, UnknownSelector},
    };

    let world = World::new(T0, ETH_2000);
    let mut ctor = CONSTRUCTOR_SELECTOR.to_vec();
    // uint8 arguments encode as words
    ctor.extend((TOKEN, ORACLE, u(18), u(6), OWNER).abi_encode_params());
    assert_eq!(route_call(&world, ctor.clone()), Ok(vec![]));
    assert_eq!(
        route_call(&world, ctor),
        Err(AlreadyInitialized {}.abi_encode())
    );

    macro_rules! call {
        ($call:expr) => {{
            let call = $call;
            let out = route_call(&world, call.abi_encode()).expect("call succeeds");
            decode_returns(&call, &out)
        }};
    }
    fn decode_returns<C: SolCall>(_: &C, out: &[u8]) -> C::Return {
        C::abi_decode_returns_validate(out).unwrap()
    }

    world.fund_wallet(OWNER, usdc(HOUSE + 10));
    world.vm.set_sender(OWNER);
    call!(fundCall {
        amount: usdc(HOUSE)
    });
    world.fund_wallet(ALICE, usdc(1_000));
    world.vm.set_sender(ALICE);
    call!(depositCall {
        amount: usdc(1_000)
    });
    // the defaults: fee 1, spread 1, impact 2000 * 2000 / 1,000,000 * 0.5 %
    // = 0.02
    assert_eq!(call!(tradeCall { sizeDelta: eth(10) }), eth(10));
    let p = call!(positionOfCall { account: ALICE });
    assert_eq!(
        (p.size, p.collateral, p.entryNotional),
        (
            eth(10),
            u(997_980_000),
            I256::try_from(usdc(2_000)).unwrap()
        )
    );
    assert_eq!(call!(equityOfCall { account: ALICE }), i(997_980_000));
    let m = call!(marginOfCall { account: ALICE });
    assert_eq!((m.initial, m.maintenance), (usdc(200), usdc(100)));
    let mp = call!(markPriceCall {});
    assert_eq!(
        (mp.num, mp.den, mp.updatedAt),
        (u(ETH_2000 as u128), u(DEN), u(T0.into()))
    );
    assert_eq!(call!(houseCall {}), h(2_020_000));
    let ps = call!(paramsCall {});
    assert_eq!(
        (
            ps.tradeFeePips,
            ps.initialMarginBps,
            ps.maintenanceMarginBps,
            ps.liquidationPenaltyBps,
            ps.maxPriceAge,
            ps.spreadPips,
            ps.impactPips,
            ps.coverBps
        ),
        (500, 1_000, 500, 100, 90_000, 500, 50_000, 2_000)
    );
    assert_eq!(call!(collateralTokenCall {}), TOKEN);
    assert_eq!(call!(oracleCall {}), ORACLE);
    // exit(fraction, to) and withdraw(amount, to) take their arguments in order
    // closing half pays the fee only (0.5): half of 997.48
    assert_eq!(
        call!(exitCall {
            fractionWad: WAD / u(2),
            to: BOB
        }),
        u(498_740_000)
    );
    assert_eq!(world.balance(BOB), u(498_740_000));
    call!(withdrawCall {
        amount: u(1),
        to: CAROL
    });
    assert_eq!(world.balance(CAROL), u(1));
    // a named error comes back as its revert data
    assert_eq!(
        route_call(&world, liquidateCall { account: ALICE }.abi_encode()),
        Err(HedgeError::from(HedgeNotLiquidatable {
            equity: i(498_739_999),
            maintenance: usdc(50)
        })
        .0)
    );
    // transferPosition(fraction, to) to an account that accepts the sender
    world.vm.set_sender(STRANGER);
    call!(setPositionSenderCall { sender: ALICE });
    assert_eq!(call!(positionSenderOfCall { account: STRANGER }), ALICE);
    world.vm.set_sender(ALICE);
    call!(transferPositionCall {
        fractionWad: WAD / u(2),
        to: STRANGER
    });
    let p = call!(positionOfCall { account: STRANGER });
    assert_eq!(
        (p.size, p.collateral, p.entryNotional),
        (eth(10) / i(4), u(249_369_999), i(500_000_000))
    );
    world.vm.set_sender(OWNER);
    call!(fundCall { amount: usdc(10) });
    call!(defundCall {
        amount: usdc(3),
        to: CAROL
    });
    assert_eq!(world.balance(CAROL), usdc(3) + u(1));
    // queueParams(...8) -> pendingParams; cancelParams; applyParams after the delay
    let queued = queueParamsCall {
        tradeFeePips: 3_000,
        initialMarginBps: 5_000,
        maintenanceMarginBps: 1_000,
        liquidationPenaltyBps: 200,
        maxPriceAge: 604_800,
        spreadPips: 10_000,
        impactPips: 100_000,
        coverBps: 1_000,
    };
    call!(queued.clone());
    let q = call!(pendingParamsCall {});
    assert_eq!(
        (
            q.tradeFeePips,
            q.initialMarginBps,
            q.maintenanceMarginBps,
            q.liquidationPenaltyBps,
            q.maxPriceAge,
            q.spreadPips,
            q.impactPips,
            q.coverBps,
            q.eta
        ),
        (
            3_000,
            5_000,
            1_000,
            200,
            604_800,
            10_000,
            100_000,
            1_000,
            T0 + PARAMS_DELAY
        )
    );
    call!(cancelParamsCall {});
    assert_eq!(call!(pendingParamsCall {}).eta, 0);
    call!(queued);
    world.vm.set_block_timestamp(T0 + PARAMS_DELAY);
    world.vm.set_sender(STRANGER);
    call!(applyParamsCall {});
    assert_eq!(
        params(&Hedge::from(&world)),
        [3_000, 5_000, 1_000, 200, 604_800, 10_000, 100_000, 1_000]
    );
    world.vm.set_sender(OWNER);
    assert_eq!(call!(IOwnable::ownerCall {}), OWNER);
    call!(IOwnable::transferOwnershipCall { newOwner: BOB });
    assert_eq!(call!(IOwnable::pendingOwnerCall {}), BOB);
    world.vm.set_sender(BOB);
    call!(IOwnable::acceptOwnershipCall {});
    assert_eq!(call!(IOwnable::ownerCall {}), BOB);
    // value, unknown selectors and short calldata are refused
    world.vm.set_value(u(1));
    assert_eq!(
        route_call(&world, houseCall {}.abi_encode()),
        Err(NotPayable {}.abi_encode())
    );
    world.vm.set_value(U256::ZERO);
    assert_eq!(
        route_call(&world, vec![1, 2, 3, 4]),
        Err(UnknownSelector {
            selector: [1, 2, 3, 4].into()
        }
        .abi_encode())
    );
    let mut short = tradeCall { sizeDelta: eth(1) }.abi_encode();
    short.truncate(20);
    assert_eq!(
        route_call(&world, short),
        Err(il_common::router::BadCalldata {}.abi_encode())
    );
}
