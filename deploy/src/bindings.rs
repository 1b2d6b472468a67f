//! Rust bindings (alloy `sol!`) generated from the contracts' committed
//! Solidity interfaces (`contracts/*/I*.sol`, themselves generated from the
//! contracts by `scripts/export-abi.sh` and checked for drift by each
//! contract's tests). Calls, events and named errors all come from these
//! files, so a client never hand-writes a selector.
//!
//! Every generated type derives `Debug`, `PartialEq`, `Eq` and `Hash` where it can; errors decode with
//! `IVault::IVaultErrors::abi_decode(&revert_data)` (see [`decode_revert`]).

#![allow(missing_docs, clippy::too_many_arguments)]

alloy::sol!(
    #[sol(rpc, all_derives)]
    "../contracts/token/IToken.sol"
);
alloy::sol!(
    #[sol(rpc, all_derives)]
    "../contracts/oracle/IOracle.sol"
);
alloy::sol!(
    #[sol(rpc, all_derives)]
    "../contracts/planner/IPlanner.sol"
);
alloy::sol!(
    #[sol(rpc, all_derives)]
    "../contracts/hedge/IHedge.sol"
);
alloy::sol!(
    #[sol(rpc, all_derives)]
    "../contracts/engine/IEngine.sol"
);
alloy::sol!(
    #[sol(rpc, all_derives)]
    "../contracts/vault/IVault.sol"
);
alloy::sol!(
    #[sol(rpc, all_derives)]
    "../contracts/manager/IManager.sol"
);
alloy::sol!(
    #[sol(rpc, all_derives)]
    "../contracts/lens/ILens.sol"
);

alloy::sol!(
    #[sol(all_derives)]
    "../devnet/IArbWasm.sol"
);

/// Arbitrum's ArbWasm precompile (program activation, lifetimes).
pub const ARBWASM: alloy::primitives::Address =
    alloy::primitives::address!("0x0000000000000000000000000000000000000071");

/// Uniswap v4-core 1.0.2 as the system uses it: the `PoolManager` (the
/// vault's pool lives in it; reads with `extsload`), and the test routers
/// the local chain deploys for the demo's trader. Declared here from v4's
/// interfaces (the npm package is BUSL-1.1 and installed at set-up, never
/// committed).
pub mod v4 {
    #![allow(missing_docs)]
    alloy::sol! {
        /// v4's pool key.
        #[derive(Debug, PartialEq, Eq, Hash)]
        struct PoolKey { address currency0; address currency1; uint24 fee; int24 tickSpacing; address hooks; }
        /// `IPoolManager.SwapParams`.
        #[derive(Debug, PartialEq, Eq, Hash)]
        struct SwapParams { bool zeroForOne; int256 amountSpecified; uint160 sqrtPriceLimitX96; }
        /// `PoolSwapTest.TestSettings`.
        #[derive(Debug, PartialEq, Eq, Hash)]
        struct TestSettings { bool takeClaims; bool settleUsingBurn; }
        /// `IPoolManager.ModifyLiquidityParams`.
        #[derive(Debug, PartialEq, Eq, Hash)]
        struct ModifyLiquidityParams { int24 tickLower; int24 tickUpper; int256 liquidityDelta; bytes32 salt; }

        /// The part of v4's `PoolManager` the system uses, and its errors.
        #[sol(rpc)]
        #[derive(Debug, PartialEq, Eq)]
        interface IPoolManager {
            function initialize(PoolKey key, uint160 sqrtPriceX96) external returns (int24 tick);
            function extsload(bytes32 slot) external view returns (bytes32 value);
            function extsload(bytes32 startSlot, uint256 nSlots) external view returns (bytes32[] values);
            function updateDynamicLPFee(PoolKey key, uint24 newDynamicLPFee) external;
            event Initialize(bytes32 indexed id, address indexed currency0, address indexed currency1, uint24 fee, int24 tickSpacing, address hooks, uint160 sqrtPriceX96, int24 tick);
            event Swap(bytes32 indexed id, address indexed sender, int128 amount0, int128 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick, uint24 fee);
            event ModifyLiquidity(bytes32 indexed id, address indexed sender, int24 tickLower, int24 tickUpper, int256 liquidityDelta, bytes32 salt);
            error CurrencyNotSettled();
            error PoolNotInitialized();
            error PoolAlreadyInitialized();
            error ManagerLocked();
            error AlreadyUnlocked();
            error UnauthorizedDynamicLPFeeUpdate();
            error HookAddressNotValid(address hooks);
            error CurrenciesOutOfOrderOrEqual(address currency0, address currency1);
            error TickSpacingTooLarge(int24 tickSpacing);
            error TickSpacingTooSmall(int24 tickSpacing);
            error LPFeeTooLarge(uint24 fee);
            error PriceLimitAlreadyExceeded(uint160 sqrtPriceCurrentX96, uint160 sqrtPriceLimitX96);
            error PriceLimitOutOfBounds(uint160 sqrtPriceLimitX96);
            error NoLiquidityToReceiveFees();
            error InvalidCaller();
        }

        /// v4's `PoolSwapTest` router (the local chain's trader swaps through it).
        #[sol(rpc)]
        interface IPoolSwapTest {
            function swap(PoolKey key, SwapParams params, TestSettings testSettings, bytes hookData) external payable returns (int256 delta);
        }

        /// v4's `PoolModifyLiquidityTest` router (the deployer seeds the
        /// pool's first full-range liquidity through it).
        #[sol(rpc)]
        interface IPoolModifyLiquidityTest {
            function modifyLiquidity(PoolKey key, ModifyLiquidityParams params, bytes hookData) external payable returns (int256 delta);
        }
    }
}

use alloy::sol_types::{Panic, Revert, SolError, SolInterface};

/// Names a revert of any of the system's contracts: the first interface
/// whose error table decodes `data` wins (shared errors such as
/// `OwnableUnauthorizedAccount` read the same in every one), then Solidity's
/// `Error(string)` and `Panic(uint256)`.
///
/// Returns e.g. `ManagerCooldown { availableAt: 1700003600 }`, or `None` for
/// empty or unknown revert data (the caller prints the hex).
pub fn decode_revert(data: &[u8]) -> Option<String> {
    fn named<E: SolInterface + core::fmt::Debug>(data: &[u8]) -> Option<String> {
        let e = E::abi_decode(data).ok()?;
        // `Variant(Variant { .. })`: keep the inner struct's rendering.
        let outer = format!("{e:?}");
        let inner = outer
            .split_once('(')
            .and_then(|(_, rest)| rest.strip_suffix(')'))
            .map(str::to_owned);
        Some(inner.unwrap_or(outer))
    }
    if data.len() < 4 {
        return None;
    }
    named::<IManager::IManagerErrors>(data)
        .or_else(|| named::<IVault::IVaultErrors>(data))
        .or_else(|| named::<ILens::ILensErrors>(data))
        .or_else(|| named::<IEngine::IEngineErrors>(data))
        .or_else(|| named::<IHedge::IHedgeErrors>(data))
        .or_else(|| named::<IPlanner::IPlannerErrors>(data))
        .or_else(|| named::<v4::IPoolManager::IPoolManagerErrors>(data))
        .or_else(|| named::<IOracle::IOracleErrors>(data))
        .or_else(|| named::<IToken::ITokenErrors>(data))
        .or_else(|| named::<IArbWasm::IArbWasmErrors>(data))
        .or_else(|| {
            Revert::abi_decode(data)
                .ok()
                .map(|r| format!("Error({:?})", r.reason))
        })
        .or_else(|| {
            Panic::abi_decode(data)
                .ok()
                .map(|p| format!("Panic({:#x})", p.code))
        })
}

#[cfg(test)]
mod tests {
    use alloy::primitives::{Address, U256};
    use alloy::sol_types::SolError;

    use super::*;

    #[test]
    fn decode_revert_names_errors_with_their_arguments() {
        let data = IManager::ManagerCooldown {
            availableAt: 1_700_003_600,
        }
        .abi_encode();
        assert_eq!(
            decode_revert(&data).as_deref(),
            Some("ManagerCooldown { availableAt: 1700003600 }")
        );
        let data = IToken::OwnableUnauthorizedAccount {
            account: Address::repeat_byte(0x11),
        }
        .abi_encode();
        let text = decode_revert(&data).unwrap();
        assert!(
            text.starts_with("OwnableUnauthorizedAccount { account: 0x1111"),
            "{text}"
        );
        let data = Revert::from("boom").abi_encode();
        assert_eq!(decode_revert(&data).as_deref(), Some("Error(\"boom\")"));
        let data = Panic {
            code: U256::from(0x11),
        }
        .abi_encode();
        assert_eq!(decode_revert(&data).as_deref(), Some("Panic(0x11)"));
    }

    #[test]
    fn decode_revert_refuses_unknown_or_short_data() {
        assert_eq!(decode_revert(&[]), None);
        assert_eq!(decode_revert(&[1, 2, 3]), None);
        assert_eq!(decode_revert(&[0xde, 0xad, 0xbe, 0xef]), None);
    }
}
