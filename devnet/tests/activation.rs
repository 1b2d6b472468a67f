//! Nitro's activation rules on the local chain, one probe module per rule
//! (written in the wasm text format): each is refused by ArbWasm's
//! `activateProgram` with Nitro's reason, and the same module without the
//! offending part is accepted. The table in `devnet/README.md` lists the
//! rules with the Nitro source they come from.

use alloy::primitives::{Address, U256, address};
use alloy::sol_types::SolError;
use il_devnet::engine::{BlockEnv, Engine, ExitStatus, Halt, WorldState};
use il_devnet::testing::{activate, create_code, send};
use il_wasm::activation::Rules;

const ALICE: Address = address!("0x00000000000000000000000000000000000a11ce");

fn engine(rules: Rules) -> Engine {
    let e = Engine::new(412_346, WorldState::default());
    e.set_balance(ALICE, U256::from(10u64).pow(U256::from(21)));
    e.set_block_env(BlockEnv {
        number: 7,
        timestamp: 1_700_000_000,
        ..BlockEnv::default()
    });
    e.set_activation_rules(rules);
    e
}

/// A program: `imports`, a fixed one-page memory unless `memory` says
/// otherwise, `body` inside `user_entrypoint` (which returns 0), and `extra`
/// module fields.
fn program(imports: &str, memory: &str, body: &str, extra: &str) -> Vec<u8> {
    let text = format!(
        r#"(module
            {imports}
            {memory}
            (func (export "user_entrypoint") (param i32) (result i32)
                {body}
                i32.const 0)
            {extra})"#
    );
    wat::parse_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

const FIXED: &str = r#"(memory (export "memory") 1 1)"#;

/// `Ok(())` if activation succeeds (and the program then runs), else the
/// revert reason.
fn activation(e: &Engine, wasm: &[u8]) -> Result<(), String> {
    let at = create_code(e, ALICE, &il_wasm::contract_code(wasm)).unwrap();
    let out = activate(e, ALICE, at, U256::from(10u64).pow(U256::from(18))).unwrap();
    if out.status != ExitStatus::Success {
        return Err(alloy::sol_types::Revert::abi_decode(&out.output)
            .map(|r| r.reason)
            .unwrap_or_else(|_| format!("{:?}", out.output)));
    }
    let ran = send(e, ALICE, at, vec![1, 2, 3], U256::ZERO).unwrap();
    assert!(ran.status.is_success(), "{ran:?}");
    Ok(())
}

fn refused(e: &Engine, wasm: &[u8], reason: &str) {
    match activation(e, wasm) {
        Ok(()) => panic!("activated, expected a refusal containing {reason:?}"),
        Err(r) => assert!(
            r.starts_with("activation failed: ") && r.contains(reason),
            "{r:?} does not contain {reason:?}"
        ),
    }
}

#[test]
fn float_arithmetic_is_refused_moves_are_not() {
    let e = engine(Rules::default());
    refused(
        &e,
        &program("", FIXED, "f64.const 1 f64.const 2 f64.add drop", ""),
        "No implementation for floating point operation F64Add",
    );
    refused(
        &e,
        &program("", FIXED, "i32.const 1 f32.convert_i32_s drop", ""),
        "F32ConvertI32S",
    );
    // constants, loads, stores and reinterpretations are plain moves
    activation(
        &e,
        &program(
            "",
            FIXED,
            "i32.const 0 f64.const 1.5 f64.store i32.const 0 f64.load i64.reinterpret_f64 drop",
            "",
        ),
    )
    .unwrap();
}

#[test]
fn console_imports_need_a_debug_chain() {
    let log = r#"(import "console" "log_i32" (func $log (param i32)))"#;
    let wasm = program(log, FIXED, "i32.const 7 call $log", "");
    refused(
        &engine(Rules::default()),
        &wasm,
        "import console::log_i32 is only available on a debug chain",
    );
    activation(
        &engine(Rules {
            debug: true,
            ..Rules::default()
        }),
        &wasm,
    )
    .unwrap();
}

#[test]
fn growable_memory_needs_pay_for_memory_grow() {
    let e = engine(Rules::default());
    let growable = r#"(memory (export "memory") 1)"#;
    refused(
        &e,
        &program("", growable, "", ""),
        "missing import pay_for_memory_grow",
    );
    let pay = r#"(import "vm_hooks" "pay_for_memory_grow" (func (param i32)))"#;
    activation(&e, &program(pay, growable, "", "")).unwrap();
    let wrong = r#"(import "vm_hooks" "pay_for_memory_grow" (func (param i64)))"#;
    refused(&e, &program(wrong, growable, "", ""), "pay_for_memory_grow");
}

#[test]
fn reserved_and_shadowing_names_are_refused() {
    let e = engine(Rules::default());
    refused(
        &e,
        &program(
            "",
            FIXED,
            "",
            r#"(global (export "stylus_ink_left") i32 (i32.const 0))"#,
        ),
        "binary exports reserved symbol stylus_ink_left",
    );
    let args = r#"(import "vm_hooks" "read_args" (func $read (param i32)))"#;
    refused(
        &e,
        &program(args, FIXED, "", r#"(export "read_args" (func $read))"#),
        "binary exports an import with the same name read_args",
    );
    refused(
        &e,
        &program(args, FIXED, "", r#"(func (export "x__read_args"))"#),
        "binary exports an import with the same name read_args",
    );
}

#[test]
fn more_than_348_locals_are_refused() {
    let e = engine(Rules::default());
    let locals = |n: usize| format!("(func (local {}))", "i32 ".repeat(n));
    activation(&e, &program("", FIXED, "", &locals(348))).unwrap();
    refused(
        &e,
        &program("", FIXED, "", &locals(349)),
        "too many wasm locals: 349 > 348",
    );
}

#[test]
fn a_data_count_section_is_refused() {
    let e = engine(Rules::default());
    // memory.init makes the text format emit a DataCount section
    refused(
        &e,
        &program(
            "",
            FIXED,
            "i32.const 0 i32.const 0 i32.const 1 memory.init $d",
            r#"(data $d "x")"#,
        ),
        "unsupported section type DataCountSection",
    );
}

#[test]
fn multi_value_types_are_refused_from_arbos_60() {
    let pair = r#"(func (result i32 i32) i32.const 1 i32.const 2)"#;
    let wasm = program("", FIXED, "", pair);
    activation(&engine(Rules::default()), &wasm).unwrap();
    refused(
        &engine(Rules {
            arbos_version: 60,
            ..Rules::default()
        }),
        &wasm,
        "failed to validate",
    );
}

#[test]
fn more_than_4096_live_stack_values_are_refused() {
    let e = engine(Rules::default());
    let pushes = |n: usize| "i32.const 1 ".repeat(n) + &"drop ".repeat(n);
    activation(&e, &program("", FIXED, &pushes(4_096), "")).unwrap();
    refused(
        &e,
        &program("", FIXED, &pushes(4_097), ""),
        "too many values on the stack at once in func 0: 4097 > 4096",
    );
}

#[test]
fn an_import_twice_with_two_types_is_refused() {
    let e = engine(Rules::default());
    let once = r#"(import "vm_hooks" "read_args" (func (param i32)))"#;
    activation(&e, &program(once, FIXED, "", "")).unwrap();
    let twice = format!(r#"{once} (import "vm_hooks" "read_args" (func (param i64)))"#);
    refused(
        &e,
        &program(&twice, FIXED, "", ""),
        "inconsistent imports for vm_hooks read_args",
    );
}

#[test]
fn initial_memory_over_128_pages_is_refused() {
    let e = engine(Rules::default());
    let pages = |n: u32| format!(r#"(memory (export "memory") {n} {n})"#);
    // 128 pages activate; opening them all costs 126 x 1,000 + 31,873,998
    // gas (Nitro's memory model), more than a transaction may carry
    let wasm = program("", &pages(128), "", "");
    let at = create_code(&e, ALICE, &il_wasm::contract_code(&wasm)).unwrap();
    let out = activate(&e, ALICE, at, U256::from(10u64).pow(U256::from(18))).unwrap();
    assert_eq!(out.status, ExitStatus::Success, "{out:?}");
    let ran = send(&e, ALICE, at, vec![1], U256::ZERO).unwrap();
    assert_eq!(ran.status, ExitStatus::Halt(Halt::OutOfGas));
    activation(&e, &program("", &pages(64), "", "")).unwrap();
    refused(
        &e,
        &program("", &pages(129), "", ""),
        "initial memory of 129 pages exceeds the 128-page limit",
    );
}

#[test]
fn anti_dos_limits_and_start_functions() {
    let e = engine(Rules::default());
    let funcs = |n: usize| "(func)".repeat(n);
    // the entrypoint is one function: 4,095 more make 4,096
    activation(&e, &program("", FIXED, "", &funcs(4_095))).unwrap();
    refused(
        &e,
        &program("", FIXED, "", &funcs(4_096)),
        "too many wasm functions: 4097 > 4096",
    );
    let datas = |n: usize| {
        (0..n)
            .map(|i| format!("(data (i32.const {i}) \"x\")"))
            .collect::<String>()
    };
    refused(
        &e,
        &program("", FIXED, "", &datas(129)),
        "too many wasm datas: 129 > 128",
    );
    refused(
        &e,
        &program("", FIXED, "", r#"(func $s) (start $s)"#),
        "start functions not allowed",
    );
    refused(
        &e,
        &program("", FIXED, "", r#"(table 4097 funcref)"#),
        "too many wasm table entries: 4097 > 4096",
    );
}
