//! What Nitro charges for a Stylus program, predicted from its wasm: the
//! gas to activate it, the gas every call pays to start it (uncached and
//! cached), and the machine-code size its data fee is priced on.
//!
//! Read from Nitro's source (OffchainLabs/nitro at 6dce8d139; read, never
//! copied; `devnet/README.md` gives every figure with its file and line):
//! - `crates/prover/src/binary.rs` (`instrument`): the init and cached-init
//!   costs and the asm estimate, from the module's function count, the
//!   params and results of its functions' types, its length, its globals
//!   (with the four Stylus's instrumentation adds), its data and element
//!   segments and its initial memory;
//! - `crates/prover/src/programs/mod.rs` (`activate`): the compile cost
//!   converted to gas at 28 gas per estimated microsecond, over the wasm's
//!   length, functions, data bytes, element segments, initial pages and
//!   the instructions of the instrumented code;
//! - `crates/prover/src/programs/{meter,dynamic,depth,heap}.rs`: the
//!   instructions instrumentation adds (a 12-instruction ink check before
//!   every basic block, 17 around each `memory.fill`/`memory.copy`, a
//!   12-instruction stack check and an extra `return` per function with 4
//!   instructions before every `return`, 4 before each `memory.grow` of a
//!   growable memory);
//! - `arbos/programs/{params,programs}.go` and `precompiles/ArbWasm.go`:
//!   the minimum init gas (69 x 128 = 8,832 from Stylus version 2; cached
//!   11 x 32 = 352), the cost scalars (100 %), the fixed 1,659,168 gas of
//!   `activateProgram`, the asm estimate stored in KiB.

use wasmparser::{Operator, Parser, Payload, TypeRef};

/// Gas every uncached call pays before the module's own init cost
/// (`MinInitGas` 69 x 128, Stylus version 2).
pub const MIN_INIT_GAS: u64 = 69 * 128;
/// Gas every call pays before the module's cached-init cost
/// (`MinCachedInitGas` 11 x 32).
pub const MIN_CACHED_INIT_GAS: u64 = 11 * 32;
/// `InitCostScalar` and `CachedCostScalar`, percent.
pub const COST_SCALAR_PERCENT: u64 = 100;
/// Gas `activateProgram` charges before compiling (`ArbWasm.go`).
pub const ACTIVATION_FIXED_GAS: u64 = 1_659_168;
/// Gas per estimated microsecond of compilation: 2 x 7,000,000 / 500,000.
pub const ACTIVATION_GAS_PER_US: u64 = 28;
/// Globals Stylus's instrumentation adds (ink left, ink status, a scratch
/// value, stack space left).
pub const INSTRUMENTATION_GLOBALS: u64 = 4;

/// The measures of a module Nitro's costs depend on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModuleShape {
    /// Length of the decompressed wasm, bytes.
    pub wasm_len: u64,
    /// Functions defined by the module (imports excluded).
    pub funcs: u64,
    /// Sum over those functions of their type's params plus results.
    pub type_len: u64,
    /// Globals, with the four instrumentation adds.
    pub globals: u64,
    /// Bytes of the data section's segments as encoded (header included).
    pub data_segments_len: u64,
    /// Bytes of the data segments' contents.
    pub data_bytes: u64,
    /// Bytes of the element section's segments as encoded.
    pub element_segments_len: u64,
    /// Initial memory, 64 KiB pages.
    pub footprint: u64,
    /// Instructions of every function after Nitro's instrumentation.
    pub instrumented_ops: u64,
}

/// Nitro's figures for one module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NitroCosts {
    /// The module's measures.
    pub shape: ModuleShape,
    /// `initCost`: the module's part of the uncached start (Stylus v2).
    pub init_cost: u64,
    /// `cachedInitCost`: the module's part of every start.
    pub cached_init_cost: u64,
    /// Estimated machine-code bytes (`asm_estimate`).
    pub asm_estimate: u64,
    /// Gas of the compile steps of `activateProgram`.
    pub compile_gas: u64,
}

impl NitroCosts {
    /// `initGas`: what a call to the program pays when it is not cached,
    /// on top of [`NitroCosts::cached_gas`].
    #[must_use]
    pub fn init_gas(&self) -> u64 {
        MIN_INIT_GAS.saturating_add(scaled(self.init_cost))
    }

    /// `cachedGas`: what every call pays to start the program.
    #[must_use]
    pub fn cached_gas(&self) -> u64 {
        MIN_CACHED_INIT_GAS.saturating_add(scaled(self.cached_init_cost))
    }

    /// Gas of starting an uncached Stylus v2 program: init plus cached
    /// (before memory, which depends on the transaction).
    #[must_use]
    pub fn uncached_call_gas(&self) -> u64 {
        self.init_gas().saturating_add(self.cached_gas())
    }

    /// Gas `activateProgram` charges for this module, at ArbOS 32 or later
    /// with ArbOwner's extra activation gas at its default of 0: the fixed
    /// part plus the compile steps (the ArbOS storage it writes is not
    /// included: a few tens of thousands).
    #[must_use]
    pub fn activation_gas(&self) -> u64 {
        ACTIVATION_FIXED_GAS.saturating_add(self.compile_gas)
    }

    /// The asm size ArbWasm records and reports (`codehashAsmSize`):
    /// the estimate rounded up to whole KiB.
    #[must_use]
    pub fn asm_size(&self) -> u64 {
        self.asm_estimate.div_ceil(1024).saturating_mul(1024)
    }
}

fn scaled(cost: u64) -> u64 {
    cost.saturating_mul(COST_SCALAR_PERCENT).div_ceil(100)
}

/// Nitro's costs of a decompressed wasm module.
///
/// # Errors
/// A malformed module, or costs Nitro refuses ("init cost too high" when
/// a cost exceeds 65,535).
pub fn nitro_costs(wasm: &[u8]) -> Result<NitroCosts, String> {
    costs(measure(wasm)?)
}

/// Nitro's costs of a module of this shape.
///
/// # Errors
/// "init cost too high" / "cached cost too high" when a cost exceeds
/// 65,535 (Nitro stores them in 16 bits and refuses the module).
pub fn costs(shape: ModuleShape) -> Result<NitroCosts, String> {
    let s = &shape;
    let cached_init_cost = (s.funcs.saturating_mul(13_420) / 100_000)
        .saturating_add(s.type_len.saturating_mul(89) / 100_000)
        .saturating_add(s.wasm_len.saturating_mul(122) / 100_000)
        .saturating_add(s.globals.saturating_mul(1_628) / 1_000)
        .saturating_add(
            s.data_segments_len
                .saturating_add(s.element_segments_len)
                .saturating_mul(75_244)
                / 100_000,
        )
        .saturating_add(s.footprint.saturating_mul(5));
    let init_cost = (s.funcs.saturating_mul(8_252) / 1_000)
        .saturating_add(s.type_len.saturating_mul(1_059) / 1_000)
        .saturating_add(s.wasm_len.saturating_mul(1_286) / 10_000);
    if init_cost > u64::from(u16::MAX) {
        return Err(format!("init cost too high: {init_cost}"));
    }
    if cached_init_cost > u64::from(u16::MAX) {
        return Err(format!("cached cost too high: {cached_init_cost}"));
    }
    let asm_estimate = 512_000u64
        .saturating_add(s.funcs.saturating_mul(996_829) / 1_000)
        .saturating_add(s.type_len.saturating_mul(11_416) / 1_000)
        .saturating_add(s.wasm_len.saturating_mul(62_628) / 10_000);
    let micros = [
        s.wasm_len.saturating_mul(31_733) / 100_000,
        s.funcs.saturating_mul(17_263) / 100_000,
        s.data_bytes.saturating_mul(17_376) / 100_000,
        s.element_segments_len.saturating_mul(17_376) / 100_000,
        s.footprint.saturating_mul(2_217),
        s.instrumented_ops.saturating_mul(535) / 1_000,
    ];
    let compile_gas = micros.iter().fold(0u64, |gas, us| {
        gas.saturating_add(us.saturating_mul(ACTIVATION_GAS_PER_US))
    });
    Ok(NitroCosts {
        shape,
        init_cost,
        cached_init_cost,
        asm_estimate,
        compile_gas,
    })
}

/// Measures a decompressed module as Nitro's cost formulas see it.
///
/// # Errors
/// A malformed module.
pub fn measure(wasm: &[u8]) -> Result<ModuleShape, String> {
    let err = |e: wasmparser::BinaryReaderError| e.to_string();
    let mut shape = ModuleShape {
        wasm_len: wasm.len() as u64,
        globals: INSTRUMENTATION_GLOBALS,
        ..ModuleShape::default()
    };
    let mut types: Vec<u64> = Vec::new();
    let mut growable = false;
    let mut pays_for_growth = false;
    let mut bodies = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(err)? {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    let t = t.map_err(err)?;
                    types.push((t.params().len() + t.results().len()) as u64);
                }
            }
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    let i = i.map_err(err)?;
                    if i.module == "vm_hooks"
                        && i.name == "pay_for_memory_grow"
                        && matches!(i.ty, TypeRef::Func(_))
                    {
                        pays_for_growth = true;
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for ty in r {
                    let ty = ty.map_err(err)? as usize;
                    shape.funcs = shape.funcs.saturating_add(1);
                    let arity = types
                        .get(ty)
                        .copied()
                        .ok_or("function of an unknown type")?;
                    shape.type_len = shape.type_len.saturating_add(arity);
                }
            }
            Payload::GlobalSection(r) => {
                shape.globals = shape.globals.saturating_add(u64::from(r.count()));
            }
            Payload::MemorySection(r) => {
                if let Some(m) = r.into_iter().next() {
                    let m = m.map_err(err)?;
                    shape.footprint = m.initial;
                    growable = m.maximum != Some(m.initial);
                }
            }
            Payload::DataSection(r) => {
                for d in r {
                    let d = d.map_err(err)?;
                    shape.data_segments_len = shape
                        .data_segments_len
                        .saturating_add(d.range.end.saturating_sub(d.range.start));
                    shape.data_bytes = shape.data_bytes.saturating_add(d.data.len() as u64);
                }
            }
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e.map_err(err)?;
                    shape.element_segments_len = shape
                        .element_segments_len
                        .saturating_add(e.range.end.saturating_sub(e.range.start));
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body),
            _ => {}
        }
    }
    let grow_hook = growable && pays_for_growth;
    for body in bodies {
        let ops = count_ops(&body, grow_hook).map_err(err)?;
        shape.instrumented_ops = shape.instrumented_ops.saturating_add(ops);
    }
    Ok(shape)
}

/// Instructions of one function after Nitro's instrumentation.
fn count_ops(
    body: &wasmparser::FunctionBody<'_>,
    grow_hook: bool,
) -> Result<u64, wasmparser::BinaryReaderError> {
    let mut reader = body.get_operators_reader()?;
    let (mut ops, mut blocks, mut returns, mut bulk, mut grows) = (0u64, 0u64, 0u64, 0u64, 0u64);
    while !reader.eof() {
        let op = reader.read()?;
        ops += 1;
        match op {
            Operator::Return => {
                returns += 1;
                blocks += 1;
            }
            Operator::End
            | Operator::Else
            | Operator::Loop { .. }
            | Operator::Br { .. }
            | Operator::BrTable { .. }
            | Operator::BrIf { .. }
            | Operator::If { .. }
            | Operator::Call { .. }
            | Operator::CallIndirect { .. } => blocks += 1,
            Operator::MemoryFill { .. } | Operator::MemoryCopy { .. } => bulk += 1,
            Operator::MemoryGrow { .. } => grows += 1,
            _ => {}
        }
    }
    // the ink check before every basic block; the dynamic charge around
    // every bulk memory operation; the stack check at entry, an extra
    // `return` before the final `end` and the stack refund before every
    // `return`; the payment before every `memory.grow`
    let returns = returns + 1;
    Ok(
        ops + 12 * blocks
            + 17 * bulk
            + 12
            + 1
            + 4 * returns
            + if grow_hook { 4 * grows } else { 0 },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wat(text: &str) -> Vec<u8> {
        wat::parse_str(text).expect("valid wat")
    }

    /// A module counted by hand against the instrumentation passes.
    #[test]
    fn a_small_module_is_measured_as_nitro_instruments_it() {
        let wasm = wat(r#"
            (module
              (import "vm_hooks" "pay_for_memory_grow" (func $pay (param i32)))
              (memory (export "memory") 1 4)
              (global $g (mut i32) (i32.const 0))
              (data (i32.const 16) "abcd")
              (func (export "user_entrypoint") (param i32) (result i32)
                local.get 0
                if
                  i32.const 1
                  memory.grow
                  drop
                end
                i32.const 0
                return)
              (func $two (param i64 i64) (result i64)
                local.get 0
                local.get 1
                i64.add))
        "#);
        let shape = measure(&wasm).unwrap();
        assert_eq!(shape.funcs, 2);
        // (i32)->i32: 2; (i64,i64)->i64: 3
        assert_eq!(shape.type_len, 5);
        assert_eq!(shape.globals, 1 + INSTRUMENTATION_GLOBALS);
        assert_eq!(shape.footprint, 1);
        assert_eq!(shape.data_bytes, 4);
        // flags byte, `i32.const 16; end` (3 bytes), length byte, 4 bytes
        assert_eq!(shape.data_segments_len, 9);
        assert_eq!(shape.element_segments_len, 0);
        // entrypoint: 9 ops (local.get if i32.const memory.grow drop end
        // i32.const return end), 4 block ends (if end return end), 1 return,
        // 1 grow: 9 + 48 + 13 + 4*2 + 4 = 82; $two: 4 ops, 1 block end:
        // 4 + 12 + 13 + 4 = 33
        assert_eq!(shape.instrumented_ops, 82 + 33);
        assert_eq!(shape.wasm_len, wasm.len() as u64);
    }

    /// Nitro's formulas on the shape of a worked example (funcs 100, type
    /// length 300, 30,000 bytes, 9 globals, 2,000 data bytes, 2 pages).
    #[test]
    fn the_formulas_give_nitros_figures() {
        let shape = ModuleShape {
            wasm_len: 30_000,
            funcs: 100,
            type_len: 300,
            globals: 9,
            data_segments_len: 2_000,
            data_bytes: 2_000,
            element_segments_len: 0,
            footprint: 2,
            instrumented_ops: 10_000,
        };
        let c = costs(shape).unwrap();
        // 13 + 0 + 36 + 14 + 1,504 + 10
        assert_eq!(c.cached_init_cost, 1_577);
        // 825 + 317 + 3,858
        assert_eq!(c.init_cost, 5_000);
        assert_eq!(c.init_gas(), 13_832);
        assert_eq!(c.cached_gas(), 1_929);
        assert_eq!(c.uncached_call_gas(), 15_761);
        // 512,000 + 99,682 + 3,424 + 187,884
        assert_eq!(c.asm_estimate, 802_990);
        assert_eq!(c.asm_size(), 785 * 1024);
        // 28 x (9,519 + 17 + 347 + 0 + 4,434 + 5,350)
        assert_eq!(c.compile_gas, 28 * 19_667);
        assert_eq!(c.activation_gas(), 1_659_168 + 28 * 19_667);
    }

    #[test]
    fn costs_nitro_stores_in_16_bits_are_bounded() {
        let shape = ModuleShape {
            funcs: 8_000,
            ..ModuleShape::default()
        };
        assert!(costs(shape).unwrap_err().contains("init cost too high"));
    }
}
