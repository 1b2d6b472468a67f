//! The ArbWasm precompile at `0x71`: program activation (validation, gas,
//! data fee, `ProgramActivated`), keepalive, and the views deployment tools
//! query, with Nitro's figures (`il_wasm::costs`, `gas::DataPricer`).
//!
//! Activation charges as Nitro does: 1,659,168 gas first, then (after the
//! checks that revert and keep the rest: not wasm, up to date) the compile
//! cost; a module that fails validation consumes all the gas sent. The
//! data fee is priced on the module's asm estimate by the data pricer.
//!
//! Deviation from Nitro, on purpose: when validation fails, the revert data
//! is `Error(string)` with the reason ("activation failed: unsupported
//! import vm_hooks::foo"), so clients show why (all gas is still consumed).

use alloy::primitives::{Address, B256, U256, address};
use alloy::sol_types::{SolCall, SolError, SolEvent, SolInterface, SolValue};

use il_wasm::costs;

use super::{
    Frame, Halt, ProgramExit, ProgramInfo, STYLUS_VERSION,
    gas::{self, INK_PRICE, PAGE_GAS, PAGE_LIMIT},
};

/// Address of ArbWasm.
pub const ADDRESS: Address = address!("0x0000000000000000000000000000000000000071");
/// Days after activation (or keepalive) a program stops running.
pub const EXPIRY_DAYS: u16 = 365;
/// Days after activation before a keepalive is allowed.
pub const KEEPALIVE_DAYS: u16 = 31;
/// [`EXPIRY_DAYS`] in seconds.
pub const EXPIRY_SECONDS: u64 = EXPIRY_DAYS as u64 * 86_400;
/// [`KEEPALIVE_DAYS`] in seconds.
pub const KEEPALIVE_SECONDS: u64 = KEEPALIVE_DAYS as u64 * 86_400;
/// Reported by `maxStackDepth` before ArbOS 50 (not enforced beyond
/// wasmi's own limits).
pub const MAX_STACK_DEPTH_BEFORE_ARBOS_50: u32 = 262_144;
/// Reported by `maxStackDepth` from ArbOS 50, words (not enforced beyond
/// wasmi's own limits).
pub const MAX_STACK_DEPTH: u32 = 22_000;
/// The first ArbOS version with `activationGas` (Nitro's
/// `ARBOS_VERSION_STYLUS_CONTRACT_LIMIT`).
pub const ARBOS_ACTIVATION_GAS: u64 = 60;
/// Reported by `blockCacheSize` (no cache is modelled).
pub const BLOCK_CACHE_SIZE: u16 = 32;
/// Gas of a view call.
const VIEW_GAS: u64 = 100;

// The ArbWasm interface, as served by this chain (`devnet/IArbWasm.sol`,
// which the keeper's bindings use too).
alloy::sol!(
    #[sol(all_derives)]
    "IArbWasm.sol"
);

use IArbWasm::IArbWasmCalls as Call;

/// The data fee activating `wasm` (decompressed) on `engine` would pay in
/// its current block: the data pricer's price of the module's asm estimate.
///
/// # Errors
/// A module Nitro's cost formulas refuse.
pub fn data_fee(engine: &super::Engine, wasm: &[u8]) -> Result<U256, String> {
    let costs = il_wasm::costs::nitro_costs(wasm)?;
    let bytes = u32::try_from(costs.asm_estimate).unwrap_or(u32::MAX);
    let now = engine.block_env().timestamp;
    Ok(engine.data_pricer().quote(bytes, now))
}

/// The ArbWasm handler.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArbWasm;

impl super::NativeProgram for ArbWasm {
    fn run(&self, frame: &mut Frame) -> ProgramExit {
        let Ok(call) = Call::abi_decode(frame.input()) else {
            return ProgramExit::Revert(Vec::new());
        };
        let payable = matches!(call, Call::activateProgram(_) | Call::codehashKeepalive(_));
        if !payable && !frame.value().is_zero() {
            return ProgramExit::Revert(Vec::new());
        }
        if !payable && let Err(h) = frame.charge_gas(VIEW_GAS) {
            return ProgramExit::Halt(h);
        }
        match call {
            Call::activateProgram(c) => activate(frame, c.program),
            Call::codehashKeepalive(c) => keepalive(frame, c.codehash),
            Call::stylusVersion(_) => ret(STYLUS_VERSION.abi_encode()),
            Call::codehashVersion(c) => {
                with_program(frame, c.codehash, |info, _| info.version.abi_encode())
            }
            Call::codehashAsmSize(c) => {
                with_program(frame, c.codehash, |info, _| info.asm_size.abi_encode())
            }
            Call::programVersion(c) => {
                by_address(frame, c.program, |info, _| info.version.abi_encode())
            }
            Call::programInitGas(c) => by_address(frame, c.program, |info, _| {
                IArbWasm::programInitGasCall::abi_encode_returns(&IArbWasm::programInitGasReturn {
                    gas: info.init_gas.saturating_add(info.cached_gas),
                    gasWhenCached: info.cached_gas,
                })
            }),
            Call::programMemoryFootprint(c) => {
                by_address(frame, c.program, |info, _| info.footprint.abi_encode())
            }
            Call::programTimeLeft(c) => by_address(frame, c.program, |_, age| {
                EXPIRY_SECONDS.saturating_sub(age).abi_encode()
            }),
            Call::inkPrice(_) => ret(INK_PRICE.abi_encode()),
            Call::maxStackDepth(_) => ret(if frame.engine().arbos_version() >= 50 {
                MAX_STACK_DEPTH.abi_encode()
            } else {
                MAX_STACK_DEPTH_BEFORE_ARBOS_50.abi_encode()
            }),
            Call::freePages(_) => ret(gas::FREE_PAGES.abi_encode()),
            Call::pageGas(_) => ret(PAGE_GAS.abi_encode()),
            Call::pageRamp(_) => ret(gas::PAGE_RAMP.abi_encode()),
            Call::pageLimit(_) => ret(PAGE_LIMIT.abi_encode()),
            Call::minInitGas(_) => ret(IArbWasm::minInitGasCall::abi_encode_returns(
                &IArbWasm::minInitGasReturn {
                    gas: costs::MIN_INIT_GAS,
                    cached: costs::MIN_CACHED_INIT_GAS,
                },
            )),
            Call::initCostScalar(_) => ret(costs::COST_SCALAR_PERCENT.abi_encode()),
            // ArbOwner's extra activation gas, at its default; the method
            // exists from ArbOS 60
            Call::activationGas(_) if frame.engine().arbos_version() >= ARBOS_ACTIVATION_GAS => {
                ret(0u64.abi_encode())
            }
            Call::activationGas(_) => ProgramExit::Revert(Vec::new()),
            Call::expiryDays(_) => ret(EXPIRY_DAYS.abi_encode()),
            Call::keepaliveDays(_) => ret(KEEPALIVE_DAYS.abi_encode()),
            Call::blockCacheSize(_) => ret(BLOCK_CACHE_SIZE.abi_encode()),
        }
    }
}

fn ret(data: Vec<u8>) -> ProgramExit {
    ProgramExit::Return(data)
}

fn revert(err: impl SolError) -> ProgramExit {
    ProgramExit::Revert(err.abi_encode())
}

/// Runs `f` on the activation record of `code_hash` and its age, or reverts
/// with ProgramNotActivated / ProgramNeedsUpgrade / ProgramExpired.
fn with_program(
    frame: &mut Frame,
    code_hash: B256,
    f: impl FnOnce(&ProgramInfo, u64) -> Vec<u8>,
) -> ProgramExit {
    match frame.engine().runnable_program(code_hash) {
        Ok(info) => {
            let age = frame.block().timestamp.saturating_sub(info.activated_at);
            ProgramExit::Return(f(&info, age))
        }
        Err(data) => ProgramExit::Revert(data),
    }
}

fn by_address(
    frame: &mut Frame,
    program: Address,
    f: impl FnOnce(&ProgramInfo, u64) -> Vec<u8>,
) -> ProgramExit {
    let code = match frame.code(program) {
        Ok(c) => c,
        Err(h) => return ProgramExit::Halt(h),
    };
    if !il_wasm::is_stylus_code(&code) {
        return revert(IArbWasm::ProgramNotWasm {});
    }
    with_program(frame, alloy::primitives::keccak256(&code), f)
}

fn activate(frame: &mut Frame, program: Address) -> ProgramExit {
    if frame.is_static() {
        return ProgramExit::Halt(Halt::WriteProtection);
    }
    if let Err(h) = frame.charge_gas(costs::ACTIVATION_FIXED_GAS) {
        return ProgramExit::Halt(h);
    }
    let code = match frame.code(program) {
        Ok(c) => c,
        Err(h) => return ProgramExit::Halt(h),
    };
    if !il_wasm::is_stylus_code(&code) {
        return revert(IArbWasm::ProgramNotWasm {});
    }
    let code_hash = alloy::primitives::keccak256(&code);
    if frame.engine().runnable_program(code_hash).is_ok() {
        return revert(IArbWasm::ProgramUpToDate {});
    }
    let checked = frame
        .engine()
        .wasm()
        .validate(code_hash, &code)
        .and_then(|v| costs::nitro_costs(&v.wasm).map(|c| (v, c)));
    let (validated, costs) = match checked {
        Ok(v) => v,
        Err(reason) => {
            // Nitro burns all the gas of a failed activation
            frame.set_gas_left(0);
            return ProgramExit::Revert(
                alloy::sol_types::Revert::from(format!("activation failed: {reason}")).abi_encode(),
            );
        }
    };
    if let Err(h) = frame.charge_gas(costs.compile_gas) {
        return ProgramExit::Halt(h);
    }
    let now = frame.block().timestamp;
    let asm_estimate = u32::try_from(costs.asm_estimate).unwrap_or(u32::MAX);
    let fee = frame.engine().state_mut().price_data(asm_estimate, now);
    let have = frame.value();
    if have < fee {
        return revert(IArbWasm::ProgramInsufficientValue { have, want: fee });
    }
    let info = ProgramInfo {
        version: STYLUS_VERSION,
        module_hash: validated.module_hash,
        activated_at: now,
        footprint: validated.footprint,
        init_gas: costs.init_gas(),
        cached_gas: costs.cached_gas(),
        asm_size: u32::try_from(costs.asm_size()).unwrap_or(u32::MAX),
    };
    frame.engine().state_mut().set_program(code_hash, info);
    let event = IArbWasm::ProgramActivated {
        codehash: code_hash,
        moduleHash: validated.module_hash,
        program,
        dataFee: fee,
        version: STYLUS_VERSION,
    };
    if let Err(h) = emit(frame, &event) {
        return ProgramExit::Halt(h);
    }
    if let Err(exit) = refund(frame, have, fee) {
        return exit;
    }
    ret(IArbWasm::activateProgramCall::abi_encode_returns(
        &IArbWasm::activateProgramReturn {
            version: STYLUS_VERSION,
            dataFee: fee,
        },
    ))
}

fn keepalive(frame: &mut Frame, code_hash: B256) -> ProgramExit {
    if frame.is_static() {
        return ProgramExit::Halt(Halt::WriteProtection);
    }
    let info = match frame.engine().runnable_program(code_hash) {
        Ok(info) => info,
        Err(data) => return ProgramExit::Revert(data),
    };
    let now = frame.block().timestamp;
    let age = now.saturating_sub(info.activated_at);
    if age < KEEPALIVE_SECONDS {
        return revert(IArbWasm::ProgramKeepaliveTooSoon { ageInSeconds: age });
    }
    let fee = frame.engine().state_mut().price_data(info.asm_size, now);
    let have = frame.value();
    if have < fee {
        return revert(IArbWasm::ProgramInsufficientValue { have, want: fee });
    }
    let renewed = ProgramInfo {
        activated_at: now,
        ..info
    };
    frame.engine().state_mut().set_program(code_hash, renewed);
    let event = IArbWasm::ProgramLifetimeExtended {
        codehash: code_hash,
        dataFee: fee,
    };
    if let Err(h) = emit(frame, &event) {
        return ProgramExit::Halt(h);
    }
    if let Err(exit) = refund(frame, have, fee) {
        return exit;
    }
    ret(Vec::new())
}

fn emit(frame: &mut Frame, event: &impl SolEvent) -> Result<(), Halt> {
    let log = event.encode_log_data();
    frame.emit_log(log.topics().to_vec(), log.data.to_vec())
}

/// Returns `have - fee` to the caller as a balance move (no call), as Nitro does.
fn refund(frame: &mut Frame, have: U256, fee: U256) -> Result<(), ProgramExit> {
    let excess = have.saturating_sub(fee);
    if excess.is_zero() {
        return Ok(());
    }
    let (from, to) = (frame.address(), frame.caller());
    if frame.engine().state_mut().transfer(from, to, excess) {
        Ok(())
    } else {
        Err(ProgramExit::Halt(Halt::InsufficientBalance))
    }
}
