//! The hostios Nitro offers beyond the ones the contracts use: `exit_early`,
//! `transient_load_bytes32`/`transient_store_bytes32` and the 256-bit
//! `math_*` functions, run by a probe program written in the wasm text
//! format and compared with the EVM's semantics (`DIV`, `MOD`, `EXP`,
//! `ADDMOD`, `MULMOD`, `TLOAD`, `TSTORE`, `RETURN`/`REVERT`).

use alloy::primitives::{Address, U256, address};
use il_devnet::engine::{
    BlockEnv, CallKind, Engine, ExitStatus, Halt, Message, TxOutcome, WorldState,
};
use il_devnet::testing::{activate, create_code, create_evm, evm_initcode, send};

const ALICE: Address = address!("0x00000000000000000000000000000000000a11ce");

/// Calldata: one op byte, then up to three 32-byte words at 1, 33 and 65.
/// Ops 1-5 apply `math_div`, `math_mod`, `math_pow`, `math_add_mod`,
/// `math_mul_mod` to the words and return the first; 6 stores word 2 at key
/// word 1 in transient storage; 7 returns the transient value at key word 1;
/// 8 and 9 write the rest of the calldata as the result and `exit_early`
/// with 0 and 1 (the `unreachable` after it must not run); 10 delegate-calls
/// the 20-byte address at 1 with the 32 bytes at 21 and returns its first
/// 32 bytes of return data.
const PROBE: &str = r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "exit_early" (func $exit_early (param i32)))
  (import "vm_hooks" "math_div" (func $div (param i32 i32)))
  (import "vm_hooks" "math_mod" (func $mod (param i32 i32)))
  (import "vm_hooks" "math_pow" (func $pow (param i32 i32)))
  (import "vm_hooks" "math_add_mod" (func $add_mod (param i32 i32 i32)))
  (import "vm_hooks" "math_mul_mod" (func $mul_mod (param i32 i32 i32)))
  (import "vm_hooks" "transient_load_bytes32" (func $tload (param i32 i32)))
  (import "vm_hooks" "transient_store_bytes32" (func $tstore (param i32 i32)))
  (import "vm_hooks" "delegate_call_contract"
    (func $delegate (param i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "read_return_data" (func $return_data (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (local $op i32)
    (call $read_args (i32.const 0))
    (local.set $op (i32.load8_u (i32.const 0)))
    (block $word
      (if (i32.eq (local.get $op) (i32.const 1))
        (then (call $div (i32.const 1) (i32.const 33)) (br $word)))
      (if (i32.eq (local.get $op) (i32.const 2))
        (then (call $mod (i32.const 1) (i32.const 33)) (br $word)))
      (if (i32.eq (local.get $op) (i32.const 3))
        (then (call $pow (i32.const 1) (i32.const 33)) (br $word)))
      (if (i32.eq (local.get $op) (i32.const 4))
        (then (call $add_mod (i32.const 1) (i32.const 33) (i32.const 65)) (br $word)))
      (if (i32.eq (local.get $op) (i32.const 5))
        (then (call $mul_mod (i32.const 1) (i32.const 33) (i32.const 65)) (br $word)))
      (if (i32.eq (local.get $op) (i32.const 6))
        (then (call $tstore (i32.const 1) (i32.const 33)) (return (i32.const 0))))
      (if (i32.eq (local.get $op) (i32.const 7))
        (then (call $tload (i32.const 1) (i32.const 1)) (br $word)))
      (if (i32.eq (local.get $op) (i32.const 8))
        (then
          (call $write_result (i32.const 1) (i32.sub (local.get $len) (i32.const 1)))
          (call $exit_early (i32.const 0))
          unreachable))
      (if (i32.eq (local.get $op) (i32.const 9))
        (then
          (call $write_result (i32.const 1) (i32.sub (local.get $len) (i32.const 1)))
          (call $exit_early (i32.const 1))
          unreachable))
      (if (i32.eq (local.get $op) (i32.const 10))
        (then
          (drop (call $delegate
            (i32.const 1) (i32.const 21) (i32.const 32) (i64.const -1) (i32.const 2000)))
          (drop (call $return_data (i32.const 1) (i32.const 0) (i32.const 32)))
          (br $word)))
      unreachable)
    (call $write_result (i32.const 1) (i32.const 32))
    (i32.const 0)))"#;

fn setup() -> (Engine, Address) {
    let e = Engine::new(412_346, WorldState::default());
    e.set_balance(ALICE, U256::from(10u64).pow(U256::from(21)));
    e.set_block_env(BlockEnv {
        number: 7,
        timestamp: 1_700_000_000,
        ..BlockEnv::default()
    });
    let wasm = wat::parse_str(PROBE).unwrap();
    let at = create_code(&e, ALICE, &il_wasm::contract_code(&wasm)).unwrap();
    let out = activate(&e, ALICE, at, U256::from(10u64).pow(U256::from(18))).unwrap();
    assert!(out.status.is_success(), "{out:?}");
    (e, at)
}

fn calldata(op: u8, words: &[U256]) -> Vec<u8> {
    let mut data = vec![op];
    for w in words {
        data.extend_from_slice(&w.to_be_bytes::<32>());
    }
    data
}

fn run(e: &Engine, at: Address, data: Vec<u8>) -> TxOutcome {
    send(e, ALICE, at, data, U256::ZERO).unwrap()
}

fn word(out: &TxOutcome) -> U256 {
    assert!(out.status.is_success(), "{out:?}");
    U256::from_be_slice(&out.output)
}

#[test]
fn math_hostios_follow_the_evm_opcodes() {
    let (e, at) = setup();
    let max = U256::MAX;
    let samples = [
        U256::ZERO,
        U256::from(1u8),
        U256::from(3u8),
        U256::from(255u8),
        U256::from(10u64).pow(U256::from(18)),
        U256::from(1u8) << 128,
        max - U256::from(1u8),
        max,
    ];
    for &a in &samples {
        for &b in &samples {
            let div = word(&run(&e, at, calldata(1, &[a, b])));
            assert_eq!(div, a.checked_div(b).unwrap_or_default(), "{a} / {b}");
            let rem = word(&run(&e, at, calldata(2, &[a, b])));
            assert_eq!(rem, a.checked_rem(b).unwrap_or_default(), "{a} % {b}");
            let pow = word(&run(&e, at, calldata(3, &[a, b])));
            assert_eq!(pow, a.wrapping_pow(b), "{a} ^ {b}");
            for &m in &[U256::ZERO, U256::from(7u8), max] {
                let add = word(&run(&e, at, calldata(4, &[a, b, m])));
                assert_eq!(add, a.add_mod(b, m), "({a} + {b}) % {m}");
                let mul = word(&run(&e, at, calldata(5, &[a, b, m])));
                assert_eq!(mul, a.mul_mod(b, m), "({a} * {b}) % {m}");
            }
        }
    }
    // division by zero and a zero modulus write 0, as DIV/MOD/ADDMOD/MULMOD do
    assert_eq!(
        word(&run(&e, at, calldata(1, &[max, U256::ZERO]))),
        U256::ZERO
    );
    assert_eq!(
        word(&run(&e, at, calldata(5, &[max, max, U256::ZERO]))),
        U256::ZERO
    );
    // a longer exponent costs more (Nitro's pow_price: 17,500 ink a byte)
    let short = run(&e, at, calldata(3, &[U256::from(3u8), U256::from(2u8)]));
    let long = run(&e, at, calldata(3, &[U256::from(3u8), max]));
    assert!(long.gas_used > short.gas_used, "{long:?} vs {short:?}");
}

#[test]
fn exit_early_returns_or_reverts_with_the_output_written() {
    let (e, at) = setup();
    let mut data = vec![8u8];
    data.extend_from_slice(b"early return");
    let out = run(&e, at, data);
    assert_eq!(out.status, ExitStatus::Success, "{out:?}");
    assert_eq!(out.output.as_ref(), b"early return");
    let mut data = vec![9u8];
    data.extend_from_slice(b"early revert");
    let out = run(&e, at, data);
    assert_eq!(out.status, ExitStatus::Revert, "{out:?}");
    assert_eq!(out.output.as_ref(), b"early revert");
}

#[test]
fn transient_storage_lasts_one_transaction_and_is_the_evms() {
    let (e, at) = setup();
    let key = U256::from(42u8);
    let value = U256::from(0xbeefu32);
    // a transaction stores, the next one reads zero: cleared between them
    let stored = run(&e, at, calldata(6, &[key, value]));
    assert!(stored.status.is_success(), "{stored:?}");
    assert_eq!(word(&run(&e, at, calldata(7, &[key]))), U256::ZERO);

    // an EVM contract reading TLOAD at calldata word 0 (deployed now: its
    // creation is a transaction, which clears transient storage):
    // PUSH1 0 CALLDATALOAD TLOAD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
    let tload = [
        0x60, 0x00, 0x35, 0x5c, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3,
    ];
    let evm = create_evm(&e, ALICE, &evm_initcode(&tload)).unwrap();

    // within one frame sequence (no new transaction), a later call reads it
    let msg = |input: Vec<u8>, is_static: bool| Message {
        kind: if is_static {
            CallKind::StaticCall
        } else {
            CallKind::Call
        },
        caller: ALICE,
        address: at,
        code_address: at,
        value: U256::ZERO,
        transfer: false,
        input,
        gas: 10_000_000,
        depth: 0,
        is_static,
    };
    let r = e.call(msg(calldata(6, &[key, value]), false));
    assert_eq!(r.status, ExitStatus::Success, "{r:?}");
    let r = e.call(msg(calldata(7, &[key]), true));
    assert_eq!(U256::from_be_slice(&r.output), value);

    // the EVM's TLOAD, delegate-called in the program's context, sees it
    let mut input = vec![10u8];
    input.extend_from_slice(evm.as_slice());
    input.extend_from_slice(&key.to_be_bytes::<32>());
    let r = e.call(msg(input, false));
    assert_eq!(r.status, ExitStatus::Success, "{r:?}");
    assert_eq!(U256::from_be_slice(&r.output), value);

    // a static call cannot store
    let r = e.call(msg(calldata(6, &[key, U256::from(1u8)]), true));
    assert_eq!(r.status, ExitStatus::Halt(Halt::WriteProtection), "{r:?}");
}
