//! The wasm executor: Stylus programs in `wasmi`, with every `vm_hooks`
//! (and `console`) host function of stylus-sdk 0.10.10's `hostio.rs`.
//!
//! One `wasmi::Engine` and one `Linker` are built once; compiled modules are
//! cached by code hash; each call frame gets a fresh `Store` and instance
//! (reusing an instance would leak its memory between calls).
//!
//! Metering: a call first pays the program's start as Nitro prices it
//! (`initGas + cachedGas`: programs are never cached here); wasmi fuel
//! (about one unit per instruction) is ink at [`gas::INK_PER_FUEL`] ink per
//! fuel; hostios charge [`gas::HOSTIO_INK`] plus their own costs; memory
//! pages (initial and grown, seen through a `ResourceLimiter`) are charged
//! by Nitro's per-transaction memory model at the next hostio or at the end
//! of the frame, and released when the frame ends.
//!
//! Failures, as on Nitro: a trap (a panic's `unreachable`, out-of-bounds
//! memory, a failed hostio) reverts the frame with empty data and returns
//! its unused gas; running out of gas consumes it all. Neither reaches the
//! node.

use std::{
    cell::{Cell, RefCell},
    collections::HashMap,
    time::{Duration, Instant},
};

use wasmi_core::LimiterError;

use alloy::primitives::{Address, B256, U256, keccak256};
use wasmi::{
    Caller, CompilationMode, Config, Error as WasmiError, ExternType, Linker, Memory, Module,
    ResourceLimiter, Store, TrapCode, ValType, errors::HostError,
};

use super::{
    CallKind, Frame, Halt, ProgramExit, ProgramInfo,
    gas::{self, PAGE_LIMIT},
};

/// Bytes in a wasm page.
const PAGE_SIZE: usize = 65_536;

/// Every host function a program may import: module, name, params, results.
/// Pointers and `usize` are `i32` on wasm32; `u64` is `i64`; `bool`/`u8`
/// results are `i32`.
pub const HOSTIOS: &[(&str, &str, &[ValType], &[ValType])] = {
    use ValType::{F32, F64, I32, I64};
    &[
        ("vm_hooks", "account_balance", &[I32, I32], &[]),
        ("vm_hooks", "account_code", &[I32, I32, I32, I32], &[I32]),
        ("vm_hooks", "account_code_size", &[I32], &[I32]),
        ("vm_hooks", "account_codehash", &[I32, I32], &[]),
        ("vm_hooks", "storage_load_bytes32", &[I32, I32], &[]),
        ("vm_hooks", "storage_cache_bytes32", &[I32, I32], &[]),
        ("vm_hooks", "storage_flush_cache", &[I32], &[]),
        ("vm_hooks", "block_basefee", &[I32], &[]),
        ("vm_hooks", "chainid", &[], &[I64]),
        ("vm_hooks", "block_coinbase", &[I32], &[]),
        ("vm_hooks", "block_gas_limit", &[], &[I64]),
        ("vm_hooks", "block_number", &[], &[I64]),
        ("vm_hooks", "block_timestamp", &[], &[I64]),
        (
            "vm_hooks",
            "call_contract",
            &[I32, I32, I32, I32, I64, I32],
            &[I32],
        ),
        ("vm_hooks", "contract_address", &[I32], &[]),
        ("vm_hooks", "create1", &[I32, I32, I32, I32, I32], &[]),
        ("vm_hooks", "create2", &[I32, I32, I32, I32, I32, I32], &[]),
        (
            "vm_hooks",
            "delegate_call_contract",
            &[I32, I32, I32, I64, I32],
            &[I32],
        ),
        ("vm_hooks", "emit_log", &[I32, I32, I32], &[]),
        ("vm_hooks", "evm_gas_left", &[], &[I64]),
        ("vm_hooks", "exit_early", &[I32], &[]),
        ("vm_hooks", "math_add_mod", &[I32, I32, I32], &[]),
        ("vm_hooks", "math_div", &[I32, I32], &[]),
        ("vm_hooks", "math_mod", &[I32, I32], &[]),
        ("vm_hooks", "math_mul_mod", &[I32, I32, I32], &[]),
        ("vm_hooks", "math_pow", &[I32, I32], &[]),
        ("vm_hooks", "transient_load_bytes32", &[I32, I32], &[]),
        ("vm_hooks", "transient_store_bytes32", &[I32, I32], &[]),
        ("vm_hooks", "evm_ink_left", &[], &[I64]),
        ("vm_hooks", "pay_for_memory_grow", &[I32], &[]),
        ("vm_hooks", "msg_reentrant", &[], &[I32]),
        ("vm_hooks", "msg_sender", &[I32], &[]),
        ("vm_hooks", "msg_value", &[I32], &[]),
        ("vm_hooks", "native_keccak256", &[I32, I32, I32], &[]),
        ("vm_hooks", "read_args", &[I32], &[]),
        ("vm_hooks", "read_return_data", &[I32, I32, I32], &[I32]),
        ("vm_hooks", "write_result", &[I32, I32], &[]),
        ("vm_hooks", "return_data_size", &[], &[I32]),
        (
            "vm_hooks",
            "static_call_contract",
            &[I32, I32, I32, I64, I32],
            &[I32],
        ),
        ("vm_hooks", "tx_gas_price", &[I32], &[]),
        ("vm_hooks", "tx_ink_price", &[], &[I32]),
        ("vm_hooks", "tx_origin", &[I32], &[]),
        ("console", "log_f32", &[F32], &[]),
        ("console", "log_f64", &[F64], &[]),
        ("console", "log_i32", &[I32], &[]),
        ("console", "log_i64", &[I64], &[]),
        ("console", "log_txt", &[I32, I32], &[]),
    ]
};

/// A successful activation check.
#[derive(Debug, Clone)]
pub struct Validated {
    /// The decompressed wasm.
    pub wasm: Vec<u8>,
    /// Initial memory pages.
    pub footprint: u16,
    /// keccak256 of the wasm.
    pub module_hash: B256,
}

/// Store data of one wasm frame.
struct WasmData {
    frame: Frame,
    memory: Option<Memory>,
    limiter: PageLimiter,
}

/// Sees every memory growth (and the initial allocation) of an instance.
#[derive(Debug, Default)]
struct PageLimiter {
    /// Pages allocated since the last charge.
    pending: u32,
    /// Pages allocated in all.
    total: u32,
}

impl ResourceLimiter for PageLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        let desired_pages = desired.div_ceil(PAGE_SIZE);
        if desired_pages > usize::from(PAGE_LIMIT) {
            // memory.grow returns -1; the allocator then traps.
            return Ok(false);
        }
        let grown = desired_pages.saturating_sub(current.div_ceil(PAGE_SIZE));
        let grown = u32::try_from(grown).unwrap_or(u32::MAX);
        self.pending = self.pending.saturating_add(grown);
        self.total = self.total.saturating_add(grown);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        Ok(desired <= 65_536)
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        1
    }

    fn memories(&self) -> usize {
        1
    }
}

/// A frame halt carried through wasmi as a host error.
#[derive(Debug)]
struct HostHalt(Halt);

impl std::fmt::Display for HostHalt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl HostError for HostHalt {}

/// `exit_early(status)` unwinding the program: it ends as if
/// `user_entrypoint` had returned `status` (the output written so far is
/// returned, or reverted with when `status` is not 0).
#[derive(Debug)]
struct ExitEarly(u32);

impl std::fmt::Display for ExitEarly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit_early({})", self.0)
    }
}

impl HostError for ExitEarly {}

fn halt(h: Halt) -> WasmiError {
    WasmiError::host(HostHalt(h))
}

/// Wall time spent in wasm frames since the runtime started (profiling aid).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WasmTimings {
    /// Frames run.
    pub frames: u64,
    /// Store creation and instantiation (memory, data segments, linking).
    pub instantiate: Duration,
    /// `user_entrypoint`, including the hostios and nested calls it makes.
    pub execute: Duration,
    /// Module compilations (cache misses and activations).
    pub compile: Duration,
}

/// The wasm runtime: engine, linker and compiled-module cache.
pub struct WasmRuntime {
    engine: wasmi::Engine,
    linker: Linker<WasmData>,
    modules: RefCell<HashMap<B256, Module>>,
    timings: Cell<WasmTimings>,
    /// The Nitro rules activation applies (`il_wasm::activation`).
    rules: Cell<il_wasm::activation::Rules>,
}

impl std::fmt::Debug for WasmRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmRuntime")
            .field("modules", &self.modules.borrow().len())
            .finish_non_exhaustive()
    }
}

impl Default for WasmRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl WasmRuntime {
    /// Builds the engine (fuel metering, eager compilation for deterministic
    /// fuel, Stylus's wasm features, no start functions) and the linker.
    pub fn new() -> Self {
        let mut config = Config::default();
        config
            .consume_fuel(true)
            .compilation_mode(CompilationMode::Eager)
            .allow_start_fn(false)
            .wasm_reference_types(false)
            .wasm_tail_call(false)
            .wasm_extended_const(false)
            .wasm_multi_memory(false)
            .wasm_bulk_memory(true)
            .wasm_multi_value(true)
            .wasm_sign_extension(true)
            .wasm_saturating_float_to_int(true)
            .wasm_mutable_global(true)
            .ignore_custom_sections(true);
        let engine = wasmi::Engine::new(&config);
        let mut linker = Linker::new(&engine);
        define_hostios(&mut linker);
        Self {
            engine,
            linker,
            modules: RefCell::new(HashMap::new()),
            timings: Cell::new(WasmTimings::default()),
            rules: Cell::new(il_wasm::activation::Rules::default()),
        }
    }

    /// The chain activation models (debug or not, ArbOS version).
    pub fn set_rules(&self, rules: il_wasm::activation::Rules) {
        self.rules.set(rules);
    }

    /// The rules [`WasmRuntime::set_rules`] set.
    pub fn rules(&self) -> il_wasm::activation::Rules {
        self.rules.get()
    }

    /// Cumulative wall time spent instantiating, executing and compiling.
    pub fn timings(&self) -> WasmTimings {
        self.timings.get()
    }

    fn add_time(&self, f: impl FnOnce(&mut WasmTimings)) {
        let mut t = self.timings.get();
        f(&mut t);
        self.timings.set(t);
    }

    /// Activation checks on Stylus account code: decompress with the 128 KiB
    /// cap, Nitro's structural rules (`il_wasm::activation::check`: features,
    /// sections, names, limits, no float arithmetic, `console` only on a
    /// debug chain, growable memory paid for), only supported imports with
    /// their exact signatures, exports `user_entrypoint: (i32) -> i32` and
    /// `memory`, no start function, initial memory within [`PAGE_LIMIT`];
    /// then compile and cache the module.
    ///
    /// # Errors
    /// A one-line reason (naming an unsupported import when that is the cause).
    pub fn validate(&self, code_hash: B256, code: &[u8]) -> Result<Validated, String> {
        let wasm = il_wasm::parse_contract_code(code).map_err(|e| e.to_string())?;
        il_wasm::activation::check(&wasm, &self.rules.get())?;
        let started = Instant::now();
        let module =
            Module::new(&self.engine, &wasm[..]).map_err(|e| format!("wasm rejected: {e}"))?;
        self.add_time(|t| t.compile = t.compile.saturating_add(started.elapsed()));
        for import in module.imports() {
            let (m, n) = (import.module(), import.name());
            let Some((_, _, params, results)) =
                HOSTIOS.iter().find(|(hm, hn, _, _)| *hm == m && *hn == n)
            else {
                return Err(format!("unsupported import {m}::{n}"));
            };
            match import.ty() {
                ExternType::Func(ft) if ft.params() == *params && ft.results() == *results => {}
                other => {
                    return Err(format!(
                        "import {m}::{n} has type {other:?}, expected func {params:?} -> {results:?}"
                    ));
                }
            }
        }
        match module.get_export(il_wasm::ENTRYPOINT) {
            Some(ExternType::Func(ft))
                if ft.params() == [ValType::I32] && ft.results() == [ValType::I32] => {}
            Some(other) => {
                return Err(format!(
                    "export {} has type {other:?}, expected func (i32) -> i32",
                    il_wasm::ENTRYPOINT
                ));
            }
            None => return Err(format!("missing export {}", il_wasm::ENTRYPOINT)),
        }
        let footprint = match module.get_export("memory") {
            Some(ExternType::Memory(mt)) => mt.minimum(),
            _ => return Err("missing memory export".to_string()),
        };
        if footprint > u64::from(PAGE_LIMIT) {
            return Err(format!(
                "initial memory of {footprint} pages exceeds the {PAGE_LIMIT}-page limit"
            ));
        }
        let module_hash = keccak256(&wasm);
        self.modules.borrow_mut().insert(code_hash, module);
        Ok(Validated {
            wasm,
            // footprint <= PAGE_LIMIT (128) fits u16
            footprint: u16::try_from(footprint).unwrap_or(PAGE_LIMIT),
            module_hash,
        })
    }

    fn module(&self, code_hash: B256, code: &[u8]) -> Result<Module, String> {
        if let Some(m) = self.modules.borrow().get(&code_hash) {
            return Ok(m.clone());
        }
        let wasm = il_wasm::parse_contract_code(code).map_err(|e| e.to_string())?;
        let started = Instant::now();
        let module = Module::new(&self.engine, &wasm[..]).map_err(|e| e.to_string())?;
        self.add_time(|t| t.compile = t.compile.saturating_add(started.elapsed()));
        self.modules.borrow_mut().insert(code_hash, module.clone());
        Ok(module)
    }

    /// Number of compiled modules cached.
    pub fn cached_modules(&self) -> usize {
        self.modules.borrow().len()
    }

    /// Runs an activated program on `frame`: charges its init gas,
    /// instantiates it in a fresh store, calls `user_entrypoint(len)`.
    pub fn run(
        &self,
        frame: &mut Frame,
        code_hash: B256,
        code: &[u8],
        info: &ProgramInfo,
    ) -> ProgramExit {
        let module = match self.module(code_hash, code) {
            Ok(m) => m,
            Err(e) => return ProgramExit::Halt(Halt::Trap(format!("cannot load program: {e}"))),
        };
        // never cached: Nitro's uncached start, before the memory
        if let Err(h) = frame.charge_gas(info.init_gas.saturating_add(info.cached_gas)) {
            return ProgramExit::Halt(h);
        }
        let pages_open = frame.engine().state().pages_open();
        let data = WasmData {
            frame: frame.take(),
            memory: None,
            limiter: PageLimiter::default(),
        };
        let mut store = Store::new(&self.engine, data);
        store.limiter(|d: &mut WasmData| &mut d.limiter);
        let exit = execute(&self.linker, &mut store, &module, |instantiate, execute| {
            self.add_time(|t| {
                t.frames = t.frames.saturating_add(1);
                t.instantiate = t.instantiate.saturating_add(instantiate);
                t.execute = t.execute.saturating_add(execute);
            });
        });
        let data = store.into_data();
        *frame = data.frame;
        frame.engine().state_mut().close_pages(pages_open);
        match exit {
            // Nitro: a trapping program reverts with no data, unused gas kept
            ProgramExit::Halt(Halt::Trap(reason)) => {
                tracing::debug!(program = %frame.code_address(), %reason, "program trapped");
                ProgramExit::Revert(Vec::new())
            }
            other => other,
        }
    }
}

fn execute(
    linker: &Linker<WasmData>,
    store: &mut Store<WasmData>,
    module: &Module,
    record: impl FnOnce(Duration, Duration),
) -> ProgramExit {
    let started = Instant::now();
    let instance = match linker.instantiate_and_start(&mut *store, module) {
        Ok(i) => i,
        Err(e) => return ProgramExit::Halt(map_error(e)),
    };
    let Some(memory) = instance.get_memory(&*store, "memory") else {
        return ProgramExit::Halt(Halt::Trap("missing memory export".to_string()));
    };
    store.data_mut().memory = Some(memory);
    if let Err(h) = settle_pages(store.data_mut()) {
        return ProgramExit::Halt(h);
    }
    let entry = match instance.get_typed_func::<u32, u32>(&*store, il_wasm::ENTRYPOINT) {
        Ok(f) => f,
        Err(e) => return ProgramExit::Halt(Halt::Trap(e.to_string())),
    };
    let fuel = store.data().frame.fuel();
    if store.set_fuel(fuel).is_err() {
        return ProgramExit::Halt(Halt::Trap("fuel metering is disabled".to_string()));
    }
    let len = u32::try_from(store.data().frame.input().len()).unwrap_or(u32::MAX);
    let instantiated = Instant::now();
    let result = entry.call(&mut *store, len);
    record(instantiated - started, instantiated.elapsed());
    let status = match result {
        Ok(status) => status,
        Err(e) => match e.downcast_ref::<ExitEarly>() {
            Some(ExitEarly(status)) => *status,
            None => return ProgramExit::Halt(map_error(e)),
        },
    };
    let fuel = store.get_fuel().unwrap_or(0);
    let data = store.data_mut();
    data.frame.set_fuel(fuel);
    if let Err(h) = settle_pages(data) {
        return ProgramExit::Halt(h);
    }
    let output = data.frame.take_output();
    if status == 0 {
        ProgramExit::Return(output)
    } else {
        ProgramExit::Revert(output)
    }
}

fn settle_pages(data: &mut WasmData) -> Result<(), Halt> {
    let pending = std::mem::take(&mut data.limiter.pending);
    data.frame.charge_pages(pending)
}

fn map_error(e: WasmiError) -> Halt {
    if let Some(HostHalt(h)) = e.downcast_ref::<HostHalt>() {
        return h.clone();
    }
    match e.as_trap_code() {
        Some(TrapCode::OutOfFuel) => Halt::OutOfGas,
        Some(code) => Halt::Trap(code.to_string()),
        None => Halt::Trap(e.to_string()),
    }
}

type C<'a> = Caller<'a, WasmData>;

/// Starts a hostio: ink from fuel, pending pages, base cost.
fn enter(c: &mut C<'_>) -> Result<(), WasmiError> {
    let fuel = c.get_fuel()?;
    let data = c.data_mut();
    data.frame.set_fuel(fuel);
    settle_pages(data).map_err(halt)?;
    data.frame.charge_ink(gas::HOSTIO_INK).map_err(halt)
}

/// Ends a hostio: fuel from ink.
fn leave(c: &mut C<'_>) -> Result<(), WasmiError> {
    let fuel = c.data().frame.fuel();
    c.set_fuel(fuel)
}

fn hostio<R>(
    c: &mut C<'_>,
    f: impl FnOnce(&mut C<'_>) -> Result<R, WasmiError>,
) -> Result<R, WasmiError> {
    enter(c)?;
    let r = f(c)?;
    leave(c)?;
    Ok(r)
}

/// A hostio that costs `ink` in all (Nitro's price for it) instead of the
/// base [`gas::HOSTIO_INK`] alone.
fn priced_hostio<R>(
    c: &mut C<'_>,
    ink: u64,
    f: impl FnOnce(&mut C<'_>) -> Result<R, WasmiError>,
) -> Result<R, WasmiError> {
    hostio(c, |c| {
        let extra = ink.saturating_sub(gas::HOSTIO_INK);
        frame(c).charge_ink(extra).map_err(halt)?;
        f(c)
    })
}

/// The 256-bit `math_*` hostios: reads the words at `ptrs`, writes
/// `op(words)` over the first (as Nitro does), after charging `ink` (and,
/// for `math_pow`, the exponent's price).
fn math_hostio<const N: usize>(
    c: &mut C<'_>,
    ink: u64,
    ptrs: [u32; N],
    op: impl FnOnce([U256; N]) -> U256,
) -> Result<(), WasmiError> {
    priced_hostio(c, ink, |c| {
        let mut words = [U256::ZERO; N];
        for (w, p) in words.iter_mut().zip(ptrs) {
            *w = U256::from_be_bytes(read_word(c, p)?.0);
        }
        let result = op(words);
        write(c, ptrs[0], &result.to_be_bytes::<32>())
    })
}

fn oob() -> WasmiError {
    halt(Halt::Trap(
        "out-of-bounds memory access in a hostio".to_string(),
    ))
}

fn read(c: &C<'_>, ptr: u32, len: u32) -> Result<Vec<u8>, WasmiError> {
    let memory = c.data().memory.ok_or_else(oob)?;
    let bytes = memory.data(c);
    let start = ptr as usize;
    let end = start.checked_add(len as usize).ok_or_else(oob)?;
    bytes.get(start..end).map(<[u8]>::to_vec).ok_or_else(oob)
}

fn read_word(c: &C<'_>, ptr: u32) -> Result<B256, WasmiError> {
    Ok(B256::from_slice(&read(c, ptr, 32)?))
}

fn read_address(c: &C<'_>, ptr: u32) -> Result<Address, WasmiError> {
    Ok(Address::from_slice(&read(c, ptr, 20)?))
}

fn write(c: &mut C<'_>, ptr: u32, data: &[u8]) -> Result<(), WasmiError> {
    let memory = c.data().memory.ok_or_else(oob)?;
    let bytes = memory.data_mut(&mut *c);
    let start = ptr as usize;
    let end = start.checked_add(data.len()).ok_or_else(oob)?;
    bytes
        .get_mut(start..end)
        .ok_or_else(oob)?
        .copy_from_slice(data);
    Ok(())
}

fn write_u32(c: &mut C<'_>, ptr: u32, v: u32) -> Result<(), WasmiError> {
    write(c, ptr, &v.to_le_bytes())
}

fn frame<'a>(c: &'a mut C<'_>) -> &'a mut Frame {
    &mut c.data_mut().frame
}

fn len32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// Pointers and values of a call hostio.
struct CallArgs {
    to: u32,
    data: u32,
    data_len: u32,
    value: Option<u32>,
    gas: u64,
    ret_len: u32,
}

fn call_hostio(c: &mut C<'_>, kind: CallKind, a: CallArgs) -> Result<u32, WasmiError> {
    hostio(c, |c| {
        let to = read_address(c, a.to)?;
        let data = read(c, a.data, a.data_len)?;
        let value = match a.value {
            Some(ptr) => U256::from_be_bytes(read_word(c, ptr)?.0),
            None => U256::ZERO,
        };
        frame(c).charge_copy(data.len()).map_err(halt)?;
        let ok = frame(c).call(kind, to, &data, value, a.gas).map_err(halt)?;
        let len = len32(frame(c).return_data().len());
        write_u32(c, a.ret_len, len)?;
        Ok(u32::from(!ok))
    })
}

fn create_hostio(
    c: &mut C<'_>,
    code: u32,
    code_len: u32,
    endowment: u32,
    salt: Option<u32>,
    contract: u32,
    revert_len: u32,
) -> Result<(), WasmiError> {
    hostio(c, |c| {
        let initcode = read(c, code, code_len)?;
        let value = U256::from_be_bytes(read_word(c, endowment)?.0);
        let salt = match salt {
            Some(ptr) => Some(read_word(c, ptr)?),
            None => None,
        };
        let created = frame(c).create(&initcode, value, salt).map_err(halt)?;
        let address = created.unwrap_or(Address::ZERO);
        write(c, contract, address.as_slice())?;
        let len = len32(frame(c).return_data().len());
        write_u32(c, revert_len, len)
    })
}

#[allow(clippy::too_many_lines)]
fn define_hostios(linker: &mut Linker<WasmData>) {
    fn def<Params, Args>(
        linker: &mut Linker<WasmData>,
        module: &str,
        name: &str,
        f: impl wasmi::IntoFunc<WasmData, Params, Args>,
    ) {
        linker
            .func_wrap(module, name, f)
            .expect("each hostio is defined once");
    }
    const VM: &str = "vm_hooks";

    def(linker, VM, "read_args", |mut c: C<'_>, dest: u32| {
        hostio(&mut c, |c| {
            let input = frame(c).input().to_vec();
            frame(c).charge_copy(input.len()).map_err(halt)?;
            write(c, dest, &input)
        })
    });
    def(
        linker,
        VM,
        "write_result",
        |mut c: C<'_>, ptr: u32, len: u32| {
            hostio(&mut c, |c| {
                let data = read(c, ptr, len)?;
                frame(c).charge_copy(data.len()).map_err(halt)?;
                frame(c).set_output(data);
                Ok(())
            })
        },
    );
    def(
        linker,
        VM,
        "storage_load_bytes32",
        |mut c: C<'_>, key: u32, dest: u32| {
            hostio(&mut c, |c| {
                let key = U256::from_be_bytes(read_word(c, key)?.0);
                let value = frame(c).storage_load(key).map_err(halt)?;
                write(c, dest, value.as_slice())
            })
        },
    );
    def(
        linker,
        VM,
        "storage_cache_bytes32",
        |mut c: C<'_>, key: u32, value: u32| {
            hostio(&mut c, |c| {
                let key = U256::from_be_bytes(read_word(c, key)?.0);
                let value = read_word(c, value)?;
                // Nitro's sentry: checked, not charged
                if frame(c).gas_left() < gas::STORAGE_CACHE_SENTRY_GAS {
                    return Err(halt(Halt::OutOfGas));
                }
                frame(c).storage_cache(key, value);
                Ok(())
            })
        },
    );
    def(
        linker,
        VM,
        "storage_flush_cache",
        |mut c: C<'_>, clear: u32| {
            hostio(&mut c, |c| frame(c).storage_flush(clear != 0).map_err(halt))
        },
    );
    def(
        linker,
        VM,
        "call_contract",
        |mut c: C<'_>, to: u32, data: u32, len: u32, value: u32, gas: u64, ret: u32| {
            call_hostio(
                &mut c,
                CallKind::Call,
                CallArgs {
                    to,
                    data,
                    data_len: len,
                    value: Some(value),
                    gas,
                    ret_len: ret,
                },
            )
        },
    );
    def(
        linker,
        VM,
        "static_call_contract",
        |mut c: C<'_>, to: u32, data: u32, len: u32, gas: u64, ret: u32| {
            call_hostio(
                &mut c,
                CallKind::StaticCall,
                CallArgs {
                    to,
                    data,
                    data_len: len,
                    value: None,
                    gas,
                    ret_len: ret,
                },
            )
        },
    );
    def(
        linker,
        VM,
        "delegate_call_contract",
        |mut c: C<'_>, to: u32, data: u32, len: u32, gas: u64, ret: u32| {
            let args = CallArgs {
                to,
                data,
                data_len: len,
                value: None,
                gas,
                ret_len: ret,
            };
            call_hostio(&mut c, CallKind::DelegateCall, args)
        },
    );
    def(
        linker,
        VM,
        "create1",
        |mut c: C<'_>, code: u32, len: u32, endowment: u32, contract: u32, revert_len: u32| {
            create_hostio(&mut c, code, len, endowment, None, contract, revert_len)
        },
    );
    def(
        linker,
        VM,
        "create2",
        |mut c: C<'_>,
         code: u32,
         len: u32,
         endowment: u32,
         salt: u32,
         contract: u32,
         revert_len: u32| {
            create_hostio(
                &mut c,
                code,
                len,
                endowment,
                Some(salt),
                contract,
                revert_len,
            )
        },
    );
    def(
        linker,
        VM,
        "read_return_data",
        |mut c: C<'_>, dest: u32, offset: u32, size: u32| {
            hostio(&mut c, |c| {
                let slice = frame(c)
                    .return_data_slice(offset as usize, size as usize)
                    .to_vec();
                frame(c).charge_copy(slice.len()).map_err(halt)?;
                write(c, dest, &slice)?;
                Ok(len32(slice.len()))
            })
        },
    );
    def(linker, VM, "return_data_size", |mut c: C<'_>| {
        hostio(&mut c, |c| Ok(len32(frame(c).return_data().len())))
    });
    def(
        linker,
        VM,
        "emit_log",
        |mut c: C<'_>, ptr: u32, len: u32, topics: u32| {
            hostio(&mut c, |c| {
                let data = read(c, ptr, len)?;
                let topic_bytes = (topics as usize).saturating_mul(32);
                if topics > 4 || topic_bytes > data.len() {
                    return Err(halt(Halt::Trap(format!(
                        "emit_log with {topics} topics over {len} bytes"
                    ))));
                }
                let (head, body) = data.split_at(topic_bytes);
                let topics = head.chunks_exact(32).map(B256::from_slice).collect();
                frame(c).emit_log(topics, body.to_vec()).map_err(halt)
            })
        },
    );
    def(
        linker,
        VM,
        "account_balance",
        |mut c: C<'_>, address: u32, dest: u32| {
            hostio(&mut c, |c| {
                let address = read_address(c, address)?;
                let balance = frame(c).balance(address).map_err(halt)?;
                write(c, dest, &balance.to_be_bytes::<32>())
            })
        },
    );
    def(
        linker,
        VM,
        "account_code",
        |mut c: C<'_>, address: u32, offset: u32, size: u32, dest: u32| {
            hostio(&mut c, |c| {
                let address = read_address(c, address)?;
                let code = frame(c).code(address).map_err(halt)?;
                let start = (offset as usize).min(code.len());
                let end = start.saturating_add(size as usize).min(code.len());
                let slice = &code[start..end];
                frame(c).charge_copy(slice.len()).map_err(halt)?;
                write(c, dest, slice)?;
                Ok(len32(slice.len()))
            })
        },
    );
    def(
        linker,
        VM,
        "account_code_size",
        |mut c: C<'_>, address: u32| {
            hostio(&mut c, |c| {
                let address = read_address(c, address)?;
                Ok(len32(frame(c).code_size(address).map_err(halt)?))
            })
        },
    );
    def(
        linker,
        VM,
        "account_codehash",
        |mut c: C<'_>, address: u32, dest: u32| {
            hostio(&mut c, |c| {
                let address = read_address(c, address)?;
                let hash = frame(c).code_hash(address).map_err(halt)?;
                write(c, dest, hash.as_slice())
            })
        },
    );
    def(linker, VM, "block_basefee", |mut c: C<'_>, dest: u32| {
        hostio(&mut c, |c| {
            let fee = frame(c).block().basefee;
            write(c, dest, &fee.to_be_bytes::<32>())
        })
    });
    def(linker, VM, "block_coinbase", |mut c: C<'_>, dest: u32| {
        hostio(&mut c, |c| {
            let coinbase = frame(c).block().coinbase;
            write(c, dest, coinbase.as_slice())
        })
    });
    def(linker, VM, "block_gas_limit", |mut c: C<'_>| {
        hostio(&mut c, |c| Ok(frame(c).block().gas_limit))
    });
    def(linker, VM, "block_number", |mut c: C<'_>| {
        hostio(&mut c, |c| Ok(frame(c).block().l1_block_number()))
    });
    def(linker, VM, "block_timestamp", |mut c: C<'_>| {
        hostio(&mut c, |c| Ok(frame(c).block().timestamp))
    });
    def(linker, VM, "chainid", |mut c: C<'_>| {
        hostio(&mut c, |c| Ok(frame(c).chain_id()))
    });
    def(linker, VM, "contract_address", |mut c: C<'_>, dest: u32| {
        hostio(&mut c, |c| {
            let address = frame(c).address();
            write(c, dest, address.as_slice())
        })
    });
    def(linker, VM, "msg_sender", |mut c: C<'_>, dest: u32| {
        hostio(&mut c, |c| {
            let sender = frame(c).caller();
            write(c, dest, sender.as_slice())
        })
    });
    def(linker, VM, "msg_value", |mut c: C<'_>, dest: u32| {
        hostio(&mut c, |c| {
            let value = frame(c).value();
            write(c, dest, &value.to_be_bytes::<32>())
        })
    });
    def(linker, VM, "msg_reentrant", |mut c: C<'_>| {
        hostio(&mut c, |c| Ok(u32::from(frame(c).reentrant())))
    });
    def(linker, VM, "tx_origin", |mut c: C<'_>, dest: u32| {
        hostio(&mut c, |c| {
            let origin = frame(c).tx_origin();
            write(c, dest, origin.as_slice())
        })
    });
    def(linker, VM, "tx_gas_price", |mut c: C<'_>, dest: u32| {
        hostio(&mut c, |c| {
            let price = frame(c).tx_gas_price();
            write(c, dest, &price.to_be_bytes::<32>())
        })
    });
    def(linker, VM, "tx_ink_price", |mut c: C<'_>| {
        hostio(&mut c, |_| Ok(gas::INK_PRICE))
    });
    def(linker, VM, "evm_gas_left", |mut c: C<'_>| {
        hostio(&mut c, |c| Ok(frame(c).gas_left()))
    });
    def(linker, VM, "evm_ink_left", |mut c: C<'_>| {
        hostio(&mut c, |c| Ok(frame(c).ink_left()))
    });
    def(
        linker,
        VM,
        "native_keccak256",
        |mut c: C<'_>, ptr: u32, len: u32, out: u32| {
            hostio(&mut c, |c| {
                let data = read(c, ptr, len)?;
                let hash = frame(c).keccak(&data).map_err(halt)?;
                write(c, out, hash.as_slice())
            })
        },
    );
    def(
        linker,
        VM,
        "pay_for_memory_grow",
        |mut c: C<'_>, pages: u32| {
            hostio(&mut c, |c| {
                let pages = u16::try_from(pages).unwrap_or(u16::MAX);
                frame(c).pay_for_memory_grow(pages).map_err(halt)
            })
        },
    );

    def(linker, VM, "exit_early", |mut c: C<'_>, status: u32| {
        // no price of its own on Nitro: it only unwinds
        let fuel = c.get_fuel()?;
        let data = c.data_mut();
        data.frame.set_fuel(fuel);
        settle_pages(data).map_err(halt)?;
        Err::<(), _>(WasmiError::host(ExitEarly(status)))
    });
    def(
        linker,
        VM,
        "transient_load_bytes32",
        |mut c: C<'_>, key: u32, dest: u32| {
            let ink = gas::HOSTIO_INK + 2 * gas::PTR_INK + gas::EVM_API_INK;
            priced_hostio(&mut c, ink, |c| {
                let key = U256::from_be_bytes(read_word(c, key)?.0);
                let value = frame(c).transient_load(key).map_err(halt)?;
                write(c, dest, value.as_slice())
            })
        },
    );
    def(
        linker,
        VM,
        "transient_store_bytes32",
        |mut c: C<'_>, key: u32, value: u32| {
            let ink = gas::HOSTIO_INK + 2 * gas::PTR_INK + gas::EVM_API_INK;
            priced_hostio(&mut c, ink, |c| {
                let key = U256::from_be_bytes(read_word(c, key)?.0);
                let value = read_word(c, value)?;
                frame(c).transient_store(key, value).map_err(halt)
            })
        },
    );
    let div_ink = gas::HOSTIO_INK + 3 * gas::PTR_INK + gas::DIV_INK;
    def(
        linker,
        VM,
        "math_div",
        move |mut c: C<'_>, a: u32, b: u32| {
            math_hostio(&mut c, div_ink, [a, b], |[a, b]| {
                a.checked_div(b).unwrap_or_default()
            })
        },
    );
    def(
        linker,
        VM,
        "math_mod",
        move |mut c: C<'_>, a: u32, b: u32| {
            math_hostio(&mut c, div_ink, [a, b], |[a, b]| {
                a.checked_rem(b).unwrap_or_default()
            })
        },
    );
    def(linker, VM, "math_pow", |mut c: C<'_>, a: u32, b: u32| {
        let exponent = read_word(&c, b)?.0;
        let ink = gas::HOSTIO_INK + 3 * gas::PTR_INK + gas::pow_ink(&exponent);
        math_hostio(&mut c, ink, [a, b], |[a, b]| a.wrapping_pow(b))
    });
    def(
        linker,
        VM,
        "math_add_mod",
        |mut c: C<'_>, a: u32, b: u32, m: u32| {
            let ink = gas::HOSTIO_INK + 4 * gas::PTR_INK + gas::ADD_MOD_INK;
            math_hostio(&mut c, ink, [a, b, m], |[a, b, m]| a.add_mod(b, m))
        },
    );
    def(
        linker,
        VM,
        "math_mul_mod",
        |mut c: C<'_>, a: u32, b: u32, m: u32| {
            let ink = gas::HOSTIO_INK + 4 * gas::PTR_INK + gas::MUL_MOD_INK;
            math_hostio(&mut c, ink, [a, b, m], |[a, b, m]| a.mul_mod(b, m))
        },
    );

    const CONSOLE: &str = "console";
    def(linker, CONSOLE, "log_f32", |mut c: C<'_>, v: f32| {
        hostio(&mut c, |c| {
            console(frame(c), &v.to_string());
            Ok(())
        })
    });
    def(linker, CONSOLE, "log_f64", |mut c: C<'_>, v: f64| {
        hostio(&mut c, |c| {
            console(frame(c), &v.to_string());
            Ok(())
        })
    });
    def(linker, CONSOLE, "log_i32", |mut c: C<'_>, v: i32| {
        hostio(&mut c, |c| {
            console(frame(c), &v.to_string());
            Ok(())
        })
    });
    def(linker, CONSOLE, "log_i64", |mut c: C<'_>, v: i64| {
        hostio(&mut c, |c| {
            console(frame(c), &v.to_string());
            Ok(())
        })
    });
    def(
        linker,
        CONSOLE,
        "log_txt",
        |mut c: C<'_>, ptr: u32, len: u32| {
            hostio(&mut c, |c| {
                let text = read(c, ptr, len)?;
                console(frame(c), &String::from_utf8_lossy(&text));
                Ok(())
            })
        },
    );
}

/// Debug output of a program (`console` module), logged at INFO under the
/// `il_devnet::console` target.
fn console(frame: &Frame, text: &str) {
    tracing::info!(target: "il_devnet::console", program = %frame.code_address(), "{text}");
}
