//! The access matrix: every privileged function of the vault and the
//! manager called by the owner, the keeper and a stranger, with the exact
//! error each refusal carries; and the owner's setters' own errors and events.

use alloy_primitives::{Address, I256, U256};
use alloy_sol_types::{SolCall, SolError};

use crate::fixture::*;

/// Who may call a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// The manager's owner (`OwnableUnauthorizedAccount` otherwise).
    Owner,
    /// The manager's keeper (`ManagerNotKeeper` otherwise).
    Keeper,
    /// The vault's controller, the manager (`VaultNotController` otherwise).
    Controller,
}

struct Row {
    name: &'static str,
    target: Address,
    data: Vec<u8>,
    role: Role,
}

/// A system with capital in the pool and idle (so rebalances and hedges can
/// succeed), the hedge switched on, and cooldowns passed.
fn ready() -> Sys {
    let mut s = Sys::new();
    let alice = s.alice;
    s.deposit(alice, eth(10), usdc(20_000));
    s.keeper_call(&IManager::rebalanceCall {
        targetBps: 7_500,
        amount0Min: U256::ZERO,
        amount1Min: U256::ZERO,
    })
    .unwrap();
    let mut p = s.params();
    p.hedgeRatioBps = 5_000;
    s.set_params(p);
    s.w.advance(3_601);
    s.set_answer(usd(START_PRICE));
    s
}

fn rows(s: &Sys) -> Vec<Row> {
    let (vault, manager) = (s.vault, s.manager);
    let p = IManager::setParamsCall {
        maxPriceAge: 600,
        maxDeviationBps: 50,
        maxSlippageBps: 50,
        minLpBps: 1_000,
        maxStepBps: 5_000,
        rebalanceCooldown: 600,
        hedgeRatioBps: 10_000,
        maxHedgeStep: eth(1),
        collateralBps: 3_000,
        hedgeCooldown: 600,
    };
    vec![
        Row {
            name: "vault.configure",
            target: vault,
            data: IVault::configureCall {
                controller: s.stranger,
                depositCap: U256::ZERO,
                paused: true,
            }
            .abi_encode(),
            role: Role::Controller,
        },
        Row {
            name: "vault.moveLiquidity",
            target: vault,
            data: IVault::moveLiquidityCall {
                liquidityDelta: i(-1_000),
            }
            .abi_encode(),
            role: Role::Controller,
        },
        Row {
            name: "vault.setPool",
            target: vault,
            data: IVault::setPoolCall { hooks: s.stranger }.abi_encode(),
            role: Role::Controller,
        },
        Row {
            name: "vault.adjustHedge",
            target: vault,
            data: IVault::adjustHedgeCall {
                fund: usdc(1),
                sizeDelta: I256::ZERO,
                close: false,
            }
            .abi_encode(),
            role: Role::Controller,
        },
        Row {
            name: "manager.setKeeper",
            target: manager,
            data: IManager::setKeeperCall { keeper: s.carol }.abi_encode(),
            role: Role::Owner,
        },
        Row {
            name: "manager.setTiers",
            target: manager,
            data: IManager::setTiersCall {
                minSigmas: vec![U256::ZERO],
                feesPips: vec![3_000],
                hysteresis: U256::ZERO,
            }
            .abi_encode(),
            role: Role::Owner,
        },
        Row {
            name: "manager.setParams",
            target: manager,
            data: p.abi_encode(),
            role: Role::Owner,
        },
        Row {
            name: "manager.configureVault (pause)",
            target: manager,
            data: IManager::configureVaultCall {
                controller: manager,
                depositCap: U256::ZERO,
                paused: true,
            }
            .abi_encode(),
            role: Role::Owner,
        },
        Row {
            name: "manager.transferOwnership",
            target: manager,
            data: IManager::transferOwnershipCall { newOwner: s.carol }.abi_encode(),
            role: Role::Owner,
        },
        Row {
            name: "manager.updateVolatility",
            target: manager,
            data: IManager::updateVolatilityCall {
                sigma: U256::from(700_000_000_000_000_000u64),
            }
            .abi_encode(),
            role: Role::Keeper,
        },
        Row {
            name: "manager.rebalance",
            target: manager,
            data: IManager::rebalanceCall {
                targetBps: 5_000,
                amount0Min: U256::ZERO,
                amount1Min: U256::ZERO,
            }
            .abi_encode(),
            role: Role::Keeper,
        },
        Row {
            name: "manager.hedge",
            target: manager,
            data: IManager::hedgeCall {}.abi_encode(),
            role: Role::Keeper,
        },
    ]
}

fn refusal(role: Role, caller: Address, data: &[u8]) -> bool {
    match role {
        Role::Owner => {
            IManager::OwnableUnauthorizedAccount::abi_decode(data).ok()
                == Some(IManager::OwnableUnauthorizedAccount { account: caller })
        }
        Role::Keeper => {
            IManager::ManagerNotKeeper::abi_decode(data).ok()
                == Some(IManager::ManagerNotKeeper { account: caller })
        }
        Role::Controller => {
            IVault::VaultNotController::abi_decode(data).ok()
                == Some(IVault::VaultNotController { account: caller })
        }
    }
}

#[test]
fn access_matrix_owner_keeper_stranger() {
    let mut s = ready();
    let snap = s.w.snapshot();
    let callers = [
        ("owner", s.owner, Role::Owner),
        ("keeper", s.keeper, Role::Keeper),
        ("stranger", s.stranger, Role::Controller),
    ];
    let mut cells = 0;
    for row in rows(&s) {
        for (who, caller, caller_role) in callers {
            s.w.revert(&snap);
            let result = s.w.call(caller, row.target, &row.data, U256::ZERO);
            // the owner and keeper are not the vault's controller (the manager is)
            let allowed = row.role == caller_role && row.role != Role::Controller;
            match (&result, allowed) {
                (Ok(_), true) => {}
                (Err(data), false) if refusal(row.role, caller, data) => {}
                _ => panic!(
                    "{} by {who}: expected {}, got {:?}",
                    row.name,
                    if allowed {
                        "success"
                    } else {
                        "the role's refusal"
                    },
                    result.map_err(|d| il_testkit::Revert {
                        data: d,
                        halt: None
                    })
                ),
            }
            cells += 1;
        }
    }
    assert_eq!(cells, 36);
}

#[test]
fn the_controller_alone_configures_the_vault() {
    let mut s = Sys::new();
    let (owner, manager, vault, stranger) = (s.owner, s.manager, s.vault, s.stranger);
    // the deployer handed control over: it is refused like anyone else
    assert_revert(
        s.w.call_sol(
            owner,
            vault,
            &IVault::configureCall {
                controller: owner,
                depositCap: U256::ZERO,
                paused: false,
            },
        ),
        IVault::VaultNotController { account: owner },
    );
    s.ok(
        owner,
        manager,
        &IManager::configureVaultCall {
            controller: manager,
            depositCap: usdc(5),
            paused: true,
        },
    );
    assert_eq!(
        s.events_from::<IVault::Configured>(vault),
        vec![IVault::Configured {
            controller: manager,
            depositCap: usdc(5),
            paused: true
        }]
    );
    assert_eq!(s.admin(), (manager, usdc(5), true));
    // a zero controller is refused by the vault, reported by the manager
    assert_manager_call_failed(
        s.w.call_sol(
            owner,
            manager,
            &IManager::configureVaultCall {
                controller: Address::ZERO,
                depositCap: U256::ZERO,
                paused: false,
            },
        ),
        vault,
        IVault::VaultInvalidAddress {
            account: Address::ZERO,
        },
    );
    // handing the vault to a new controller takes the manager out
    s.ok(
        owner,
        manager,
        &IManager::configureVaultCall {
            controller: stranger,
            depositCap: U256::ZERO,
            paused: false,
        },
    );
    assert_eq!(s.admin().0, stranger);
    assert_manager_call_failed(
        s.w.call_sol(
            owner,
            manager,
            &IManager::configureVaultCall {
                controller: manager,
                depositCap: U256::ZERO,
                paused: false,
            },
        ),
        vault,
        IVault::VaultNotController { account: manager },
    );
    s.ok(
        stranger,
        vault,
        &IVault::configureCall {
            controller: manager,
            depositCap: U256::ZERO,
            paused: false,
        },
    );
    assert_eq!(s.admin(), (manager, U256::ZERO, false));
}

#[test]
fn vault_constructor_refuses_zero_addresses_and_a_bad_pool() {
    let mut s = Sys::new();
    let a = [
        s.token0,
        s.token1,
        s.v4.pool_manager,
        s.venue,
        s.oracle,
        s.engine,
        s.ops,
        s.owner,
    ];
    let deploy = |s: &mut Sys, a: [Address; 8], spacing: u32| {
        s.w.deploy_entry(
            "il-vault (bad arguments)",
            il_vault::route,
            &alloy_sol_types::SolValue::abi_encode_params(&(
                a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], spacing,
            )),
        )
    };
    for i in 0..8 {
        let mut args = a;
        args[i] = Address::ZERO;
        let err = deploy(&mut s, args, SPACING).unwrap_err();
        assert_eq!(
            IVault::VaultInvalidAddress::abi_decode(&err).unwrap(),
            IVault::VaultInvalidAddress {
                account: Address::ZERO
            },
            "argument {i}"
        );
    }
    // token0 must be v4's currency0 (the lower address), the spacing v4's
    let mut swapped = a;
    swapped.swap(0, 1);
    for (args, spacing) in [(swapped, SPACING), (a, 0), (a, 32_768)] {
        let err = deploy(&mut s, args, spacing).unwrap_err();
        assert_eq!(
            IVault::VaultInvalidPool::abi_decode(&err).unwrap(),
            IVault::VaultInvalidPool {},
            "spacing {spacing}"
        );
    }
    // the extremes of the spacing are v4's: the range is the full range
    for spacing in [1u32, 32_767] {
        let v = deploy(&mut s, a, spacing).unwrap();
        let p = s.view(v, &IVault::poolCall {});
        let (lower, upper) = il_math::v4::full_range_ticks(spacing as i32).unwrap();
        assert_eq!(
            (
                p.tickSpacing,
                p.hooks,
                p.tickLower.as_i32(),
                p.tickUpper.as_i32()
            ),
            (spacing, Address::ZERO, lower, upper)
        );
    }
}

#[test]
fn set_pool_is_the_controllers_once_before_any_deposit() {
    let mut s = Sys::new();
    let (owner, manager, vault) = (s.owner, s.manager, s.vault);
    // the fixture set it (the deployer, controller then): the manager is the hook
    let p = s.view(vault, &IVault::poolCall {});
    let (lower, upper) = il_math::v4::full_range_ticks(SPACING as i32).unwrap();
    assert_eq!(
        (
            p.tickSpacing,
            p.hooks,
            p.tickLower.as_i32(),
            p.tickUpper.as_i32()
        ),
        (SPACING, manager, lower, upper)
    );
    // once: even its controller (a new one, to call the vault directly)
    // cannot set it again
    s.hand_control(owner);
    assert_revert(
        s.w.call_sol(owner, vault, &IVault::setPoolCall { hooks: owner }),
        IVault::VaultPoolAlreadySet {},
    );
    assert_revert(
        s.w.call_sol(
            owner,
            vault,
            &IVault::setPoolCall {
                hooks: Address::ZERO,
            },
        ),
        IVault::VaultInvalidAddress {
            account: Address::ZERO,
        },
    );
    // a fresh vault: set once, announced, then never again
    let fresh =
        s.w.deploy_entry(
            "il-vault (fresh)",
            il_vault::route,
            &alloy_sol_types::SolValue::abi_encode_params(&(
                s.token0,
                s.token1,
                s.v4.pool_manager,
                s.venue,
                s.oracle,
                s.engine,
                s.ops,
                owner,
                SPACING,
            )),
        )
        .unwrap();
    s.ok(owner, fresh, &IVault::setPoolCall { hooks: manager });
    assert_eq!(
        s.events_from::<IVault::PoolSet>(fresh),
        vec![IVault::PoolSet {
            hooks: manager,
            tickLower: i(lower.into()),
            tickUpper: i(upper.into()),
        }]
    );
    assert_revert(
        s.w.call_sol(owner, fresh, &IVault::setPoolCall { hooks: owner }),
        IVault::VaultPoolAlreadySet {},
    );
}

#[test]
fn manager_constructor_wires_defaults_and_refuses_zero_addresses() {
    let mut s = Sys::with(Setup {
        pool_fee: None,
        seed_pool: true,
    });
    let (vault, planner, ops, owner, keeper) =
        (s.vault, s.planner, s.manager_ops, s.owner, s.keeper);
    for (args, bad) in [
        ((Address::ZERO, planner, ops, owner, keeper), "vault"),
        ((vault, Address::ZERO, ops, owner, keeper), "planner"),
        ((vault, planner, Address::ZERO, owner, keeper), "ops"),
        ((vault, planner, ops, owner, Address::ZERO), "keeper"),
    ] {
        let err =
            s.w.deploy_entry(
                "il-manager (zero)",
                il_manager::route,
                &alloy_sol_types::SolValue::abi_encode_params(&args),
            )
            .unwrap_err();
        assert_eq!(
            IManager::ManagerInvalidAddress::abi_decode(&err)
                .unwrap()
                .account,
            Address::ZERO,
            "{bad}"
        );
    }
    let err =
        s.w.deploy_entry(
            "il-manager (zero owner)",
            il_manager::route,
            &alloy_sol_types::SolValue::abi_encode_params(&(
                vault,
                planner,
                ops,
                Address::ZERO,
                keeper,
            )),
        )
        .unwrap_err();
    assert_eq!(
        IManager::OwnableInvalidOwner::abi_decode(&err).unwrap(),
        IManager::OwnableInvalidOwner {
            owner: Address::ZERO
        }
    );
    // the defaults the documentation lists
    let m = s.manager;
    let p = s.view(m, &IManager::paramsCall {});
    assert_eq!(
        (
            p.maxPriceAge,
            p.maxDeviationBps,
            p.maxSlippageBps,
            p.minLpBps,
            p.maxStepBps,
            p.rebalanceCooldown
        ),
        (3_600, 100, 100, 0, 2_500, 3_600)
    );
    assert_eq!(
        (
            p.hedgeRatioBps,
            p.maxHedgeStep,
            p.collateralBps,
            p.hedgeCooldown
        ),
        (0, U256::MAX, 2_000, 3_600)
    );
    let t = s.view(m, &IManager::tiersCall {});
    let wad = il_math::WAD;
    assert_eq!(
        t,
        vec![
            wad / u(20),
            U256::ZERO,
            wad * u(6) / u(10),
            wad,
            u(500),
            u(3_000),
            u(10_000)
        ]
    );
    let c = s.view(m, &IManager::configCall {});
    assert_eq!(
        (
            c.vault,
            c.keeper,
            c.tierIndex,
            c.sigma,
            c.sigmaUpdatedAt,
            c.lastRebalance,
            c.lastHedge,
            c.lastTierChange,
            c.rebalanceDirection,
            c.hedgeDirection
        ),
        (vault, keeper, 0, U256::ZERO, 0, 0, 0, 0, 0, 0)
    );
    assert_eq!(s.view(m, &IManager::ownerCall {}), owner);
    // the pool key: the manager is the hook of a dynamic-fee pool, whose
    // fee the fixture's applyFee set to tier 0
    let k = s.view(m, &IManager::poolKeyCall {});
    assert_eq!(
        (
            k.currency0,
            k.currency1,
            k.fee.to::<u32>(),
            k.tickSpacing.as_i32(),
            k.hooks,
            k.poolManager
        ),
        (
            s.token0,
            s.token1,
            il_common::v4::DYNAMIC_FEE_FLAG,
            SPACING as i32,
            m,
            s.v4.pool_manager
        )
    );
    assert_eq!(s.pool_fee(), 500);
}

#[test]
fn the_manager_must_sit_at_a_hook_address_without_callbacks() {
    let mut s = Sys::new();
    let (vault, planner, ops, owner, keeper) =
        (s.vault, s.planner, s.manager_ops, s.owner, s.keeper);
    let args = alloy_sol_types::SolValue::abi_encode_params(&(vault, planner, ops, owner, keeper));
    // an ordinary address: its low 14 bits (v4's hook permissions) are set
    let err =
        s.w.deploy_entry("il-manager (not a hook address)", il_manager::route, &args)
            .unwrap_err();
    let hook = IManager::ManagerHookAddress::abi_decode(&err).unwrap().hook;
    assert_ne!(u16::from_be_bytes([hook[18], hook[19]]) & 0x3fff, 0);
    // a mined address with a permission bit (1: afterRemoveLiquidity
    // returns a delta) is refused too: the PoolManager would call it
    let err =
        s.w.deploy_entry_as_hook("il-manager (a hook bit)", il_manager::route, &args, 1)
            .unwrap_err();
    let hook = IManager::ManagerHookAddress::abi_decode(&err).unwrap().hook;
    assert_eq!(u16::from_be_bytes([hook[18], hook[19]]) & 0x3fff, 1);
    // at a mined address with no bit it deploys (another keeper: another
    // address than the fixture's)
    let args = alloy_sol_types::SolValue::abi_encode_params(&(vault, planner, ops, owner, s.carol));
    let m =
        s.w.deploy_entry_as_hook("il-manager (second)", il_manager::route, &args, 0)
            .unwrap();
    assert_eq!(u16::from_be_bytes([m[18], m[19]]) & 0x3fff, 0);
}

#[test]
fn ownership_moves_in_two_steps() {
    let mut s = Sys::new();
    let (owner, manager, bob, stranger) = (s.owner, s.manager, s.bob, s.stranger);
    s.ok(
        owner,
        manager,
        &IManager::transferOwnershipCall { newOwner: bob },
    );
    assert_eq!(
        s.events_from::<IManager::OwnershipTransferStarted>(manager),
        vec![IManager::OwnershipTransferStarted {
            previousOwner: owner,
            newOwner: bob
        }]
    );
    assert_eq!(s.view(manager, &IManager::pendingOwnerCall {}), bob);
    // still the old owner's until accepted
    assert_eq!(s.view(manager, &IManager::ownerCall {}), owner);
    assert_revert(
        s.w.call_sol(stranger, manager, &IManager::acceptOwnershipCall {}),
        IManager::OwnableUnauthorizedAccount { account: stranger },
    );
    s.ok(bob, manager, &IManager::acceptOwnershipCall {});
    assert_eq!(
        s.events_from::<IManager::OwnershipTransferred>(manager),
        vec![IManager::OwnershipTransferred {
            previousOwner: owner,
            newOwner: bob
        }]
    );
    assert_eq!(s.view(manager, &IManager::ownerCall {}), bob);
    assert_eq!(
        s.view(manager, &IManager::pendingOwnerCall {}),
        Address::ZERO
    );
    assert_revert(
        s.w.call_sol(owner, manager, &IManager::setKeeperCall { keeper: owner }),
        IManager::OwnableUnauthorizedAccount { account: owner },
    );
    s.ok(bob, manager, &IManager::setKeeperCall { keeper: bob });
}

#[test]
fn set_keeper_moves_the_role_and_refuses_zero() {
    let mut s = Sys::new();
    let (owner, manager, keeper, carol) = (s.owner, s.manager, s.keeper, s.carol);
    assert_revert(
        s.w.call_sol(
            owner,
            manager,
            &IManager::setKeeperCall {
                keeper: Address::ZERO,
            },
        ),
        IManager::ManagerInvalidAddress {
            account: Address::ZERO,
        },
    );
    s.ok(owner, manager, &IManager::setKeeperCall { keeper: carol });
    assert_eq!(
        s.events_from::<IManager::KeeperChanged>(manager),
        vec![IManager::KeeperChanged {
            previous: keeper,
            next: carol
        }]
    );
    assert_eq!(s.view(manager, &IManager::configCall {}).keeper, carol);
    let sigma = U256::from(100_000_000_000_000_000u64);
    assert_revert(
        s.keeper_call(&IManager::updateVolatilityCall { sigma }),
        IManager::ManagerNotKeeper { account: keeper },
    );
    s.ok(carol, manager, &IManager::updateVolatilityCall { sigma });
}

#[test]
fn set_params_checks_every_bound_in_order() {
    let mut s = Sys::new();
    let (owner, manager) = (s.owner, s.manager);
    let good = IManager::setParamsCall {
        maxPriceAge: 600,
        maxDeviationBps: 50,
        maxSlippageBps: 25,
        minLpBps: 1_000,
        maxStepBps: 5_000,
        rebalanceCooldown: 600,
        hedgeRatioBps: 8_000,
        maxHedgeStep: eth(3),
        collateralBps: 3_000,
        hedgeCooldown: 1_200,
    };
    const MIN: u64 = il_manager::MIN_COOLDOWN;
    const MAX: u64 = il_manager::REVERSAL_COOLDOWN;
    type Edit = fn(&mut IManager::setParamsCall);
    let bad: [(u8, Edit); 20] = [
        (0, |p| p.maxPriceAge = 59),
        (0, |p| p.maxPriceAge = 86_401),
        (1, |p| p.maxDeviationBps = 0),
        (1, |p| p.maxDeviationBps = 1_001),
        (2, |p| p.maxSlippageBps = 1_001),
        (3, |p| p.minLpBps = 10_001),
        (4, |p| p.maxStepBps = 0),
        (4, |p| p.maxStepBps = 10_001),
        (5, |p| p.rebalanceCooldown = MIN - 1),
        (5, |p| p.rebalanceCooldown = MAX + 1),
        (6, |p| p.hedgeRatioBps = 10_001),
        (7, |p| p.maxHedgeStep = U256::ZERO),
        (8, |p| p.collateralBps = 999),
        (8, |p| p.collateralBps = 10_001),
        (9, |p| p.hedgeCooldown = MIN - 1),
        (9, |p| p.hedgeCooldown = MAX + 1),
        // the first bad index is reported
        (0, |p| {
            p.maxPriceAge = 0;
            p.hedgeCooldown = u64::MAX;
        }),
        (3, |p| {
            p.minLpBps = u16::MAX;
            p.collateralBps = 0;
        }),
        (2, |p| p.maxSlippageBps = u16::MAX),
        (5, |p| p.rebalanceCooldown = u64::MAX),
    ];
    for (index, edit) in bad {
        let mut p = good.clone();
        edit(&mut p);
        assert_revert(
            s.w.call_sol(owner, manager, &p),
            IManager::ManagerInvalidParameter { index },
        );
    }
    // the edges are inside
    let mut edge = good.clone();
    (
        edge.maxPriceAge,
        edge.maxDeviationBps,
        edge.maxSlippageBps,
        edge.minLpBps,
        edge.maxStepBps,
    ) = (86_400, 1_000, 1_000, 10_000, 10_000);
    (
        edge.rebalanceCooldown,
        edge.hedgeRatioBps,
        edge.maxHedgeStep,
        edge.collateralBps,
        edge.hedgeCooldown,
    ) = (MAX, 10_000, u(1), 10_000, MIN);
    s.ok(owner, manager, &edge);
    s.ok(owner, manager, &good);
    assert_eq!(
        s.events_from::<IManager::ParamsUpdated>(manager),
        vec![IManager::ParamsUpdated {
            maxPriceAge: 600,
            maxDeviationBps: 50,
            maxSlippageBps: 25,
            minLpBps: 1_000,
            maxStepBps: 5_000,
            rebalanceCooldown: 600,
            hedgeRatioBps: 8_000,
            maxHedgeStep: eth(3),
            collateralBps: 3_000,
            hedgeCooldown: 1_200,
        }]
    );
    let p = s.params();
    assert_eq!(p.abi_encode(), good.abi_encode());
}

#[test]
fn set_tiers_validates_the_table() {
    let mut s = Sys::new();
    let (owner, manager) = (s.owner, s.manager);
    let pct = |p: u64| il_math::WAD * U256::from(p) / u(100);
    let bad: Vec<(Vec<U256>, Vec<u32>, U256)> = vec![
        (vec![], vec![], U256::ZERO),
        (vec![U256::ZERO, pct(50)], vec![500], U256::ZERO),
        (vec![pct(1)], vec![500], U256::ZERO),
        (
            vec![U256::ZERO, pct(50), pct(50)],
            vec![500, 600, 700],
            U256::ZERO,
        ),
        (vec![U256::ZERO, pct(50)], vec![600, 500], U256::ZERO),
        (vec![U256::ZERO], vec![100_001], U256::ZERO),
        ((0..9).map(pct).collect(), vec![1; 9], U256::ZERO),
        (vec![U256::ZERO], vec![500], il_math::MAX_SIGMA_WAD + u(1)),
        (
            vec![U256::ZERO, il_math::MAX_SIGMA_WAD + u(1)],
            vec![500, 600],
            U256::ZERO,
        ),
    ];
    for (min_sigmas, fees_pips, hysteresis) in bad {
        assert_revert(
            s.w.call_sol(
                owner,
                manager,
                &IManager::setTiersCall {
                    minSigmas: min_sigmas,
                    feesPips: fees_pips,
                    hysteresis,
                },
            ),
            IManager::ManagerInvalidTiers {},
        );
    }
    let sigmas: Vec<U256> = (0..8).map(|i| pct(i * 10)).collect();
    let fees: Vec<u32> = (0..8).map(|i| 100 + i * 1_000).collect();
    s.ok(
        owner,
        manager,
        &IManager::setTiersCall {
            minSigmas: sigmas.clone(),
            feesPips: fees.clone(),
            hysteresis: pct(2),
        },
    );
    assert_eq!(
        s.events_from::<IManager::TiersUpdated>(manager),
        vec![IManager::TiersUpdated {
            count: u(8),
            hysteresis: pct(2)
        }]
    );
    let mut words = vec![pct(2)];
    words.extend(&sigmas);
    words.extend(fees.iter().map(|f| U256::from(*f)));
    assert_eq!(s.view(manager, &IManager::tiersCall {}), words);
}

#[test]
fn a_shorter_tier_table_keeps_the_tier_index_in_range() {
    let mut s = Sys::with(Setup {
        pool_fee: None,
        seed_pool: true,
    });
    let (owner, manager) = (s.owner, s.manager);
    // tier 2 (100 bps) in force
    let out = s
        .keeper_call(&IManager::updateVolatilityCall {
            sigma: il_math::WAD * u(2),
        })
        .unwrap();
    assert_eq!((out.tier, out.feePips), (2, 10_000));
    s.ok(
        owner,
        manager,
        &IManager::setTiersCall {
            minSigmas: vec![U256::ZERO],
            feesPips: vec![700],
            hysteresis: U256::ZERO,
        },
    );
    assert_eq!(s.view(manager, &IManager::configCall {}).tierIndex, 0);
    // the next report applies the single tier
    let out = s
        .keeper_call(&IManager::updateVolatilityCall {
            sigma: il_math::WAD,
        })
        .unwrap();
    assert_eq!((out.tier, out.feePips), (0, 700));
    assert_eq!(s.pool_fee(), 700);
}
