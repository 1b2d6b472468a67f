//! One transaction at a time, the careful way: simulate with `eth_call`
//! (a refusal is reported by its named error and nothing is sent), send,
//! wait for the receipt, check its status. Used by the deployer and by
//! [`crate::ops`]; the keeper has its own fee-capped, replaceable path.

use std::time::Duration;

use alloy::{
    network::{Ethereum, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256},
    providers::Provider,
    rpc::types::{TransactionReceipt, TransactionRequest},
    sol_types::{SolCall, SolError},
    transports::{RpcError, TransportErrorKind},
};

use crate::{bindings::decode_revert, deploy::IStylusDeployer};

/// How long a transaction waits for its receipt.
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(180);

/// Why a transaction was not done. Every variant names the step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The simulation reverted: nothing was sent.
    #[error("{step}: reverted {reason}")]
    Reverted {
        /// The step.
        step: String,
        /// The named error (or the revert data in hex).
        reason: String,
    },
    /// The transaction was mined with status 0.
    #[error("{step}: transaction {tx} failed on chain")]
    Failed {
        /// The step.
        step: String,
        /// Its hash.
        tx: B256,
    },
    /// The step cannot be done as asked (checked before anything is
    /// sent): e.g. a swap on a chain whose manifest has no swap router.
    #[error("{step}: {reason}")]
    Invalid {
        /// The step.
        step: String,
        /// What is wrong.
        reason: String,
    },
    /// The RPC failed (transport, timeout, node error).
    #[error("{step}: {message}")]
    Rpc {
        /// The step.
        step: String,
        /// The error.
        message: String,
    },
}

impl SendError {
    /// The named revert, if the step was refused by a contract.
    pub fn revert_reason(&self) -> Option<&str> {
        match self {
            Self::Reverted { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

/// Sends transactions from `from`, which the provider signs for.
#[derive(Debug)]
pub struct Sender<'a, P> {
    provider: &'a P,
    from: Address,
    last_block: u64,
}

impl<'a, P: Provider<Ethereum>> Sender<'a, P> {
    /// A sender for `from` through `provider` (which must hold its key).
    pub fn new(provider: &'a P, from: Address) -> Self {
        Self {
            provider,
            from,
            last_block: 0,
        }
    }

    /// The sending account.
    pub fn from(&self) -> Address {
        self.from
    }

    /// Block of the last mined transaction (0 before the first).
    pub fn last_block(&self) -> u64 {
        self.last_block
    }

    /// Sends a typed call without value.
    ///
    /// # Errors
    /// [`SendError`].
    pub async fn send_call<C: SolCall>(
        &mut self,
        step: &str,
        to: Address,
        call: C,
    ) -> Result<TransactionReceipt, SendError> {
        self.send(step, to, call.abi_encode().into(), U256::ZERO)
            .await
    }

    /// Sends a typed call with `value` wei.
    ///
    /// # Errors
    /// [`SendError`].
    pub async fn send_call_value<C: SolCall>(
        &mut self,
        step: &str,
        to: Address,
        call: C,
        value: U256,
    ) -> Result<TransactionReceipt, SendError> {
        self.send(step, to, call.abi_encode().into(), value).await
    }

    /// Simulates, sends and waits for one transaction.
    ///
    /// # Errors
    /// [`SendError::Reverted`] if the simulation reverts (nothing sent),
    /// [`SendError::Failed`] for a status-0 receipt, [`SendError::Rpc`].
    pub async fn send(
        &mut self,
        step: &str,
        to: Address,
        data: Bytes,
        value: U256,
    ) -> Result<TransactionReceipt, SendError> {
        let request = TransactionRequest::default()
            .with_from(self.from)
            .with_to(to)
            .with_input(data)
            .with_value(value);
        self.submit(step, request).await
    }

    /// Creates an EVM contract from `initcode` (creation code followed by
    /// its ABI-encoded constructor arguments) in a contract-creation
    /// transaction, simulated first; returns its address and the receipt.
    ///
    /// # Errors
    /// As [`Sender::send`]; [`SendError::Rpc`] when the receipt names no
    /// contract address.
    pub async fn create(
        &mut self,
        step: &str,
        initcode: Vec<u8>,
    ) -> Result<(Address, TransactionReceipt), SendError> {
        let request = TransactionRequest::default()
            .with_from(self.from)
            .with_deploy_code(initcode);
        let receipt = self.submit(step, request).await?;
        let address = receipt.contract_address.ok_or_else(|| SendError::Rpc {
            step: step.to_owned(),
            message: format!(
                "receipt {} has no contract address",
                receipt.transaction_hash
            ),
        })?;
        Ok((address, receipt))
    }

    async fn submit(
        &mut self,
        step: &str,
        request: TransactionRequest,
    ) -> Result<TransactionReceipt, SendError> {
        let rpc = |e: RpcError<TransportErrorKind>| SendError::Rpc {
            step: step.to_owned(),
            message: e.to_string(),
        };
        if let Err(e) = self.provider.call(request.clone()).await {
            return Err(match e.as_error_resp().and_then(|p| p.as_revert_data()) {
                Some(data) => SendError::Reverted {
                    step: step.to_owned(),
                    reason: describe_revert(&data),
                },
                None => rpc(e),
            });
        }
        let pending = self.provider.send_transaction(request).await.map_err(rpc)?;
        let receipt = pending
            .with_timeout(Some(RECEIPT_TIMEOUT))
            .get_receipt()
            .await
            .map_err(|e| SendError::Rpc {
                step: step.to_owned(),
                message: e.to_string(),
            })?;
        if !receipt.status() {
            return Err(SendError::Failed {
                step: step.to_owned(),
                tx: receipt.transaction_hash,
            });
        }
        self.last_block = receipt.block_number.unwrap_or(self.last_block);
        Ok(receipt)
    }
}

/// A revert's name and arguments, looking inside the StylusDeployer's
/// `ContractInitializationError` for the constructor's own error; the hex
/// of unknown data.
pub fn describe_revert(data: &[u8]) -> String {
    if let Ok(e) = IStylusDeployer::ContractInitializationError::abi_decode(data) {
        return format!(
            "ContractInitializationError(constructor of {}: {})",
            e.newContract,
            describe_revert(&e.data)
        );
    }
    decode_revert(data).unwrap_or_else(|| format!("0x{}", alloy::primitives::hex::encode(data)))
}
