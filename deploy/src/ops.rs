//! What wallets do with a deployed system: get test tokens, deposit,
//! withdraw, move the oracle and arbitrage the pool to it. Shared by the
//! demo and the end-to-end tests, so both exercise the same calls a user's
//! wallet makes.

use alloy::{
    network::Ethereum,
    primitives::{Address, B256, I256, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
    sol_types::SolEvent,
};

use crate::{
    Manifest,
    bindings::{ILens, IOracle, IPool, IToken, IVault},
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

/// An arbitrage swap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swapped {
    /// true: token0 in, token1 out.
    pub zero_for_one: bool,
    /// Raw units in.
    pub amount_in: U256,
    /// Raw units out.
    pub amount_out: U256,
    /// The swap transaction.
    pub tx: B256,
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

/// Trades through the pool until its spot price is the oracle's (within
/// the pool fee), as an arbitrageur would: the input amount that moves a
/// constant-product pool from `r1/r0` to price `p` is
/// `(sqrt(k * p) - r1) / (1 - fee)` token1 (price up) or
/// `(sqrt(k / p) - r0) / (1 - fee)` token0 (price down). The wallet must hold
/// the input token; it approves the pool for exactly the input. Returns
/// `None` when the move is under `min_move_bps` of the price.
///
/// # Errors
/// [`SendError`] (`PoolInsufficientOutput`, token errors, RPC).
pub async fn arbitrage_to_oracle<P: Provider<Ethereum>>(
    trader: &mut Sender<'_, P>,
    provider: &P,
    m: &Manifest,
    min_move_bps: u32,
) -> Result<Option<Swapped>, SendError> {
    let rpc = |e: alloy::contract::Error| SendError::Rpc {
        step: "read pool".into(),
        message: e.to_string(),
    };
    let target = oracle_price(provider, m).await?;
    let pool = IPool::new(m.contracts.pool, provider);
    let reserves = pool.getReserves().call().await.map_err(rpc)?;
    let fee = f64::from(pool.fee().call().await.map_err(rpc)?) / 1e6;
    // reserves are < 2^112: the float keeps 53 significant bits, enough to size a trade.
    let (r0, r1) = (
        reserves.reserve0.to::<u128>() as f64,
        reserves.reserve1.to::<u128>() as f64,
    );
    if !(r0 > 0.0 && r1 > 0.0 && target > 0.0) {
        return Ok(None);
    }
    let spot = r1 / r0;
    if ((target / spot) - 1.0).abs() * 1e4 < f64::from(min_move_bps) {
        return Ok(None);
    }
    let k = r0 * r1;
    let (zero_for_one, amount_in, token) = if target > spot {
        (
            false,
            ((k * target).sqrt() - r1) / (1.0 - fee),
            m.contracts.token1,
        )
    } else {
        (
            true,
            ((k / target).sqrt() - r0) / (1.0 - fee),
            m.contracts.token0,
        )
    };
    // f64 -> integer via its decimal text: exact for the magnitudes of pools (< 2^112).
    let amount_in = U256::from_str_radix(&format!("{:.0}", amount_in.floor().max(0.0)), 10)
        .unwrap_or(U256::ZERO);
    if amount_in.is_zero() {
        return Ok(None);
    }
    let pool_addr = m.contracts.pool;
    trader
        .send_call(
            "approve pool",
            token,
            IToken::approveCall {
                spender: pool_addr,
                value: amount_in,
            },
        )
        .await?;
    let step = "pool.swapExactIn";
    let to = trader.from();
    let receipt = trader
        .send_call(
            step,
            pool_addr,
            IPool::swapExactInCall {
                zeroForOne: zero_for_one,
                amountIn: amount_in,
                minAmountOut: U256::ZERO,
                to,
                deadline: U256::from(u64::MAX),
            },
        )
        .await?;
    let e =
        event::<IPool::Swap>(&receipt, pool_addr).ok_or_else(|| missing(step, "Swap", &receipt))?;
    let amount_out = if zero_for_one {
        e.amount1Out
    } else {
        e.amount0Out
    };
    Ok(Some(Swapped {
        zero_for_one,
        amount_in,
        amount_out,
        tx: receipt.transaction_hash,
    }))
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
