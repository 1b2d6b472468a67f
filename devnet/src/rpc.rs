//! JSON-RPC 2.0 over the chain: envelopes (single requests, batches,
//! notifications), parameter parsing and the method table.

use alloy::eips::{BlockId, BlockNumberOrTag};
use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::rpc::types::{Filter, TransactionRequest};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::chain::{Chain, RpcError};

/// `web3_clientVersion`.
pub const CLIENT_VERSION: &str = concat!("il-devnet/v", env!("CARGO_PKG_VERSION"));

/// Every method this node serves.
pub const METHODS: &[&str] = &[
    "web3_clientVersion",
    "net_version",
    "net_listening",
    "eth_chainId",
    "eth_blockNumber",
    "eth_syncing",
    "eth_accounts",
    "eth_gasPrice",
    "eth_maxPriorityFeePerGas",
    "eth_feeHistory",
    "eth_getBlockByNumber",
    "eth_getBlockByHash",
    "eth_getBlockTransactionCountByNumber",
    "eth_getBlockTransactionCountByHash",
    "eth_getBalance",
    "eth_getTransactionCount",
    "eth_getCode",
    "eth_getStorageAt",
    "eth_call",
    "eth_estimateGas",
    "eth_sendRawTransaction",
    "eth_sendTransaction",
    "eth_getTransactionByHash",
    "eth_getTransactionReceipt",
    "eth_getLogs",
    "evm_increaseTime",
    "evm_mine",
    "anvil_mine",
    "evm_setNextBlockTimestamp",
    "anvil_setNextBlockTimestamp",
    "evm_snapshot",
    "evm_revert",
    "anvil_setBalance",
];

fn error_object(id: Value, e: &RpcError) -> Value {
    let mut err = json!({ "code": e.code, "message": e.message });
    if let Some(data) = &e.data {
        err["data"] = data.clone();
    }
    json!({ "jsonrpc": "2.0", "id": id, "error": err })
}

/// Handles one HTTP body: a request or a batch. Returns the response body,
/// or `None` when every request was a notification (no response is due).
pub fn handle_body(chain: &mut Chain, body: &[u8]) -> Option<Value> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Some(error_object(
                Value::Null,
                &RpcError {
                    code: -32700,
                    message: format!("parse error: {e}"),
                    data: None,
                },
            ));
        }
    };
    match value {
        Value::Array(items) if items.is_empty() => Some(error_object(
            Value::Null,
            &RpcError {
                code: -32600,
                message: "invalid request: empty batch".to_string(),
                data: None,
            },
        )),
        Value::Array(items) => {
            let responses: Vec<Value> = items
                .into_iter()
                .filter_map(|item| handle_request(chain, item))
                .collect();
            (!responses.is_empty()).then_some(Value::Array(responses))
        }
        other => handle_request(chain, other),
    }
}

fn handle_request(chain: &mut Chain, request: Value) -> Option<Value> {
    let Value::Object(mut obj) = request else {
        return Some(error_object(
            Value::Null,
            &RpcError {
                code: -32600,
                message: "invalid request: not a JSON object".to_string(),
                data: None,
            },
        ));
    };
    let id = obj.remove("id");
    let Some(Value::String(method)) = obj.remove("method") else {
        return Some(error_object(
            id.unwrap_or(Value::Null),
            &RpcError {
                code: -32600,
                message: "invalid request: missing method".to_string(),
                data: None,
            },
        ));
    };
    let result = Params::new(obj.remove("params")).and_then(|p| dispatch(chain, &method, &p));
    if let Err(e) = &result {
        tracing::debug!(method, code = e.code, "{}", e.message);
    }
    // a request without id is a notification: executed, not answered
    let id = id?;
    Some(match result {
        Ok(v) => json!({ "jsonrpc": "2.0", "id": id, "result": v }),
        Err(e) => error_object(id, &e),
    })
}

/// Positional parameters.
struct Params(Vec<Value>);

impl Params {
    fn new(params: Option<Value>) -> Result<Self, RpcError> {
        match params {
            None | Some(Value::Null) => Ok(Self(Vec::new())),
            Some(Value::Array(v)) => Ok(Self(v)),
            Some(_) => Err(RpcError::invalid_params("params must be an array")),
        }
    }

    fn opt<T: DeserializeOwned>(&self, i: usize, what: &str) -> Result<Option<T>, RpcError> {
        match self.0.get(i) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|e| {
                RpcError::invalid_params(format!("invalid {what} (parameter {i}): {e}"))
            }),
        }
    }

    fn req<T: DeserializeOwned>(&self, i: usize, what: &str) -> Result<T, RpcError> {
        self.opt(i, what)?
            .ok_or_else(|| RpcError::invalid_params(format!("missing {what} (parameter {i})")))
    }

    /// A number given as JSON number, `0x` hex or decimal string.
    fn quantity(&self, i: usize, what: &str) -> Result<Option<i128>, RpcError> {
        let bad = || {
            RpcError::invalid_params(format!("invalid {what} (parameter {i}): expected a number"))
        };
        match self.0.get(i) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
                .map(Some)
                .ok_or_else(bad),
            Some(Value::String(s)) => {
                let parsed = match s.strip_prefix("0x") {
                    Some(hex) => i128::from_str_radix(hex, 16),
                    None => s.parse::<i128>(),
                };
                parsed.map(Some).map_err(|_| bad())
            }
            Some(Value::Object(o)) => match o.get("timestamp") {
                Some(v) => Params(vec![v.clone()]).quantity(0, what),
                None => Err(bad()),
            },
            Some(_) => Err(bad()),
        }
    }

    fn u64(&self, i: usize, what: &str) -> Result<Option<u64>, RpcError> {
        self.quantity(i, what)?
            .map(|v| {
                u64::try_from(v).map_err(|_| {
                    RpcError::invalid_params(format!(
                        "invalid {what} (parameter {i}): out of range"
                    ))
                })
            })
            .transpose()
    }
}

fn dispatch(chain: &mut Chain, method: &str, p: &Params) -> Result<Value, RpcError> {
    match method {
        "web3_clientVersion" => Ok(Value::String(CLIENT_VERSION.to_string())),
        "net_version" => Ok(Value::String(chain.chain_id().to_string())),
        "net_listening" => Ok(Value::Bool(true)),
        "eth_chainId" => Ok(chain.chain_id_hex()),
        "eth_blockNumber" => Ok(chain.block_number()),
        "eth_syncing" => Ok(Value::Bool(false)),
        "eth_accounts" => Ok(chain.accounts()),
        "eth_gasPrice" => Ok(chain.gas_price()),
        "eth_maxPriorityFeePerGas" => Ok(Value::String("0x0".to_string())),
        "eth_feeHistory" => {
            let count = p
                .u64(0, "block count")?
                .ok_or_else(|| RpcError::invalid_params("missing block count (parameter 0)"))?;
            let newest: BlockNumberOrTag = p
                .opt(1, "newest block")?
                .unwrap_or(BlockNumberOrTag::Latest);
            let percentiles: Option<Vec<f64>> = p.opt(2, "reward percentiles")?;
            chain.fee_history(count, newest, percentiles)
        }
        "eth_getBlockByNumber" => {
            let tag: BlockNumberOrTag = p.req(0, "block number")?;
            let full = p.opt(1, "full transactions flag")?.unwrap_or(false);
            chain.get_block(BlockId::Number(tag), full)
        }
        "eth_getBlockByHash" => {
            let hash: B256 = p.req(0, "block hash")?;
            let full = p.opt(1, "full transactions flag")?.unwrap_or(false);
            chain.get_block(BlockId::from(hash), full)
        }
        "eth_getBlockTransactionCountByNumber" => {
            let tag: BlockNumberOrTag = p.req(0, "block number")?;
            chain.block_transaction_count(BlockId::Number(tag))
        }
        "eth_getBlockTransactionCountByHash" => {
            let hash: B256 = p.req(0, "block hash")?;
            chain.block_transaction_count(BlockId::from(hash))
        }
        "eth_getBalance" => {
            let address: Address = p.req(0, "address")?;
            chain.get_balance(address, p.opt(1, "block")?)
        }
        "eth_getTransactionCount" => {
            let address: Address = p.req(0, "address")?;
            chain.get_transaction_count(address, p.opt(1, "block")?)
        }
        "eth_getCode" => {
            let address: Address = p.req(0, "address")?;
            chain.get_code(address, p.opt(1, "block")?)
        }
        "eth_getStorageAt" => {
            let address: Address = p.req(0, "address")?;
            let slot: U256 = p.req(1, "storage slot")?;
            chain.get_storage_at(address, slot, p.opt(2, "block")?)
        }
        "eth_call" => {
            let req: TransactionRequest = p.req(0, "transaction")?;
            no_overrides(p)?;
            chain.call(&req, p.opt(1, "block")?)
        }
        "eth_estimateGas" => {
            let req: TransactionRequest = p.req(0, "transaction")?;
            no_overrides(p)?;
            chain.estimate_gas(&req, p.opt(1, "block")?)
        }
        "eth_sendRawTransaction" => {
            let raw: Bytes = p.req(0, "raw transaction")?;
            chain.send_raw_transaction(&raw)
        }
        "eth_sendTransaction" => {
            let req: TransactionRequest = p.req(0, "transaction")?;
            chain.send_transaction(&req)
        }
        "eth_getTransactionByHash" => chain.get_transaction(p.req(0, "transaction hash")?),
        "eth_getTransactionReceipt" => chain.get_receipt(p.req(0, "transaction hash")?),
        "eth_getLogs" => {
            let filter: Filter = p.req(0, "filter")?;
            chain.get_logs(&filter)
        }
        "evm_increaseTime" => {
            let seconds = p
                .quantity(0, "seconds")?
                .ok_or_else(|| RpcError::invalid_params("missing seconds (parameter 0)"))?;
            let seconds = i64::try_from(seconds)
                .map_err(|_| RpcError::invalid_params("seconds out of range"))?;
            Ok(chain.increase_time(seconds))
        }
        "evm_mine" => {
            chain.mine_empty(p.u64(0, "timestamp")?)?;
            Ok(Value::String("0x0".to_string()))
        }
        "anvil_mine" => {
            let blocks = p.u64(0, "block count")?.unwrap_or(1);
            let interval = p.u64(1, "interval")?;
            if blocks > 10_000 {
                return Err(RpcError::invalid_params(
                    "at most 10000 blocks per anvil_mine",
                ));
            }
            for _ in 0..blocks {
                if let Some(seconds) = interval {
                    chain.increase_time(i64::try_from(seconds).unwrap_or(i64::MAX));
                }
                chain.mine_empty(None)?;
            }
            Ok(Value::Null)
        }
        "evm_setNextBlockTimestamp" | "anvil_setNextBlockTimestamp" => {
            let ts = p
                .u64(0, "timestamp")?
                .ok_or_else(|| RpcError::invalid_params("missing timestamp (parameter 0)"))?;
            chain.set_next_block_timestamp(ts)
        }
        "evm_snapshot" => Ok(chain.snapshot()),
        "evm_revert" => {
            let id = p
                .u64(0, "snapshot id")?
                .ok_or_else(|| RpcError::invalid_params("missing snapshot id (parameter 0)"))?;
            Ok(chain.revert(id))
        }
        "anvil_setBalance" => {
            let address: Address = p.req(0, "address")?;
            let balance: U256 = p.req(1, "balance")?;
            Ok(chain.set_balance(address, balance))
        }
        other => Err(RpcError {
            code: -32601,
            message: format!("the method {other} does not exist/is not available"),
            data: None,
        }),
    }
}

fn no_overrides(p: &Params) -> Result<(), RpcError> {
    match p.0.get(2) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(o)) if o.is_empty() => Ok(()),
        Some(_) => Err(RpcError::invalid_params(
            "state overrides are not supported",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::ChainConfig;

    fn chain() -> Chain {
        Chain::new(&ChainConfig::default()).unwrap()
    }

    fn call(chain: &mut Chain, body: &str) -> Value {
        handle_body(chain, body.as_bytes()).unwrap()
    }

    #[test]
    fn malformed_json_is_a_parse_error() {
        let mut c = chain();
        let r = call(&mut c, "{not json");
        assert_eq!(r["error"]["code"], -32700);
        assert_eq!(r["id"], Value::Null);
    }

    #[test]
    fn unknown_method_is_method_not_found() {
        let mut c = chain();
        let r = call(
            &mut c,
            r#"{"jsonrpc":"2.0","id":7,"method":"eth_mine_gold","params":[]}"#,
        );
        assert_eq!(r["error"]["code"], -32601);
        assert_eq!(r["id"], 7);
    }

    #[test]
    fn bad_params_are_invalid_params() {
        let mut c = chain();
        let r = call(
            &mut c,
            r#"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x12"]}"#,
        );
        assert_eq!(r["error"]["code"], -32602);
        let r = call(
            &mut c,
            r#"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":{}}"#,
        );
        assert_eq!(r["error"]["code"], -32602);
    }

    #[test]
    fn batches_answer_in_order_and_skip_notifications() {
        let mut c = chain();
        let r = call(
            &mut c,
            r#"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},
                {"jsonrpc":"2.0","method":"eth_blockNumber"},
                {"jsonrpc":"2.0","id":"b","method":"net_version"}]"#,
        );
        let arr = r.as_array().unwrap();
        assert_eq!(arr.len(), 2);
        assert_eq!(arr[0]["result"], "0x64aba");
        assert_eq!(arr[1]["id"], "b");
        assert_eq!(arr[1]["result"], "412346");
        assert_eq!(call(&mut c, "[]")["error"]["code"], -32600);
        assert!(handle_body(&mut c, br#"{"jsonrpc":"2.0","method":"eth_chainId"}"#).is_none());
    }

    #[test]
    fn time_travel_moves_block_timestamps() {
        let mut c = chain();
        let t0 = c.engine().block_env().timestamp;
        let _ = t0;
        let r = call(
            &mut c,
            r#"{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["latest",false]}"#,
        );
        let ts0 = u64::from_str_radix(
            r["result"]["timestamp"]
                .as_str()
                .unwrap()
                .trim_start_matches("0x"),
            16,
        )
        .unwrap();
        call(
            &mut c,
            r#"{"jsonrpc":"2.0","id":1,"method":"evm_increaseTime","params":[3600]}"#,
        );
        call(
            &mut c,
            r#"{"jsonrpc":"2.0","id":1,"method":"evm_mine","params":[]}"#,
        );
        let r = call(
            &mut c,
            r#"{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["latest",false]}"#,
        );
        let ts1 = u64::from_str_radix(
            r["result"]["timestamp"]
                .as_str()
                .unwrap()
                .trim_start_matches("0x"),
            16,
        )
        .unwrap();
        assert!(ts1 >= ts0 + 3600, "{ts0} -> {ts1}");
        let next = ts1 + 1000;
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"anvil_setNextBlockTimestamp","params":[{next}]}}"#
        );
        call(&mut c, &body);
        call(
            &mut c,
            r#"{"jsonrpc":"2.0","id":1,"method":"evm_mine","params":[]}"#,
        );
        let r = call(
            &mut c,
            r#"{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["latest",false]}"#,
        );
        assert_eq!(r["result"]["timestamp"], format!("0x{next:x}"));
        // not after the latest block: refused
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"evm_setNextBlockTimestamp","params":[{next}]}}"#
        );
        assert_eq!(call(&mut c, &body)["error"]["code"], -32602);
    }

    #[test]
    fn snapshot_and_revert_restore_blocks_and_balances() {
        let mut c = chain();
        let id = call(
            &mut c,
            r#"{"jsonrpc":"2.0","id":1,"method":"evm_snapshot"}"#,
        )["result"]
            .clone();
        call(&mut c, r#"{"jsonrpc":"2.0","id":1,"method":"evm_mine"}"#);
        call(
            &mut c,
            r#"{"jsonrpc":"2.0","id":1,"method":"anvil_setBalance","params":["0x0000000000000000000000000000000000000001","0x10"]}"#,
        );
        assert_eq!(c.latest_number(), 1);
        let body = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"evm_revert","params":[{id}]}}"#);
        assert_eq!(call(&mut c, &body)["result"], true);
        assert_eq!(c.latest_number(), 0);
        let r = call(
            &mut c,
            r#"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x0000000000000000000000000000000000000001","latest"]}"#,
        );
        assert_eq!(r["result"], "0x0");
        assert_eq!(call(&mut c, &body)["result"], false);
    }
}
