//! Helpers for tests and demos that drive the engine directly: the ABI of
//! the fixture program `il-probe` and deployment through real creation and
//! activation transactions.

use std::{
    collections::HashMap,
    sync::{Mutex, OnceLock},
};

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::sol_types::SolCall;

use crate::engine::{Engine, ExitStatus, TxError, TxOutcome, TxRequest, arbwasm, gas};

alloy::sol! {
    /// ABI of the fixture program `devnet/fixtures/probe` (package `il-probe`).
    #[derive(Debug, PartialEq, Eq)]
    interface IProbe {
        function counter() external view returns (uint256);
        function increment() external returns (uint256);
        function set(uint256 key, uint256 value) external;
        function get(uint256 key) external view returns (uint256);
        function setThenRevert(uint256 key, uint256 value) external;
        function revertWith(bytes data) external;
        function panicNow() external;
        function burn(uint256 iterations) external view returns (uint64);
        function gasLeft() external view returns (uint64 gas, uint64 ink);
        function callOther(address to, bytes data) external payable returns (bytes);
        function staticCallOther(address to, bytes data) external view returns (bytes);
        function delegateCallOther(address to, bytes data) external payable returns (bytes);
        function reenter(bytes data) external returns (bytes);
        function callSlice(address to, bytes data, uint256 offset, uint256 size) external returns (bytes);
        function emitLogs(uint256 topics, bytes data) external;
        function msgInfo() external payable returns (address sender, address origin, uint256 value, bool reentrant);
        function blockInfo() external view returns (uint64 number, uint64 timestamp, address coinbase, uint64 gasLimit, uint256 basefee, uint64 chainId);
        function txInfo() external view returns (uint256 gasPrice, uint32 inkPrice, address this);
        function balanceOf(address account) external view returns (uint256);
        function codeInfo(address account) external view returns (uint256 size, bytes32 hash);
        function codeOf(address account) external view returns (bytes);
        function hash(bytes data) external view returns (bytes32);
        function grow(uint256 kib) external view returns (uint64);
        function deploy(bytes initcode, bytes32 salt, bool useCreate2) external payable returns (address);
        function unlock(address manager, bytes data) external returns (bytes);
        function unlockCallback(bytes data) external returns (bytes);

        error ProbeReverted(uint256 key);
        error ProbeCallFailed(bytes data);
        error ProbeDeployFailed(bytes data);
        error ProbeTooManyTopics();
        error ProbeNotUnlocking(address caller);
        error ProbeUnlockReverted(string name, bytes data);

        event Incremented(address indexed by, uint256 value);
        event Ping(uint256 indexed n, bytes data);
    }
}

/// EVM init code that deploys `runtime` unchanged (`CODECOPY` it to memory
/// and `RETURN` it); at most 65,535 bytes of runtime.
///
/// # Panics
/// If `runtime` is longer than 65,535 bytes.
pub fn evm_initcode(runtime: &[u8]) -> Vec<u8> {
    let len = u16::try_from(runtime.len()).expect("runtime code of at most 65,535 bytes");
    let [hi, lo] = len.to_be_bytes();
    // PUSH2 len, DUP1, PUSH1 12, PUSH1 0, CODECOPY, PUSH1 0, RETURN: 12 bytes
    let mut code = vec![
        0x61, hi, lo, 0x80, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3,
    ];
    code.extend_from_slice(runtime);
    code
}

/// Sends a creation transaction with EVM `initcode` from `from` at gas
/// price 0 and returns the new address.
///
/// # Errors
/// [`DeployError`].
pub fn create_evm(engine: &Engine, from: Address, initcode: &[u8]) -> Result<Address, DeployError> {
    let out = engine.transact(
        &TxRequest {
            from,
            to: None,
            data: Bytes::copy_from_slice(initcode),
            gas_limit: gas::MAX_TX_GAS,
            ..TxRequest::default()
        },
        true,
    )?;
    match out.contract_address {
        Some(a) if out.status.is_success() => Ok(a),
        _ => Err(failed("creation", &out)),
    }
}

/// Calldata of a Stylus constructor call: `0x5585258d` + ABI-encoded args.
pub fn constructor_calldata(args: &[u8]) -> Vec<u8> {
    il_wasm::deployer::constructor_calldata(args)
}

/// Why a helper deployment failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeployError {
    /// The wasm could not be prepared.
    #[error("wasm: {0}")]
    Wasm(#[from] il_wasm::WasmError),
    /// Nitro's cost formulas refuse the module.
    #[error("wasm: {0}")]
    Costs(String),
    /// The transaction was rejected.
    #[error("transaction rejected: {0}")]
    Tx(#[from] TxError),
    /// The transaction was mined but failed.
    #[error("{what} failed: {status:?}, output 0x{output}")]
    Failed {
        /// Creation or activation.
        what: &'static str,
        /// Its status.
        status: ExitStatus,
        /// Hex of its output.
        output: String,
    },
}

fn failed(what: &'static str, out: &TxOutcome) -> DeployError {
    DeployError::Failed {
        what,
        status: out.status.clone(),
        output: alloy::primitives::hex::encode(&out.output),
    }
}

/// Sends a creation transaction for account `code` (no activation) from
/// `from` at gas price 0 and returns the new address.
///
/// # Errors
/// [`DeployError`].
pub fn create_code(engine: &Engine, from: Address, code: &[u8]) -> Result<Address, DeployError> {
    let out = engine.transact(
        &TxRequest {
            from,
            to: None,
            data: il_wasm::initcode(code).into(),
            gas_limit: gas::MAX_TX_GAS,
            ..TxRequest::default()
        },
        true,
    )?;
    match out.contract_address {
        Some(a) if out.status.is_success() => Ok(a),
        _ => Err(failed("creation", &out)),
    }
}

/// Calls ArbWasm `activateProgram(program)` from `from` with `value`.
///
/// # Errors
/// [`TxError`] if rejected.
pub fn activate(
    engine: &Engine,
    from: Address,
    program: Address,
    value: U256,
) -> Result<TxOutcome, TxError> {
    engine.transact(
        &TxRequest {
            from,
            to: Some(arbwasm::ADDRESS),
            value,
            data: arbwasm::IArbWasm::activateProgramCall { program }
                .abi_encode()
                .into(),
            gas_limit: gas::MAX_TX_GAS,
            ..TxRequest::default()
        },
        true,
    )
}

/// Account code and prepared wasm, by keccak of the raw wasm.
type CodeCache = HashMap<B256, (Vec<u8>, Vec<u8>)>;

/// Account code and prepared (decompressed) wasm of `raw_wasm`, memoised per process by
/// keccak of the raw bytes (brotli at quality 11 takes a noticeable fraction
/// of a second, and tests deploy the same program many times).
///
/// # Errors
/// The errors of [`il_wasm::prepare`].
pub fn prepared_code(raw_wasm: &[u8]) -> Result<(Vec<u8>, Vec<u8>), il_wasm::WasmError> {
    static CACHE: OnceLock<Mutex<CodeCache>> = OnceLock::new();
    let key = alloy::primitives::keccak256(raw_wasm);
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(hit);
    }
    let prepared = il_wasm::prepare(raw_wasm)?;
    let entry = (il_wasm::contract_code(&prepared), prepared);
    if let Ok(mut c) = cache.lock() {
        c.insert(key, entry.clone());
    }
    Ok(entry)
}

/// Prepares `raw_wasm` with [`il_wasm::prepare`], deploys it and, unless its
/// code hash is already active, activates it paying the exact data fee
/// (the data pricer's price in the current block).
/// Returns the program's address.
///
/// # Errors
/// [`DeployError`].
pub fn deploy_wasm(
    engine: &Engine,
    from: Address,
    raw_wasm: &[u8],
) -> Result<Address, DeployError> {
    let (code, wasm) = prepared_code(raw_wasm)?;
    let address = create_code(engine, from, &code)?;
    if engine
        .runnable_program(alloy::primitives::keccak256(&code))
        .is_ok()
    {
        return Ok(address);
    }
    let fee = arbwasm::data_fee(engine, &wasm).map_err(DeployError::Costs)?;
    let out = activate(engine, from, address, fee)?;
    if !out.status.is_success() {
        return Err(failed("activation", &out));
    }
    Ok(address)
}

/// A committed call from `from` to `to` at gas price 0 with the per-tx gas cap.
///
/// # Errors
/// [`TxError`] if rejected.
pub fn send(
    engine: &Engine,
    from: Address,
    to: Address,
    data: impl Into<Bytes>,
    value: U256,
) -> Result<TxOutcome, TxError> {
    engine.transact(
        &TxRequest {
            from,
            to: Some(to),
            value,
            data: data.into(),
            gas_limit: gas::MAX_TX_GAS,
            ..TxRequest::default()
        },
        true,
    )
}

/// Decodes the return of a successful call, or describes the failure.
///
/// # Errors
/// A one-line description if the call failed or the output does not decode.
pub fn returns<C: SolCall>(out: &TxOutcome) -> Result<C::Return, String> {
    if !out.status.is_success() {
        return Err(format!(
            "call failed: {:?}, output 0x{}",
            out.status,
            alloy::primitives::hex::encode(&out.output)
        ));
    }
    C::abi_decode_returns(&out.output).map_err(|e| e.to_string())
}
