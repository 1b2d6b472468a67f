//! The engine is a thin ABI layer over `il_math::vault`: these tests check
//! the word layouts against the library functions and the error mapping.

use alloy_primitives::{I256, U256};
use il_math::vault::{self, HolderRecord, Ledger, PoolState};
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

#[test]
fn deposit_returns_the_library_result_in_its_layout() {
    let p = pool();
    let mut args = Ledger::default().to_words().to_vec();
    args.extend_from_slice(&HolderRecord::default().to_words());
    args.extend_from_slice(&pool_words(&p));
    args.extend_from_slice(&[U256::ZERO, U256::ZERO, U256::ZERO, u(ETH), u(4 * ETH)]);
    let out = engine().deposit(args).unwrap();
    let (l, h, q) = vault::deposit(
        &Ledger::default(),
        &HolderRecord::default(),
        &p,
        I256::ZERO,
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
    args.extend_from_slice(&[U256::ZERO, u(10), u(5), u(6)]);
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
