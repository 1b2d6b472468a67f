//! The manager's program: its constructor, the keeper's actions
//! (`updateVolatility`, `applyFee`, `rebalance`, `rerange`, `hedge`) and the
//! views. The owner's functions (`setKeeper`, `setTiers`, `setParams`,
//! `setRangeRule`, `configureVault`, `closeHedge`, ownership transfer) are a
//! second program, `il-manager-ops`, which this one runs by delegate call in
//! its own storage: one Stylus program must stay under 24 KiB compressed,
//! and the manager with re-ranging did not fit in one.
//!
//! Everything (storage, rules, functions, interface) is in
//! `il-manager-core` and re-exported here; see its documentation for the
//! manager itself.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]

extern crate alloc;

pub use il_manager_core::*;

use alloy_primitives::{Address, U256};
use il_common::ownable::IOwnable;

il_common::lean_route! {
    Manager, ManagerError;
    constructor(vault: Address, planner: Address, ops: Address, owner: Address, keeper: Address);
    #[fallback(delegate_ops)]
    IManager::updateVolatilityCall => update_volatility(sigma: U256);
    IManager::applyFeeCall => apply_fee();
    IManager::rebalanceCall => rebalance(target_bps: u16, amount0_min: U256, amount1_min: U256);
    IManager::rerangeCall => rerange();
    IManager::hedgeCall => hedge();
    IManager::configCall => config();
    IManager::paramsCall => params();
    IManager::tiersCall => tiers();
    IManager::rangeRuleCall => range_rule();
    IManager::checkSpotCall => check_spot();
    IManager::poolKeyCall => pool_key();
    IOwnable::ownerCall => owner();
    IOwnable::pendingOwnerCall => pending_owner();
}

/// The Solidity interface of the manager (both programs), as committed in
/// `IManager.sol`.
#[cfg(feature = "export-abi")]
pub fn interface() -> alloc::string::String {
    il_common::abi::render(
        "Manager",
        &[
            IManager::abi::contract(),
            IOwnable::abi::contract(),
            il_common::router::RouterErrors::abi::contract(),
        ],
    )
}
