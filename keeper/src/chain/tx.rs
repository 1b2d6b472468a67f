//! The transaction layer: EIP-1559 transactions under a gas price cap, with
//! nonce management, intent-before-broadcast recording, receipts and
//! confirmations with a timeout, and fee-bumped replacement of a stuck
//! transaction (same nonce, fees +12.5 % or more, never above the cap, a
//! bounded number of times). Transport errors are retried within the
//! client's budget ([`super::rpc::with_retry`]).
//!
//! Order of a send (the reconciliation story depends on it):
//! 1. sign; 2. record the intent (nonce, hash, calldata) in the store and
//!    commit; 3. broadcast; 4. mark `sent`; 5. wait for a receipt, replacing
//!    on timeout; 6. mark `mined`/`failed` (and the others `replaced`).
//!
//! A run killed between 2 and 6 leaves a row [`crate::store::reconcile`]
//! resolves from chain data at the start of the next run.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::{BlockNumberOrTag, Encodable2718};
use alloy::primitives::{Address, B256, Bytes, TxKind, U256};
use alloy::rpc::types::TransactionReceipt;
use alloy::signers::SignerSync;
use alloy::signers::local::PrivateKeySigner;

use super::{ChainError, Client};
use crate::store::{Store, TxIntent, TxStatus};

/// Wei per gwei.
pub const GWEI: u128 = 1_000_000_000;

/// Where a send is; a [`Hook`] sees each stage (tests use it to stop a run
/// at an exact point; production runs have none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The intent of attempt `n` (0: first, 1..: replacements) is committed.
    Recorded(u32),
    /// Attempt `n` was accepted by the node, before the store knows.
    Broadcast(u32),
}

/// A callback run at each [`Stage`]; it may await (a test's hook can wait
/// forever while the test aborts the task).
pub type Hook = Arc<dyn Fn(Stage) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Limits of the transaction layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxLimits {
    /// Refuse to send when the gas price exceeds this, wei; fee caps never
    /// exceed it either.
    pub gas_price_cap: u128,
    /// Wait this long for a receipt before replacing.
    pub receipt_timeout: Duration,
    /// Blocks on top of the receipt's block.
    pub confirmations: u64,
    /// Replacements before giving up.
    pub max_replacements: u32,
    /// Receipt polling interval.
    pub poll: Duration,
}

impl TxLimits {
    /// From the configuration.
    #[must_use]
    pub fn from_config(k: &crate::config::KeeperConfig) -> Self {
        // The config validated a positive finite cap; f64 -> u128 saturates.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let cap = (k.gas_price_cap_gwei * 1e9).floor() as u128;
        Self {
            gas_price_cap: cap,
            receipt_timeout: Duration::from_secs(k.receipt_timeout_secs),
            confirmations: k.confirmations,
            max_replacements: k.max_replacements,
            poll: Duration::from_millis(250),
        }
    }
}

/// Why a transaction was not sent or not mined.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    /// The gas price is above the cap: nothing sent (a logged skip).
    #[error("gas price {price} wei is above the cap {cap} wei: not sent")]
    GasCap {
        /// Gas price now.
        price: u128,
        /// Cap.
        cap: u128,
    },
    /// Still unmined after every replacement (left `sent`; the next run
    /// reconciles it).
    #[error("transaction {hash} (nonce {nonce}) not mined after {attempts} attempt(s)")]
    Stuck {
        /// Latest hash.
        hash: B256,
        /// Nonce.
        nonce: u64,
        /// Attempts made.
        attempts: u32,
    },
    /// The chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// A mined transaction.
#[derive(Debug, Clone)]
pub struct Mined {
    /// The hash that was mined.
    pub hash: B256,
    /// Its nonce.
    pub nonce: u64,
    /// Block.
    pub block: u64,
    /// Receipt status.
    pub success: bool,
    /// The receipt (logs for events).
    pub receipt: TransactionReceipt,
    /// Attempts made (1: no replacement).
    pub attempts: u32,
}

/// What to send.
#[derive(Debug, Clone)]
pub struct Call {
    /// The policy rule (for the store).
    pub rule: String,
    /// Recipient.
    pub to: Address,
    /// Calldata.
    pub data: Bytes,
    /// Value, wei.
    pub value: U256,
    /// Gas limit.
    pub gas_limit: u64,
}

/// Gas limit for an estimate: +20 % and +10,000, so a small state change
/// between simulation and inclusion does not run out of gas.
#[must_use]
pub fn gas_limit_for(estimate: u64) -> u64 {
    estimate.saturating_add(estimate / 5).saturating_add(10_000)
}

/// Fees bumped for a replacement: each at least +12.5 % (rounded up, and at
/// least +1 wei), the cap at most `cap`. `None` when the bumped fee cap
/// would exceed `cap` (no valid replacement exists).
#[must_use]
pub fn bump(max_fee: u128, tip: u128, cap: u128) -> Option<(u128, u128)> {
    let up = |v: u128| v.saturating_add(v.div_ceil(8).max(1));
    let (fee, tip) = (up(max_fee), up(tip));
    (fee <= cap).then_some((fee, tip.min(fee)))
}

/// Initial EIP-1559 fees: tip as the node suggests, fee cap `2 x base +
/// tip`, clamped to `cap`. Errors when the gas price is above the cap.
///
/// # Errors
/// [`TxError::GasCap`].
pub fn initial_fees(
    base: u128,
    gas_price: u128,
    tip: u128,
    cap: u128,
) -> Result<(u128, u128), TxError> {
    let price = gas_price.max(base);
    if price > cap {
        return Err(TxError::GasCap { price, cap });
    }
    let fee = base
        .saturating_mul(2)
        .saturating_add(tip)
        .min(cap)
        .max(price);
    Ok((fee, tip.min(fee)))
}

/// One past the highest unresolved nonce in the store (0 when none).
fn unresolved_floor(store: &Store) -> Result<u64, TxError> {
    Ok(store
        .unresolved()?
        .iter()
        .map(|t| t.nonce.saturating_add(1))
        .max()
        .unwrap_or(0))
}

/// Sends transactions for one signer.
pub struct Sender<'a> {
    client: &'a Client,
    signer: &'a PrivateKeySigner,
    limits: TxLimits,
    hook: Option<Hook>,
}

impl std::fmt::Debug for Sender<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("account", &self.signer.address())
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl<'a> Sender<'a> {
    /// A sender for the client's signer.
    ///
    /// # Errors
    /// [`ChainError::NoKey`] without a signer.
    pub fn new(
        client: &'a Client,
        limits: TxLimits,
        hook: Option<Hook>,
    ) -> Result<Self, ChainError> {
        let signer = client.signer().ok_or(ChainError::NoKey)?;
        Ok(Self {
            client,
            signer,
            limits,
            hook,
        })
    }

    async fn stage(&self, s: Stage) {
        if let Some(h) = &self.hook {
            h(s).await;
        }
    }

    /// The next nonce: the chain's pending nonce, or past the highest
    /// unresolved nonce in the store when that is higher (a transaction of
    /// ours the node has not seen yet must not be overwritten).
    ///
    /// # Errors
    /// [`TxError::Chain`], [`TxError::Store`].
    pub async fn next_nonce(&self, store: &Store) -> Result<u64, TxError> {
        let floor = unresolved_floor(store)?;
        self.nonce_from(floor).await
    }

    async fn nonce_from(&self, floor: u64) -> Result<u64, TxError> {
        let pending = self
            .client
            .nonce(self.signer.address(), BlockNumberOrTag::Pending)
            .await?;
        Ok(pending.max(floor))
    }

    fn sign(
        &self,
        call: &Call,
        nonce: u64,
        fee: u128,
        tip: u128,
    ) -> Result<(B256, Bytes), ChainError> {
        let tx = TxEip1559 {
            chain_id: self.client.chain_id,
            nonce,
            gas_limit: call.gas_limit,
            max_fee_per_gas: fee,
            max_priority_fee_per_gas: tip,
            to: TxKind::Call(call.to),
            value: call.value,
            access_list: alloy::eips::eip2930::AccessList::default(),
            input: call.data.clone(),
        };
        let sig = self
            .signer
            .sign_hash_sync(&tx.signature_hash())
            .map_err(|e| ChainError::Key(format!("signing failed: {e}")))?;
        let signed = tx.into_signed(sig);
        let hash = *signed.hash();
        Ok((hash, TxEnvelope::Eip1559(signed).encoded_2718().into()))
    }

    /// Current fees: `(base fee, gas price, tip)` in one batch.
    async fn fees(&self) -> Result<(u128, u128, u128), ChainError> {
        let out = super::rpc::with_retry(self.client.budget, "fees", || async {
            let mut batch = self.client.rpc().new_batch();
            let block = batch.add_call::<_, Option<alloy::rpc::types::Block>>(
                "eth_getBlockByNumber",
                &(BlockNumberOrTag::Latest, false),
            )?;
            let price = batch.add_call::<_, alloy::primitives::U128>("eth_gasPrice", &())?;
            let tip =
                batch.add_call::<_, alloy::primitives::U128>("eth_maxPriorityFeePerGas", &())?;
            batch.send().await?;
            let base = block
                .await?
                .and_then(|b| b.header.base_fee_per_gas)
                .map_or(0, u128::from);
            Ok((base, price.await?.to::<u128>(), tip.await?.to::<u128>()))
        })
        .await
        .map_err(|e| super::classify("fees", e))?;
        Ok(out)
    }

    async fn broadcast(&self, raw: &Bytes) -> Result<(), ChainError> {
        match self
            .client
            .request::<_, B256>("eth_sendRawTransaction", (raw,))
            .await
        {
            Ok(_) => Ok(()),
            // A retried broadcast the node already has is fine.
            Err(ChainError::Node(m))
                if m.contains("already known") || m.contains("already imported") =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Sends `call` and waits for it (replacing it when stuck), recording
    /// every step in `store` under run `run`.
    ///
    /// # Errors
    /// [`TxError::GasCap`] (nothing sent, nothing recorded), [`TxError::Stuck`],
    /// [`TxError::Chain`], [`TxError::Store`].
    pub async fn send(&self, store: &mut Store, run: i64, call: &Call) -> Result<Mined, TxError> {
        let (base, price, tip) = self.fees().await?;
        let (fee, tip) = initial_fees(base, price, tip, self.limits.gas_price_cap)?;
        // The store is read before the await: a `&Store` held across it
        // would make the future !Send (SQLite connections are not Sync).
        let floor = unresolved_floor(store)?;
        let nonce = self.nonce_from(floor).await?;
        self.drive(store, run, call, nonce, (fee, tip), Vec::new(), 0)
            .await
    }

    /// Takes over transactions an earlier run left pending (`sent`, known to
    /// the node; all with one nonce): waits for a receipt, and when none
    /// comes in time replaces the latest (same nonce and calldata, value 0 as
    /// every keeper call, fees bumped), as [`Sender::send`] does.
    ///
    /// # Errors
    /// As [`Sender::send`]; [`TxError::Stuck`] at once when `pending` is
    /// empty.
    pub async fn resume(
        &self,
        store: &mut Store,
        run: i64,
        pending: &[crate::store::TxRecord],
    ) -> Result<Mined, TxError> {
        let Some(last) = pending.iter().max_by_key(|t| t.max_fee_per_gas) else {
            return Err(TxError::Stuck {
                hash: B256::ZERO,
                nonce: 0,
                attempts: 0,
            });
        };
        let hashes: Vec<B256> = pending.iter().map(|t| t.hash).collect();
        let call = Call {
            rule: last.rule.clone(),
            to: last.to,
            data: last.calldata.clone(),
            value: U256::ZERO,
            gas_limit: last.gas_limit,
        };
        if let Some((winner, receipt)) = self.wait(&hashes).await? {
            return self
                .finish(store, last.nonce, &hashes, winner, receipt, 1)
                .await;
        }
        let Some(fees) = bump(
            last.max_fee_per_gas,
            last.max_priority_fee_per_gas,
            self.limits.gas_price_cap,
        ) else {
            return Err(TxError::Stuck {
                hash: last.hash,
                nonce: last.nonce,
                attempts: 1,
            });
        };
        self.drive(store, run, &call, last.nonce, fees, hashes, 1)
            .await
    }

    /// Marks the winner `mined`/`failed` after its confirmations and the
    /// other attempts `replaced`.
    async fn finish(
        &self,
        store: &mut Store,
        nonce: u64,
        hashes: &[B256],
        winner: B256,
        receipt: TransactionReceipt,
        attempts: u32,
    ) -> Result<Mined, TxError> {
        let block = receipt.block_number.unwrap_or_default();
        self.confirm(block).await?;
        let success = receipt.status();
        for h in hashes {
            if *h == winner {
                store.set_status(
                    *h,
                    if success {
                        TxStatus::Mined
                    } else {
                        TxStatus::Failed
                    },
                    Some(block),
                    (!success).then_some("reverted on chain"),
                )?;
            } else {
                store.set_status(
                    *h,
                    TxStatus::Replaced,
                    None,
                    Some(&format!("nonce {nonce} mined by {winner}")),
                )?;
            }
        }
        Ok(Mined {
            hash: winner,
            nonce,
            block,
            success,
            receipt,
            attempts,
        })
    }

    /// Signs, records, broadcasts and waits for attempt `attempt` of
    /// `nonce` with `fees`, replacing it while it stays unmined.
    #[allow(clippy::too_many_arguments)]
    async fn drive(
        &self,
        store: &mut Store,
        run: i64,
        call: &Call,
        nonce: u64,
        fees: (u128, u128),
        mut hashes: Vec<B256>,
        mut attempt: u32,
    ) -> Result<Mined, TxError> {
        let (mut fee, mut tip) = fees;
        loop {
            let (hash, raw) = self.sign(call, nonce, fee, tip)?;
            store.record_intent(
                run,
                &TxIntent {
                    rule: call.rule.clone(),
                    nonce,
                    hash,
                    to: call.to,
                    calldata: call.data.clone(),
                    gas_limit: call.gas_limit,
                    max_fee_per_gas: fee,
                    max_priority_fee_per_gas: tip,
                },
            )?;
            self.stage(Stage::Recorded(attempt)).await;
            hashes.push(hash);
            match self.broadcast(&raw).await {
                Ok(()) => {}
                Err(ChainError::Node(m)) if attempt > 0 && m.contains("nonce") => {
                    // The earlier attempt was mined meanwhile: find it below.
                    tracing::info!(%hash, "replacement refused ({m}); an earlier attempt was mined");
                    store.set_status(hash, TxStatus::Dropped, None, Some(&m))?;
                    hashes.pop();
                }
                Err(e) => {
                    store.set_status(hash, TxStatus::Dropped, None, Some(&e.to_string()))?;
                    return Err(e.into());
                }
            }
            self.stage(Stage::Broadcast(attempt)).await;
            if hashes.last() == Some(&hash) {
                store.set_status(hash, TxStatus::Sent, None, None)?;
                tracing::info!(rule = %call.rule, %hash, nonce, max_fee = fee, tip, attempt, "sent");
            }
            if let Some((winner, receipt)) = self.wait(&hashes).await? {
                return self
                    .finish(
                        store,
                        nonce,
                        &hashes,
                        winner,
                        receipt,
                        attempt.saturating_add(1),
                    )
                    .await;
            }
            // Stuck: replace with bumped fees, within the cap and the count.
            match bump(fee, tip, self.limits.gas_price_cap) {
                Some((f, t)) if attempt < self.limits.max_replacements => {
                    tracing::warn!(%hash, nonce, old_fee = fee, new_fee = f, "no receipt in time: replacing");
                    fee = f;
                    tip = t;
                    attempt = attempt.saturating_add(1);
                }
                _ => {
                    return Err(TxError::Stuck {
                        hash: hashes.last().copied().unwrap_or(hash),
                        nonce,
                        attempts: attempt.saturating_add(1),
                    });
                }
            }
        }
    }

    /// Polls receipts of `hashes` until one is mined or the timeout passes.
    async fn wait(
        &self,
        hashes: &[B256],
    ) -> Result<Option<(B256, TransactionReceipt)>, ChainError> {
        let deadline = Instant::now() + self.limits.receipt_timeout;
        loop {
            for h in hashes.iter().rev() {
                if let Some(r) = self.client.receipt(*h).await? {
                    return Ok(Some((*h, r)));
                }
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(self.limits.poll).await;
        }
    }

    /// Waits until `confirmations` blocks sit on top of `block` (bounded by
    /// the receipt timeout; a chain that stops producing blocks is not an
    /// error once the receipt exists).
    async fn confirm(&self, block: u64) -> Result<(), ChainError> {
        if self.limits.confirmations <= 1 {
            return Ok(());
        }
        let want = block.saturating_add(self.limits.confirmations.saturating_sub(1));
        let deadline = Instant::now() + self.limits.receipt_timeout;
        while self.client.block_number().await? < want {
            if Instant::now() >= deadline {
                tracing::warn!(
                    block,
                    want,
                    "confirmations not reached in time; the receipt stands"
                );
                break;
            }
            tokio::time::sleep(self.limits.poll).await;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bump_is_at_least_an_eighth_and_respects_the_cap() {
        assert_eq!(bump(800, 80, 10_000), Some((900, 90)));
        // Rounds up, and moves by at least one wei.
        assert_eq!(bump(9, 1, 100), Some((11, 2)));
        assert_eq!(bump(0, 0, 100), Some((1, 1)));
        assert_eq!(bump(800, 80, 899), None);
    }

    #[test]
    fn initial_fees_refuse_above_the_cap() {
        assert!(matches!(
            initial_fees(10, 30, 1, 20),
            Err(TxError::GasCap { price: 30, cap: 20 })
        ));
        assert_eq!(initial_fees(10, 10, 1, 100).unwrap(), (21, 1));
        // The fee cap never exceeds the cap, never falls below the price.
        assert_eq!(initial_fees(10, 15, 1, 16).unwrap(), (16, 1));
    }

    #[test]
    fn gas_limit_has_headroom() {
        assert_eq!(gas_limit_for(100_000), 130_000);
        assert_eq!(gas_limit_for(u64::MAX), u64::MAX);
    }
}
