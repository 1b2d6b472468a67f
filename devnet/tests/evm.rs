//! EVM beside Stylus on one engine: hand-assembled EVM contracts and the
//! fixture program (`scripts/build-contracts.sh` builds it) calling each
//! other in both directions, the Cancun opcodes, refunds, transient storage,
//! self-destruct, precompiles from both VMs, block values, and the failures
//! (bad opcode, out of gas, collision, bad code) that must leave nothing
//! behind.

use std::sync::OnceLock;

use alloy::primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy::sol_types::{SolCall, SolError};
use il_devnet::{
    artifacts,
    engine::{
        BlockEnv, COINBASE, Engine, ExitStatus, Halt, TxOutcome, TxRequest, WorldState, arbsys,
        arbwasm, evm, gas, l1_block_number,
    },
    testing::{self, IProbe, create_evm, deploy_wasm, returns},
};

const ALICE: Address = address!("0x00000000000000000000000000000000000a11ce");
const BOB: Address = address!("0x0000000000000000000000000000000000000b0b");
const TIMESTAMP: u64 = 1_700_000_000;
const L2_NUMBER: u64 = 7;

fn eth(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

fn u(n: u64) -> U256 {
    U256::from(n)
}

fn probe_wasm() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    WASM.get_or_init(|| artifacts::read_wasm("il-probe").unwrap_or_else(|e| panic!("{e}")))
}

fn engine() -> Engine {
    let e = Engine::new(412_346, WorldState::default());
    e.set_balance(ALICE, eth(1_000));
    e.set_block_env(BlockEnv {
        number: L2_NUMBER,
        timestamp: TIMESTAMP,
        ..BlockEnv::default()
    });
    e
}

/// Sends `data` from ALICE to `to` with `value` and `gas_limit`, committed.
fn send_gas(
    e: &Engine,
    to: Address,
    data: impl Into<Bytes>,
    value: U256,
    gas_limit: u64,
) -> TxOutcome {
    e.transact(
        &TxRequest {
            from: ALICE,
            to: Some(to),
            value,
            data: data.into(),
            gas_limit,
            ..TxRequest::default()
        },
        true,
    )
    .expect("included")
}

fn send(e: &Engine, to: Address, data: impl Into<Bytes>, value: U256) -> TxOutcome {
    send_gas(e, to, data, value, gas::MAX_TX_GAS)
}

fn deploy(e: &Engine, runtime: &[u8]) -> Address {
    create_evm(e, ALICE, &testing::evm_initcode(runtime)).expect("EVM deployment")
}

/// Returns its calldata.
const ECHO: &[u8] = &[0x36, 0x5f, 0x5f, 0x37, 0x36, 0x5f, 0xf3];
/// Reverts with its calldata.
const REVERTER: &[u8] = &[0x36, 0x5f, 0x5f, 0x37, 0x36, 0x5f, 0xfd];
/// `SSTORE(0, calldata[0..32])`.
const STORE: &[u8] = &[0x5f, 0x35, 0x5f, 0x55, 0x00];
/// With calldata: `TSTORE(0, calldata[0..32])`; then returns `TLOAD(0)`.
const TRANSIENT: &[u8] = &[
    0x36, 0x60, 0x0c, 0x57, 0x5f, 0x5c, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3, 0x5b, 0x5f, 0x35, 0x5f,
    0x5d, 0x5f, 0x5c, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3,
];
/// `SELFDESTRUCT(calldata[0..32])`.
const DESTRUCT: &[u8] = &[0x5f, 0x35, 0xff];
/// An opcode Cancun does not define.
const BAD_OPCODE: &[u8] = &[0x0c];
/// `JUMPDEST PUSH0 JUMP`: loops until the gas runs out.
const LOOP: &[u8] = &[0x5b, 0x5f, 0x56];
/// CREATE2 of its calldata (salt 0, value passed on); returns the address (0 on failure).
const FACTORY: &[u8] = &[
    0x36, 0x5f, 0x5f, 0x37, 0x5f, 0x36, 0x5f, 0x34, 0xf5, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3,
];
/// Returns eight words: NUMBER, PREVRANDAO, COINBASE, BLOBHASH(0),
/// BLOBBASEFEE, CHAINID, BLOCKHASH(NUMBER - 1), BLOCKHASH(NUMBER).
const BLOCK_VALUES: &[u8] = &[
    0x43, 0x5f, 0x52, // NUMBER -> 0
    0x44, 0x60, 0x20, 0x52, // PREVRANDAO -> 32
    0x41, 0x60, 0x40, 0x52, // COINBASE -> 64
    0x5f, 0x49, 0x60, 0x60, 0x52, // BLOBHASH(0) -> 96
    0x4a, 0x60, 0x80, 0x52, // BLOBBASEFEE -> 128
    0x46, 0x60, 0xa0, 0x52, // CHAINID -> 160
    0x60, 0x01, 0x43, 0x03, 0x40, 0x60, 0xc0, 0x52, // BLOCKHASH(NUMBER - 1) -> 192
    0x43, 0x40, 0x60, 0xe0, 0x52, // BLOCKHASH(NUMBER) -> 224
    0x61, 0x01, 0x00, 0x5f, 0xf3, // RETURN(0, 256)
];

/// A forwarder: calls the address in `calldata[0..32]` with the rest of
/// the calldata using `op` (CALL, CALLCODE, DELEGATECALL or STATICCALL;
/// the first two pass on `msg.value`), then returns or reverts with the
/// callee's return data unchanged.
fn forwarder(op: u8) -> Vec<u8> {
    let with_value = matches!(op, 0xf1 | 0xf2);
    let mut c = vec![
        0x36, 0x60, 0x20, 0x90, 0x03, // len = calldatasize - 32
        0x80, 0x60, 0x20, 0x5f, 0x37, // mem[0..len] = calldata[32..]
        0x5f, 0x5f, 0x82, 0x5f, // retSize 0, retOffset 0, argsSize len, argsOffset 0
    ];
    if with_value {
        c.push(0x34); // CALLVALUE
    }
    c.extend_from_slice(&[0x5f, 0x35, 0x5a, op]); // to, GAS, call
    c.extend_from_slice(&[0x3d, 0x5f, 0x5f, 0x3e]); // RETURNDATACOPY(0, 0, size)
    let ok = u8::try_from(c.len() + 6).expect("short code");
    c.extend_from_slice(&[0x60, ok, 0x57, 0x3d, 0x5f, 0xfd]); // JUMPI ok; REVERT
    c.extend_from_slice(&[0x5b, 0x3d, 0x5f, 0xf3]); // ok: RETURN
    c
}

/// Calldata for a forwarder: the target as a word, then `data`.
fn via(to: Address, data: &[u8]) -> Vec<u8> {
    let mut c = to.into_word().to_vec();
    c.extend_from_slice(data);
    c
}

#[test]
fn evm_contracts_deploy_and_run_with_revm_gas() {
    let e = engine();
    let echo = deploy(&e, ECHO);
    assert_eq!(e.code(echo), Bytes::from_static(ECHO));
    let out = send(&e, echo, vec![1, 2, 3], U256::ZERO);
    assert_eq!(out.status, ExitStatus::Success);
    assert_eq!(out.output, Bytes::from(vec![1, 2, 3]));
    // 21,000 + 3 non-zero bytes (48) + CALLDATASIZE 2, PUSH0 2, PUSH0 2,
    // CALLDATACOPY 3 + 3 + memory 3, CALLDATASIZE 2, PUSH0 2, RETURN 0
    assert_eq!(out.gas_used, 21_000 + 48 + 2 + 2 + 2 + 9 + 2 + 2);
}

#[test]
fn sstore_refunds_are_capped_at_a_fifth_of_the_gas_used() {
    let e = engine();
    let store = deploy(&e, STORE);
    let one = U256::from(1).to_be_bytes::<32>();
    let out = send(&e, store, one.to_vec(), U256::ZERO);
    assert_eq!(out.status, ExitStatus::Success);
    // 21,000 + 31 zero bytes + 1 non-zero + PUSH0, CALLDATALOAD, PUSH0 + cold SSTORE 0 -> 1
    assert_eq!(out.gas_used, 21_000 + 124 + 16 + 7 + 22_100);
    assert_eq!(e.storage(store, U256::ZERO), B256::from(one));
    // clearing it: 2,100 cold + 2,900 reset, 4,800 refunded (below a fifth)
    let out = send(&e, store, vec![0u8; 32], U256::ZERO);
    let spent = 21_000 + 128 + 7 + 5_000;
    assert_eq!(out.gas_used, spent - 4_800);
    assert_eq!(e.storage(store, U256::ZERO), B256::ZERO);
}

#[test]
fn transient_storage_lives_for_one_transaction() {
    let e = engine();
    let t = deploy(&e, TRANSIENT);
    let out = send(&e, t, u(5).to_be_bytes::<32>().to_vec(), U256::ZERO);
    assert_eq!(U256::from_be_slice(&out.output), u(5));
    let out = send(&e, t, Bytes::new(), U256::ZERO);
    assert_eq!(U256::from_be_slice(&out.output), U256::ZERO);
}

#[test]
fn block_values_follow_arbitrum() {
    let e = engine();
    let b = deploy(&e, BLOCK_VALUES);
    let out = send(&e, b, Bytes::new(), U256::ZERO);
    let words: Vec<U256> = out.output.chunks(32).map(U256::from_be_slice).collect();
    let l1 = l1_block_number(TIMESTAMP);
    assert_eq!(words[0], u(l1), "NUMBER is the L1 estimate");
    assert_eq!(words[1], u(1), "PREVRANDAO");
    assert_eq!(words[2], U256::from_be_slice(COINBASE.as_slice()));
    assert_eq!(words[3], U256::ZERO, "BLOBHASH");
    assert_eq!(words[4], u(evm::BLOB_BASE_FEE));
    assert_eq!(words[5], u(412_346));
    assert_eq!(
        words[6],
        U256::from_be_bytes(evm::block_hash(412_346, l1 - 1).0)
    );
    assert_eq!(words[7], U256::ZERO, "BLOCKHASH of the current block");
    // the Stylus hostio gives the same block.number; ArbSys the L2 one
    let probe = deploy_wasm(&e, ALICE, probe_wasm()).unwrap();
    let info = returns::<IProbe::blockInfoCall>(&send(
        &e,
        probe,
        IProbe::blockInfoCall {}.abi_encode(),
        U256::ZERO,
    ))
    .unwrap();
    assert_eq!(info.number, l1);
    let fwd = deploy(&e, &forwarder(0xfa));
    let out = send(
        &e,
        fwd,
        via(
            arbsys::ADDRESS,
            &arbsys::IArbSys::arbBlockNumberCall {}.abi_encode(),
        ),
        U256::ZERO,
    );
    assert_eq!(U256::from_be_slice(&out.output), u(L2_NUMBER));
}

#[test]
fn l1_block_number_is_monotone_at_twelve_seconds() {
    let t = 1_663_224_179;
    assert_eq!(l1_block_number(t), 15_537_394);
    assert_eq!(l1_block_number(t + 11), 15_537_394);
    assert_eq!(l1_block_number(t + 12), 15_537_395);
    assert_eq!(l1_block_number(t - 1), 15_537_393);
    assert_eq!(l1_block_number(0), 0, "saturates before Ethereum's genesis");
}

#[test]
fn stylus_calls_evm_with_value_and_sees_revert_data_unchanged() {
    let e = engine();
    let probe = deploy_wasm(&e, ALICE, probe_wasm()).unwrap();
    let echo = deploy(&e, ECHO);
    let reverter = deploy(&e, REVERTER);
    let out = send(
        &e,
        probe,
        IProbe::callOtherCall {
            to: echo,
            data: vec![9, 8, 7].into(),
        }
        .abi_encode(),
        u(1_000),
    );
    assert_eq!(
        returns::<IProbe::callOtherCall>(&out).unwrap(),
        Bytes::from(vec![9, 8, 7])
    );
    assert_eq!(e.balance(echo), u(1_000));
    let named = IProbe::ProbeReverted { key: u(42) }.abi_encode();
    let out = send(
        &e,
        probe,
        IProbe::callOtherCall {
            to: reverter,
            data: named.clone().into(),
        }
        .abi_encode(),
        U256::ZERO,
    );
    assert_eq!(out.status, ExitStatus::Revert);
    let failed = IProbe::ProbeCallFailed::abi_decode(&out.output).unwrap();
    assert_eq!(failed.data, Bytes::from(named));
}

#[test]
fn evm_calls_stylus_with_value_static_and_revert_data() {
    let e = engine();
    let probe = deploy_wasm(&e, ALICE, probe_wasm()).unwrap();
    let call = deploy(&e, &forwarder(0xf1));
    // msg.sender of the Stylus frame is the EVM contract; value arrives
    let out = send(
        &e,
        call,
        via(probe, &IProbe::msgInfoCall {}.abi_encode()),
        u(77),
    );
    let m = IProbe::msgInfoCall::abi_decode_returns(&out.output).unwrap();
    assert_eq!(
        (m.sender, m.origin, m.value, m.reentrant),
        (call, ALICE, u(77), false)
    );
    assert_eq!(e.balance(probe), u(77));
    // a named Stylus error crosses the EVM frame byte for byte
    let inner = IProbe::setThenRevertCall {
        key: u(3),
        value: u(4),
    }
    .abi_encode();
    let out = send(&e, call, via(probe, &inner), U256::ZERO);
    assert_eq!(out.status, ExitStatus::Revert);
    assert_eq!(
        IProbe::ProbeReverted::abi_decode(&out.output).unwrap().key,
        u(3)
    );
    assert_eq!(
        returns::<IProbe::getCall>(&send(
            &e,
            probe,
            IProbe::getCall { key: u(3) }.abi_encode(),
            U256::ZERO
        ))
        .unwrap(),
        U256::ZERO,
        "the flushed write was undone"
    );
    // STATICCALL: reads work, writes fail
    let stat = deploy(&e, &forwarder(0xfa));
    let out = send(
        &e,
        stat,
        via(probe, &IProbe::counterCall {}.abi_encode()),
        U256::ZERO,
    );
    assert_eq!(out.status, ExitStatus::Success);
    let out = send(
        &e,
        stat,
        via(probe, &IProbe::incrementCall {}.abi_encode()),
        U256::ZERO,
    );
    assert_eq!(out.status, ExitStatus::Revert);
    assert!(out.output.is_empty());
}

#[test]
fn delegate_call_and_callcode_act_on_the_callers_storage() {
    let e = engine();
    let probe = deploy_wasm(&e, ALICE, probe_wasm()).unwrap();
    let store = deploy(&e, STORE);
    // Stylus delegate-calls EVM code: it writes the probe's slot 0 (its counter)
    let out = send(
        &e,
        probe,
        IProbe::delegateCallOtherCall {
            to: store,
            data: u(99).to_be_bytes::<32>().to_vec().into(),
        }
        .abi_encode(),
        U256::ZERO,
    );
    assert_eq!(out.status, ExitStatus::Success, "{out:?}");
    assert_eq!(
        returns::<IProbe::counterCall>(&send(
            &e,
            probe,
            IProbe::counterCall {}.abi_encode(),
            U256::ZERO
        ))
        .unwrap(),
        u(99)
    );
    assert_eq!(e.storage(store, U256::ZERO), B256::ZERO);
    // EVM CALLCODE: the callee's code on the caller's storage
    let callcode = deploy(&e, &forwarder(0xf2));
    let out = send(
        &e,
        callcode,
        via(store, &u(5).to_be_bytes::<32>()),
        U256::ZERO,
    );
    assert_eq!(out.status, ExitStatus::Success);
    assert_eq!(e.storage(callcode, U256::ZERO), B256::from(u(5)));
    assert_eq!(e.storage(store, U256::ZERO), B256::ZERO);
    // EVM DELEGATECALL
    let delegate = deploy(&e, &forwarder(0xf4));
    send(
        &e,
        delegate,
        via(store, &u(6).to_be_bytes::<32>()),
        U256::ZERO,
    );
    assert_eq!(e.storage(delegate, U256::ZERO), B256::from(u(6)));
}

#[test]
fn reentrancy_counts_frames_of_both_vms() {
    let e = engine();
    let probe = deploy_wasm(&e, ALICE, probe_wasm()).unwrap();
    let call = deploy(&e, &forwarder(0xf1));
    // probe -> EVM -> probe: the probe has an open frame, the inner call is
    // reentrant and the SDK guard refuses it (empty revert data)
    let out = send(
        &e,
        probe,
        IProbe::callOtherCall {
            to: call,
            data: via(probe, &IProbe::msgInfoCall {}.abi_encode()).into(),
        }
        .abi_encode(),
        U256::ZERO,
    );
    assert_eq!(out.status, ExitStatus::Revert);
    assert_eq!(
        IProbe::ProbeCallFailed::abi_decode(&out.output)
            .unwrap()
            .data,
        Bytes::new()
    );
    // EVM -> probe -> EVM (another address) is not reentrant for anyone
    let echo = deploy(&e, ECHO);
    let out = send(
        &e,
        call,
        via(
            probe,
            &IProbe::callOtherCall {
                to: echo,
                data: vec![1].into(),
            }
            .abi_encode(),
        ),
        U256::ZERO,
    );
    assert_eq!(out.status, ExitStatus::Success);
}

#[test]
fn precompiles_answer_both_vms() {
    let e = engine();
    let probe = deploy_wasm(&e, ALICE, probe_wasm()).unwrap();
    let stat = deploy(&e, &forwarder(0xfa));
    let sha256 = Address::with_last_byte(2);
    let identity = Address::with_last_byte(4);
    let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    let out = send(&e, stat, via(sha256, b"abc"), U256::ZERO);
    assert_eq!(alloy::primitives::hex::encode(&out.output), expected);
    let out = send(
        &e,
        probe,
        IProbe::staticCallOtherCall {
            to: sha256,
            data: b"abc".to_vec().into(),
        }
        .abi_encode(),
        U256::ZERO,
    );
    let bytes = returns::<IProbe::staticCallOtherCall>(&out).unwrap();
    assert_eq!(alloy::primitives::hex::encode(&bytes), expected);
    let out = send(
        &e,
        probe,
        IProbe::callOtherCall {
            to: identity,
            data: vec![5, 6].into(),
        }
        .abi_encode(),
        U256::ZERO,
    );
    assert_eq!(
        returns::<IProbe::callOtherCall>(&out).unwrap(),
        Bytes::from(vec![5, 6])
    );
    // ecrecover from Stylus: the signer of a known digest
    let signer =
        alloy::signers::local::PrivateKeySigner::from_bytes(&B256::with_last_byte(1)).unwrap();
    let digest = keccak256(b"il-devnet");
    let sig = alloy::signers::SignerSync::sign_hash_sync(&signer, &digest).unwrap();
    let mut input = digest.to_vec();
    input.extend_from_slice(&U256::from(27 + u8::from(sig.v())).to_be_bytes::<32>());
    input.extend_from_slice(&sig.r().to_be_bytes::<32>());
    input.extend_from_slice(&sig.s().to_be_bytes::<32>());
    let out = send(
        &e,
        probe,
        IProbe::staticCallOtherCall {
            to: Address::with_last_byte(1),
            data: input.into(),
        }
        .abi_encode(),
        U256::ZERO,
    );
    let bytes = returns::<IProbe::staticCallOtherCall>(&out).unwrap();
    assert_eq!(
        Address::from_word(B256::from_slice(&bytes)),
        signer.address()
    );
    // known vectors through EVM STATICCALL: modexp 3^2 mod 5, ripemd160(""),
    // and KZG point evaluation present (a bad input halts, not an empty account)
    let modexp = {
        let mut input = Vec::new();
        for len in [1u64, 1, 1] {
            input.extend_from_slice(&U256::from(len).to_be_bytes::<32>());
        }
        input.extend_from_slice(&[3, 2, 5]);
        input
    };
    let out = send(
        &e,
        stat,
        via(Address::with_last_byte(5), &modexp),
        U256::ZERO,
    );
    assert_eq!(out.output, Bytes::from(vec![4]));
    let out = send(&e, stat, via(Address::with_last_byte(3), &[]), U256::ZERO);
    assert_eq!(
        alloy::primitives::hex::encode(&out.output),
        "0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31"
    );
    let out = send(
        &e,
        stat,
        via(Address::with_last_byte(0x0a), &[1, 2, 3]),
        U256::ZERO,
    );
    assert_eq!(
        out.status,
        ExitStatus::Revert,
        "the forwarder saw the precompile fail"
    );
    // ArbWasm from EVM code
    let out = send(
        &e,
        stat,
        via(
            arbwasm::ADDRESS,
            &arbwasm::IArbWasm::stylusVersionCall {}.abi_encode(),
        ),
        U256::ZERO,
    );
    assert_eq!(U256::from_be_slice(&out.output), u(2));
}

#[test]
fn selfdestruct_deletes_only_accounts_created_in_the_same_transaction() {
    let e = engine();
    let d = deploy(&e, DESTRUCT);
    e.set_balance(d, u(500));
    assert_eq!(e.balance(d), u(500));
    let out = send(&e, d, BOB.into_word().to_vec(), U256::ZERO);
    assert_eq!(out.status, ExitStatus::Success);
    assert_eq!(e.balance(BOB), u(500));
    assert_eq!(
        e.code(d),
        Bytes::from_static(DESTRUCT),
        "EIP-6780: the code stays"
    );
    // a constructor that self-destructs: the account is gone at the end
    let mut init = vec![0x73];
    init.extend_from_slice(BOB.as_slice());
    init.push(0xff);
    let out = e
        .transact(
            &TxRequest {
                from: ALICE,
                to: None,
                value: u(7),
                data: init.into(),
                gas_limit: 1_000_000,
                ..TxRequest::default()
            },
            true,
        )
        .unwrap();
    assert_eq!(out.status, ExitStatus::Success);
    let gone = out.contract_address.unwrap();
    assert_eq!(e.account(gone), il_devnet::engine::Account::default());
    assert_eq!(e.balance(BOB), u(507));
}

#[test]
fn stylus_programs_deploy_evm_contracts_with_create2() {
    let e = engine();
    let probe = deploy_wasm(&e, ALICE, probe_wasm()).unwrap();
    let initcode = testing::evm_initcode(ECHO);
    let salt = B256::with_last_byte(9);
    let out = send(
        &e,
        probe,
        IProbe::deployCall {
            initcode: initcode.clone().into(),
            salt,
            useCreate2: true,
        }
        .abi_encode(),
        u(3),
    );
    let created = returns::<IProbe::deployCall>(&out).unwrap();
    assert_eq!(created, probe.create2(salt, keccak256(&initcode)));
    assert_eq!(e.code(created), Bytes::from_static(ECHO));
    assert_eq!(e.balance(created), u(3));
}

#[test]
fn an_unknown_opcode_halts_the_frame_with_its_number() {
    let e = engine();
    let bad = deploy(&e, BAD_OPCODE);
    let before = e.world();
    let out = send_gas(&e, bad, Bytes::new(), U256::ZERO, 100_000);
    assert_eq!(out.status, ExitStatus::Halt(Halt::InvalidOpcode(0x0c)));
    assert_eq!(out.gas_used, 100_000);
    assert_eq!(
        Halt::InvalidOpcode(0x0c).to_string(),
        "invalid opcode: opcode 0x0c not defined"
    );
    // only the sender's nonce and gas changed
    let after = e.world();
    assert_eq!(after.accounts[&bad], before.accounts[&bad]);
    assert_eq!(after.storage, before.storage);
}

#[test]
fn an_evm_frame_out_of_gas_consumes_its_gas_and_undoes_its_changes() {
    let e = engine();
    let store = deploy(&e, STORE);
    let spin = deploy(&e, LOOP);
    let out = send_gas(&e, spin, Bytes::new(), U256::ZERO, 50_000);
    assert_eq!(out.status, ExitStatus::Halt(Halt::OutOfGas));
    assert_eq!(out.gas_used, 50_000);
    // out of gas in the middle of a write: nothing written
    let out = send_gas(
        &e,
        store,
        u(1).to_be_bytes::<32>().to_vec(),
        U256::ZERO,
        30_000,
    );
    assert_eq!(out.status, ExitStatus::Halt(Halt::OutOfGas));
    assert_eq!(e.storage(store, U256::ZERO), B256::ZERO);
    // an inner frame out of gas: the caller goes on with 1/64 of its gas
    let call = deploy(&e, &forwarder(0xf1));
    let out = send_gas(&e, call, via(spin, &[]), U256::ZERO, 200_000);
    assert_eq!(out.status, ExitStatus::Revert);
    assert!(out.gas_used < 200_000);
}

#[test]
fn creation_failures_leave_nothing_behind() {
    let e = engine();
    let factory = deploy(&e, FACTORY);
    let initcode = testing::evm_initcode(ECHO);
    let out = send(&e, factory, initcode.clone(), U256::ZERO);
    let first = Address::from_word(B256::from_slice(&out.output));
    assert_eq!(first, factory.create2(B256::ZERO, keccak256(&initcode)));
    // the same CREATE2 again collides: 0 is returned, nothing changes
    let before = e.world();
    let out = send(&e, factory, initcode, U256::ZERO);
    assert_eq!(out.status, ExitStatus::Success);
    assert_eq!(
        Address::from_word(B256::from_slice(&out.output)),
        Address::ZERO
    );
    let after = e.world();
    assert_eq!(after.accounts[&first], before.accounts[&first]);
    assert_eq!(
        after.accounts[&factory].nonce,
        before.accounts[&factory].nonce + 1,
        "the nonce is spent, as in the EVM"
    );
    // a creation transaction onto an address that has code: collision
    let next = ALICE.create(e.nonce(ALICE));
    e.set_code(next, Bytes::from_static(ECHO));
    let tx = TxRequest {
        from: ALICE,
        to: None,
        data: testing::evm_initcode(ECHO).into(),
        gas_limit: 200_000,
        ..TxRequest::default()
    };
    let out = e.transact(&tx, true).unwrap();
    assert_eq!(out.status, ExitStatus::Halt(Halt::Collision));
    assert_eq!(out.gas_used, 200_000);
    // malformed init code (an INVALID opcode) and code that starts with 0xEF
    for (data, halt) in [
        (vec![0x60, 0x01, 0xfe], Halt::InvalidOpcode(0xfe)),
        (
            testing::evm_initcode(&[0xef, 0x00]),
            Halt::Evm(
                "invalid code: must not begin with 0xef (EIP-3541; Stylus code 0xEFF000 excepted)"
                    .to_string(),
            ),
        ),
        (
            testing::evm_initcode(&vec![0u8; evm::MAX_CODE_SIZE + 1]),
            Halt::CodeTooLarge(evm::MAX_CODE_SIZE + 1),
        ),
    ] {
        let before = e.world();
        let tx = TxRequest {
            data: data.into(),
            gas_limit: gas::MAX_TX_GAS,
            ..tx.clone()
        };
        let out = e.transact(&tx, true).unwrap();
        assert_eq!(out.status, ExitStatus::Halt(halt));
        let created = ALICE.create(before.accounts[&ALICE].nonce);
        assert!(!e.world().accounts.contains_key(&created));
    }
}

#[test]
fn stylus_code_may_start_with_0xef_but_evm_code_may_not() {
    let e = engine();
    // the Stylus prelude returns 0xEFF000 code: allowed, as on Nitro
    let program = deploy_wasm(&e, ALICE, probe_wasm()).unwrap();
    assert!(il_wasm::is_stylus_code(&e.code(program)));
    // the same bytes deployed by plain EVM init code are allowed too
    let code = e.code(program);
    let tx = TxRequest {
        from: ALICE,
        to: None,
        data: testing::evm_initcode(&code).into(),
        gas_limit: gas::MAX_TX_GAS,
        ..TxRequest::default()
    };
    let out = e.transact(&tx, true).unwrap();
    assert_eq!(out.status, ExitStatus::Success);
}
