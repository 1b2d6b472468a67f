//! The test kit with the fixture program compiled natively: real
//! cross-contract calls, reverts, static/delegate/reentrant calls, value,
//! events, time, snapshots, creations.

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::{SolCall, SolError, SolValue};
use il_devnet::testing::IProbe;
use il_probe::Probe;
use il_testkit::{DeployOptions, Halt, World};
use proptest::prelude::*;

fn u(n: u64) -> U256 {
    U256::from(n)
}

fn probe(world: &mut World, initial: u64) -> Address {
    world
        .deploy::<Probe>(&u(initial).abi_encode())
        .expect("deploy")
}

#[test]
fn deploy_runs_the_constructor_once() {
    let mut w = World::new();
    let p = probe(&mut w, 5);
    assert_eq!(w.view_sol(p, &IProbe::counterCall {}).unwrap(), u(5));
    // the SDK's constructor guard refuses a second run
    let mut again = il_devnet::engine::deployer::CONSTRUCTOR_SELECTOR.to_vec();
    again.extend(u(9).abi_encode());
    let me = w.account(0);
    assert!(w.call(me, p, &again, U256::ZERO).is_err());
    assert_eq!(w.view_sol(p, &IProbe::counterCall {}).unwrap(), u(5));
    // the constructor saw the deployment's sender as tx.origin
    let second = probe(&mut w, 1);
    assert_ne!(second, p);
}

#[test]
fn calls_between_contracts_are_real_and_emit_events() {
    let mut w = World::new();
    let (a, b) = (probe(&mut w, 0), probe(&mut w, 0));
    let me = w.account(1);
    let inner = IProbe::incrementCall {}.abi_encode();
    let out = w
        .call_sol(
            me,
            a,
            &IProbe::callOtherCall {
                to: b,
                data: inner.into(),
            },
        )
        .unwrap();
    assert_eq!(U256::abi_decode(&out).unwrap(), u(1));
    assert_eq!(w.view_sol(b, &IProbe::counterCall {}).unwrap(), u(1));
    let events = w.events::<IProbe::Incremented>();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].by, events[0].value), (a, u(1)));
    assert_eq!(w.logs()[0].address, b);
}

#[test]
fn a_revert_undoes_the_callee_and_carries_its_error() {
    let mut w = World::new();
    let (a, b) = (probe(&mut w, 0), probe(&mut w, 0));
    let me = w.account(0);
    w.call_sol(
        me,
        b,
        &IProbe::setCall {
            key: u(1),
            value: u(10),
        },
    )
    .unwrap();
    let inner = IProbe::setThenRevertCall {
        key: u(1),
        value: u(99),
    }
    .abi_encode();
    let err = w
        .call_sol(
            me,
            a,
            &IProbe::callOtherCall {
                to: b,
                data: inner.into(),
            },
        )
        .unwrap_err();
    let failed = err
        .decode_error::<IProbe::ProbeCallFailed>()
        .expect("ProbeCallFailed");
    let nested = IProbe::ProbeReverted::abi_decode(&failed.data).unwrap();
    assert_eq!(nested.key, u(1));
    match err.decode::<IProbe::IProbeErrors>() {
        Some(IProbe::IProbeErrors::ProbeCallFailed(_)) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(
        w.view_sol(b, &IProbe::getCall { key: u(1) }).unwrap(),
        u(10)
    );
    assert!(w.logs().is_empty());
}

#[test]
fn static_calls_cannot_write() {
    let mut w = World::new();
    let (a, b) = (probe(&mut w, 0), probe(&mut w, 0));
    let me = w.account(0);
    let write = IProbe::setCall {
        key: u(3),
        value: u(4),
    }
    .abi_encode();
    let err = w
        .call_sol(
            me,
            a,
            &IProbe::staticCallOtherCall {
                to: b,
                data: write.into(),
            },
        )
        .unwrap_err();
    assert_eq!(
        err.decode_error::<IProbe::ProbeCallFailed>().unwrap().data,
        Bytes::new()
    );
    assert_eq!(
        w.view_sol(b, &IProbe::getCall { key: u(3) }).unwrap(),
        U256::ZERO
    );
}

#[test]
fn reentrancy_is_refused_unless_the_contract_allows_it() {
    let mut w = World::new();
    let me = w.account(0);
    let guarded = probe(&mut w, 0);
    let inner = IProbe::incrementCall {}.abi_encode();
    assert!(
        w.call_sol(
            me,
            guarded,
            &IProbe::reenterCall {
                data: inner.clone().into()
            }
        )
        .is_err()
    );
    let opts = DeployOptions {
        from: me,
        value: U256::ZERO,
        reentrant: true,
        construct: true,
        salt: B256::ZERO,
    };
    let open = w.deploy_with::<Probe>(&opts, &u(0).abi_encode()).unwrap();
    w.call_sol(me, open, &IProbe::reenterCall { data: inner.into() })
        .unwrap();
    assert_eq!(w.view_sol(open, &IProbe::counterCall {}).unwrap(), u(1));
    let info = IProbe::msgInfoCall {}.abi_encode();
    let out = w
        .call_sol(me, open, &IProbe::reenterCall { data: info.into() })
        .unwrap();
    let m = IProbe::msgInfoCall::abi_decode_returns(&out).unwrap();
    assert_eq!((m.sender, m.origin, m.reentrant), (open, me, true));
}

#[test]
fn delegate_calls_run_in_the_callers_storage() {
    let mut w = World::new();
    let me = w.account(0);
    let opts = DeployOptions {
        from: me,
        value: U256::ZERO,
        reentrant: true,
        construct: true,
        salt: B256::ZERO,
    };
    let a = w.deploy_with::<Probe>(&opts, &u(0).abi_encode()).unwrap();
    let b = w.deploy_with::<Probe>(&opts, &u(0).abi_encode()).unwrap();
    let write = IProbe::setCall {
        key: u(8),
        value: u(80),
    }
    .abi_encode();
    w.call_sol(
        me,
        a,
        &IProbe::delegateCallOtherCall {
            to: b,
            data: write.into(),
        },
    )
    .unwrap();
    assert_eq!(
        w.view_sol(a, &IProbe::getCall { key: u(8) }).unwrap(),
        u(80)
    );
    assert_eq!(
        w.view_sol(b, &IProbe::getCall { key: u(8) }).unwrap(),
        U256::ZERO
    );
    // sender and value pass through unchanged
    let info = IProbe::msgInfoCall {}.abi_encode();
    let out = w
        .call_sol_value(
            me,
            a,
            &IProbe::delegateCallOtherCall {
                to: b,
                data: info.into(),
            },
            u(33),
        )
        .unwrap();
    let m = IProbe::msgInfoCall::abi_decode_returns(&out).unwrap();
    assert_eq!((m.sender, m.value), (me, u(33)));
}

#[test]
fn value_moves_and_balances_are_exact() {
    let mut w = World::new();
    let p = probe(&mut w, 0);
    let (me, bob) = (w.account(0), w.account(1));
    let before = w.balance(me);
    w.call(me, p, &[], u(1_000)).unwrap();
    assert_eq!(w.balance(p), u(1_000));
    assert_eq!(w.balance(me), before - u(1_000));
    let bob_before = w.balance(bob);
    w.call_sol_value(
        me,
        p,
        &IProbe::callOtherCall {
            to: bob,
            data: Bytes::new(),
        },
        u(7),
    )
    .unwrap();
    assert_eq!(w.balance(bob), bob_before + u(7));
    assert_eq!(
        w.view_sol(p, &IProbe::balanceOfCall { account: p })
            .unwrap(),
        u(1_000)
    );
    // a non-payable method refuses value
    assert!(
        w.call_sol_value(
            me,
            p,
            &IProbe::setCall {
                key: u(1),
                value: u(1)
            },
            u(1)
        )
        .is_err()
    );
}

#[test]
fn panics_are_traps_and_leave_no_trace() {
    let mut w = World::new();
    let p = probe(&mut w, 3);
    let me = w.account(0);
    let err = w.call_sol(me, p, &IProbe::panicNowCall {}).unwrap_err();
    match err.halt {
        Some(Halt::Trap(m)) => assert!(m.contains("probe panics on purpose"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(w.view_sol(p, &IProbe::counterCall {}).unwrap(), u(3));
}

#[test]
fn time_and_blocks_are_controlled_by_the_test() {
    let mut w = World::new();
    let p = probe(&mut w, 0);
    let t0 = w.timestamp();
    w.advance(3_600);
    let b = w.view_sol(p, &IProbe::blockInfoCall {}).unwrap();
    // block.number is Arbitrum's L1 estimate; the L2 number moved to 2
    assert_eq!(
        (b.number, b.timestamp, b.chainId),
        (
            il_devnet::engine::l1_block_number(t0 + 3_600),
            t0 + 3_600,
            412_346
        )
    );
    assert_eq!(w.block_number(), 2);
    w.set_timestamp(t0 + 10);
    assert_eq!(
        w.view_sol(p, &IProbe::blockInfoCall {}).unwrap().timestamp,
        t0 + 10
    );
}

#[test]
fn snapshots_restore_state() {
    let mut w = World::new();
    let p = probe(&mut w, 0);
    let me = w.account(0);
    let snap = w.snapshot();
    w.call_sol(me, p, &IProbe::incrementCall {}).unwrap();
    w.call(me, p, &[], u(50)).unwrap();
    w.advance(60);
    w.revert(&snap);
    assert_eq!(w.view_sol(p, &IProbe::counterCall {}).unwrap(), U256::ZERO);
    assert_eq!(w.balance(p), U256::ZERO);
    assert_eq!(w.block_number(), 1);
    // usable again
    w.call_sol(me, p, &IProbe::incrementCall {}).unwrap();
    w.revert(&snap);
    assert_eq!(w.view_sol(p, &IProbe::counterCall {}).unwrap(), U256::ZERO);
}

#[test]
fn native_contracts_create_native_contracts() {
    let mut w = World::new();
    let p = probe(&mut w, 0);
    let me = w.account(0);
    let code = w.engine().code(p);
    let initcode = Bytes::from(il_wasm::initcode(&code));
    let salt = B256::with_last_byte(1);
    let created = w
        .call_sol(
            me,
            p,
            &IProbe::deployCall {
                initcode: initcode.clone(),
                salt,
                useCreate2: true,
            },
        )
        .unwrap();
    assert_eq!(
        created,
        p.create2(salt, alloy_primitives::keccak256(&initcode))
    );
    w.call_sol(me, created, &IProbe::incrementCall {}).unwrap();
    assert_eq!(w.view_sol(created, &IProbe::counterCall {}).unwrap(), u(1));
}

#[test]
fn hostio_reads_match_the_engine() {
    let mut w = World::new();
    let p = probe(&mut w, 0);
    let info = w.view_sol(p, &IProbe::codeInfoCall { account: p }).unwrap();
    assert_eq!(info.size, U256::from(w.engine().code(p).len()));
    assert_eq!(info.hash, alloy_primitives::keccak256(w.engine().code(p)));
    let data = Bytes::from_static(b"abc");
    assert_eq!(
        w.view_sol(p, &IProbe::hashCall { data: data.clone() })
            .unwrap(),
        alloy_primitives::keccak256(&data)
    );
    let t = w.view_sol(p, &IProbe::txInfoCall {}).unwrap();
    assert_eq!((t.inkPrice, t.this), (10_000, p));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn set_then_get_returns_the_value_and_snapshots_isolate_cases(key in any::<u64>(), value in any::<u64>()) {
        thread_local! {
            static SETUP: std::cell::RefCell<Option<(World, Address, il_testkit::Snapshot)>> =
                const { std::cell::RefCell::new(None) };
        }
        SETUP.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (w, p, snap) = guard.get_or_insert_with(|| {
                let mut w = World::new();
                let p = probe(&mut w, 0);
                let snap = w.snapshot();
                (w, p, snap)
            });
            w.revert(snap);
            let me = w.account(2);
            // nothing from earlier cases survives
            prop_assert_eq!(w.view_sol(*p, &IProbe::getCall { key: u(key) }).unwrap(), U256::ZERO);
            w.call_sol(me, *p, &IProbe::setCall { key: u(key), value: u(value) }).unwrap();
            prop_assert_eq!(w.view_sol(*p, &IProbe::getCall { key: u(key) }).unwrap(), u(value));
            Ok(())
        })?;
    }
}
