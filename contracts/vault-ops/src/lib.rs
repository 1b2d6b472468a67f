//! The vault's second program: its controller operations
//! (`moveLiquidity`, `rerange`, `adjustHedge`, `configure`, `setPool`) and Uniswap
//! v4's `unlockCallback`. The vault program (`il-vault`) runs it by delegate
//! call for every function it does not route itself, so it executes in the
//! vault's storage, balance and `msg` (the caller the vault saw): the same
//! code (`il-vault-core`) over the same storage, split in two programs
//! because one Stylus program must stay under 24 KiB compressed.
//!
//! Called directly (not through the vault) it runs in its own storage,
//! which holds no wiring and no controller: every operation refuses
//! (`VaultNotController`, `VaultUnexpectedCallback`), and it holds nothing.
//!
//! Reentrancy: the vault's program guards every entry (only
//! `unlockCallback` may re-enter it); a delegate call always runs "inside"
//! the vault, so this program's own guard lets its functions through.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]

extern crate alloc;

use alloy_primitives::{Address, Bytes, I256, U256};
use il_vault_core::{IVault, Vault};

il_common::lean_route! {
    Vault, il_vault_core::VaultError;
    constructor = ops_constructor();
    #[reentrant(
        IVault::unlockCallbackCall,
        IVault::moveLiquidityCall,
        IVault::rerangeCall,
        IVault::adjustHedgeCall,
        IVault::configureCall,
        IVault::setPoolCall,
    )]
    IVault::unlockCallbackCall => unlock_callback(data: Bytes);
    IVault::moveLiquidityCall => move_liquidity(liquidity_delta: I256);
    IVault::rerangeCall => rerange(tick_lower: I256, tick_upper: I256);
    IVault::adjustHedgeCall => adjust_hedge(fund: U256, size_delta: I256, close: bool);
    IVault::configureCall => configure(controller: Address, deposit_cap: U256, paused: bool);
    IVault::setPoolCall => set_pool(hooks: Address);
}
