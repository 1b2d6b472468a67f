//! A minimal ArbSys precompile at `0x64`: the block number and chain id that
//! Arbitrum-aware contracts and tools read from it.

use alloy::primitives::{Address, U256, address};
use alloy::sol_types::{SolInterface, SolValue};

use super::{Frame, ProgramExit};

/// Address of ArbSys.
pub const ADDRESS: Address = address!("0x0000000000000000000000000000000000000064");

alloy::sol! {
    /// The part of ArbSys this chain serves.
    interface IArbSys {
        function arbBlockNumber() external view returns (uint256);
        function arbChainID() external view returns (uint256);
    }
}

use IArbSys::IArbSysCalls as Call;

/// The ArbSys handler: `arbBlockNumber()` and `arbChainID()`; any other
/// selector reverts with empty data.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArbSys;

impl super::NativeProgram for ArbSys {
    fn run(&self, frame: &mut Frame) -> ProgramExit {
        if !frame.value().is_zero() {
            return ProgramExit::Revert(Vec::new());
        }
        if let Err(h) = frame.charge_gas(100) {
            return ProgramExit::Halt(h);
        }
        match Call::abi_decode(frame.input()) {
            Ok(Call::arbBlockNumber(_)) => {
                ProgramExit::Return(U256::from(frame.block().number).abi_encode())
            }
            Ok(Call::arbChainID(_)) => {
                ProgramExit::Return(U256::from(frame.chain_id()).abi_encode())
            }
            Err(_) => ProgramExit::Revert(Vec::new()),
        }
    }
}
