//! Engine semantics with the real release wasm of the fixture program
//! (`scripts/build-contracts.sh` builds it): every hostio, journal rollback,
//! static/delegate/reentrant calls, value, logs, gas, traps, activation and
//! the StylusDeployer.

use std::{rc::Rc, sync::OnceLock};

use alloy::primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy::sol_types::{SolCall, SolError, SolEvent, SolValue};
use il_devnet::{
    artifacts,
    engine::{
        BlockEnv, CallKind, Engine, ExitStatus, Frame, Halt, NativeProgram, ProgramExit, TxError,
        TxRequest, WorldState, arbwasm, arbwasm::IArbWasm, deployer, deployer::IStylusDeployer,
        gas,
    },
    testing::{self, IProbe, activate, create_code, deploy_wasm, returns, send},
};

const ALICE: Address = address!("0x00000000000000000000000000000000000a11ce");
const BOB: Address = address!("0x0000000000000000000000000000000000000b0b");
const TIMESTAMP: u64 = 1_700_000_000;

fn eth(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

fn probe_wasm() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    WASM.get_or_init(|| artifacts::read_wasm("il-probe").unwrap_or_else(|e| panic!("{e}")))
}

fn engine() -> Engine {
    let e = Engine::new(412_346, WorldState::default());
    e.set_balance(ALICE, eth(1_000));
    e.set_block_env(BlockEnv {
        number: 7,
        timestamp: TIMESTAMP,
        ..BlockEnv::default()
    });
    e
}

fn with_probe() -> (Engine, Address) {
    let e = engine();
    let probe = deploy_wasm(&e, ALICE, probe_wasm()).expect("deploy probe");
    (e, probe)
}

fn call<C: SolCall>(e: &Engine, to: Address, c: &C) -> il_devnet::engine::TxOutcome {
    send(e, ALICE, to, c.abi_encode(), U256::ZERO).expect("included")
}

fn u(n: u64) -> U256 {
    U256::from(n)
}

#[test]
fn storage_round_trips_through_cache_and_flush() {
    let (e, probe) = with_probe();
    let out = call(
        &e,
        probe,
        &IProbe::setCall {
            key: u(5),
            value: u(42),
        },
    );
    assert_eq!(out.status, ExitStatus::Success);
    let got = returns::<IProbe::getCall>(&call(&e, probe, &IProbe::getCall { key: u(5) })).unwrap();
    assert_eq!(got, u(42));
    // the map slot keccak(key . 1) holds it in the state
    let mut preimage = u(5).to_be_bytes::<32>().to_vec();
    preimage.extend_from_slice(&u(1).to_be_bytes::<32>());
    let slot = U256::from_be_bytes(keccak256(preimage).0);
    assert_eq!(e.storage(probe, slot), B256::from(u(42)));
}

#[test]
fn revert_undoes_storage_the_program_flushed() {
    let (e, probe) = with_probe();
    call(
        &e,
        probe,
        &IProbe::setCall {
            key: u(1),
            value: u(10),
        },
    );
    let out = call(
        &e,
        probe,
        &IProbe::setThenRevertCall {
            key: u(1),
            value: u(99),
        },
    );
    assert_eq!(out.status, ExitStatus::Revert);
    assert_eq!(
        IProbe::ProbeReverted::abi_decode(&out.output).unwrap(),
        IProbe::ProbeReverted { key: u(1) }
    );
    let got = returns::<IProbe::getCall>(&call(&e, probe, &IProbe::getCall { key: u(1) })).unwrap();
    assert_eq!(got, u(10));
}

#[test]
fn revert_data_is_returned_byte_for_byte() {
    let (e, probe) = with_probe();
    let data = Bytes::from(vec![0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    let out = call(&e, probe, &IProbe::revertWithCall { data: data.clone() });
    assert_eq!(out.status, ExitStatus::Revert);
    assert_eq!(out.output, data);
}

#[test]
fn panic_reverts_the_frame_with_no_data_and_keeps_unused_gas() {
    let (e, probe) = with_probe();
    let counter_before = e.world();
    let out = call(&e, probe, &IProbe::panicNowCall {});
    // Nitro: a trapping program fails with empty revert data and returns
    // the gas it did not use
    assert_eq!(out.status, ExitStatus::Revert);
    assert!(out.output.is_empty());
    assert!(out.gas_used < 100_000, "{}", out.gas_used);
    // only the sender's nonce moved
    let after = e.world();
    assert_eq!(after.storage, counter_before.storage);
}

#[test]
fn burning_more_compute_costs_more_gas_and_runs_out() {
    let (e, probe) = with_probe();
    let small = call(&e, probe, &IProbe::burnCall { iterations: u(10) });
    let large = call(
        &e,
        probe,
        &IProbe::burnCall {
            iterations: u(100_000),
        },
    );
    assert!(small.status.is_success() && large.status.is_success());
    assert!(
        large.gas_used > small.gas_used + 1_000,
        "{} vs {}",
        large.gas_used,
        small.gas_used
    );
    let tx = TxRequest {
        from: ALICE,
        to: Some(probe),
        data: IProbe::burnCall {
            iterations: u(100_000_000),
        }
        .abi_encode()
        .into(),
        gas_limit: 200_000,
        ..TxRequest::default()
    };
    let out = e.transact(&tx, true).unwrap();
    assert_eq!(out.status, ExitStatus::Halt(Halt::OutOfGas), "{out:?}");
    assert_eq!(out.gas_used, 200_000);
}

#[test]
fn gas_left_and_ink_left_agree_with_the_ink_price() {
    let (e, probe) = with_probe();
    let r = returns::<IProbe::gasLeftCall>(&call(&e, probe, &IProbe::gasLeftCall {})).unwrap();
    assert!(r.gas > 0 && r.gas < gas::MAX_TX_GAS);
    // the ink reading comes one hostio later: slightly less than gas x 10,000
    assert!(r.ink <= r.gas * gas::INK_PER_GAS);
    assert!(
        r.ink + 2 * gas::INK_PER_GAS > r.gas * gas::INK_PER_GAS,
        "{r:?}"
    );
    let info = returns::<IProbe::txInfoCall>(&call(&e, probe, &IProbe::txInfoCall {})).unwrap();
    assert_eq!(info.inkPrice, 10_000);
    assert_eq!(info.this, probe);
}

#[test]
fn static_call_cannot_write() {
    let (e, a) = with_probe();
    let b = deploy_wasm(&e, ALICE, probe_wasm()).unwrap();
    let inner = IProbe::setCall {
        key: u(3),
        value: u(4),
    }
    .abi_encode();
    let out = call(
        &e,
        a,
        &IProbe::staticCallOtherCall {
            to: b,
            data: inner.into(),
        },
    );
    assert_eq!(out.status, ExitStatus::Revert);
    assert_eq!(
        IProbe::ProbeCallFailed::abi_decode(&out.output)
            .unwrap()
            .data,
        Bytes::new()
    );
    let got = returns::<IProbe::getCall>(&call(&e, b, &IProbe::getCall { key: u(3) })).unwrap();
    assert_eq!(got, U256::ZERO);
    // a static call that only reads works
    let read = IProbe::getCall { key: u(3) }.abi_encode();
    let out = call(
        &e,
        a,
        &IProbe::staticCallOtherCall {
            to: b,
            data: read.into(),
        },
    );
    let bytes = returns::<IProbe::staticCallOtherCall>(&out).unwrap();
    assert_eq!(U256::abi_decode(&bytes).unwrap(), U256::ZERO);
}

#[test]
fn reentrancy_is_refused_as_on_nitro() {
    let (e, probe) = with_probe();
    let inner = IProbe::incrementCall {}.abi_encode();
    let out = call(&e, probe, &IProbe::reenterCall { data: inner.into() });
    assert_eq!(out.status, ExitStatus::Revert);
    assert_eq!(
        IProbe::ProbeCallFailed::abi_decode(&out.output)
            .unwrap()
            .data,
        Bytes::new()
    );
    let counter =
        returns::<IProbe::counterCall>(&call(&e, probe, &IProbe::counterCall {})).unwrap();
    assert_eq!(counter, U256::ZERO);
}

#[test]
fn delegate_call_into_a_program_is_reentrant_for_the_acting_address() {
    // On Nitro a delegate call runs with the caller's address as acting
    // address, which is already on the stack: a non-reentrant SDK program refuses.
    let (e, a) = with_probe();
    let b = deploy_wasm(&e, ALICE, probe_wasm()).unwrap();
    let inner = IProbe::setCall {
        key: u(1),
        value: u(2),
    }
    .abi_encode();
    let out = call(
        &e,
        a,
        &IProbe::delegateCallOtherCall {
            to: b,
            data: inner.into(),
        },
    );
    assert_eq!(out.status, ExitStatus::Revert);
    assert!(IProbe::ProbeCallFailed::abi_decode(&out.output).is_ok());
}

/// A native program (engine-level executor) that records its context in
/// storage: slot 0 = msg.sender, slot 1 = msg.value, slot 2 = contract address,
/// slot 3 = reentrant flag.
struct Recorder;

impl NativeProgram for Recorder {
    fn run(&self, frame: &mut Frame) -> ProgramExit {
        let values = [
            B256::left_padding_from(frame.caller().as_slice()),
            B256::from(frame.value()),
            B256::left_padding_from(frame.address().as_slice()),
            B256::with_last_byte(u8::from(frame.reentrant())),
        ];
        for (i, v) in values.into_iter().enumerate() {
            frame.storage_cache(U256::from(i), v);
        }
        match frame.storage_flush(false) {
            Ok(()) => ProgramExit::Return(vec![1]),
            Err(h) => ProgramExit::Halt(h),
        }
    }
}

const RECORDER_CODE: &[u8] = &[0xEF, 0xF0, 0x00, 0x00, b'r', b'e', b'c'];

fn with_recorder(e: &Engine) -> Address {
    let at = address!("0x00000000000000000000000000000000000000ec");
    e.set_code(at, Bytes::from_static(RECORDER_CODE));
    e.register_native(keccak256(RECORDER_CODE), Rc::new(Recorder));
    at
}

#[test]
fn delegate_call_keeps_storage_sender_and_value_of_the_caller() {
    let (e, probe) = with_probe();
    let recorder = with_recorder(&e);
    let out = send(
        &e,
        ALICE,
        probe,
        IProbe::delegateCallOtherCall {
            to: recorder,
            data: Bytes::new(),
        }
        .abi_encode(),
        u(777),
    )
    .unwrap();
    assert!(out.status.is_success(), "{out:?}");
    // the writes landed in the probe's storage, not the recorder's
    assert_eq!(
        e.storage(probe, u(0)),
        B256::left_padding_from(ALICE.as_slice())
    );
    assert_eq!(e.storage(probe, u(1)), B256::from(u(777)));
    assert_eq!(
        e.storage(probe, u(2)),
        B256::left_padding_from(probe.as_slice())
    );
    assert_eq!(e.storage(probe, u(3)), B256::with_last_byte(1));
    assert_eq!(e.storage(recorder, u(0)), B256::ZERO);
    // a plain call: new context
    let out = call(
        &e,
        probe,
        &IProbe::callOtherCall {
            to: recorder,
            data: Bytes::new(),
        },
    );
    assert!(out.status.is_success());
    assert_eq!(
        e.storage(recorder, u(0)),
        B256::left_padding_from(probe.as_slice())
    );
    assert_eq!(e.storage(recorder, u(3)), B256::ZERO);
}

#[test]
fn value_moves_with_calls_and_receive() {
    let (e, probe) = with_probe();
    let out = send(&e, ALICE, probe, Vec::new(), u(1_000)).unwrap();
    assert!(out.status.is_success(), "{out:?}");
    assert_eq!(e.balance(probe), u(1_000));
    let bal = returns::<IProbe::balanceOfCall>(&call(
        &e,
        probe,
        &IProbe::balanceOfCall { account: probe },
    ))
    .unwrap();
    assert_eq!(bal, u(1_000));
    // forwarded to Bob through callOther (msg.value passes through)
    let before = e.balance(ALICE);
    let out = send(
        &e,
        ALICE,
        probe,
        IProbe::callOtherCall {
            to: BOB,
            data: Bytes::new(),
        }
        .abi_encode(),
        u(250),
    )
    .unwrap();
    assert!(out.status.is_success(), "{out:?}");
    assert_eq!(e.balance(BOB), u(250));
    assert_eq!(e.balance(probe), u(1_000));
    assert_eq!(e.balance(ALICE), before - u(250));
    // a failing inner call with value leaves balances unchanged
    let inner = IProbe::revertWithCall { data: Bytes::new() }.abi_encode();
    let out = send(
        &e,
        ALICE,
        probe,
        IProbe::callOtherCall {
            to: probe,
            data: inner.into(),
        }
        .abi_encode(),
        u(5),
    )
    .unwrap();
    assert_eq!(out.status, ExitStatus::Revert);
    assert_eq!(e.balance(probe), u(1_000));
}

#[test]
fn a_non_payable_method_refuses_value() {
    let (e, probe) = with_probe();
    let out = send(
        &e,
        ALICE,
        probe,
        IProbe::setCall {
            key: u(1),
            value: u(1),
        }
        .abi_encode(),
        u(1),
    )
    .unwrap();
    assert_eq!(out.status, ExitStatus::Revert);
    assert_eq!(e.balance(probe), U256::ZERO);
}

#[test]
fn logs_carry_topics_and_data_and_more_than_four_topics_fail() {
    let (e, probe) = with_probe();
    for n in 0..=4u64 {
        let data = Bytes::from(vec![7u8; 40]);
        let out = call(
            &e,
            probe,
            &IProbe::emitLogsCall {
                topics: u(n),
                data: data.clone(),
            },
        );
        assert!(out.status.is_success(), "{out:?}");
        assert_eq!(out.logs.len(), 2);
        let raw = &out.logs[0];
        assert_eq!(raw.address, probe);
        assert_eq!(raw.topics().len(), n as usize);
        if n > 0 {
            assert_eq!(raw.topics()[0], keccak256("ping"));
        }
        assert_eq!(raw.data.data, data);
        let ping = IProbe::Ping::decode_log_data(&out.logs[1].data).unwrap();
        assert_eq!(ping.n, u(n));
        assert_eq!(ping.data, data);
    }
    let out = call(
        &e,
        probe,
        &IProbe::emitLogsCall {
            topics: u(5),
            data: Bytes::new(),
        },
    );
    assert_eq!(out.status, ExitStatus::Revert);
    assert!(IProbe::ProbeTooManyTopics::abi_decode(&out.output).is_ok());
    assert!(out.logs.is_empty());
}

#[test]
fn increment_emits_a_typed_event() {
    let (e, probe) = with_probe();
    let out = call(&e, probe, &IProbe::incrementCall {});
    assert_eq!(returns::<IProbe::incrementCall>(&out).unwrap(), u(1));
    let ev = IProbe::Incremented::decode_log_data(&out.logs[0].data).unwrap();
    assert_eq!(ev.by, ALICE);
    assert_eq!(ev.value, u(1));
}

#[test]
fn msg_tx_and_block_values_are_visible() {
    let (e, a) = with_probe();
    let b = deploy_wasm(&e, ALICE, probe_wasm()).unwrap();
    let out = send(&e, ALICE, a, IProbe::msgInfoCall {}.abi_encode(), u(9)).unwrap();
    let m = returns::<IProbe::msgInfoCall>(&out).unwrap();
    assert_eq!(
        (m.sender, m.origin, m.value, m.reentrant),
        (ALICE, ALICE, u(9), false)
    );
    // through a: sender is a, origin still Alice
    let inner = IProbe::msgInfoCall {}.abi_encode();
    let out = call(
        &e,
        a,
        &IProbe::callOtherCall {
            to: b,
            data: inner.into(),
        },
    );
    let bytes = returns::<IProbe::callOtherCall>(&out).unwrap();
    let m = IProbe::msgInfoCall::abi_decode_returns(&bytes).unwrap();
    assert_eq!((m.sender, m.origin, m.value), (a, ALICE, U256::ZERO));

    let bi = returns::<IProbe::blockInfoCall>(&call(&e, a, &IProbe::blockInfoCall {})).unwrap();
    // Arbitrum's block.number: the L1 estimate (ArbSys has the L2 number, 7)
    assert_eq!(bi.number, il_devnet::engine::l1_block_number(TIMESTAMP));
    assert_eq!(bi.timestamp, TIMESTAMP);
    assert_eq!(bi.coinbase, il_devnet::engine::COINBASE);
    assert_eq!(bi.gasLimit, il_devnet::engine::BLOCK_GAS_LIMIT);
    assert_eq!(bi.basefee, U256::from(il_devnet::engine::BASE_FEE_WEI));
    assert_eq!(bi.chainId, 412_346);

    let tx = TxRequest {
        from: ALICE,
        to: Some(a),
        data: IProbe::txInfoCall {}.abi_encode().into(),
        gas_limit: 1_000_000,
        gas_price: U256::from(123u64),
        ..TxRequest::default()
    };
    let out = e.transact(&tx, true).unwrap();
    let t = returns::<IProbe::txInfoCall>(&out).unwrap();
    assert_eq!(t.gasPrice, U256::from(123u64));
}

#[test]
fn code_hash_size_and_keccak_hostios() {
    let (e, probe) = with_probe();
    let code = e.code(probe);
    let info =
        returns::<IProbe::codeInfoCall>(&call(&e, probe, &IProbe::codeInfoCall { account: probe }))
            .unwrap();
    assert_eq!(info.size, U256::from(code.len()));
    assert_eq!(info.hash, keccak256(&code));
    let got =
        returns::<IProbe::codeOfCall>(&call(&e, probe, &IProbe::codeOfCall { account: probe }))
            .unwrap();
    assert_eq!(got, code);
    // an account that does not exist: zero hash, no code
    let none =
        returns::<IProbe::codeInfoCall>(&call(&e, probe, &IProbe::codeInfoCall { account: BOB }))
            .unwrap();
    assert_eq!((none.size, none.hash), (U256::ZERO, B256::ZERO));
    // an account without code: keccak("")
    let eoa =
        returns::<IProbe::codeInfoCall>(&call(&e, probe, &IProbe::codeInfoCall { account: ALICE }))
            .unwrap();
    assert_eq!(eoa.hash, alloy::primitives::KECCAK256_EMPTY);
    let data = Bytes::from(b"hello stylus".to_vec());
    let h = returns::<IProbe::hashCall>(&call(&e, probe, &IProbe::hashCall { data: data.clone() }))
        .unwrap();
    assert_eq!(h, keccak256(&data));
}

#[test]
fn return_data_can_be_read_in_part() {
    let (e, probe) = with_probe();
    let payload = Bytes::from((0u8..100).collect::<Vec<_>>());
    let inner = IProbe::revertWithCall {
        data: payload.clone(),
    }
    .abi_encode();
    let out = call(
        &e,
        probe,
        &IProbe::callSliceCall {
            to: probe,
            data: inner.into(),
            offset: u(10),
            size: u(5),
        },
    );
    // the inner call reverts (reentrant): revert data is empty
    assert_eq!(out.status, ExitStatus::Revert);
    let b = deploy_wasm(&e, ALICE, probe_wasm()).unwrap();
    let inner = IProbe::revertWithCall {
        data: payload.clone(),
    }
    .abi_encode();
    let out = call(
        &e,
        probe,
        &IProbe::callSliceCall {
            to: b,
            data: inner.into(),
            offset: u(10),
            size: u(5),
        },
    );
    assert_eq!(out.status, ExitStatus::Revert);
    let failed = IProbe::ProbeCallFailed::abi_decode(&out.output).unwrap();
    assert_eq!(failed.data, Bytes::from(vec![10u8, 11, 12, 13, 14]));
    // past the end: only the overlap
    let inner = IProbe::revertWithCall { data: payload }.abi_encode();
    let out = call(
        &e,
        probe,
        &IProbe::callSliceCall {
            to: b,
            data: inner.into(),
            offset: u(98),
            size: u(10),
        },
    );
    let failed = IProbe::ProbeCallFailed::abi_decode(&out.output).unwrap();
    assert_eq!(failed.data, Bytes::from(vec![98u8, 99]));
}

#[test]
fn memory_growth_is_charged_and_limited() {
    let (e, probe) = with_probe();
    let small = call(&e, probe, &IProbe::growCall { kib: u(1) });
    let big = call(&e, probe, &IProbe::growCall { kib: u(2_048) });
    assert_eq!(returns::<IProbe::growCall>(&big).unwrap(), 2_048 * 1024);
    // 2 MiB = 32 more pages at 1,000 gas each
    assert!(
        big.gas_used >= small.gas_used + 32_000,
        "{} vs {}",
        big.gas_used,
        small.gas_used
    );
    let too_big = call(&e, probe, &IProbe::growCall { kib: u(16 * 1024) });
    // past 128 pages memory.grow fails and the allocator traps: a revert
    // with no data
    assert_eq!(too_big.status, ExitStatus::Revert);
    assert!(too_big.output.is_empty());
}

#[test]
fn programs_create_programs_with_create1_and_create2() {
    let (e, probe) = with_probe();
    let initcode = Bytes::from(il_wasm::initcode(&e.code(probe)));
    let salt = B256::with_last_byte(0x42);
    let out = call(
        &e,
        probe,
        &IProbe::deployCall {
            initcode: initcode.clone(),
            salt,
            useCreate2: true,
        },
    );
    let created = returns::<IProbe::deployCall>(&out).unwrap();
    assert_eq!(created, probe.create2(salt, keccak256(&initcode)));
    // same code hash: already active, callable at once
    call(
        &e,
        created,
        &IProbe::setCall {
            key: u(1),
            value: u(2),
        },
    );
    assert_eq!(
        returns::<IProbe::getCall>(&call(&e, created, &IProbe::getCall { key: u(1) })).unwrap(),
        u(2)
    );
    // CREATE2 again with the same salt collides
    let out = call(
        &e,
        probe,
        &IProbe::deployCall {
            initcode: initcode.clone(),
            salt,
            useCreate2: true,
        },
    );
    assert_eq!(out.status, ExitStatus::Revert);
    assert!(IProbe::ProbeDeployFailed::abi_decode(&out.output).is_ok());
    // CREATE uses the program's nonce (1 for a new contract; the failed CREATE2 used 2)
    let nonce = e.nonce(probe);
    let out = send(
        &e,
        ALICE,
        probe,
        IProbe::deployCall {
            initcode,
            salt: B256::ZERO,
            useCreate2: false,
        }
        .abi_encode(),
        u(11),
    )
    .unwrap();
    let created = returns::<IProbe::deployCall>(&out).unwrap();
    assert_eq!(created, probe.create(nonce));
    assert_eq!(e.balance(created), u(11));
    // EVM init code runs too: a program deploys an EVM contract
    let runtime = [0x60, 0x2a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3];
    let nonce = e.nonce(probe);
    let out = call(
        &e,
        probe,
        &IProbe::deployCall {
            initcode: testing::evm_initcode(&runtime).into(),
            salt: B256::ZERO,
            useCreate2: false,
        },
    );
    let created = returns::<IProbe::deployCall>(&out).unwrap();
    assert_eq!(created, probe.create(nonce));
    assert_eq!(e.code(created), Bytes::copy_from_slice(&runtime));
    let out = send(&e, ALICE, created, Bytes::new(), U256::ZERO).unwrap();
    assert_eq!(U256::from_be_slice(&out.output), u(42));
    // init code that reverts: the program sees the failure with its data
    let out = call(
        &e,
        probe,
        &IProbe::deployCall {
            // PUSH1 0x20, PUSH1 0, REVERT: 32 zero bytes of revert data
            initcode: Bytes::from(vec![0x60, 0x20, 0x60, 0x00, 0xfd]),
            salt: B256::ZERO,
            useCreate2: false,
        },
    );
    assert_eq!(out.status, ExitStatus::Revert);
    let failed = IProbe::ProbeDeployFailed::abi_decode(&out.output).unwrap();
    assert_eq!(failed.data, Bytes::from(vec![0u8; 32]));
}

#[test]
fn raw_rustc_wasm_fails_activation_and_prepared_passes() {
    let e = engine();
    let raw_code = {
        let mut c = il_wasm::STYLUS_PREFIX.to_vec();
        c.push(il_wasm::NO_DICTIONARY);
        c.extend(il_wasm::compress(probe_wasm()));
        c
    };
    let raw = create_code(&e, ALICE, &raw_code).unwrap();
    let out = activate(&e, ALICE, raw, eth(1)).unwrap();
    assert_eq!(out.status, ExitStatus::Revert);
    let reason = alloy::sol_types::Revert::abi_decode(&out.output)
        .unwrap()
        .reason;
    assert!(
        reason.contains("activation failed") && reason.contains("zero byte expected"),
        "{reason}"
    );
    // as on Nitro, a module that fails validation consumes all the gas
    assert_eq!(out.gas_used, gas::MAX_TX_GAS);

    let prepared = il_wasm::prepare(probe_wasm()).unwrap();
    let program = create_code(&e, ALICE, &il_wasm::contract_code(&prepared)).unwrap();
    // calling before activation fails as on Nitro
    let out = call(&e, program, &IProbe::counterCall {});
    assert_eq!(out.status, ExitStatus::Revert);
    assert!(il_devnet::engine::ProgramNotActivated::abi_decode(&out.output).is_ok());
    // too little value (keeps the gas beyond what activation charged)
    let fee = arbwasm::data_fee(&e, &prepared).unwrap();
    let out = activate(&e, ALICE, program, fee - U256::from(1)).unwrap();
    assert_eq!(
        IArbWasm::ProgramInsufficientValue::abi_decode(&out.output).unwrap(),
        IArbWasm::ProgramInsufficientValue {
            have: fee - U256::from(1),
            want: fee
        }
    );
    // enough, with excess refunded
    let before = e.balance(ALICE);
    let out = activate(&e, ALICE, program, fee + U256::from(500)).unwrap();
    assert!(out.status.is_success(), "{out:?}");
    let r = IArbWasm::activateProgramCall::abi_decode_returns(&out.output).unwrap();
    assert_eq!(
        (r.version, r.dataFee),
        (il_devnet::engine::STYLUS_VERSION, fee)
    );
    assert_eq!(e.balance(ALICE), before - fee);
    let ev = IArbWasm::ProgramActivated::decode_log_data(&out.logs[0].data).unwrap();
    assert_eq!(ev.codehash, keccak256(e.code(program)));
    assert_eq!(ev.moduleHash, keccak256(&prepared));
    assert_eq!((ev.program, ev.dataFee, ev.version), (program, fee, 2));
    // a second activation is refused
    let out = activate(&e, ALICE, program, fee).unwrap();
    assert!(IArbWasm::ProgramUpToDate::abi_decode(&out.output).is_ok());
    // now it runs
    assert!(
        call(&e, program, &IProbe::counterCall {})
            .status
            .is_success()
    );
    // EOAs are not wasm
    let out = activate(&e, ALICE, BOB, fee).unwrap();
    assert!(IArbWasm::ProgramNotWasm::abi_decode(&out.output).is_ok());
}

#[test]
fn arbwasm_views_describe_the_program() {
    let (e, probe) = with_probe();
    let code_hash = keccak256(e.code(probe));
    let view = |data: Vec<u8>| send(&e, ALICE, arbwasm::ADDRESS, data, U256::ZERO).unwrap();
    let v =
        returns::<IArbWasm::stylusVersionCall>(&view(IArbWasm::stylusVersionCall {}.abi_encode()))
            .unwrap();
    assert_eq!(v, 2);
    let v = returns::<IArbWasm::codehashVersionCall>(&view(
        IArbWasm::codehashVersionCall {
            codehash: code_hash,
        }
        .abi_encode(),
    ))
    .unwrap();
    assert_eq!(v, 2);
    let size = returns::<IArbWasm::codehashAsmSizeCall>(&view(
        IArbWasm::codehashAsmSizeCall {
            codehash: code_hash,
        }
        .abi_encode(),
    ))
    .unwrap();
    let nitro = il_wasm::costs::nitro_costs(&il_wasm::prepare(probe_wasm()).unwrap()).unwrap();
    assert_eq!(u64::from(size), nitro.asm_size());
    assert_eq!(size % 1_024, 0);
    let left = returns::<IArbWasm::programTimeLeftCall>(&view(
        IArbWasm::programTimeLeftCall { program: probe }.abi_encode(),
    ))
    .unwrap();
    assert_eq!(left, arbwasm::EXPIRY_SECONDS);
    let fp = returns::<IArbWasm::programMemoryFootprintCall>(&view(
        IArbWasm::programMemoryFootprintCall { program: probe }.abi_encode(),
    ))
    .unwrap();
    assert!(fp >= 1);
    let init = returns::<IArbWasm::programInitGasCall>(&view(
        IArbWasm::programInitGasCall { program: probe }.abi_encode(),
    ))
    .unwrap();
    // Nitro: (initGas + cachedGas, cachedGas)
    assert_eq!(
        (init.gas, init.gasWhenCached),
        (nitro.uncached_call_gas(), nitro.cached_gas())
    );
    assert!(init.gas > 8_832 + 352 && init.gasWhenCached > 352);
    let min = returns::<IArbWasm::minInitGasCall>(&view(IArbWasm::minInitGasCall {}.abi_encode()))
        .unwrap();
    assert_eq!((min.gas, min.cached), (8_832, 352));
    assert_eq!(
        returns::<IArbWasm::maxStackDepthCall>(&view(IArbWasm::maxStackDepthCall {}.abi_encode()))
            .unwrap(),
        22_000
    );
    assert_eq!(
        returns::<IArbWasm::pageRampCall>(&view(IArbWasm::pageRampCall {}.abi_encode())).unwrap(),
        620_674_314
    );
    // activationGas exists from ArbOS 60 (the chain models 51)
    let out = view(IArbWasm::activationGasCall {}.abi_encode());
    assert_eq!(
        (out.status, out.output.is_empty()),
        (ExitStatus::Revert, true)
    );
    e.set_activation_rules(il_wasm::activation::Rules {
        arbos_version: 60,
        ..Default::default()
    });
    assert_eq!(
        returns::<IArbWasm::activationGasCall>(&view(IArbWasm::activationGasCall {}.abi_encode()))
            .unwrap(),
        0
    );
    e.set_activation_rules(il_wasm::activation::Rules::default());
    let ink =
        returns::<IArbWasm::inkPriceCall>(&view(IArbWasm::inkPriceCall {}.abi_encode())).unwrap();
    assert_eq!(ink, 10_000);
    assert_eq!(
        returns::<IArbWasm::pageLimitCall>(&view(IArbWasm::pageLimitCall {}.abi_encode())).unwrap(),
        gas::PAGE_LIMIT
    );
    assert_eq!(
        returns::<IArbWasm::expiryDaysCall>(&view(IArbWasm::expiryDaysCall {}.abi_encode()))
            .unwrap(),
        365
    );
    // an unknown code hash
    let out = view(
        IArbWasm::codehashVersionCall {
            codehash: B256::ZERO,
        }
        .abi_encode(),
    );
    assert!(IArbWasm::ProgramNotActivated::abi_decode(&out.output).is_ok());
    // views refuse value
    let out = send(
        &e,
        ALICE,
        arbwasm::ADDRESS,
        IArbWasm::inkPriceCall {}.abi_encode(),
        u(1),
    )
    .unwrap();
    assert_eq!(out.status, ExitStatus::Revert);
}

#[test]
fn programs_expire_after_a_year() {
    let (e, probe) = with_probe();
    e.set_block_env(BlockEnv {
        number: 8,
        timestamp: TIMESTAMP + arbwasm::EXPIRY_SECONDS + 1,
        ..BlockEnv::default()
    });
    let out = call(&e, probe, &IProbe::counterCall {});
    assert_eq!(out.status, ExitStatus::Revert);
    let exp = il_devnet::engine::ProgramExpired::abi_decode(&out.output).unwrap();
    assert_eq!(exp.ageInSeconds, arbwasm::EXPIRY_SECONDS + 1);
}

/// A hand-written module importing `module::import` of type (i32) -> ()
/// whose entrypoint calls it with 7 and returns 0.
fn hand_module(module: &str, import: &str) -> Vec<u8> {
    fn sec(m: &mut Vec<u8>, id: u8, body: &[u8]) {
        m.push(id);
        m.push(body.len() as u8);
        m.extend_from_slice(body);
    }
    fn name(o: &mut Vec<u8>, s: &str) {
        o.push(s.len() as u8);
        o.extend_from_slice(s.as_bytes());
    }
    let mut m = vec![0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    sec(
        &mut m,
        1,
        &[0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00],
    );
    let mut imp = vec![0x01];
    name(&mut imp, module);
    name(&mut imp, import);
    imp.extend_from_slice(&[0x00, 0x01]);
    sec(&mut m, 2, &imp);
    sec(&mut m, 3, &[0x01, 0x00]);
    // one page, fixed: a growable memory would need pay_for_memory_grow
    sec(&mut m, 5, &[0x01, 0x01, 0x01, 0x01]);
    let mut exp = vec![0x02];
    name(&mut exp, "user_entrypoint");
    exp.extend_from_slice(&[0x00, 0x01]);
    name(&mut exp, "memory");
    exp.extend_from_slice(&[0x02, 0x00]);
    sec(&mut m, 7, &exp);
    // (func (param i32) (result i32) i32.const 7 call 0 i32.const 0)
    sec(
        &mut m,
        10,
        &[0x01, 0x08, 0x00, 0x41, 0x07, 0x10, 0x00, 0x41, 0x00, 0x0b],
    );
    m
}

#[test]
fn an_unsupported_import_is_named_at_activation() {
    let e = engine();
    // console imports exist on a debug chain only (as on Nitro)
    e.set_activation_rules(il_wasm::activation::Rules {
        debug: true,
        ..Default::default()
    });
    for (module, import) in [("vm_hooks", "read_args"), ("console", "log_i32")] {
        let code = il_wasm::contract_code(&hand_module(module, import));
        let ok = create_code(&e, ALICE, &code).unwrap();
        let out = activate(&e, ALICE, ok, eth(1)).unwrap();
        assert!(out.status.is_success(), "{module}::{import}: {out:?}");
        let ran = send(&e, ALICE, ok, vec![1, 2, 3], U256::ZERO).unwrap();
        assert!(ran.status.is_success(), "{module}::{import}: {ran:?}");
    }
    let refused = |module: &str, import: &str| {
        let code = il_wasm::contract_code(&hand_module(module, import));
        let at = create_code(&e, ALICE, &code).unwrap();
        let out = activate(&e, ALICE, at, eth(1)).unwrap();
        assert_eq!(out.status, ExitStatus::Revert);
        alloy::sol_types::Revert::abi_decode(&out.output)
            .unwrap()
            .reason
    };
    assert_eq!(
        refused("vm_hooks", "evm_blockhash"),
        "activation failed: unsupported import vm_hooks::evm_blockhash"
    );
    assert_eq!(
        refused("env", "abort"),
        "activation failed: unsupported import env::abort"
    );
    // a supported name with another signature is refused too
    let reason = refused("vm_hooks", "chainid");
    assert!(
        reason.starts_with("activation failed: import vm_hooks::chainid has type"),
        "{reason}"
    );
}

#[test]
fn evm_creation_transactions_deploy_evm_code() {
    let e = engine();
    let runtime = [0x60, 0x2a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3];
    let tx = TxRequest {
        from: ALICE,
        to: None,
        data: testing::evm_initcode(&runtime).into(),
        gas_limit: 1_000_000,
        ..TxRequest::default()
    };
    let out = e.transact(&tx, true).unwrap();
    assert_eq!(out.status, ExitStatus::Success);
    let created = out.contract_address.unwrap();
    assert_eq!(created, ALICE.create(0));
    assert_eq!(e.code(created), Bytes::copy_from_slice(&runtime));
    assert_eq!(e.nonce(created), 1);
    // the Stylus deployment prelude is EVM init code too: wrapping EVM
    // runtime code, it deploys that code
    let tx = TxRequest {
        data: il_wasm::initcode(&[0x60, 0x00]).into(),
        ..tx
    };
    let out = e.transact(&tx, true).unwrap();
    assert_eq!(
        e.code(out.contract_address.unwrap()),
        Bytes::from(vec![0x60, 0x00])
    );
    // init code over 48 KiB is rejected before it is mined (EIP-3860)
    let tx = TxRequest {
        data: vec![0u8; 49_153].into(),
        gas_limit: gas::MAX_TX_GAS,
        ..tx
    };
    assert_eq!(
        e.transact(&tx, true),
        Err(TxError::InitCodeTooLarge { size: 49_153 })
    );
}

#[test]
fn transaction_checks_reject_bad_nonce_funds_and_gas() {
    let e = engine();
    let base = TxRequest {
        from: ALICE,
        to: Some(BOB),
        gas_limit: 21_000,
        nonce: Some(0),
        ..TxRequest::default()
    };
    assert_eq!(
        e.transact(
            &TxRequest {
                nonce: Some(1),
                ..base.clone()
            },
            true
        ),
        Err(TxError::NonceTooHigh {
            expected: 0,
            got: 1
        })
    );
    assert!(e.transact(&base, true).unwrap().status.is_success());
    assert_eq!(
        e.transact(&base, true),
        Err(TxError::NonceTooLow {
            expected: 1,
            got: 0
        })
    );
    assert_eq!(
        e.transact(
            &TxRequest {
                nonce: None,
                gas_limit: 20_999,
                ..base.clone()
            },
            true
        ),
        Err(TxError::IntrinsicGasTooLow {
            have: 20_999,
            want: 21_000
        })
    );
    let poor = TxRequest {
        from: BOB,
        nonce: None,
        value: u(1),
        ..base.clone()
    };
    assert!(matches!(
        e.transact(&poor, true),
        Err(TxError::InsufficientFunds { .. })
    ));
    assert_eq!(
        e.transact(
            &TxRequest {
                nonce: None,
                gas_limit: gas::MAX_TX_GAS + 1,
                ..base
            },
            true
        ),
        Err(TxError::GasLimitTooHigh {
            have: gas::MAX_TX_GAS + 1
        })
    );
}

#[test]
fn gas_is_bought_and_unused_gas_refunded_at_the_gas_price() {
    let (e, probe) = with_probe();
    let price = U256::from(il_devnet::engine::BASE_FEE_WEI);
    let before = e.balance(ALICE);
    let tx = TxRequest {
        from: ALICE,
        to: Some(probe),
        data: IProbe::incrementCall {}.abi_encode().into(),
        gas_limit: 5_000_000,
        gas_price: price,
        ..TxRequest::default()
    };
    let out = e.transact(&tx, true).unwrap();
    assert!(out.status.is_success());
    assert_eq!(e.balance(ALICE), before - U256::from(out.gas_used) * price);
    // eth_call mode changes nothing
    let world = e.world();
    let out = e.transact(&tx, false).unwrap();
    assert!(out.status.is_success());
    assert_eq!(e.world(), world);
}

/// A native program that calls itself once more if the calldata is non-empty
/// and returns its depth (u32 BE).
struct Recurse;

impl NativeProgram for Recurse {
    fn run(&self, frame: &mut Frame) -> ProgramExit {
        if frame.input().is_empty() {
            return ProgramExit::Return(frame.depth().to_be_bytes().to_vec());
        }
        let me = frame.address();
        match frame.call(CallKind::Call, me, &[], U256::ZERO, u64::MAX) {
            Ok(true) => ProgramExit::Return(frame.return_data().to_vec()),
            Ok(false) => ProgramExit::Revert(b"depth".to_vec()),
            Err(h) => ProgramExit::Halt(h),
        }
    }
}

#[test]
fn call_depth_is_limited_to_1024() {
    // (Through transactions the 63/64 rule exhausts gas long before depth
    // 1024, as in the EVM; the limit itself is checked on frames directly.)
    let e = engine();
    let code: &[u8] = &[0xEF, 0xF0, 0x00, 0x00, b'r'];
    let at = Address::with_last_byte(0xdd);
    e.set_code(at, Bytes::from_static(code));
    e.register_native(keccak256(code), Rc::new(Recurse));
    let msg = |depth: u32, input: Vec<u8>| il_devnet::engine::Message {
        kind: CallKind::Call,
        caller: ALICE,
        address: at,
        code_address: at,
        value: U256::ZERO,
        transfer: false,
        input,
        gas: 1_000_000,
        depth,
        is_static: false,
    };
    let r = e.call(msg(1_023, vec![1]));
    assert_eq!(r.status, ExitStatus::Success);
    assert_eq!(r.output, 1_024u32.to_be_bytes().to_vec());
    let r = e.call(msg(1_024, vec![1]));
    assert_eq!(r.status, ExitStatus::Revert);
    assert_eq!(r.output, b"depth".to_vec());
    let r = e.call(msg(1_025, Vec::new()));
    assert_eq!(r.status, ExitStatus::Halt(Halt::DepthLimit));
    assert_eq!(r.gas_left, 1_000_000);
}

#[test]
fn stylus_deployer_deploys_activates_and_constructs() {
    let e = engine();
    let prepared = il_wasm::prepare(probe_wasm()).unwrap();
    let code = il_wasm::contract_code(&prepared);
    let bytecode = Bytes::from(il_wasm::initcode(&code));
    let fee = arbwasm::data_fee(&e, &prepared).unwrap();
    let init = testing::constructor_calldata(&u(41).abi_encode());
    let deploy = |init_data: Vec<u8>, init_value: U256, salt: B256, value: U256| {
        send(
            &e,
            ALICE,
            deployer::ADDRESS,
            IStylusDeployer::deployCall {
                bytecode: bytecode.clone(),
                initData: init_data.into(),
                initValue: init_value,
                salt,
            }
            .abi_encode(),
            value,
        )
        .unwrap()
    };

    // CREATE path, with activation, constructor and a refund of the excess
    let before = e.balance(ALICE);
    let out = deploy(init.clone(), u(3), B256::ZERO, fee + u(3) + u(1_000));
    assert!(out.status.is_success(), "{out:?}");
    let addr = Address::abi_decode(&out.output).unwrap();
    assert_eq!(addr, deployer::ADDRESS.create(1));
    assert_eq!(e.balance(ALICE), before - fee - u(3));
    assert_eq!(e.balance(addr), u(3));
    let counter = returns::<IProbe::counterCall>(&call(&e, addr, &IProbe::counterCall {})).unwrap();
    assert_eq!(counter, u(41));
    let last = out.logs.last().unwrap();
    assert_eq!(last.address, deployer::ADDRESS);
    assert_eq!(
        IStylusDeployer::ContractDeployed::decode_log_data(&last.data)
            .unwrap()
            .deployedContract,
        addr
    );
    assert!(
        out.logs
            .iter()
            .any(|l| l.topics()[0] == IArbWasm::ProgramActivated::SIGNATURE_HASH)
    );

    // the constructor runs once only
    let again = send(&e, ALICE, addr, init.clone(), U256::ZERO).unwrap();
    assert_eq!(again.status, ExitStatus::Revert);

    // CREATE2 path: already active, no fee; address from keccak(salt . initData)
    let salt = B256::with_last_byte(9);
    let out = deploy(init.clone(), U256::ZERO, salt, U256::ZERO);
    assert!(out.status.is_success(), "{out:?}");
    let addr2 = Address::abi_decode(&out.output).unwrap();
    assert_eq!(
        addr2,
        deployer::ADDRESS.create2(deployer::init_salt(salt, &init), keccak256(&bytecode))
    );
    assert!(
        !out.logs
            .iter()
            .any(|l| l.topics()[0] == IArbWasm::ProgramActivated::SIGNATURE_HASH)
    );

    // errors
    let out = send(
        &e,
        ALICE,
        deployer::ADDRESS,
        IStylusDeployer::deployCall {
            bytecode: Bytes::new(),
            initData: Bytes::new(),
            initValue: U256::ZERO,
            salt: B256::ZERO,
        }
        .abi_encode(),
        U256::ZERO,
    )
    .unwrap();
    assert!(IStylusDeployer::EmptyBytecode::abi_decode(&out.output).is_ok());
    let out = deploy(Vec::new(), u(1), B256::ZERO, u(1));
    assert!(IStylusDeployer::InitValueButNotInitData::abi_decode(&out.output).is_ok());
    let bogus = vec![0xff, 0xff, 0xff, 0xff];
    let out = deploy(bogus, U256::ZERO, B256::ZERO, U256::ZERO);
    let err = IStylusDeployer::ContractInitializationError::abi_decode(&out.output).unwrap();
    assert_eq!(err.data, Bytes::new());
    // same CREATE2 salt and init data: the creation collides
    let out = deploy(init, U256::ZERO, salt, U256::ZERO);
    assert!(IStylusDeployer::ContractDeploymentError::abi_decode(&out.output).is_ok());
    // init value above msg.value with the code already active: the init call
    // cannot pay it and fails
    let other = testing::constructor_calldata(&u(1).abi_encode());
    let out = deploy(other, u(5), B256::ZERO, u(1));
    assert!(IStylusDeployer::ContractInitializationError::abi_decode(&out.output).is_ok());
}

#[test]
fn stylus_deployer_bubbles_activation_errors() {
    let e = engine();
    let prepared = il_wasm::prepare(probe_wasm()).unwrap();
    let bytecode = Bytes::from(il_wasm::initcode(&il_wasm::contract_code(&prepared)));
    let out = send(
        &e,
        ALICE,
        deployer::ADDRESS,
        IStylusDeployer::deployCall {
            bytecode,
            initData: Bytes::new(),
            initValue: U256::ZERO,
            salt: B256::ZERO,
        }
        .abi_encode(),
        U256::ZERO,
    )
    .unwrap();
    let err = IArbWasm::ProgramInsufficientValue::abi_decode(&out.output).unwrap();
    assert_eq!(err.want, arbwasm::data_fee(&e, &prepared).unwrap());
    // activation value = msg.value - initValue underflows: Solidity's panic 0x11
    let out = send(
        &e,
        ALICE,
        deployer::ADDRESS,
        IStylusDeployer::deployCall {
            bytecode: Bytes::from(il_wasm::initcode(&il_wasm::contract_code(&prepared))),
            initData: testing::constructor_calldata(&u(1).abi_encode()).into(),
            initValue: u(5),
            salt: B256::with_last_byte(1),
        }
        .abi_encode(),
        u(1),
    )
    .unwrap();
    assert_eq!(
        deployer::Panic::abi_decode(&out.output).unwrap().code,
        U256::from(0x11)
    );
}
