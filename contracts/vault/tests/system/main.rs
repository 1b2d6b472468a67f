//! Behavioural tests of the vault system (vault, engine, manager, lens)
//! with every contract compiled natively and wired together on the local
//! chain's engine (`il-testkit`): real cross-contract calls, storage,
//! reverts, events and time, on Uniswap v4's real PoolManager (EVM). One
//! test binary, one fixture.
// Test code: plain operators on values chosen not to wrap (a wrap fails a test).
#![allow(clippy::arithmetic_side_effects)]

mod fixture;

mod access;
mod accounting;
mod deposit_withdraw;
mod keeper_actions;
mod keeper_ranges;
mod properties;
mod ranges;
mod security;
mod v4_attacks;
mod v4_flow;
