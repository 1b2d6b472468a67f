//! The StylusDeployer's ABI, shared by the local chain (which serves it)
//! and the deployer (which calls it): deploy + activate + run the Stylus
//! constructor in one transaction.

use alloy_primitives::{Address, B256, address, keccak256};

/// Address of the StylusDeployer on Arbitrum chains (One, Nova, Sepolia,
/// Nitro dev nodes) and on the local chain.
pub const ADDRESS: Address = address!("0xcEcba2F1DC234f70Dd89F2041029807F8D03A990");

/// Selector of a Stylus constructor call: `stylus_constructor()`.
pub const CONSTRUCTOR_SELECTOR: [u8; 4] = [0x55, 0x85, 0x25, 0x8d];

alloy_sol_types::sol! {
    /// The StylusDeployer interface.
    #[derive(Debug, PartialEq, Eq)]
    interface IStylusDeployer {
        function deploy(bytes bytecode, bytes initData, uint256 initValue, bytes32 salt) external payable returns (address);
        function requiresActivation(address addr) external view returns (bool);
        function initSalt(bytes32 salt, bytes initData) external pure returns (bytes32);

        event ContractDeployed(address deployedContract);

        error ContractDeploymentError(bytes bytecode);
        error ContractInitializationError(address newContract, bytes data);
        error RefundExcessValueError(uint256 excessValue);
        error EmptyBytecode();
        error InitValueButNotInitData();
    }
}

/// Calldata of a Stylus constructor call: [`CONSTRUCTOR_SELECTOR`] followed
/// by the ABI-encoded parameter list.
pub fn constructor_calldata(args: &[u8]) -> Vec<u8> {
    let mut data = CONSTRUCTOR_SELECTOR.to_vec();
    data.extend_from_slice(args);
    data
}

/// The salt CREATE2 uses for a `deploy` with `salt != 0`:
/// `keccak256(salt ‖ initData)`.
pub fn init_salt(salt: B256, init_data: &[u8]) -> B256 {
    let mut packed = Vec::with_capacity(32 + init_data.len());
    packed.extend_from_slice(salt.as_slice());
    packed.extend_from_slice(init_data);
    keccak256(packed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constructor_selector_is_stylus_constructor() {
        assert_eq!(keccak256("stylus_constructor()")[..4], CONSTRUCTOR_SELECTOR);
        assert_eq!(
            constructor_calldata(&[1, 2]),
            vec![0x55, 0x85, 0x25, 0x8d, 1, 2]
        );
    }
}
