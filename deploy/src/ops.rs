//! What wallets do with a deployed system: get test tokens, deposit,
//! withdraw, move the oracle, read the vault's Uniswap v4 pool (slot0,
//! liquidity, with `extsload` as v4-periphery's `StateView` does) and swap
//! in it through v4's `PoolSwapTest` router, e.g. arbitrage it to the
//! oracle. Shared by the demo and the end-to-end tests, so both exercise the
//! same calls a user's wallet makes.

use alloy::{
    network::Ethereum,
    primitives::{Address, B256, Bytes, I256, U256, aliases::U160, keccak256},
    providers::Provider,
    rpc::types::TransactionReceipt,
    sol_types::SolEvent,
};
use il_math::{Price, Rounding};

use crate::{
    Manifest,
    bindings::{
        ILens, IOracle, IToken, IVault,
        v4::{IPoolManager, IPoolSwapTest, SwapParams, TestSettings},
    },
    send::{SendError, Sender},
};

/// A deposit as the vault's `Deposit` event reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deposited {
    /// Shares minted.
    pub shares: U256,
    /// token0 taken (raw).
    pub amount0: U256,
    /// token1 taken (raw).
    pub amount1: U256,
    /// The deposit transaction.
    pub tx: B256,
}

/// A withdrawal as the vault's `Withdraw` event reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Withdrawn {
    /// Shares burned.
    pub shares: U256,
    /// token0 paid (raw).
    pub amount0: U256,
    /// token1 paid (raw), hedge payout included.
    pub amount1: U256,
    /// Of which from the hedge venue.
    pub hedge_paid: U256,
    /// The withdrawal transaction.
    pub tx: B256,
}

/// A swap in the vault's v4 pool, as the PoolManager's `Swap` event
/// reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swapped {
    /// true: token0 in, token1 out.
    pub zero_for_one: bool,
    /// Raw units in (LP fee included).
    pub amount_in: U256,
    /// Raw units out.
    pub amount_out: U256,
    /// The LP fee the swap paid, pips.
    pub fee_pips: u32,
    /// The pool's sqrt price after the swap.
    pub sqrt_price_x96: U256,
    /// The swap transaction.
    pub tx: B256,
}

/// The first word of a v4 pool's state (`Pool.Slot0`), as
/// v4-core's `StateLibrary.getSlot0` unpacks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot0 {
    /// The pool's price, Q64.96 (0: not initialised).
    pub sqrt_price_x96: U256,
    /// The pool's tick.
    pub tick: i32,
    /// The protocol fee, pips (two 12-bit halves, one per direction).
    pub protocol_fee: u32,
    /// The LP fee in force, pips: for a dynamic-fee pool, what its hook
    /// last set.
    pub lp_fee: u32,
}

impl Slot0 {
    /// Unpacks the word: `sqrtPriceX96` (bits 0..160), `tick` (160..184,
    /// signed), `protocolFee` (184..208), `lpFee` (208..232).
    #[must_use]
    pub fn from_word(word: B256) -> Self {
        let w = U256::from_be_bytes(word.0);
        let bits = |from: usize, n: usize| -> u32 {
            ((w >> from) & ((U256::from(1u8) << n) - U256::from(1u8))).to::<u32>()
        };
        let raw_tick = bits(160, 24);
        // sign-extend the 24-bit tick
        let tick = ((raw_tick << 8) as i32) >> 8;
        Self {
            sqrt_price_x96: w & ((U256::from(1u8) << 160) - U256::from(1u8)),
            tick,
            protocol_fee: bits(184, 24),
            lp_fee: bits(208, 24),
        }
    }
}

/// v4-core's `StateLibrary.POOLS_SLOT`: the `pools` mapping's slot in the
/// `PoolManager`.
const POOLS_SLOT: u8 = 6;
/// v4-core's `StateLibrary.LIQUIDITY_OFFSET`: the pool's active liquidity,
/// in words after its state's first slot.
const LIQUIDITY_OFFSET: u8 = 3;

/// The first storage slot of pool `id`'s state in the `PoolManager`:
/// `keccak256(id ‖ POOLS_SLOT)`.
#[must_use]
pub fn pool_state_slot(id: B256) -> B256 {
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(id.as_slice());
    preimage[63] = POOLS_SLOT;
    keccak256(preimage)
}

/// Reads `n` words of the `PoolManager`'s storage from `slot`.
async fn extsload<P: Provider<Ethereum>>(
    provider: &P,
    m: &Manifest,
    slot: B256,
    n: u64,
) -> Result<Vec<B256>, SendError> {
    IPoolManager::new(m.contracts.pool_manager, provider)
        .extsload_1(slot, U256::from(n))
        .call()
        .await
        .map_err(|e| SendError::Rpc {
            step: "PoolManager.extsload".into(),
            message: e.to_string(),
        })
}

/// The vault's pool's `slot0` (price, tick, fees in force).
///
/// # Errors
/// [`SendError::Rpc`] if the read fails.
pub async fn slot0<P: Provider<Ethereum>>(provider: &P, m: &Manifest) -> Result<Slot0, SendError> {
    let words = extsload(provider, m, pool_state_slot(m.pool.id), 1).await?;
    Ok(Slot0::from_word(words.first().copied().unwrap_or_default()))
}

/// The vault's pool's active liquidity (every position in range at the
/// pool's price; with full-range positions only, all of them).
///
/// # Errors
/// [`SendError::Rpc`] if the read fails.
pub async fn pool_liquidity<P: Provider<Ethereum>>(
    provider: &P,
    m: &Manifest,
) -> Result<u128, SendError> {
    let slot = U256::from_be_bytes(pool_state_slot(m.pool.id).0)
        .wrapping_add(U256::from(LIQUIDITY_OFFSET));
    let words = extsload(provider, m, B256::from(slot), 1).await?;
    let w = U256::from_be_bytes(words.first().copied().unwrap_or_default().0);
    Ok((w & U256::from(u128::MAX)).to::<u128>())
}

fn event<E: SolEvent>(receipt: &TransactionReceipt, from: Address) -> Option<E> {
    receipt
        .inner
        .logs()
        .iter()
        .filter(|l| l.address() == from)
        .find_map(|l| E::decode_log_data(l.data()).ok())
}

fn missing(step: &str, what: &str, receipt: &TransactionReceipt) -> SendError {
    SendError::Rpc {
        step: step.to_owned(),
        message: format!("no {what} event in receipt {}", receipt.transaction_hash),
    }
}

/// Owner of the test tokens: mints `amount0`/`amount1` raw units to `to`
/// (a zero amount is skipped).
///
/// # Errors
/// [`SendError`] (e.g. `OwnableUnauthorizedAccount` when `owner` is not the
/// tokens' owner).
pub async fn mint_test_tokens<P: Provider<Ethereum>>(
    owner: &mut Sender<'_, P>,
    m: &Manifest,
    to: Address,
    amount0: U256,
    amount1: U256,
) -> Result<(), SendError> {
    for (token, amount, name) in [
        (m.contracts.token0, amount0, "token0"),
        (m.contracts.token1, amount1, "token1"),
    ] {
        if !amount.is_zero() {
            owner
                .send_call(
                    &format!("mint {name} to {to}"),
                    token,
                    IToken::mintCall { to, amount },
                )
                .await?;
        }
    }
    Ok(())
}

/// Approves the vault for exactly `amount0_max`/`amount1_max` and deposits
/// them for the wallet itself, requiring at least `min_shares`.
///
/// # Errors
/// [`SendError`]: the vault's named errors (`VaultPaused`,
/// `VaultInsufficientShares`, `VaultDepositCap`, ...).
pub async fn deposit<P: Provider<Ethereum>>(
    wallet: &mut Sender<'_, P>,
    m: &Manifest,
    amount0_max: U256,
    amount1_max: U256,
    min_shares: U256,
) -> Result<Deposited, SendError> {
    let vault = m.contracts.vault;
    wallet
        .send_call(
            "approve vault token0",
            m.contracts.token0,
            IToken::approveCall {
                spender: vault,
                value: amount0_max,
            },
        )
        .await?;
    wallet
        .send_call(
            "approve vault token1",
            m.contracts.token1,
            IToken::approveCall {
                spender: vault,
                value: amount1_max,
            },
        )
        .await?;
    let receiver = wallet.from();
    let step = "vault.deposit";
    let receipt = wallet
        .send_call(
            step,
            vault,
            IVault::depositCall {
                amount0Max: amount0_max,
                amount1Max: amount1_max,
                minShares: min_shares,
                receiver,
            },
        )
        .await?;
    let e = event::<IVault::Deposit>(&receipt, vault)
        .ok_or_else(|| missing(step, "Deposit", &receipt))?;
    Ok(Deposited {
        shares: e.shares,
        amount0: e.amount0,
        amount1: e.amount1,
        tx: receipt.transaction_hash,
    })
}

/// Redeems `shares` of the wallet to itself.
///
/// # Errors
/// [`SendError`]: `VaultExceedsBalance`, `VaultSlippage`, ...
pub async fn withdraw<P: Provider<Ethereum>>(
    wallet: &mut Sender<'_, P>,
    m: &Manifest,
    shares: U256,
    min0: U256,
    min1: U256,
) -> Result<Withdrawn, SendError> {
    let vault = m.contracts.vault;
    let step = "vault.withdraw";
    let receiver = wallet.from();
    let receipt = wallet
        .send_call(
            step,
            vault,
            IVault::withdrawCall {
                shares,
                amount0Min: min0,
                amount1Min: min1,
                receiver,
            },
        )
        .await?;
    let e = event::<IVault::Withdraw>(&receipt, vault)
        .ok_or_else(|| missing(step, "Withdraw", &receipt))?;
    Ok(Withdrawn {
        shares: e.shares,
        amount0: e.amount0,
        amount1: e.amount1,
        hedge_paid: e.hedgePaid,
        tx: receipt.transaction_hash,
    })
}

/// The oracle's owner or updater posts `answer` (scaled by the feed's
/// decimals).
///
/// # Errors
/// [`SendError`] (`OracleUnauthorized...`, `OracleInvalidAnswer`, ...).
pub async fn set_oracle<P: Provider<Ethereum>>(
    updater: &mut Sender<'_, P>,
    m: &Manifest,
    answer: I256,
) -> Result<B256, SendError> {
    let receipt = updater
        .send_call(
            "oracle.setAnswer",
            m.contracts.oracle,
            IOracle::setAnswerCall { answer },
        )
        .await?;
    Ok(receipt.transaction_hash)
}

/// Raw token1 per raw token0 quoted by the oracle, as a float (for trade
/// sizing only; nothing computed from it is trusted on chain): the lens's
/// exact `price()` rational, one call.
///
/// # Errors
/// [`SendError::Rpc`] if the view fails (e.g. `LensInvalidPrice`).
pub async fn oracle_price<P: Provider<Ethereum>>(
    provider: &P,
    m: &Manifest,
) -> Result<f64, SendError> {
    let p = ILens::new(m.contracts.lens, provider)
        .price()
        .call()
        .await
        .map_err(|e| SendError::Rpc {
            step: "lens.price".into(),
            message: e.to_string(),
        })?;
    let as_f64 = |v: U256| v.to_string().parse::<f64>().unwrap_or(0.0);
    let den = as_f64(p.den);
    Ok(if den > 0.0 { as_f64(p.num) / den } else { 0.0 })
}

/// `v4`'s `TickMath.MIN_SQRT_PRICE + 1`: the lowest price limit a swap
/// may take.
const MIN_PRICE_LIMIT: u64 = 4_295_128_740;

/// `TickMath.MAX_SQRT_PRICE - 1`.
fn max_price_limit() -> U256 {
    U256::from_str_radix("1461446703485210103287273052203988822378723970341", 10)
        .expect("a decimal constant")
}

/// Swaps exactly `amount_in` of the input token (token0 if
/// `zero_for_one`) in the vault's pool through the manifest's swap router
/// (v4's `PoolSwapTest`), stopping early at `sqrt_price_limit` if given
/// (then only what was needed is taken). Approves the router for exactly
/// `amount_in` first. The wallet must hold the input.
///
/// # Errors
/// [`SendError::Invalid`] when the manifest has no swap router or
/// `amount_in` is zero or not below 2^255; else [`SendError`] (the
/// PoolManager's named errors: `PriceLimitAlreadyExceeded`, ...; token
/// errors).
pub async fn swap<P: Provider<Ethereum>>(
    trader: &mut Sender<'_, P>,
    m: &Manifest,
    zero_for_one: bool,
    amount_in: U256,
    sqrt_price_limit: Option<U256>,
) -> Result<Swapped, SendError> {
    let step = "PoolSwapTest.swap";
    let invalid = |reason: String| SendError::Invalid {
        step: step.to_owned(),
        reason,
    };
    let router = m.contracts.swap_router.ok_or_else(|| {
        invalid(format!(
            "the manifest of chain {} has no swap router (v4's PoolSwapTest)",
            m.chain_id
        ))
    })?;
    let amount = I256::try_from(amount_in)
        .ok()
        .filter(|a| !a.is_zero())
        .ok_or_else(|| invalid(format!("amount in {amount_in} is not in 1..2^255")))?;
    let limit = sqrt_price_limit.unwrap_or_else(|| {
        if zero_for_one {
            U256::from(MIN_PRICE_LIMIT)
        } else {
            max_price_limit()
        }
    });
    if limit.bit_len() > 160 {
        return Err(invalid(format!(
            "sqrt price limit {limit} is not below 2^160"
        )));
    }
    let limit = limit.to::<U160>();
    let token = if zero_for_one {
        m.contracts.token0
    } else {
        m.contracts.token1
    };
    trader
        .send_call(
            "approve swap router",
            token,
            IToken::approveCall {
                spender: router,
                value: amount_in,
            },
        )
        .await?;
    let receipt = trader
        .send_call(
            step,
            router,
            IPoolSwapTest::swapCall {
                key: m.pool_key(),
                params: SwapParams {
                    zeroForOne: zero_for_one,
                    amountSpecified: -amount,
                    sqrtPriceLimitX96: limit,
                },
                testSettings: TestSettings {
                    takeClaims: false,
                    settleUsingBurn: false,
                },
                hookData: Bytes::new(),
            },
        )
        .await?;
    let e = event::<IPoolManager::Swap>(&receipt, m.contracts.pool_manager)
        .ok_or_else(|| missing(step, "Swap", &receipt))?;
    // the swapper's deltas: negative what it paid, positive what it got
    let (paid, got) = if zero_for_one {
        (e.amount0, e.amount1)
    } else {
        (e.amount1, e.amount0)
    };
    Ok(Swapped {
        zero_for_one,
        amount_in: U256::from(paid.unsigned_abs()),
        amount_out: U256::from(got.unsigned_abs()),
        fee_pips: e.fee.to(),
        sqrt_price_x96: U256::from(e.sqrtPriceX96),
        tx: receipt.transaction_hash,
    })
}

/// The oracle's price as a v4 sqrt price (Q64.96, rounded down), from the
/// lens's exact `price()` rational.
///
/// # Errors
/// [`SendError::Rpc`] if the view fails or the price is zero.
pub async fn oracle_sqrt_price<P: Provider<Ethereum>>(
    provider: &P,
    m: &Manifest,
) -> Result<U256, SendError> {
    let rpc = |message: String| SendError::Rpc {
        step: "lens.price".into(),
        message,
    };
    let p = ILens::new(m.contracts.lens, provider)
        .price()
        .call()
        .await
        .map_err(|e| rpc(e.to_string()))?;
    let price = Price::new(p.num, p.den).map_err(|e| rpc(e.to_string()))?;
    Ok(price.sqrt_price_x96(Rounding::Floor))
}

/// Trades in the vault's v4 pool until its spot price is the oracle's, as
/// an arbitrageur would: exact input with the oracle's sqrt price `T` as
/// the swap's price limit. The input is sized for the pool's active
/// liquidity `L` at its sqrt price `S` (v4's `SqrtPriceMath`, rounded up):
/// `L * 2^96 * (S - T) / (S * T)` token0 when the price falls,
/// `L * (T - S) / 2^96` token1 when it rises, grossed up by the LP fee in
/// force (`/ (1 - fee)`); with full-range liquidity only the swap ends at
/// `T` exactly. The wallet must hold the input token; it approves the
/// router for exactly the input. Returns `None` when the move is under
/// `min_move_bps` of the price.
///
/// # Errors
/// [`SendError`] (see [`swap`]; `SendError::Invalid` for a pool that is
/// not initialised or holds no liquidity).
pub async fn arbitrage_to_oracle<P: Provider<Ethereum>>(
    trader: &mut Sender<'_, P>,
    provider: &P,
    m: &Manifest,
    min_move_bps: u32,
) -> Result<Option<Swapped>, SendError> {
    let invalid = |reason: String| SendError::Invalid {
        step: "arbitrage".into(),
        reason,
    };
    let target = oracle_sqrt_price(provider, m).await?;
    let s0 = slot0(provider, m).await?;
    let liquidity = pool_liquidity(provider, m).await?;
    let spot = s0.sqrt_price_x96;
    if spot.is_zero() || liquidity == 0 {
        return Err(invalid(format!(
            "pool {} is not initialised or has no liquidity",
            m.pool.id
        )));
    }
    // the move in price terms, (T/S)^2 - 1: floats only to compare it with
    // the threshold
    let as_f64 = |v: U256| v.to_string().parse::<f64>().unwrap_or(0.0);
    let ratio = as_f64(target) / as_f64(spot);
    if (ratio * ratio - 1.0).abs() * 1e4 < f64::from(min_move_bps) || target == spot {
        return Ok(None);
    }
    let math = |e: il_math::MathError| invalid(format!("sizing the trade: {e}"));
    let zero_for_one = target < spot;
    let net = if zero_for_one {
        il_math::v4::amount0_delta(target, spot, liquidity, true).map_err(math)?
    } else {
        il_math::v4::amount1_delta(spot, target, liquidity, true).map_err(math)?
    };
    // v4 charges the fee on the input: net = gross * (1 - fee), rounded up
    let pips = U256::from(il_math::PIPS);
    let fee = U256::from(s0.lp_fee);
    if fee >= pips {
        return Err(invalid(format!("LP fee {} pips is 100 %", s0.lp_fee)));
    }
    let gross =
        il_math::mul_div(net, pips, pips - fee, Rounding::Ceil).map_err(math)? + U256::from(1u8);
    swap(trader, m, zero_for_one, gross, Some(target))
        .await
        .map(Some)
}

/// `raw` units of a token with `decimals` shown with `places` decimals,
/// rounded down (`places` 0: the whole part only):
/// `fmt_units(1_850_250_000, 6, 2) == "1850.25"`.
pub fn fmt_units(raw: U256, decimals: u8, places: u8) -> String {
    let unit = U256::from(10u64).pow(U256::from(decimals));
    let whole = raw / unit;
    if places == 0 {
        return whole.to_string();
    }
    let frac = (raw % unit) * U256::from(10u64).pow(U256::from(places)) / unit;
    format!("{whole}.{frac:0>width$}", width = usize::from(places))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot0_unpacks_as_v4s_state_library() {
        // sqrtPriceX96 = 2^96, tick = -1 (0xffffff), protocolFee = 0x123,
        // lpFee = 3000
        let w = (U256::from(3_000u32) << 208)
            | (U256::from(0x123u32) << 184)
            | (U256::from(0xff_ffffu32) << 160)
            | (U256::from(1u8) << 96);
        let s = Slot0::from_word(B256::from(w));
        assert_eq!(
            s,
            Slot0 {
                sqrt_price_x96: U256::from(1u8) << 96,
                tick: -1,
                protocol_fee: 0x123,
                lp_fee: 3_000,
            }
        );
        assert_eq!(Slot0::from_word(B256::ZERO).sqrt_price_x96, U256::ZERO);
    }

    #[test]
    fn the_pool_state_slot_is_keccak_of_id_and_slot_6() {
        let id = B256::repeat_byte(0xab);
        let mut pre = id.to_vec();
        pre.extend_from_slice(&[0u8; 31]);
        pre.push(6);
        assert_eq!(pool_state_slot(id), keccak256(pre));
    }

    #[test]
    fn fmt_units_rounds_down_and_pads() {
        assert_eq!(fmt_units(U256::from(1_850_250_000u64), 6, 2), "1850.25");
        assert_eq!(fmt_units(U256::from(1_850_259_999u64), 6, 2), "1850.25");
        assert_eq!(fmt_units(U256::from(5u64), 18, 4), "0.0000");
        assert_eq!(
            fmt_units(U256::from(10u64).pow(U256::from(18)), 18, 1),
            "1.0"
        );
        assert_eq!(fmt_units(U256::from(7_999_999u64), 6, 0), "7");
    }
}
