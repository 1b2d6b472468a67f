//! Every routed function called through the contract's router with alloy's
//! ABI encoding of `IPool`/`IERC20`/`IOwnable` and decoded with alloy: a
//! selector routed to the wrong method, arguments decoded in the wrong
//! order or a return encoded wrongly fails here.

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, SolError, SolValue};
use il_common::{
    erc20::IERC20,
    ownable::IOwnable,
    router::{AlreadyInitialized, BadCalldata, CONSTRUCTOR_SELECTOR, NotPayable, UnknownSelector},
};
use stylus_sdk::host::VM;

use super::{ALICE, BOB, MANAGER, OWNER, e18, u, world::*};
use crate::*;

/// Runs calldata through the router as `sender`; `Err` is the revert data.
fn raw(world: &World, sender: Address, input: Vec<u8>) -> Result<Vec<u8>, Vec<u8>> {
    world.vm().set_sender(sender);
    route(
        input,
        VM {
            host: Box::new(world.clone()),
        },
    )
}

/// Calls `call` as `sender` and decodes its return with alloy.
fn call<C: SolCall>(world: &World, sender: Address, call: C) -> Result<C::Return, Vec<u8>> {
    raw(world, sender, call.abi_encode())
        .map(|out| C::abi_decode_returns(&out).expect("return decodes"))
}

fn revert<E: SolError>(e: E) -> Vec<u8> {
    e.abi_encode()
}

fn construct(world: &World) -> Result<Vec<u8>, Vec<u8>> {
    let mut input = CONSTRUCTOR_SELECTOR.to_vec();
    input.extend((TOKEN0, TOKEN1, 3_000u32, 10_000u32, OWNER).abi_encode_params());
    raw(world, OWNER, input)
}

#[test]
fn every_function_answers_through_the_router() {
    let world = World::new();
    for who in [ALICE, BOB] {
        for token in [TOKEN0, TOKEN1] {
            world.mint(token, who, e18(1_000));
            world.approve(token, who, POOL, U256::MAX);
        }
    }
    assert_eq!(construct(&world), Ok(Vec::new()));
    assert_eq!(construct(&world), Err(revert(AlreadyInitialized {})));

    // views of a fresh pool
    assert_eq!(call(&world, BOB, IPool::token0Call {}), Ok(TOKEN0));
    assert_eq!(call(&world, BOB, IPool::token1Call {}), Ok(TOKEN1));
    assert_eq!(call(&world, BOB, IPool::feeCall {}), Ok(3_000));
    assert_eq!(call(&world, BOB, IPool::maxFeeCall {}), Ok(10_000));
    assert_eq!(
        call(&world, BOB, IPool::feeManagerCall {}),
        Ok(Address::ZERO)
    );
    assert_eq!(
        call(&world, BOB, IPool::MINIMUM_LIQUIDITYCall {}),
        Ok(u(1_000))
    );
    assert_eq!(
        call(&world, BOB, IERC20::nameCall {}),
        Ok("IL Pool LP".into())
    );
    assert_eq!(
        call(&world, BOB, IERC20::symbolCall {}),
        Ok("ILP-LP".into())
    );
    assert_eq!(call(&world, BOB, IERC20::decimalsCall {}), Ok(18));
    assert_eq!(call(&world, BOB, IOwnable::ownerCall {}), Ok(OWNER));

    // fee manager wiring and the tier
    call(&world, OWNER, IPool::setFeeManagerCall { manager: MANAGER }).unwrap();
    assert_eq!(call(&world, BOB, IPool::feeManagerCall {}), Ok(MANAGER));
    call(&world, MANAGER, IPool::setFeeTierCall { feePips: 500 }).unwrap();
    assert_eq!(call(&world, BOB, IPool::feeCall {}), Ok(500));
    assert_eq!(
        call(&world, BOB, IPool::setFeeTierCall { feePips: 1 }).err(),
        Some(revert(PoolNotFeeManager { account: BOB }))
    );

    // liquidity through the wallet entrypoint
    let added = call(
        &world,
        ALICE,
        IPool::addLiquidityCall {
            amount0Desired: e18(1),
            amount1Desired: e18(4),
            amount0Min: U256::ZERO,
            amount1Min: U256::ZERO,
            to: ALICE,
            deadline: U256::MAX,
        },
    )
    .unwrap();
    assert_eq!(
        (added.amount0, added.amount1, added.liquidity),
        (e18(1), e18(4), e18(2) - u(1_000))
    );
    let reserves = call(&world, BOB, IPool::getReservesCall {}).unwrap();
    assert_eq!(
        (
            reserves.reserve0.to::<U256>(),
            reserves.reserve1.to::<U256>()
        ),
        (e18(1), e18(4))
    );
    assert_eq!(reserves.blockTimestampLast, 1_700_000_000);
    assert_eq!(call(&world, BOB, IERC20::totalSupplyCall {}), Ok(e18(2)));
    assert_eq!(
        call(&world, BOB, IERC20::balanceOfCall { account: ALICE }),
        Ok(e18(2) - u(1_000))
    );

    // swaps: quote, wallet swap, then the core swap after paying in
    let quote = call(
        &world,
        BOB,
        IPool::getAmountOutCall {
            zeroForOne: true,
            amountIn: e18(1) / u(10),
        },
    )
    .unwrap();
    let out = call(
        &world,
        BOB,
        IPool::swapExactInCall {
            zeroForOne: true,
            amountIn: e18(1) / u(10),
            minAmountOut: quote,
            to: BOB,
            deadline: U256::MAX,
        },
    );
    assert_eq!(out, Ok(quote));
    world.vm().set_block_timestamp(1_700_000_010);
    let quote1 = call(
        &world,
        BOB,
        IPool::getAmountOutCall {
            zeroForOne: false,
            amountIn: e18(1),
        },
    )
    .unwrap();
    world.send(TOKEN1, BOB, POOL, e18(1));
    call(
        &world,
        BOB,
        IPool::swapCall {
            amount0Out: quote1,
            amount1Out: U256::ZERO,
            to: BOB,
        },
    )
    .unwrap();
    assert!(call(&world, BOB, IPool::price0CumulativeLastCall {}).unwrap() > U256::ZERO);
    assert!(call(&world, BOB, IPool::price1CumulativeLastCall {}).unwrap() > U256::ZERO);

    // skim and sync
    world.send(TOKEN0, BOB, POOL, u(7));
    call(&world, BOB, IPool::skimCall { to: ALICE }).unwrap();
    world.send(TOKEN0, BOB, POOL, u(7));
    call(&world, BOB, IPool::syncCall {}).unwrap();

    // core mint and burn
    world.send(TOKEN0, BOB, POOL, e18(1));
    world.send(TOKEN1, BOB, POOL, e18(4));
    let minted = call(&world, BOB, IPool::mintCall { to: BOB }).unwrap();
    assert!(minted > U256::ZERO);
    call(
        &world,
        BOB,
        IERC20::transferCall {
            to: POOL,
            value: minted,
        },
    )
    .unwrap();
    let burnt = call(&world, BOB, IPool::burnCall { to: BOB }).unwrap();
    assert!(burnt.amount0 > U256::ZERO && burnt.amount1 > U256::ZERO);

    // LP shares as an ERC-20, then the wallet withdrawal
    assert_eq!(
        call(
            &world,
            ALICE,
            IERC20::approveCall {
                spender: BOB,
                value: u(5)
            }
        ),
        Ok(true)
    );
    assert_eq!(
        call(
            &world,
            BOB,
            IERC20::allowanceCall {
                owner: ALICE,
                spender: BOB
            }
        ),
        Ok(u(5))
    );
    assert_eq!(
        call(
            &world,
            BOB,
            IERC20::transferFromCall {
                from: ALICE,
                to: BOB,
                value: u(5)
            }
        ),
        Ok(true)
    );
    let shares = call(&world, BOB, IERC20::balanceOfCall { account: ALICE }).unwrap();
    let removed = call(
        &world,
        ALICE,
        IPool::removeLiquidityCall {
            liquidity: shares,
            amount0Min: u(1),
            amount1Min: u(1),
            to: ALICE,
            deadline: U256::MAX,
        },
    )
    .unwrap();
    assert!(removed.amount0 > U256::ZERO && removed.amount1 > U256::ZERO);

    // two-step ownership
    call(
        &world,
        OWNER,
        IOwnable::transferOwnershipCall { newOwner: BOB },
    )
    .unwrap();
    assert_eq!(call(&world, BOB, IOwnable::pendingOwnerCall {}), Ok(BOB));
    call(&world, BOB, IOwnable::acceptOwnershipCall {}).unwrap();
    assert_eq!(call(&world, ALICE, IOwnable::ownerCall {}), Ok(BOB));
}

#[test]
fn the_router_refuses_unknown_selectors_value_and_bad_calldata() {
    let world = World::new();
    construct(&world).unwrap();
    assert_eq!(
        raw(&world, BOB, vec![1, 2, 3, 4]),
        Err(UnknownSelector {
            selector: [1, 2, 3, 4].into()
        }
        .abi_encode())
    );
    // a dirty address word
    let mut input = IPool::skimCall::SELECTOR.to_vec();
    input.extend(U256::MAX.abi_encode());
    assert_eq!(raw(&world, BOB, input), Err(revert(BadCalldata {})));
    // a fee that does not fit uint32
    let mut input = IPool::setFeeTierCall::SELECTOR.to_vec();
    input.extend(U256::from(u64::from(u32::MAX) + 1).abi_encode());
    assert_eq!(raw(&world, MANAGER, input), Err(revert(BadCalldata {})));
    // value is refused everywhere
    world.vm().set_value(u(1));
    assert_eq!(
        call(&world, BOB, IPool::syncCall {}).err(),
        Some(revert(NotPayable {}))
    );
    world.vm().set_value(U256::ZERO);
}
