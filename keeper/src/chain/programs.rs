//! Stylus program lifetimes. Arbitrum makes a program uncallable
//! `expiryDays` (365) after its activation or its last keepalive, and after
//! a Stylus upgrade until it is activated again: a vault whose programs
//! expire freezes its depositors' funds until someone renews them. The
//! keeper reads each contract's time left from ArbWasm's `programTimeLeft`
//! (one JSON-RPC batch), warns inside its margin and, when configured,
//! renews: `codehashKeepalive(codehash)` while the program still runs,
//! `activateProgram(address)` once it has expired. Both are paid in the
//! gas token (the data fee ArbWasm names in `ProgramInsufficientValue`;
//! the excess is refunded).

use alloy::eips::BlockNumberOrTag;
use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, B256, Bytes, U64, keccak256};
use alloy::rpc::types::{Block, TransactionRequest};
use alloy::sol_types::{SolCall, SolInterface};
use il_deploy::bindings::{ARBWASM, IArbWasm};
use serde::Serialize;

use super::{ChainError, Client, rpc};

/// Seconds in a day.
pub const DAY: u64 = 86_400;

/// Where a program stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Life {
    /// Runs; expires in `secs_left` unless renewed.
    Active {
        /// Seconds until expiry.
        secs_left: u64,
    },
    /// Expired `age_secs - expiry` ago: calls to it fail.
    Expired {
        /// Seconds since its activation or last keepalive.
        age_secs: u64,
    },
    /// Activated for an older Stylus version: calls fail until reactivated.
    NeedsUpgrade {
        /// Its version.
        version: u16,
        /// The chain's.
        stylus_version: u16,
    },
    /// Code that is Stylus but was never activated.
    NotActivated,
}

/// One watched contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgramLife {
    /// Its name in the configuration (`vault`, `lens`, ...).
    pub name: String,
    /// Its address.
    pub address: Address,
    /// Where it stands.
    pub life: Life,
}

impl ProgramLife {
    /// Seconds left, 0 for a program that does not run.
    #[must_use]
    pub fn secs_left(&self) -> u64 {
        match self.life {
            Life::Active { secs_left } => secs_left,
            _ => 0,
        }
    }

    /// True when it does not run or expires within `margin_secs`.
    #[must_use]
    pub fn due(&self, margin_secs: u64) -> bool {
        self.secs_left() < margin_secs
    }

    /// `lens (0x…) expires in 24.5 days, at 1767225600`, `vault (0x…)
    /// expired 3.2 days ago`, ...; `now` and `expiry_secs` place it in time.
    #[must_use]
    pub fn describe(&self, now: u64, expiry_secs: u64) -> String {
        #[allow(clippy::cast_precision_loss)]
        let days = |s: u64| s as f64 / DAY as f64;
        let who = format!("{} ({})", self.name, self.address);
        match &self.life {
            Life::Active { secs_left } => format!(
                "{who} expires in {:.1} days, at {}",
                days(*secs_left),
                now.saturating_add(*secs_left)
            ),
            Life::Expired { age_secs } => format!(
                "{who} expired {:.1} days ago: calls to it fail until it is activated again",
                days(age_secs.saturating_sub(expiry_secs))
            ),
            Life::NeedsUpgrade {
                version,
                stylus_version,
            } => format!(
                "{who} is Stylus version {version}, the chain runs {stylus_version}: calls fail until it is activated again"
            ),
            Life::NotActivated => format!("{who} is not activated"),
        }
    }
}

/// The programs' lifetimes at one block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lifetimes {
    /// Block read.
    pub block: u64,
    /// Its timestamp.
    pub time: u64,
    /// ArbWasm's `expiryDays`, in seconds.
    pub expiry_secs: u64,
    /// The watched contracts that are Stylus programs (EVM contracts, such
    /// as real tokens, are left out).
    pub programs: Vec<ProgramLife>,
}

impl Lifetimes {
    /// The programs that do not run or expire within `margin_days`.
    #[must_use]
    pub fn due(&self, margin_days: u32) -> Vec<&ProgramLife> {
        let margin = u64::from(margin_days).saturating_mul(DAY);
        self.programs.iter().filter(|p| p.due(margin)).collect()
    }

    /// One line naming every due program and when it expires, `None` when
    /// none is due.
    #[must_use]
    pub fn warning(&self, margin_days: u32) -> Option<String> {
        let due = self.due(margin_days);
        if due.is_empty() {
            return None;
        }
        let list: Vec<String> = due
            .iter()
            .map(|p| p.describe(self.time, self.expiry_secs))
            .collect();
        Some(format!(
            "Stylus programs need renewal (ArbWasm keepalive, or activateProgram once expired): {}",
            list.join("; ")
        ))
    }
}

fn call(to: Address, data: Vec<u8>) -> TransactionRequest {
    TransactionRequest::default()
        .with_to(to)
        .with_input(Bytes::from(data))
}

/// A call's result: its output, or the revert data of an error response.
type Outcome = Result<Bytes, Vec<u8>>;

fn life_of(out: &Outcome) -> Result<Option<Life>, ChainError> {
    use IArbWasm::IArbWasmErrors as E;
    match out {
        // no ArbWasm here (not an Arbitrum chain): nothing is a program
        Ok(b) if b.is_empty() => Ok(None),
        Ok(b) => {
            let secs = IArbWasm::programTimeLeftCall::abi_decode_returns(b).map_err(|e| {
                ChainError::Decode {
                    what: "programTimeLeft".into(),
                    reason: e.to_string(),
                }
            })?;
            Ok(Some(Life::Active { secs_left: secs }))
        }
        Err(data) => match E::abi_decode(data) {
            Ok(E::ProgramNotWasm(_)) => Ok(None),
            Ok(E::ProgramExpired(e)) => Ok(Some(Life::Expired {
                age_secs: e.ageInSeconds,
            })),
            Ok(E::ProgramNotActivated(_)) => Ok(Some(Life::NotActivated)),
            Ok(E::ProgramNeedsUpgrade(e)) => Ok(Some(Life::NeedsUpgrade {
                version: e.version,
                stylus_version: e.stylusVersion,
            })),
            _ => Err(ChainError::Revert(format!(
                "programTimeLeft: {}",
                super::decode_revert(data)
            ))),
        },
    }
}

impl Client {
    /// The lifetimes of the `named` contracts that are Stylus programs, in
    /// one batch (`programTimeLeft` of each, `expiryDays`, the latest block).
    ///
    /// # Errors
    /// [`ChainError::Unreachable`], [`ChainError::Node`], and
    /// [`ChainError::Revert`] / [`ChainError::Decode`] for answers ArbWasm
    /// does not give.
    pub async fn lifetimes(&self, named: &[(&str, Address)]) -> Result<Lifetimes, ChainError> {
        let latest = BlockNumberOrTag::Latest;
        let calls: Vec<TransactionRequest> = named
            .iter()
            .map(|(_, a)| {
                call(
                    ARBWASM,
                    IArbWasm::programTimeLeftCall { program: *a }.abi_encode(),
                )
            })
            .collect();
        let expiry_call = call(ARBWASM, IArbWasm::expiryDaysCall {}.abi_encode());
        let (block, expiry, outs) = rpc::with_retry(self.budget, "program lifetimes", || async {
            let mut batch = self.rpc.new_batch();
            let block =
                batch.add_call::<_, Option<Block>>("eth_getBlockByNumber", &(latest, false))?;
            let expiry = batch.add_call::<_, Bytes>("eth_call", &(&expiry_call, latest))?;
            let mut waiters = Vec::with_capacity(calls.len());
            for req in &calls {
                waiters.push(batch.add_call::<_, Bytes>("eth_call", &(req, latest))?);
            }
            batch.send().await?;
            let block = block.await?;
            let expiry = expiry.await?;
            let mut outs: Vec<Outcome> = Vec::with_capacity(waiters.len());
            for w in waiters {
                match w.await {
                    Ok(b) => outs.push(Ok(b)),
                    Err(e) => match e.as_error_resp() {
                        // a revert of this one call, not a transport failure
                        Some(p) => outs.push(Err(p
                            .as_revert_data()
                            .map(|d| d.to_vec())
                            .unwrap_or_default())),
                        None => return Err(e),
                    },
                }
            }
            Ok((block, expiry, outs))
        })
        .await
        .map_err(|e| super::classify("program lifetimes", e))?;
        let block = block.ok_or_else(|| ChainError::Node("latest block: null".into()))?;
        if expiry.is_empty() {
            // no ArbWasm precompile: not an Arbitrum chain, no programs
            return Ok(Lifetimes {
                block: block.header.number,
                time: block.header.timestamp,
                expiry_secs: 0,
                programs: Vec::new(),
            });
        }
        let days = IArbWasm::expiryDaysCall::abi_decode_returns(&expiry).map_err(|e| {
            ChainError::Decode {
                what: "expiryDays".into(),
                reason: e.to_string(),
            }
        })?;
        let mut programs = Vec::new();
        for ((name, address), out) in named.iter().zip(&outs) {
            if let Some(life) = life_of(out)? {
                programs.push(ProgramLife {
                    name: (*name).to_string(),
                    address: *address,
                    life,
                });
            }
        }
        Ok(Lifetimes {
            block: block.header.number,
            time: block.header.timestamp,
            expiry_secs: u64::from(days).saturating_mul(DAY),
            programs,
        })
    }

    /// The renewal of `program`: its kind, calldata and code hash;
    /// `codehashKeepalive(codehash)` while it runs,
    /// `activateProgram(address)` once it does not.
    ///
    /// # Errors
    /// [`ChainError::Unreachable`], [`ChainError::Node`].
    pub async fn renewal(
        &self,
        program: &ProgramLife,
    ) -> Result<(&'static str, Bytes, B256), ChainError> {
        let code: Bytes = self
            .request("eth_getCode", (program.address, BlockNumberOrTag::Latest))
            .await?;
        let codehash: B256 = keccak256(&code);
        Ok(match program.life {
            Life::Active { .. } => (
                "keepalive",
                IArbWasm::codehashKeepaliveCall { codehash }
                    .abi_encode()
                    .into(),
                codehash,
            ),
            _ => (
                "reactivate",
                IArbWasm::activateProgramCall {
                    program: program.address,
                }
                .abi_encode()
                .into(),
                codehash,
            ),
        })
    }
}

impl Client {
    /// Simulates a renewal from `from` paying `value`: the gas it needs, or
    /// the raw revert data (`eth_call` then `eth_estimateGas`, one batch).
    ///
    /// # Errors
    /// [`ChainError::Unreachable`], [`ChainError::Node`] (an error response
    /// without revert data).
    pub async fn simulate_renewal(
        &self,
        from: Address,
        data: &Bytes,
        value: alloy::primitives::U256,
    ) -> Result<Result<u64, Vec<u8>>, ChainError> {
        let req = TransactionRequest::default()
            .with_from(from)
            .with_to(ARBWASM)
            .with_value(value)
            .with_input(data.clone());
        let block = BlockNumberOrTag::Pending;
        rpc::with_retry(self.budget, "simulate renewal", || async {
            let mut batch = self.rpc.new_batch();
            let call = batch.add_call::<_, Bytes>("eth_call", &(&req, block))?;
            let gas = batch.add_call::<_, U64>("eth_estimateGas", &(&req, block))?;
            batch.send().await?;
            let revert = |e: alloy::transports::TransportError| match e.as_error_resp() {
                Some(p) => match p.as_revert_data() {
                    Some(d) => Ok(d.to_vec()),
                    None => Err(e),
                },
                None => Err(e),
            };
            if let Err(e) = call.await {
                return Ok(Err(revert(e)?));
            }
            match gas.await {
                Ok(g) => Ok(Ok(g.to::<u64>())),
                Err(e) => Ok(Err(revert(e)?)),
            }
        })
        .await
        .map_err(|e| super::classify("simulate renewal", e))
    }
}

/// The data fee ArbWasm asks for, from a `ProgramInsufficientValue(have,
/// want)` revert of a call sent without value.
#[must_use]
pub fn wanted_fee(revert: &[u8]) -> Option<alloy::primitives::U256> {
    match IArbWasm::IArbWasmErrors::abi_decode(revert) {
        Ok(IArbWasm::IArbWasmErrors::ProgramInsufficientValue(e)) => Some(e.want),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::SolError;

    fn life(l: Life) -> ProgramLife {
        ProgramLife {
            name: "lens".into(),
            address: Address::repeat_byte(0x11),
            life: l,
        }
    }

    #[test]
    fn reverts_map_to_lives_and_evm_code_is_left_out() {
        let expired = IArbWasm::ProgramExpired { ageInSeconds: 7 }.abi_encode();
        assert_eq!(
            life_of(&Err(expired)).unwrap(),
            Some(Life::Expired { age_secs: 7 })
        );
        let not_wasm = IArbWasm::ProgramNotWasm {}.abi_encode();
        assert_eq!(life_of(&Err(not_wasm)).unwrap(), None);
        assert_eq!(life_of(&Ok(Bytes::new())).unwrap(), None);
        let ok = Ok(Bytes::from(
            IArbWasm::programTimeLeftCall::abi_encode_returns(&99u64),
        ));
        assert_eq!(life_of(&ok).unwrap(), Some(Life::Active { secs_left: 99 }));
        assert!(life_of(&Err(vec![1, 2, 3])).is_err());
    }

    #[test]
    fn due_programs_make_one_warning_line() {
        let l = Lifetimes {
            block: 1,
            time: 1_000,
            expiry_secs: 365 * DAY,
            programs: vec![
                life(Life::Active {
                    secs_left: 40 * DAY,
                }),
                life(Life::Active {
                    secs_left: 10 * DAY,
                }),
                life(Life::Expired {
                    age_secs: 367 * DAY,
                }),
            ],
        };
        assert_eq!(l.due(30).len(), 2);
        let w = l.warning(30).unwrap();
        assert!(!w.contains('\n'));
        assert!(w.contains("expires in 10.0 days, at 865000"), "{w}");
        assert!(w.contains("expired 2.0 days ago"), "{w}");
        assert!(l.warning(5).unwrap().contains("expired"));
        let fine = Lifetimes {
            programs: vec![life(Life::Active {
                secs_left: 40 * DAY,
            })],
            ..l
        };
        assert_eq!(fine.warning(30), None);
    }

    #[test]
    fn the_fee_comes_from_insufficient_value() {
        let data = IArbWasm::ProgramInsufficientValue {
            have: alloy::primitives::U256::ZERO,
            want: alloy::primitives::U256::from(5u8),
        }
        .abi_encode();
        assert_eq!(wanted_fee(&data), Some(alloy::primitives::U256::from(5u8)));
        assert_eq!(wanted_fee(&[]), None);
    }
}
