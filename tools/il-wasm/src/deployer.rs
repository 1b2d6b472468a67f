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

/// The address `deploy(initcode, initData, _, salt)` creates when
/// `salt != 0`: CREATE2 from the StylusDeployer with [`init_salt`].
pub fn create2_address(salt: B256, init_data: &[u8], initcode: &[u8]) -> Address {
    ADDRESS.create2(init_salt(salt, init_data), keccak256(initcode))
}

/// Uniswap v4 reads a hook's permissions from the low 14 bits of its
/// address (`Hooks.ALL_HOOK_MASK`).
pub const HOOK_PERMISSION_MASK: u16 = 0x3fff;

/// The first salt (counting up from 1) whose [`create2_address`] carries
/// exactly the hook permission bits `flags` (`flags & !HOOK_PERMISSION_MASK`
/// is ignored), and that address. About 16,384 tries on average; `None`
/// only if `max_tries` run out.
pub fn mine_hook_salt(
    init_data: &[u8],
    initcode: &[u8],
    flags: u16,
    max_tries: u64,
) -> Option<(B256, Address)> {
    let code_hash = keccak256(initcode);
    let want = flags & HOOK_PERMISSION_MASK;
    (1..=max_tries).find_map(|i| {
        let salt = B256::left_padding_from(&i.to_be_bytes());
        let address = ADDRESS.create2(init_salt(salt, init_data), code_hash);
        let low = u16::from_be_bytes([address[18], address[19]]) & HOOK_PERMISSION_MASK;
        (low == want).then_some((salt, address))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mined_hook_salts_give_addresses_with_exactly_the_flags() {
        let initcode = [0xef, 0xf0, 0x00, 1, 2, 3];
        for flags in [0u16, 0x1000] {
            let (salt, address) = mine_hook_salt(b"init", &initcode, flags, 1 << 20).unwrap();
            assert_eq!(create2_address(salt, b"init", &initcode), address);
            assert_eq!(
                u16::from_be_bytes([address[18], address[19]]) & 0x3fff,
                flags
            );
        }
        // a different init data moves the address
        let (salt, address) = mine_hook_salt(b"init", &initcode, 0, 1 << 20).unwrap();
        assert_ne!(create2_address(salt, b"other", &initcode), address);
        assert_eq!(mine_hook_salt(b"init", &initcode, 0, 0), None);
    }

    #[test]
    fn the_constructor_selector_is_stylus_constructor() {
        assert_eq!(keccak256("stylus_constructor()")[..4], CONSTRUCTOR_SELECTOR);
        assert_eq!(
            constructor_calldata(&[1, 2]),
            vec![0x55, 0x85, 0x25, 0x8d, 1, 2]
        );
    }
}
