//! The IL-managed LP vault's program: deposits, withdrawals, the share
//! token, the transfer hook and the views. The vault's controller
//! operations (`moveLiquidity`, `rerange`, `adjustHedge`, `configure`, `setPool`) and
//! Uniswap v4's `unlockCallback` are a second program, `il-vault-ops`, which
//! this one runs by delegate call in its own storage: one Stylus program must
//! stay under 24 KiB compressed, and the vault on v4 did not fit in one.
//!
//! Everything (storage, rules, functions, interface) is in
//! `il-vault-core` and re-exported here; see its documentation for the
//! vault itself.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]

extern crate alloc;

pub use il_vault_core::*;

use alloy_primitives::{Address, U256};
use il_common::erc20::IERC20;

il_common::lean_route! {
    Vault, VaultError;
    constructor(token0: Address, token1: Address, pool_manager: Address, venue: Address, oracle: Address, engine: Address, ops: Address, controller: Address, tick_spacing: u32);
    #[reentrant(IVault::unlockCallbackCall)]
    #[fallback(delegate_ops)]
    IVault::depositCall => deposit(amount0_max: U256, amount1_max: U256, min_shares: U256, receiver: Address);
    IVault::withdrawCall => withdraw(shares: U256, amount0_min: U256, amount1_min: U256, receiver: Address);
    IVault::contractsCall => contracts();
    IVault::poolCall => pool();
    IVault::stateCall => state();
    IVault::holderCall => holder(account: Address);
    IVault::pendingControllerCall => pending_controller();
    IVault::lockOfCall => lock_of(account: Address);
    IERC20::nameCall => name();
    IERC20::symbolCall => symbol();
    IERC20::decimalsCall => decimals();
    IERC20::totalSupplyCall => total_supply();
    IERC20::balanceOfCall => balance_of(account: Address);
    IERC20::transferCall => transfer(to: Address, value: U256);
    IERC20::transferFromCall => transfer_from(from: Address, to: Address, value: U256);
    IERC20::approveCall => approve(spender: Address, value: U256);
    IERC20::allowanceCall => allowance(owner: Address, spender: Address);
}

/// The Solidity interface of the vault (both programs), as committed in
/// `IVault.sol`.
#[cfg(feature = "export-abi")]
pub fn interface() -> alloc::string::String {
    il_common::abi::render(
        "Vault",
        &[
            IVault::abi::contract(),
            IERC20::abi::contract(),
            il_common::router::RouterErrors::abi::contract(),
        ],
    )
}
