//! Property tests over random sequences of pool operations, against real
//! tokens (see `world`). After every operation:
//! - reserves equal balances (unless a donation is pending),
//! - swaps never decrease `k = r0 * r1`,
//! - the growth index `sqrt(k) / supply` never decreases (fees and
//!   rounding only ever add to what a share is worth),
//! - operations without a swap never decrease either reserve per share,
//! - every rounding goes against the caller: shares minted, tokens paid on
//!   burn and swap outputs never exceed their exact rational values,
//! - tokens are conserved.
//!
//! And two attacks: a donation followed by a mint cannot take value from
//! earlier LPs, and the first-depositor inflation attack costs the attacker.

use alloy_primitives::{Address, U256, U512, Uint, address};
use proptest::prelude::*;

use super::{ALICE, BOB, MANAGER, OWNER, world::*};
use crate::*;

const CAROL: Address = address!("0x00000000000000000000000000000000000000d4");
const USERS: [Address; 3] = [ALICE, BOB, CAROL];
const DEADLINE: u64 = u64::MAX;
/// Each user starts with this much of each token: three users together stay
/// below 2^112 (~5.2e33), so the pool's balances never overflow a reserve.
const FUNDS: u128 = 1_000_000_000_000_000_000_000_000_000_000_000; // 1e33

#[derive(Clone, Debug)]
enum Op {
    AddLiquidity {
        who: usize,
        a0: U256,
        a1: U256,
    },
    MintDirect {
        who: usize,
        a0: U256,
        a1: U256,
    },
    Remove {
        who: usize,
        bps: u64,
    },
    SwapExactIn {
        who: usize,
        zero_for_one: bool,
        amount: U256,
    },
    /// Pays the exact input (ceiling) for `bps` of the output reserve.
    SwapExactOut {
        who: usize,
        zero_for_one: bool,
        bps: u64,
    },
    Donate {
        who: usize,
        token1: bool,
        amount: U256,
    },
    Sync,
    Skim {
        who: usize,
    },
    SetFee {
        fee: u32,
    },
    Warp {
        seconds: u64,
    },
}

/// Amounts from 1 wei to ~1e30, log-uniform-ish.
fn amount() -> impl Strategy<Value = U256> {
    (1u64..1_000_000, 0u32..25)
        .prop_map(|(m, e)| U256::from(m) * U256::from(10u64).pow(U256::from(e)))
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0usize..3;
    prop_oneof![
        3 => (who.clone(), amount(), amount()).prop_map(|(who, a0, a1)| Op::AddLiquidity { who, a0, a1 }),
        2 => (who.clone(), amount(), amount()).prop_map(|(who, a0, a1)| Op::MintDirect { who, a0, a1 }),
        2 => (who.clone(), 1u64..=10_000).prop_map(|(who, bps)| Op::Remove { who, bps }),
        4 => (who.clone(), any::<bool>(), amount())
            .prop_map(|(who, zero_for_one, amount)| Op::SwapExactIn { who, zero_for_one, amount }),
        2 => (who.clone(), any::<bool>(), 1u64..9_000)
            .prop_map(|(who, zero_for_one, bps)| Op::SwapExactOut { who, zero_for_one, bps }),
        1 => (who.clone(), any::<bool>(), amount())
            .prop_map(|(who, token1, amount)| Op::Donate { who, token1, amount }),
        1 => Just(Op::Sync),
        1 => who.clone().prop_map(|who| Op::Skim { who }),
        1 => (0u32..=100_000).prop_map(|fee| Op::SetFee { fee }),
        1 => (1u64..100_000).prop_map(|seconds| Op::Warp { seconds }),
    ]
}

fn wide(a: U256) -> U512 {
    U512::from(a)
}

/// `a * b` exactly.
fn prod(a: U256, b: U256) -> U512 {
    wide(a) * wide(b)
}

struct Harness {
    world: World,
    pool: Pool,
}

impl Harness {
    fn new(fee: u32) -> Self {
        let world = World::new();
        world.vm().set_sender(OWNER);
        let mut pool = Pool::from(&world);
        pool.constructor(TOKEN0, TOKEN1, fee, MAX_FEE_PIPS, OWNER)
            .unwrap();
        pool.set_fee_manager(MANAGER).unwrap();
        for who in USERS {
            for token in [TOKEN0, TOKEN1] {
                world.mint(token, who, U256::from(FUNDS));
                world.approve(token, who, POOL, U256::MAX);
            }
        }
        Self { world, pool }
    }

    fn reserves(&self) -> (U256, U256) {
        let (r0, r1, _) = self.pool.get_reserves().unwrap();
        (r0, r1)
    }

    fn balances(&self) -> (U256, U256) {
        (
            self.world.balance(TOKEN0, POOL),
            self.world.balance(TOKEN1, POOL),
        )
    }

    fn total(&self, token: Address) -> U256 {
        USERS
            .iter()
            .chain(&[POOL])
            .map(|who| self.world.balance(token, *who))
            .fold(U256::ZERO, |a, b| a + b)
    }

    fn call<T>(
        &mut self,
        who: Address,
        f: impl FnOnce(&mut Pool) -> Result<T, PoolError>,
    ) -> Result<T, PoolError> {
        self.world.call(&mut self.pool, who, f)
    }

    /// Applies `op`; returns whether a pool call changed state, and whether
    /// that operation was a swap.
    fn apply(&mut self, op: &Op) -> Result<(bool, bool), TestCaseError> {
        let (r0, r1) = self.reserves();
        let supply = self.pool.total_supply().unwrap();
        let fee = self.pool.fee().unwrap();
        let outcome = match *op {
            Op::AddLiquidity { who, a0, a1 } => {
                let user = USERS[who];
                // tokens already in the pool above its reserves (a donation)
                // count for the next minter, as in V2
                let (b0, b1) = self.balances();
                let result = self.call(user, |p| {
                    p.add_liquidity(a0, a1, U256::ZERO, U256::ZERO, user, U256::from(DEADLINE))
                });
                if let Ok((used0, used1, liquidity)) = result {
                    prop_assert!(used0 <= a0 && used1 <= a1);
                    if !supply.is_zero() {
                        // never more shares than either contribution is worth
                        prop_assert!(prod(liquidity, r0) <= prod(used0 + b0 - r0, supply));
                        prop_assert!(prod(liquidity, r1) <= prod(used1 + b1 - r1, supply));
                    }
                }
                (result.is_ok(), false)
            }
            Op::MintDirect { who, a0, a1 } => {
                let user = USERS[who];
                if self.world.balance(TOKEN0, user) < a0 || self.world.balance(TOKEN1, user) < a1 {
                    return Ok((false, false));
                }
                self.world.send(TOKEN0, user, POOL, a0);
                self.world.send(TOKEN1, user, POOL, a1);
                let (b0, b1) = self.balances();
                let result = self.call(user, |p| p.mint(user));
                if let Ok(liquidity) = result
                    && !supply.is_zero()
                {
                    prop_assert!(prod(liquidity, r0) <= prod(b0 - r0, supply));
                    prop_assert!(prod(liquidity, r1) <= prod(b1 - r1, supply));
                }
                // on failure the sent tokens stay in the pool as a donation
                (result.is_ok(), false)
            }
            Op::Remove { who, bps } => {
                let user = USERS[who];
                let shares =
                    self.pool.balance_of(user).unwrap() * U256::from(bps) / U256::from(10_000);
                let (b0, b1) = self.balances();
                let result = self.call(user, |p| {
                    p.remove_liquidity(shares, U256::ZERO, U256::ZERO, user, U256::from(DEADLINE))
                });
                if let Ok((a0, a1)) = result {
                    // never more than the exact pro-rata share of the balances
                    prop_assert!(prod(a0, supply) <= prod(shares, b0));
                    prop_assert!(prod(a1, supply) <= prod(shares, b1));
                }
                (result.is_ok(), false)
            }
            Op::SwapExactIn {
                who,
                zero_for_one,
                amount,
            } => {
                let user = USERS[who];
                let (r_in, r_out) = if zero_for_one { (r0, r1) } else { (r1, r0) };
                let result = self.call(user, |p| {
                    p.swap_exact_in(zero_for_one, amount, U256::ZERO, user, U256::from(DEADLINE))
                });
                if let Ok(out) = result {
                    // out <= the exact real output a*keep*r_out / (r_in*1e6 + a*keep)
                    let keep = U256::from(1_000_000 - fee);
                    let with_fee = wide(amount) * wide(keep);
                    let lhs = wide(out) * (wide(r_in) * wide(U256::from(1_000_000u64)) + with_fee);
                    prop_assert!(lhs <= with_fee * wide(r_out));
                }
                (result.is_ok(), true)
            }
            Op::SwapExactOut {
                who,
                zero_for_one,
                bps,
            } => {
                let user = USERS[who];
                let (r_in, r_out) = if zero_for_one { (r0, r1) } else { (r1, r0) };
                let out = r_out * U256::from(bps) / U256::from(10_000);
                if out.is_zero() || r_in.is_zero() || self.balances() != (r0, r1) {
                    return Ok((false, false));
                }
                // the least input the k-check accepts:
                // ceil(r_in * out * 1e6 / ((r_out - out) * (1e6 - fee)))
                let den = (r_out - out) * U256::from(1_000_000 - fee);
                let input = il_math::mul_div(
                    r_in * U256::from(1_000_000u64),
                    out,
                    den,
                    il_math::Rounding::Ceil,
                )
                .unwrap();
                let token_in = if zero_for_one { TOKEN0 } else { TOKEN1 };
                if input > self.world.balance(token_in, user) {
                    return Ok((false, false));
                }
                let (out0, out1) = if zero_for_one {
                    (U256::ZERO, out)
                } else {
                    (out, U256::ZERO)
                };
                self.world.send(token_in, user, POOL, input);
                let result = self.call(user, |p| p.swap(out0, out1, user));
                prop_assert_eq!(&result, &Ok(()), "the exact input must be accepted");
                (true, true)
            }
            Op::Donate {
                who,
                token1,
                amount,
            } => {
                let token = if token1 { TOKEN1 } else { TOKEN0 };
                if self.world.balance(token, USERS[who]) >= amount {
                    self.world.send(token, USERS[who], POOL, amount);
                }
                (false, false)
            }
            Op::Sync => (self.call(BOB, |p| p.sync()).is_ok(), false),
            Op::Skim { who } => (self.call(BOB, |p| p.skim(USERS[who])).is_ok(), false),
            Op::SetFee { fee } => {
                self.call(MANAGER, |p| p.set_fee_tier(fee)).unwrap();
                (false, false)
            }
            Op::Warp { seconds } => {
                let now = self.world.vm().snapshot().block_timestamp;
                self.world.vm().set_block_timestamp(now + seconds);
                (false, false)
            }
        };
        Ok(outcome)
    }
}

fn fee_strategy() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0u32),
        Just(500),
        Just(3_000),
        Just(10_000),
        0u32..=100_000
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_the_pool_invariants(
        fee in fee_strategy(),
        ops in prop::collection::vec(op(), 1..40),
    ) {
        let mut h = Harness::new(fee);
        let totals = (h.total(TOKEN0), h.total(TOKEN1));
        let mut pending_donation = false;
        for op in &ops {
            let (r0, r1) = h.reserves();
            let supply = h.pool.total_supply().unwrap();
            let (changed, swapped) = h.apply(op)?;
            let (n0, n1) = h.reserves();
            let new_supply = h.pool.total_supply().unwrap();

            match op {
                Op::Donate { .. } => pending_donation = true,
                // a failed direct mint leaves its tokens behind as a donation
                Op::MintDirect { .. } if !changed => pending_donation = true,
                Op::SetFee { .. } | Op::Warp { .. } => {}
                _ if changed => pending_donation = false,
                _ => {}
            }
            if !pending_donation {
                prop_assert_eq!(h.balances(), (n0, n1), "reserves == balances after {:?}", op);
            }
            prop_assert_eq!((h.total(TOKEN0), h.total(TOKEN1)), totals, "tokens conserved");
            if swapped {
                prop_assert!(prod(n0, n1) >= prod(r0, r1), "k decreased on {:?}", op);
            }
            if !supply.is_zero() && !new_supply.is_zero() {
                // sqrt(k')/S' >= sqrt(k)/S  <=>  k' * S^2 >= k * S'^2, exact in 1024 bits
                let lhs: Uint<1024, 16> = (wide(n0) * wide(n1)).widening_mul(wide(supply) * wide(supply));
                let rhs: Uint<1024, 16> = (wide(r0) * wide(r1)).widening_mul(wide(new_supply) * wide(new_supply));
                prop_assert!(lhs >= rhs, "growth index decreased on {:?}", op);
                if !swapped {
                    prop_assert!(prod(n0, supply) >= prod(r0, new_supply), "reserve0 per share fell on {:?}", op);
                    prop_assert!(prod(n1, supply) >= prod(r1, new_supply), "reserve1 per share fell on {:?}", op);
                }
            }
        }
        // everyone can still leave, and the locked minimum keeps the pool alive
        for user in USERS {
            let shares = h.pool.balance_of(user).unwrap();
            if !shares.is_zero() {
                let _ = h.call(user, |p| p.remove_liquidity(shares, U256::ZERO, U256::ZERO, user, U256::from(DEADLINE)));
            }
        }
        if !h.pool.total_supply().unwrap().is_zero() {
            prop_assert!(h.pool.total_supply().unwrap() >= U256::from(MINIMUM_LIQUIDITY));
        }
    }

    #[test]
    fn a_donation_then_mint_cannot_take_from_earlier_lps(
        seed0 in amount(), seed1 in amount(),
        d0 in prop::option::of(amount()), d1 in prop::option::of(amount()),
        m0 in amount(), m1 in amount(),
        sync_first in any::<bool>(),
    ) {
        let mut h = Harness::new(3_000);
        h.world.send(TOKEN0, ALICE, POOL, seed0);
        h.world.send(TOKEN1, ALICE, POOL, seed1);
        if h.call(ALICE, |p| p.mint(ALICE)).is_err() {
            return Ok(()); // too small a first deposit: nothing to protect
        }
        let victim = h.pool.balance_of(ALICE).unwrap();
        let claim = |h: &Harness| {
            let (r0, r1) = h.reserves();
            let s = h.pool.total_supply().unwrap();
            (prod(victim, r0), prod(victim, r1), s)
        };
        let (v0, v1, s0) = claim(&h);
        let start = (h.world.balance(TOKEN0, CAROL), h.world.balance(TOKEN1, CAROL));
        if let Some(d0) = d0 { h.world.send(TOKEN0, CAROL, POOL, d0); }
        if let Some(d1) = d1 { h.world.send(TOKEN1, CAROL, POOL, d1); }
        if sync_first { h.call(CAROL, |p| p.sync()).unwrap(); }
        h.world.send(TOKEN0, CAROL, POOL, m0);
        h.world.send(TOKEN1, CAROL, POOL, m1);
        if h.call(CAROL, |p| p.mint(CAROL)).is_ok() {
            let shares = h.pool.balance_of(CAROL).unwrap();
            let _ = h.call(CAROL, |p| p.remove_liquidity(shares, U256::ZERO, U256::ZERO, CAROL, U256::from(DEADLINE)));
        } else {
            h.call(CAROL, |p| p.sync()).unwrap();
        }
        // the attacker ends with no more of either token than it started with
        prop_assert!(h.world.balance(TOKEN0, CAROL) <= start.0);
        prop_assert!(h.world.balance(TOKEN1, CAROL) <= start.1);
        // and the victim's claim on each reserve did not shrink:
        // victim * r_i' / S' >= victim * r_i / S
        let (w0, w1, s1) = claim(&h);
        prop_assert!(w0 * wide(s0) >= v0 * wide(s1));
        prop_assert!(w1 * wide(s0) >= v1 * wide(s1));
    }

    #[test]
    fn the_first_depositor_inflation_attack_costs_the_attacker(
        first in 1_001u64..100_000,
        donation in amount(),
        deposit in amount(),
    ) {
        let mut h = Harness::new(3_000);
        let start = (h.world.balance(TOKEN0, CAROL), h.world.balance(TOKEN1, CAROL));
        // attacker: smallest first mint, then a large donation of both tokens
        h.world.send(TOKEN0, CAROL, POOL, U256::from(first));
        h.world.send(TOKEN1, CAROL, POOL, U256::from(first));
        h.call(CAROL, |p| p.mint(CAROL)).unwrap();
        h.world.send(TOKEN0, CAROL, POOL, donation);
        h.world.send(TOKEN1, CAROL, POOL, donation);
        h.call(CAROL, |p| p.sync()).unwrap();
        // victim: a deposit through the wallet entrypoint, with no minimum
        let alice0 = h.world.balance(TOKEN0, ALICE);
        let minted = h.call(ALICE, |p| p.add_liquidity(deposit, deposit, U256::ZERO, U256::ZERO, ALICE, U256::from(DEADLINE)));
        if minted.is_err() {
            // refused (zero shares): the victim keeps her tokens
            prop_assert_eq!(h.world.balance(TOKEN0, ALICE), alice0);
        }
        let shares = h.pool.balance_of(CAROL).unwrap();
        h.call(CAROL, |p| p.remove_liquidity(shares, U256::ZERO, U256::ZERO, CAROL, U256::from(DEADLINE))).unwrap();
        prop_assert!(h.world.balance(TOKEN0, CAROL) <= start.0);
        prop_assert!(h.world.balance(TOKEN1, CAROL) <= start.1);
    }
}
