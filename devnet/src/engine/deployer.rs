//! The StylusDeployer at its Arbitrum address: deploy + activate + run the
//! Stylus constructor in one transaction. Implemented natively with the
//! behaviour of the deployed Solidity contract (read off its bytecode in the
//! stylus-sdk-rs repository: selectors, salt derivation, error encodings):
//!
//! `deploy(bytes bytecode, bytes initData, uint256 initValue, bytes32 salt) payable returns (address)`
//! 1. `salt != 0`: CREATE2 with `keccak256(abi.encodePacked(salt, initData))`; else CREATE
//!    (from the deployer's own nonce), with no value. Empty `bytecode` reverts
//!    `EmptyBytecode()`; a failed creation bubbles its revert data, or reverts
//!    `ContractDeploymentError(bytecode)` when there is none.
//! 2. If the new code hash is not active at the current Stylus version
//!    (`requiresActivation`), calls ArbWasm `activateProgram` with
//!    `msg.value - initValue` (a failure bubbles its revert data).
//! 3. Non-empty `initData`: calls the new contract with it and `initValue`;
//!    failure reverts `ContractInitializationError(address, bytes)`. Empty
//!    `initData` with `initValue != 0` reverts `InitValueButNotInitData()`.
//! 4. Refunds `msg.value - initValue - dataFee` to `msg.sender`
//!    (`RefundExcessValueError(uint256)` if that call fails).
//! 5. Emits `ContractDeployed(address)` and returns the address.
//!
//! Underflows of `msg.value - initValue` revert with `Panic(0x11)` as
//! Solidity 0.8 does.

use alloy::primitives::{Address, Bytes, U256};
use alloy::sol_types::{SolCall, SolError, SolEvent, SolInterface, SolValue};

use super::{
    CallKind, Frame, ProgramExit, STYLUS_VERSION,
    arbwasm::{self, IArbWasm},
};

pub use il_wasm::deployer::{ADDRESS, CONSTRUCTOR_SELECTOR, IStylusDeployer, init_salt};

alloy::sol! {
    /// Solidity's panic error.
    error Panic(uint256 code);
}

use IStylusDeployer::IStylusDeployerCalls as Call;

/// Panic code for arithmetic underflow/overflow.
const PANIC_ARITHMETIC: u64 = 0x11;

/// The StylusDeployer handler.
#[derive(Debug, Clone, Copy, Default)]
pub struct StylusDeployer;

impl super::NativeProgram for StylusDeployer {
    fn run(&self, frame: &mut Frame) -> ProgramExit {
        let Ok(call) = Call::abi_decode(frame.input()) else {
            return ProgramExit::Revert(Vec::new());
        };
        match call {
            Call::deploy(c) => deploy(frame, c),
            Call::requiresActivation(c) => {
                if !frame.value().is_zero() {
                    return ProgramExit::Revert(Vec::new());
                }
                match requires_activation(frame, c.addr) {
                    Ok(b) => ProgramExit::Return(b.abi_encode()),
                    Err(exit) => exit,
                }
            }
            Call::initSalt(c) => {
                if !frame.value().is_zero() {
                    return ProgramExit::Revert(Vec::new());
                }
                ProgramExit::Return(init_salt(c.salt, &c.initData).abi_encode())
            }
        }
    }
}

fn panic_underflow() -> ProgramExit {
    ProgramExit::Revert(
        Panic {
            code: U256::from(PANIC_ARITHMETIC),
        }
        .abi_encode(),
    )
}

/// `codehashVersion(extcodehash(addr)) != stylusVersion()`, true if the
/// first call reverts (as the Solidity `try/catch` does).
fn requires_activation(frame: &mut Frame, addr: Address) -> Result<bool, ProgramExit> {
    let code_hash = frame.code_hash(addr).map_err(ProgramExit::Halt)?;
    let query = IArbWasm::codehashVersionCall {
        codehash: code_hash,
    }
    .abi_encode();
    let ok = frame
        .call(
            CallKind::StaticCall,
            arbwasm::ADDRESS,
            &query,
            U256::ZERO,
            u64::MAX,
        )
        .map_err(ProgramExit::Halt)?;
    if !ok {
        return Ok(true);
    }
    let version = u16::abi_decode(frame.return_data()).unwrap_or(0);
    Ok(version != STYLUS_VERSION)
}

fn deploy(frame: &mut Frame, c: IStylusDeployer::deployCall) -> ProgramExit {
    let salt = if c.salt.is_zero() {
        None
    } else {
        Some(init_salt(c.salt, &c.initData))
    };
    if c.bytecode.is_empty() {
        return ProgramExit::Revert(IStylusDeployer::EmptyBytecode {}.abi_encode());
    }
    let created = match frame.create(&c.bytecode, U256::ZERO, salt) {
        Ok(a) => a,
        Err(h) => return ProgramExit::Halt(h),
    };
    let Some(new_contract) = created else {
        if !frame.return_data().is_empty() {
            return ProgramExit::Revert(frame.return_data().to_vec());
        }
        return ProgramExit::Revert(
            IStylusDeployer::ContractDeploymentError {
                bytecode: c.bytecode,
            }
            .abi_encode(),
        );
    };

    let should_activate = match requires_activation(frame, new_contract) {
        Ok(b) => b,
        Err(exit) => return exit,
    };
    let mut data_fee = U256::ZERO;
    if should_activate {
        let Some(activation_value) = frame.value().checked_sub(c.initValue) else {
            return panic_underflow();
        };
        let call = IArbWasm::activateProgramCall {
            program: new_contract,
        }
        .abi_encode();
        match frame.call(
            CallKind::Call,
            arbwasm::ADDRESS,
            &call,
            activation_value,
            u64::MAX,
        ) {
            Ok(true) => {}
            Ok(false) => return ProgramExit::Revert(frame.return_data().to_vec()),
            Err(h) => return ProgramExit::Halt(h),
        }
        match IArbWasm::activateProgramCall::abi_decode_returns(frame.return_data()) {
            Ok(r) => data_fee = r.dataFee,
            Err(_) => return ProgramExit::Revert(Vec::new()),
        }
    }

    if !c.initData.is_empty() {
        match frame.call(
            CallKind::Call,
            new_contract,
            &c.initData,
            c.initValue,
            u64::MAX,
        ) {
            Ok(true) => {}
            Ok(false) => {
                return ProgramExit::Revert(
                    IStylusDeployer::ContractInitializationError {
                        newContract: new_contract,
                        data: Bytes::copy_from_slice(frame.return_data()),
                    }
                    .abi_encode(),
                );
            }
            Err(h) => return ProgramExit::Halt(h),
        }
    } else if !c.initValue.is_zero() {
        return ProgramExit::Revert(IStylusDeployer::InitValueButNotInitData {}.abi_encode());
    }

    let Some(remaining) = frame
        .value()
        .checked_sub(data_fee)
        .and_then(|v| v.checked_sub(c.initValue))
    else {
        return panic_underflow();
    };
    if !remaining.is_zero() {
        let sender = frame.caller();
        match frame.send_value(sender, remaining) {
            Ok(true) => {}
            Ok(false) => {
                return ProgramExit::Revert(
                    IStylusDeployer::RefundExcessValueError {
                        excessValue: remaining,
                    }
                    .abi_encode(),
                );
            }
            Err(h) => return ProgramExit::Halt(h),
        }
    }

    let event = IStylusDeployer::ContractDeployed {
        deployedContract: new_contract,
    };
    let log = event.encode_log_data();
    if let Err(h) = frame.emit_log(log.topics().to_vec(), log.data.to_vec()) {
        return ProgramExit::Halt(h);
    }
    ProgramExit::Return(new_contract.abi_encode())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::{B256, keccak256};

    #[test]
    fn selectors_match_the_deployed_contract() {
        // selectors read off the StylusDeployer bytecode
        assert_eq!(
            IStylusDeployer::deployCall::SELECTOR,
            [0xa9, 0xa8, 0xe4, 0xe9]
        );
        assert_eq!(
            IStylusDeployer::requiresActivationCall::SELECTOR,
            [0x83, 0x5d, 0x1d, 0x4c]
        );
        assert_eq!(
            IStylusDeployer::initSaltCall::SELECTOR,
            [0x9f, 0x40, 0xb3, 0x85]
        );
        assert_eq!(
            IStylusDeployer::ContractInitializationError::SELECTOR,
            [0x88, 0xd8, 0xf5, 0x7d]
        );
        assert_eq!(
            IStylusDeployer::ContractDeploymentError::SELECTOR,
            [0x79, 0x4c, 0x92, 0xce]
        );
        assert_eq!(
            IStylusDeployer::RefundExcessValueError::SELECTOR,
            [0x3e, 0xa9, 0x91, 0x69]
        );
        assert_eq!(
            IStylusDeployer::EmptyBytecode::SELECTOR,
            [0x21, 0x74, 0x4a, 0x59]
        );
        assert_eq!(
            IStylusDeployer::InitValueButNotInitData::SELECTOR,
            [0x00, 0xcc, 0x79, 0x71]
        );
        assert_eq!(
            IStylusDeployer::ContractDeployed::SIGNATURE_HASH[..4],
            [0x8f, 0xfc, 0xdc, 0x15]
        );
        assert_eq!(
            alloy::primitives::keccak256("stylus_constructor()")[..4],
            CONSTRUCTOR_SELECTOR
        );
    }

    #[test]
    fn init_salt_hashes_salt_then_init_data() {
        let salt = B256::with_last_byte(1);
        let mut packed = salt.to_vec();
        packed.extend_from_slice(&[1, 2, 3]);
        assert_eq!(init_salt(salt, &[1, 2, 3]), keccak256(packed));
    }
}
