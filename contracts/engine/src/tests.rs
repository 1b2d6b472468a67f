//! The engine is a thin ABI layer over `il_math::vault`: these tests check
//! the word layouts against the library functions and the error mapping.

use alloy_primitives::{I256, U256};
use il_math::{
    Price,
    vault::{self, HolderRecord, Ledger, PoolState, VenueExit, VenueState},
};
use stylus_sdk::testing::TestVM;

use super::*;

const ETH: u128 = 1_000_000_000_000_000_000;

fn u(x: u128) -> U256 {
    U256::from(x)
}

fn engine() -> Engine {
    Engine::from(&TestVM::new())
}

/// Price 4 (sqrtPriceX96 = 2 * 2^96), full range at spacing 60.
fn pool() -> PoolState {
    let (tick_lower, tick_upper) = il_math::v4::full_range_ticks(60).unwrap();
    PoolState {
        sqrt_price: U256::from(2u8) << 96,
        tick_lower,
        tick_upper,
    }
}

/// The pool block followed by the fees block.
fn pool_words(p: &PoolState, fees: (U256, U256)) -> [U256; 5] {
    let tick = |t: i32| I256::try_from(t).unwrap().into_raw();
    [
        p.sqrt_price,
        tick(p.tick_lower),
        tick(p.tick_upper),
        fees.0,
        fees.1,
    ]
}

const L: usize = Ledger::WORDS;
const R: usize = Ledger::WORDS + HolderRecord::WORDS;

/// A valued venue block.
fn venue_words(v: &VenueState) -> [U256; 5] {
    [
        U256::from(1u8),
        v.equity.into_raw(),
        v.size.into_raw(),
        v.mark.num(),
        v.mark.den(),
    ]
}

const UNVALUED: [U256; 5] = [U256::ZERO; 5];

#[test]
fn deposit_returns_the_library_result_in_its_layout() {
    let p = pool();
    // a vault with shares, liquidity and fees to collect
    let ledger = Ledger {
        liquidity: u(50 * ETH),
        idle0: u(ETH),
        ..Default::default()
    };
    let fees = (u(3), u(7));
    let mut args = ledger.to_words().to_vec();
    args.extend_from_slice(&HolderRecord::default().to_words());
    args.extend_from_slice(&pool_words(&p, fees));
    args.extend_from_slice(&venue_words(&VenueState::flat(I256::ZERO)));
    args.extend_from_slice(&[u(50 * ETH), U256::ZERO, u(ETH), u(4 * ETH)]);
    let out = engine().deposit(args.clone()).unwrap();
    let (l, h, q) = vault::deposit(
        &ledger,
        &HolderRecord::default(),
        &p,
        fees,
        &VenueState::flat(I256::ZERO),
        u(50 * ETH),
        U256::ZERO,
        u(ETH),
        u(4 * ETH),
        MINIMUM_SHARES,
    )
    .unwrap();
    assert!(!q.liquidity.is_zero() && l.acc.fee1_total > U256::ZERO);
    assert_eq!(out.len(), R + 8);
    assert_eq!(Ledger::from_words(&out[..L]).unwrap(), l);
    assert_eq!(HolderRecord::from_words(&out[L..R]).unwrap(), h);
    assert_eq!(
        &out[R..],
        &[
            q.shares,
            q.amount0,
            q.amount1,
            q.liquidity,
            q.to_pool0,
            q.to_pool1,
            q.total0,
            q.total1
        ]
    );
    // a deposit needs a valued venue
    args[R + 5..R + 10].copy_from_slice(&UNVALUED);
    assert_eq!(
        engine().deposit(args),
        Err(EngineError::from(EngineMath { code: 16 }))
    );
}

#[test]
fn withdraw_and_settle_venue_return_the_library_results_in_their_layout() {
    let p = pool();
    let ledger = Ledger {
        liquidity: u(ETH),
        idle1: u(3 * ETH),
        hedge_active: true,
        equity_last: I256::try_from(ETH).unwrap(),
        ..Default::default()
    };
    let venue = VenueState {
        equity: I256::try_from(2 * ETH).unwrap(),
        size: -I256::try_from(ETH).unwrap(),
        mark: Price::new(u(5), u(1)).unwrap(),
    };
    for valued in [true, false] {
        let mut args = ledger.to_words().to_vec();
        args.extend_from_slice(&HolderRecord::default().to_words());
        args.extend_from_slice(&pool_words(&p, (u(1), u(2))));
        args.extend_from_slice(&if valued {
            venue_words(&venue)
        } else {
            UNVALUED
        });
        args.extend_from_slice(&[u(10), u(5), u(4)]);
        let out = engine().withdraw(args).unwrap();
        let (l, h, r) = vault::withdraw(
            &ledger,
            &HolderRecord::default(),
            &p,
            (u(1), u(2)),
            valued.then_some(&venue),
            u(10),
            u(5),
            u(4),
        )
        .unwrap();
        assert_eq!(out.len(), R + 5);
        assert_eq!(Ledger::from_words(&out[..L]).unwrap(), l);
        assert_eq!(HolderRecord::from_words(&out[L..R]).unwrap(), h);
        assert_eq!(
            &out[R..],
            &[
                r.liquidity,
                r.idle0,
                r.idle1,
                r.fraction_wad,
                r.equity_out.into_raw()
            ]
        );
    }
    let signed = |x: i128| I256::try_from(x).unwrap();
    for (in_kind, exit) in [
        (
            false,
            VenueExit::Paid {
                paid: u(396),
                equity_after: signed(594),
            },
        ),
        (true, VenueExit::InKind),
    ] {
        let mut args = ledger.to_words().to_vec();
        args.extend_from_slice(&[
            u(6),
            u(ETH * 4 / 10),
            signed(1_000).into_raw(),
            signed(900).into_raw(),
            U256::from(u8::from(in_kind)),
            u(396),
            signed(594).into_raw(),
        ]);
        let out = engine().settle_venue(args).unwrap();
        let (l, due) = vault::settle_venue(
            &ledger,
            u(6),
            u(ETH * 4 / 10),
            signed(1_000),
            signed(900),
            exit,
        )
        .unwrap();
        assert_eq!(Ledger::from_words(&out[..L]).unwrap(), l);
        assert_eq!(out[L], due);
    }
}

#[test]
fn withdraw_refuses_more_shares_than_the_balance() {
    let p = pool();
    let mut args = Ledger {
        liquidity: u(ETH),
        ..Default::default()
    }
    .to_words()
    .to_vec();
    args.extend_from_slice(&HolderRecord::default().to_words());
    args.extend_from_slice(&pool_words(&p, (U256::ZERO, U256::ZERO)));
    args.extend_from_slice(&UNVALUED);
    args.extend_from_slice(&[u(10), u(5), u(6)]);
    assert_eq!(
        engine().withdraw(args),
        Err(EngineError::from(EngineMath { code: 16 }))
    );
}

#[test]
fn short_argument_lists_are_invalid_input() {
    let e = engine();
    let invalid = Err(EngineError::from(EngineMath { code: 16 }));
    assert_eq!(e.checkpoint(vec![U256::ZERO; L + 9]), invalid);
    assert_eq!(e.deposit(vec![]), invalid);
    assert_eq!(e.transfer(vec![U256::ZERO; 10]), invalid);
}

#[test]
fn transfer_moves_fee_credits_of_both_tokens() {
    let from = HolderRecord {
        hold0: u(10),
        hold1: u(40),
        ..Default::default()
    };
    let acc = vault::Accruals {
        fee0_per_share: u(3 * ETH),
        fee1_per_share: u(5 * ETH),
        hedge_per_share: I256::try_from(-2 * ETH as i128).unwrap(),
        ..Default::default()
    };
    let mut args = from.to_words().to_vec();
    args.extend_from_slice(&HolderRecord::default().to_words());
    args.extend_from_slice(&[
        acc.fee0_per_share,
        acc.fee1_per_share,
        acc.hedge_per_share.into_raw(),
        u(4),
        U256::ZERO,
        u(1),
    ]);
    let out = engine().transfer(args).unwrap();
    let (f, t) = vault::transfer(
        &from,
        &HolderRecord::default(),
        &acc,
        u(4),
        U256::ZERO,
        u(1),
    )
    .unwrap();
    let h = HolderRecord::WORDS;
    assert_eq!(HolderRecord::from_words(&out[..h]).unwrap(), f);
    assert_eq!(HolderRecord::from_words(&out[h..]).unwrap(), t);
    // a quarter of the sender's fee credits (4 shares x 3 and x 5 per
    // share, WAD-scaled) in both tokens moved
    assert_eq!((t.fee0, t.fee1), (u(3 * ETH), u(5 * ETH)));
}

#[test]
fn checkpoint_credits_the_fees_collected() {
    let p = pool();
    let ledger = Ledger {
        liquidity: u(ETH),
        ..Default::default()
    };
    let mut args = ledger.to_words().to_vec();
    args.extend_from_slice(&pool_words(&p, (u(ETH), u(2 * ETH))));
    args.extend_from_slice(&venue_words(&VenueState::flat(I256::ZERO)));
    args.push(u(4 * ETH));
    let out = engine().checkpoint(args).unwrap();
    let l = Ledger::from_words(&out).unwrap();
    assert_eq!((l.idle0, l.idle1), (u(ETH), u(2 * ETH)));
    assert_eq!(
        (l.acc.fee0_per_share, l.acc.fee1_per_share),
        (u(ETH / 4), u(ETH / 2))
    );
}

#[test]
fn engine_errors_encode_like_alloy() {
    let e = EngineMath { code: 7 };
    assert_eq!(EngineError::from(e.clone()), EngineError::standard(&e));
}
