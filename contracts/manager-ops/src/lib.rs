//! The manager's second program: the owner's functions (`setKeeper`,
//! `setTiers`, `setParams`, `setRangeRule`, `configureVault`, `closeHedge`,
//! `transferOwnership`, `acceptOwnership`). The manager program
//! (`il-manager`) runs it by delegate call for every function it does not
//! route itself, so it executes in the manager's storage and `msg` (the
//! caller the manager saw): the same code (`il-manager-core`) over the same
//! storage, split in two programs because one Stylus program must stay
//! under 24 KiB compressed.
//!
//! Called directly (not through the manager) it runs in its own storage,
//! which holds no owner and no wiring: every function refuses
//! (`OwnableUnauthorizedAccount`), and it holds nothing.
//!
//! Reentrancy: the manager's program guards every entry; a delegate call
//! always runs "inside" the manager, so this program's own guard lets its
//! functions through.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]

extern crate alloc;

use alloy_primitives::{Address, U256};
use il_common::ownable::IOwnable;
use il_manager_core::{IManager, Manager};

il_common::lean_route! {
    Manager, il_manager_core::ManagerError;
    constructor = ops_constructor();
    #[reentrant(
        IManager::closeHedgeCall,
        IManager::setKeeperCall,
        IManager::setTiersCall,
        IManager::setParamsCall,
        IManager::setRangeRuleCall,
        IManager::configureVaultCall,
        IOwnable::transferOwnershipCall,
        IOwnable::acceptOwnershipCall,
    )]
    IManager::closeHedgeCall => close_hedge();
    IManager::setKeeperCall => set_keeper(keeper: Address);
    IManager::setTiersCall => set_tiers(min_sigmas: alloc::vec::Vec<U256>, fees_pips: alloc::vec::Vec<u32>, hysteresis: U256);
    IManager::setParamsCall => set_params(max_price_age: u64, max_deviation_bps: u16, max_slippage_bps: u16, min_lp_bps: u16, max_step_bps: u16, rebalance_cooldown: u64, hedge_ratio_bps: u16, max_hedge_step: U256, collateral_bps: u16, hedge_cooldown: u64);
    IManager::setRangeRuleCall => set_range_rule(k_bps: u32, horizon_secs: u64, min_width: u32, max_width: u32);
    IManager::configureVaultCall => configure_vault(controller: Address, deposit_cap: U256, paused: bool);
    IOwnable::transferOwnershipCall => transfer_ownership(new_owner: Address);
    IOwnable::acceptOwnershipCall => accept_ownership();
}
