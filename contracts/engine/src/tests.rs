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

fn pool() -> PoolState {
    PoolState {
        reserve0: u(100 * ETH),
        reserve1: u(400 * ETH),
        supply: u(200 * ETH),
    }
}

fn pool_words(p: &PoolState) -> [U256; 3] {
    [p.reserve0, p.reserve1, p.supply]
}

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
    let mut args = Ledger::default().to_words().to_vec();
    args.extend_from_slice(&HolderRecord::default().to_words());
    args.extend_from_slice(&pool_words(&p));
    args.extend_from_slice(&venue_words(&VenueState::flat(I256::ZERO)));
    args.extend_from_slice(&[U256::ZERO, U256::ZERO, u(ETH), u(4 * ETH)]);
    let out = engine().deposit(args.clone()).unwrap();
    let (l, h, q) = vault::deposit(
        &Ledger::default(),
        &HolderRecord::default(),
        &p,
        &VenueState::flat(I256::ZERO),
        U256::ZERO,
        U256::ZERO,
        u(ETH),
        u(4 * ETH),
        MINIMUM_SHARES,
    )
    .unwrap();
    assert_eq!(out.len(), 25);
    assert_eq!(Ledger::from_words(&out[..12]).unwrap(), l);
    assert_eq!(HolderRecord::from_words(&out[12..18]).unwrap(), h);
    assert_eq!(
        &out[18..],
        &[
            q.shares, q.amount0, q.amount1, q.to_pool0, q.to_pool1, q.total0, q.total1
        ]
    );
    // a deposit needs a valued venue
    args[21..26].copy_from_slice(&UNVALUED);
    assert_eq!(
        engine().deposit(args),
        Err(EngineError::from(EngineMath { code: 16 }))
    );
}

#[test]
fn withdraw_and_settle_venue_return_the_library_results_in_their_layout() {
    let p = pool();
    let ledger = Ledger {
        lp: u(ETH),
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
        args.extend_from_slice(&pool_words(&p));
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
            valued.then_some(&venue),
            u(10),
            u(5),
            u(4),
        )
        .unwrap();
        assert_eq!(out.len(), 23);
        assert_eq!(Ledger::from_words(&out[..12]).unwrap(), l);
        assert_eq!(HolderRecord::from_words(&out[12..18]).unwrap(), h);
        assert_eq!(
            &out[18..],
            &[
                r.lp,
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
        assert_eq!(Ledger::from_words(&out[..12]).unwrap(), l);
        assert_eq!(out[12], due);
    }
}

#[test]
fn withdraw_refuses_more_shares_than_the_balance() {
    let p = pool();
    let mut args = Ledger {
        lp: u(ETH),
        ..Default::default()
    }
    .to_words()
    .to_vec();
    args.extend_from_slice(&HolderRecord::default().to_words());
    args.extend_from_slice(&pool_words(&p));
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
    assert_eq!(e.checkpoint(vec![U256::ZERO; 16]), invalid);
    assert_eq!(e.deposit(vec![]), invalid);
    assert_eq!(e.transfer(vec![U256::ZERO; 10]), invalid);
}

#[test]
fn engine_errors_encode_like_alloy() {
    let e = EngineMath { code: 7 };
    assert_eq!(EngineError::from(e.clone()), EngineError::standard(&e));
}
