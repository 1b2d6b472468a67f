//! The structural rules Nitro's activation applies to a Stylus program, so
//! that a module the local chain activates also activates on Arbitrum.
//!
//! Read from Nitro's source (OffchainLabs/nitro at 6dce8d139; the paths and
//! lines are in `devnet/README.md`'s table), never copied:
//! - `crates/prover/src/binary.rs`: the wasm feature set (multi-value off
//!   from ArbOS 60), the sections accepted (no DataCount), reserved and
//!   shadowing names, the anti-DoS limits, no start function;
//! - `crates/prover/src/wavm.rs` with `machine.rs`'s `from_user_binary`:
//!   user programs get no soft-float implementations, so a float
//!   arithmetic, comparison or conversion instruction fails activation
//!   (loads, stores, constants and reinterpretations are plain moves);
//! - `crates/prover/src/programs/heap.rs`: a memory that can grow needs the
//!   `vm_hooks.pay_for_memory_grow: (i32) -> ()` import;
//! - `crates/stylus/src/native.rs`: the `console` imports exist only on a
//!   debug chain.
//!
//! - `crates/prover/src/programs/depth.rs` with `config.rs`: at most 4,096
//!   values live on a function's operand stack at once (counted here as
//!   wasmparser's validator counts the operand stack height; Nitro's own
//!   count can differ in unreachable code).
//!
//! Ink metering and the call-depth budget at run time are not modelled here.

use std::collections::HashMap;

use wasmparser::{Parser, Payload, TypeRef, Validator, WasmFeatures};

/// The ArbOS version from which multi-value function types are refused
/// (Nitro's `ARBOS_VERSION_STYLUS_NO_MULTI_VALUE`).
pub const ARBOS_NO_MULTI_VALUE: u64 = 60;

/// Which chain the rules are modelled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// A debug chain: the `console` imports are available.
    pub debug: bool,
    /// The ArbOS version activation runs under.
    pub arbos_version: u64,
}

impl Default for Rules {
    /// Arbitrum One and Sepolia today: not debug, ArbOS 51 "Dia" (on
    /// Sepolia since 2025-11-20, on One since 2026-01-08; multi-value
    /// still accepted).
    fn default() -> Self {
        Self {
            debug: false,
            arbos_version: 51,
        }
    }
}

/// The wasm features Nitro's parser enables for `arbos_version`.
#[must_use]
pub fn features(arbos_version: u64) -> WasmFeatures {
    let mut f = crate::stylus_features();
    f.set(
        WasmFeatures::MULTI_VALUE,
        arbos_version < ARBOS_NO_MULTI_VALUE,
    );
    f
}

/// Nitro's anti-DoS limits (`binary.rs`, `parse_user`).
mod limits {
    pub const MEMORIES: usize = 1;
    pub const DATAS: usize = 128;
    pub const ELEMENTS: usize = 128;
    pub const EXPORTS: usize = 1024;
    pub const FUNCTIONS: usize = 4096;
    pub const GLOBALS: usize = 32_768;
    pub const LOCALS: u64 = 348;
    pub const OPCODES: usize = 65_536;
    pub const IMPORTS: usize = 513;
    pub const TABLE_ENTRIES: u64 = 4096;
    pub const ELEMENT_ENTRIES: u64 = 4096;
    pub const NAME_LEN: usize = 512;
    /// Values on a function's operand stack at once (`max_frame_contention`).
    pub const FRAME_CONTENTION: u64 = 4096;
}

fn limit(name: &str, count: u64, max: u64) -> Result<(), String> {
    if count > max {
        Err(format!("too many wasm {name}: {count} > {max}"))
    } else {
        Ok(())
    }
}

fn len(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The float instructions a user program cannot use (Nitro implements them
/// with a soft-float library that only its own modules get).
fn refused_float(op: &wasmparser::Operator<'_>) -> Option<String> {
    let name = format!("{op:?}");
    let name = name.split([' ', '{', '(']).next().unwrap_or("").to_string();
    if !(name.contains("F32") || name.contains("F64")) {
        return None;
    }
    let moves = ["Load", "Store", "Const", "Reinterpret"];
    if moves.iter().any(|m| name.contains(m)) {
        return None;
    }
    Some(name)
}

/// Checks `wasm` (decompressed) against Nitro's activation rules.
///
/// # Errors
/// The first rule broken, in Nitro's words where it has them (`too many
/// wasm locals: 349 > 348`, `binary exports reserved symbol stylus_x`,
/// `No implementation for floating point operation F64Add`, ...).
pub fn check(wasm: &[u8], rules: &Rules) -> Result<(), String> {
    Validator::new_with_features(features(rules.arbos_version))
        .validate_all(wasm)
        .map_err(|e| format!("failed to validate: {e}"))?;
    let mut imports: Vec<(String, String, TypeRef)> = Vec::new();
    let mut exports: Vec<String> = Vec::new();
    let mut memories: Vec<(u64, Option<u64>)> = Vec::new();
    let (mut datas, mut elements, mut functions, mut globals) = (0usize, 0usize, 0usize, 0usize);
    let (mut table_entries, mut element_entries) = (0u64, 0u64);
    let mut types: Vec<wasmparser::FuncType> = Vec::new();
    // a second validator, fed payload by payload, measures each function's
    // operand stack (the first one above gave Nitro's error precedence)
    let mut stack = Validator::new_with_features(features(rules.arbos_version));
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| e.to_string())?;
        if let wasmparser::ValidPayload::Func(func, body) =
            stack.payload(&payload).map_err(|e| e.to_string())?
        {
            let height = max_stack_height(func, &body)?;
            if height > limits::FRAME_CONTENTION {
                let imported = imports
                    .iter()
                    .filter(|(_, _, t)| matches!(t, TypeRef::Func(_)))
                    .count();
                return Err(format!(
                    "too many values on the stack at once in func {}: {height} > {}",
                    imported.saturating_add(functions),
                    limits::FRAME_CONTENTION
                ));
            }
        }
        match payload {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    types.push(t.map_err(|e| e.to_string())?);
                }
            }
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    let i = i.map_err(|e| e.to_string())?;
                    imports.push((i.module.to_string(), i.name.to_string(), i.ty));
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    table_entries =
                        table_entries.saturating_add(t.map_err(|e| e.to_string())?.ty.initial);
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    let m = m.map_err(|e| e.to_string())?;
                    memories.push((m.initial, m.maximum));
                }
            }
            Payload::GlobalSection(r) => globals = globals.saturating_add(r.count() as usize),
            Payload::ExportSection(r) => {
                for e in r {
                    exports.push(e.map_err(|e| e.to_string())?.name.to_string());
                }
            }
            Payload::StartSection { .. } => {
                return Err("wasm start functions not allowed".into());
            }
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e.map_err(|e| e.to_string())?;
                    elements = elements.saturating_add(1);
                    element_entries = element_entries.saturating_add(u64::from(match e.items {
                        wasmparser::ElementItems::Functions(f) => f.count(),
                        wasmparser::ElementItems::Expressions(_, x) => x.count(),
                    }));
                }
            }
            Payload::DataCountSection { .. } => {
                return Err("unsupported section type DataCountSection".into());
            }
            Payload::DataSection(r) => datas = datas.saturating_add(r.count() as usize),
            Payload::CodeSectionEntry(body) => {
                functions = functions.saturating_add(1);
                let mut locals = 0u64;
                let mut reader = body.get_locals_reader().map_err(|e| e.to_string())?;
                for _ in 0..reader.get_count() {
                    let (count, _) = reader.read().map_err(|e| e.to_string())?;
                    locals = locals.saturating_add(u64::from(count));
                }
                limit("locals", locals, limits::LOCALS)?;
                let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
                let mut n = 0usize;
                while !ops.eof() {
                    let op = ops.read().map_err(|e| e.to_string())?;
                    if let Some(name) = refused_float(&op) {
                        return Err(format!(
                            "No implementation for floating point operation {name}"
                        ));
                    }
                    n = n.saturating_add(1);
                }
                limit("opcodes in func body", len(n), len(limits::OPCODES))?;
            }
            Payload::UnknownSection { id, .. } => {
                return Err(format!("unsupported unknown section type {id}"));
            }
            _ => {}
        }
    }
    // imports: the same name twice with different types; reserved names;
    // console only on a debug chain
    let mut seen: HashMap<(&str, &str), TypeRef> = HashMap::new();
    for (m, n, ty) in &imports {
        if let Some(prior) = seen.insert((m.as_str(), n.as_str()), *ty)
            && prior != *ty
        {
            return Err(format!("inconsistent imports for {m} {n}"));
        }
        if n.starts_with("stylus") {
            return Err(format!("binary imports reserved symbol {n}"));
        }
        if m == "console" && !rules.debug {
            return Err(format!(
                "import console::{n} is only available on a debug chain"
            ));
        }
    }
    // exports: reserved names, names shadowing an import, long names
    for name in &exports {
        let tail = name.rsplit("__").next().unwrap_or(name);
        if tail.starts_with("stylus") {
            return Err(format!("binary exports reserved symbol {tail}"));
        }
        if imports.iter().any(|(_, n, _)| n == tail) {
            return Err(format!(
                "binary exports an import with the same name {tail}"
            ));
        }
        if name.len() > limits::NAME_LEN {
            return Err(format!(
                "wasm name too long: {} > {}",
                name.len(),
                limits::NAME_LEN
            ));
        }
    }
    limit("memories", len(memories.len()), len(limits::MEMORIES))?;
    limit("datas", len(datas), len(limits::DATAS))?;
    limit("elements", len(elements), len(limits::ELEMENTS))?;
    limit("exports", len(exports.len()), len(limits::EXPORTS))?;
    limit("functions", len(functions), len(limits::FUNCTIONS))?;
    limit("globals", len(globals), len(limits::GLOBALS))?;
    limit("imports", len(imports.len()), len(limits::IMPORTS))?;
    limit("table entries", table_entries, limits::TABLE_ENTRIES)?;
    limit("element entries", element_entries, limits::ELEMENT_ENTRIES)?;
    // a memory that can grow must be able to pay for it
    if let Some(&(min, max)) = memories.first()
        && max != Some(min)
    {
        let pay = imports
            .iter()
            .find(|(m, n, _)| m == crate::VM_HOOKS && n == "pay_for_memory_grow");
        match pay {
            None => return Err("missing import pay_for_memory_grow".into()),
            Some((_, _, TypeRef::Func(t))) => {
                let ok = types.get(*t as usize).is_some_and(|f| {
                    f.params() == [wasmparser::ValType::I32] && f.results().is_empty()
                });
                if !ok {
                    return Err("wrong type for pay_for_memory_grow".into());
                }
            }
            Some(_) => return Err("wrong import kind for pay_for_memory_grow".into()),
        }
    }
    Ok(())
}

/// The most values `body` keeps on its operand stack at once.
fn max_stack_height(
    func: wasmparser::FuncToValidate<wasmparser::ValidatorResources>,
    body: &wasmparser::FunctionBody<'_>,
) -> Result<u64, String> {
    let mut v = func.into_validator(wasmparser::FuncValidatorAllocations::default());
    let mut reader = body.get_locals_reader().map_err(|e| e.to_string())?;
    for _ in 0..reader.get_count() {
        let offset = reader.original_position();
        let (count, ty) = reader.read().map_err(|e| e.to_string())?;
        v.define_locals(offset, count, ty)
            .map_err(|e| e.to_string())?;
    }
    let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
    let mut max = 0u32;
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset().map_err(|e| e.to_string())?;
        v.op(offset, &op).map_err(|e| e.to_string())?;
        max = max.max(v.operand_stack_height());
    }
    Ok(u64::from(max))
}
