//! Uniswap v4's `PoolManager` as the vault system uses it: the pool key and
//! its id, the pool's storage read with `extsload` (v4-core's
//! `StateLibrary` layout, as v4-periphery's `StateView` reads it), and the
//! calls of an unlock callback. Written once for the vault (which holds the
//! position), the manager (the pool's hook, which sets its dynamic LP fee)
//! and the lens (which reads the price).
//!
//! Units: `sqrtPriceX96` is `sqrt(token1 raw / token0 raw) * 2^96`; fees are
//! pips (1e-6); a `BalanceDelta` packs two `int128` amounts (token0 in the
//! high half, token1 in the low half), positive when owed to the caller.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, I256, U256};
use alloy_sol_types::{SolCall, sol};
use stylus_sdk::prelude::*;

use crate::lean::{self, Word};

sol! {
    /// A v4 pool's key (its id is `keccak256(abi.encode(key))`).
    struct PoolKey {
        address currency0;
        address currency1;
        uint24 fee;
        int24 tickSpacing;
        address hooks;
    }
    /// `modifyLiquidity`'s parameters.
    struct ModifyLiquidityParams {
        int24 tickLower;
        int24 tickUpper;
        int256 liquidityDelta;
        bytes32 salt;
    }
    function unlock(bytes data) external returns (bytes);
    function modifyLiquidity(PoolKey key, ModifyLiquidityParams params, bytes hookData) external returns (int256 callerDelta, int256 feesAccrued);
    function sync(address currency) external;
    function settle() external payable returns (uint256 paid);
    function take(address currency, address to, uint256 amount) external;
    function extsload(bytes32 slot) external view returns (bytes32 value);
    function extsload(bytes32 startSlot, uint256 nSlots) external view returns (bytes32[] values);
    function updateDynamicLPFee(PoolKey key, uint24 newDynamicLPFee) external;
    function transfer(address to, uint256 value) external returns (bool);
}

/// The `fee` of a pool key whose LP fee its hook sets (v4's
/// `LPFeeLibrary.DYNAMIC_FEE_FLAG`).
pub const DYNAMIC_FEE_FLAG: u32 = 0x80_0000;
/// Slot of the `pools` mapping in the `PoolManager` (v4-core
/// `StateLibrary.POOLS_SLOT`).
const POOLS_SLOT: u8 = 6;
/// Offsets in a pool's state (`Pool.State`): the `ticks` and `positions`
/// mappings (`StateLibrary.TICKS_OFFSET`, `POSITIONS_OFFSET`).
const TICKS_OFFSET: u8 = 4;
const POSITIONS_OFFSET: u8 = 6;

/// A pool key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// The lower-address token (the vault's token0).
    pub currency0: Address,
    /// The higher-address token (token1).
    pub currency1: Address,
    /// LP fee in pips, or [`DYNAMIC_FEE_FLAG`].
    pub fee: u32,
    /// Tick spacing.
    pub tick_spacing: i32,
    /// The hook contract (the manager).
    pub hooks: Address,
}

impl Key {
    /// The key's ABI words (`abi.encode(key)`: five static words).
    pub fn words(&self) -> [B256; 5] {
        [
            self.currency0.to_word(),
            self.currency1.to_word(),
            U256::from(self.fee).to_word(),
            self.tick_spacing.to_word(),
            self.hooks.to_word(),
        ]
    }

    /// The pool's storage slot in the `PoolManager`:
    /// `keccak256(poolId . POOLS_SLOT)`, `poolId = keccak256(abi.encode(key))`.
    #[inline(never)]
    pub fn state_slot<H: Host + ?Sized>(&self, vm: &H) -> U256 {
        self.state_slot_with(|b| vm.native_keccak256(b))
    }

    /// [`Key::state_slot`] with any keccak256 (off chain: alloy's).
    pub fn state_slot_with(&self, keccak: impl Fn(&[u8]) -> B256) -> U256 {
        let mut key = [0u8; 160];
        for (chunk, w) in key.chunks_exact_mut(32).zip(self.words()) {
            chunk.copy_from_slice(w.as_slice());
        }
        mapping_slot(&keccak, keccak(&key), U256::from(POOLS_SLOT))
    }
}

/// `keccak256(key . slot)`: the slot of `key` in a mapping at `slot`.
fn mapping_slot(keccak: &impl Fn(&[u8]) -> B256, key: B256, slot: U256) -> U256 {
    let mut input = [0u8; 64];
    input[..32].copy_from_slice(&key.0);
    input[32..].copy_from_slice(&slot.to_be_bytes::<32>());
    U256::from_be_bytes(keccak(&input).0)
}

/// The first slot of tick `tick`'s `Tick.Info` in the pool whose state is
/// at `state` (words: liquidity gross/net, feeGrowthOutside0X128,
/// feeGrowthOutside1X128).
pub fn tick_slot(keccak: impl Fn(&[u8]) -> B256, state: U256, tick: i32) -> U256 {
    let key = tick.to_word();
    mapping_slot(&keccak, key, state.wrapping_add(U256::from(TICKS_OFFSET)))
}

/// The first slot of the position of `owner` over `[lower, upper]` with a
/// zero salt (words: liquidity, feeGrowthInside0LastX128,
/// feeGrowthInside1LastX128); its key is
/// `keccak256(abi.encodePacked(owner, int24 lower, int24 upper, bytes32 0))`.
pub fn position_slot(
    keccak: impl Fn(&[u8]) -> B256,
    state: U256,
    owner: Address,
    lower: i32,
    upper: i32,
) -> U256 {
    let mut packed = [0u8; 58];
    packed[..20].copy_from_slice(&owner.0.0);
    packed[20..23].copy_from_slice(&lower.to_be_bytes()[1..]);
    packed[23..26].copy_from_slice(&upper.to_be_bytes()[1..]);
    let key = keccak(&packed);
    mapping_slot(
        &keccak,
        key,
        state.wrapping_add(U256::from(POSITIONS_OFFSET)),
    )
}

/// Fee growth inside `[lower, upper]` (per unit of liquidity, X128, both
/// tokens), from the pool's current tick, its global growth and the two
/// ticks' growth outside, as v4-core's `getFeeGrowthInside` computes it
/// (wrapping arithmetic, as there).
pub fn fee_growth_inside(
    tick: i32,
    lower: i32,
    upper: i32,
    global: [U256; 2],
    outside_lower: [U256; 2],
    outside_upper: [U256; 2],
) -> [U256; 2] {
    core::array::from_fn(|i| {
        if tick < lower {
            outside_lower[i].wrapping_sub(outside_upper[i])
        } else if tick >= upper {
            outside_upper[i].wrapping_sub(outside_lower[i])
        } else {
            global[i]
                .wrapping_sub(outside_lower[i])
                .wrapping_sub(outside_upper[i])
        }
    })
}

/// A position as the PoolManager stores it, with the pool's fee growth
/// inside its range now: what it is owed is
/// `(inside - last) * liquidity / 2^128` per token, rounded down.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PositionRead {
    /// The pool's `slot0`.
    pub slot0: Slot0,
    /// The position's liquidity.
    pub liquidity: U256,
    /// Fee growth inside the range now (X128, token0 and token1).
    pub inside: [U256; 2],
    /// Fee growth inside as of the position's last change.
    pub last: [U256; 2],
}

/// Reads `owner`'s position over `[lower, upper]` in `key`'s pool with
/// `extsload`, as v4-periphery's `StateView` does (`getSlot0`,
/// `getFeeGrowthGlobals`, `getTickFeeGrowthOutside`, `getPositionInfo`).
///
/// # Errors
/// The manager's revert data, or empty data when it answered too little.
pub fn read_position<H: Host + ?Sized>(
    vm: &H,
    manager: Address,
    key: &Key,
    owner: Address,
    lower: i32,
    upper: i32,
) -> Result<PositionRead, Vec<u8>> {
    let keccak = |b: &[u8]| vm.native_keccak256(b);
    let state = key.state_slot(vm);
    let load = |slot: U256| -> Result<[U256; 3], Vec<u8>> {
        let out = lean::static_call(
            vm,
            manager,
            &lean::encode(
                extsload_1Call::SELECTOR,
                &[slot.to_word(), U256::from(3u8).to_word()],
                None,
            ),
        )?;
        // bytes32[]: offset, length 3, the words
        let w = |i: usize| lean::u256_at(&out, i).ok_or_else(Vec::new);
        Ok([w(2)?, w(3)?, w(4)?])
    };
    let head = load(state)?;
    let low = load(tick_slot(keccak, state, lower))?;
    let high = load(tick_slot(keccak, state, upper))?;
    let pos = load(position_slot(keccak, state, owner, lower, upper))?;
    let slot0 = Slot0::decode(head[0]);
    Ok(PositionRead {
        slot0,
        liquidity: pos[0],
        inside: fee_growth_inside(
            slot0.tick,
            lower,
            upper,
            [head[1], head[2]],
            [low[1], low[2]],
            [high[1], high[2]],
        ),
        last: [pos[1], pos[2]],
    })
}

/// The pool's `slot0`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Slot0 {
    /// `sqrt(P) * 2^96` (0 when the pool is not initialised).
    pub sqrt_price_x96: U256,
    /// The current tick.
    pub tick: i32,
    /// The LP fee in force, pips.
    pub lp_fee: u32,
}

impl Slot0 {
    /// Decodes the packed word: `lpFee (24) | protocolFee (24) | tick (24) |
    /// sqrtPriceX96 (160)` from the top.
    pub fn decode(word: U256) -> Self {
        let b = word.to_be_bytes::<32>();
        // big-endian bytes: lpFee [3..6], protocolFee [6..9], tick [9..12],
        // sqrtPriceX96 [12..32]; the tick sign-extended from 24 bits
        let tick = i32::from_be_bytes([if b[9] >> 7 == 1 { 0xff } else { 0 }, b[9], b[10], b[11]]);
        let mut sqrt = [0u8; 32];
        sqrt[12..].copy_from_slice(&b[12..]);
        Self {
            sqrt_price_x96: U256::from_be_bytes(sqrt),
            tick,
            lp_fee: u32::from_be_bytes([0, b[3], b[4], b[5]]),
        }
    }
}

/// Reads the pool's `slot0` from `manager`.
///
/// # Errors
/// The manager's revert data, or empty data when it answered too little.
pub fn slot0<H: Host + ?Sized>(vm: &H, manager: Address, key: &Key) -> Result<Slot0, Vec<u8>> {
    let slot = key.state_slot(vm);
    let out = lean::static_call(
        vm,
        manager,
        &lean::encode(extsload_0Call::SELECTOR, &[slot.to_word()], None),
    )?;
    lean::u256_at(&out, 0)
        .map(Slot0::decode)
        .ok_or_else(Vec::new)
}

/// The two amounts of a `BalanceDelta` word: (token0, token1).
pub fn amounts(delta: U256) -> (I256, I256) {
    (
        lean::sign_extend_128(delta.wrapping_shr(128)),
        lean::sign_extend_128(delta),
    )
}

/// The calldata of `modifyLiquidity(key, (lower, upper, delta, 0), "")`.
pub fn modify_liquidity_call(key: &Key, lower: i32, upper: i32, delta: I256) -> Vec<u8> {
    let mut words = key.words().to_vec();
    words.extend_from_slice(&[
        lower.to_word(),
        upper.to_word(),
        delta.to_word(),
        B256::ZERO,
    ]);
    lean::encode(modifyLiquidityCall::SELECTOR, &words, Some(&[]))
}

/// The calldata of `updateDynamicLPFee(key, fee)`.
pub fn update_fee_call(key: &Key, fee_pips: u32) -> Vec<u8> {
    let mut words = key.words().to_vec();
    words.push(U256::from(fee_pips).to_word());
    lean::encode(updateDynamicLPFeeCall::SELECTOR, &words, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, aliases::I24, aliases::U24};
    use alloy_sol_types::SolValue;

    fn key() -> Key {
        Key {
            currency0: address!("0x00000000000000000000000000000000000000a0"),
            currency1: address!("0x00000000000000000000000000000000000000b0"),
            fee: DYNAMIC_FEE_FLAG,
            tick_spacing: -60,
            hooks: address!("0x000000000000000000000000000000000000c000"),
        }
    }

    #[test]
    fn key_words_are_abi_encode_of_the_struct() {
        let k = key();
        let sol = PoolKey {
            currency0: k.currency0,
            currency1: k.currency1,
            fee: U24::from(k.fee),
            tickSpacing: I24::try_from(k.tick_spacing).unwrap(),
            hooks: k.hooks,
        };
        let ours: Vec<u8> = k.words().iter().flat_map(|w| w.0).collect();
        assert_eq!(ours, sol.abi_encode());
    }

    #[test]
    fn modify_liquidity_encodes_as_alloy_does() {
        let k = key();
        let call = modifyLiquidityCall {
            key: PoolKey {
                currency0: k.currency0,
                currency1: k.currency1,
                fee: U24::from(k.fee),
                tickSpacing: I24::try_from(k.tick_spacing).unwrap(),
                hooks: k.hooks,
            },
            params: ModifyLiquidityParams {
                tickLower: I24::try_from(-887_220).unwrap(),
                tickUpper: I24::try_from(887_220).unwrap(),
                liquidityDelta: I256::try_from(-12_345).unwrap(),
                salt: B256::ZERO,
            },
            hookData: Default::default(),
        };
        assert_eq!(
            modify_liquidity_call(&k, -887_220, 887_220, I256::try_from(-12_345).unwrap()),
            call.abi_encode()
        );
        let fee = updateDynamicLPFeeCall {
            key: call.key,
            newDynamicLPFee: U24::from(3_000u32),
        };
        assert_eq!(update_fee_call(&k, 3_000), fee.abi_encode());
    }

    #[test]
    fn slot0_and_deltas_decode_their_packing() {
        // lpFee 3000, protocolFee 0, tick -139 (0xffff75), sqrtPrice 2^96
        let word = (U256::from(3_000u32) << 208)
            | (U256::from(0xffff75u32) << 160)
            | (U256::from(1u8) << 96);
        assert_eq!(
            Slot0::decode(word),
            Slot0 {
                sqrt_price_x96: U256::from(1u8) << 96,
                tick: -139,
                lp_fee: 3_000
            }
        );
        // amount0 = -5, amount1 = 7
        let minus5 = I256::try_from(-5).unwrap().into_raw() << 128;
        let delta = minus5 | U256::from(7u8);
        assert_eq!(
            amounts(delta),
            (I256::try_from(-5).unwrap(), I256::try_from(7).unwrap())
        );
        let minus7 = I256::try_from(-7).unwrap().into_raw() & (U256::MAX >> 128);
        assert_eq!(
            amounts((U256::from(5u8) << 128) | minus7),
            (I256::try_from(5).unwrap(), I256::try_from(-7).unwrap())
        );
    }
}
