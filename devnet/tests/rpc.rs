//! JSON-RPC shapes and behaviour against a spawned node, through alloy's
//! HTTP provider (strict deserialisation) and raw HTTP.

use std::sync::OnceLock;

use alloy::consensus::{
    SignableTransaction, TxEip1559, TxEip2930, TxEip7702, TxEnvelope, TxLegacy,
};
use alloy::eips::{BlockId, BlockNumberOrTag, eip2718::Encodable2718};
use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::primitives::{Address, B256, Bytes, TxKind, U256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::{Filter, TransactionRequest};
use alloy::signers::{SignerSync, local::PrivateKeySigner};
use alloy::sol_types::{SolCall, SolEvent, SolInterface};
use il_devnet::{
    Config, Devnet, DevnetHandle, artifacts,
    engine::{arbwasm, arbwasm::IArbWasm},
    testing::IProbe,
};
use serde_json::{Value, json};

fn probe_wasm() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    WASM.get_or_init(|| artifacts::read_wasm("il-probe").unwrap_or_else(|e| panic!("{e}")))
}

async fn node() -> DevnetHandle {
    Devnet::spawn(Config {
        port: 0,
        ..Config::default()
    })
    .await
    .expect("spawn node")
}

fn wallet_provider(node: &DevnetHandle, i: usize) -> impl Provider + Clone + use<> {
    let signer = node.dev_accounts()[i].signer().clone();
    ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(node.url().parse().unwrap())
}

/// Deploys and activates the probe through signed transactions; returns its address.
async fn deploy_probe(p: &impl Provider) -> Address {
    let prepared = il_wasm::prepare(probe_wasm()).unwrap();
    let init = il_wasm::initcode(&il_wasm::contract_code(&prepared));
    let receipt = p
        .send_transaction(TransactionRequest::default().with_deploy_code(init))
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    let address = receipt.contract_address.expect("contract address");
    let activate = TransactionRequest::default()
        .with_to(arbwasm::ADDRESS)
        .with_input(IArbWasm::activateProgramCall { program: address }.abi_encode())
        // a budget for the data fee: ArbWasm refunds the rest
        .with_value(U256::from(10_000_000_000_000_000u64));
    let receipt = p
        .send_transaction(activate)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status(), "{receipt:?}");
    address
}

async fn post(node: &DevnetHandle, body: &str) -> (u16, String) {
    let client = alloy::transports::http::reqwest::Client::new();
    let r = client
        .post(node.url())
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn node_answers_the_read_methods_in_strict_shapes() {
    let node = node().await;
    let p = ProviderBuilder::new().connect_http(node.url().parse().unwrap());
    assert_eq!(p.get_chain_id().await.unwrap(), 412_346);
    assert_eq!(p.get_block_number().await.unwrap(), 0);
    let accounts = p.get_accounts().await.unwrap();
    assert_eq!(accounts.len(), 10);
    assert_eq!(accounts[0], node.dev_accounts()[0].address);
    let ten_thousand = U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18u64));
    assert_eq!(p.get_balance(accounts[0]).await.unwrap(), ten_thousand);
    assert_eq!(p.get_transaction_count(accounts[0]).await.unwrap(), 0);
    assert_eq!(p.get_gas_price().await.unwrap(), 100_000_000);
    assert_eq!(p.get_max_priority_fee_per_gas().await.unwrap(), 0);
    let block = p
        .get_block_by_number(BlockNumberOrTag::Latest)
        .full()
        .await
        .unwrap()
        .expect("genesis");
    assert_eq!(block.header.number, 0);
    assert_eq!(block.header.base_fee_per_gas, Some(100_000_000));
    let history = p
        .get_fee_history(4, BlockNumberOrTag::Latest, &[25.0, 75.0])
        .await
        .unwrap();
    assert_eq!(history.oldest_block, 0);
    assert_eq!(history.base_fee_per_gas.len(), 2);
    // precompiles have marker code
    assert_eq!(
        p.get_code_at(arbwasm::ADDRESS).await.unwrap(),
        Bytes::from_static(&[0xfe])
    );
    let version: String = p
        .raw_request("web3_clientVersion".into(), ())
        .await
        .unwrap();
    assert!(version.starts_with("il-devnet/"));
    node.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_1559_transactions_deploy_call_and_log() {
    let node = node().await;
    let p = wallet_provider(&node, 0);
    let probe = deploy_probe(&p).await;
    let me = node.dev_accounts()[0].address;

    // a raw EIP-1559 transaction signed by a dev key
    let signer = node.dev_accounts()[0].signer();
    let nonce = p.get_transaction_count(me).await.unwrap();
    let tx = TxEip1559 {
        chain_id: 412_346,
        nonce,
        gas_limit: 500_000,
        max_fee_per_gas: 200_000_000,
        max_priority_fee_per_gas: 0,
        to: TxKind::Call(probe),
        value: U256::ZERO,
        access_list: Default::default(),
        input: IProbe::incrementCall {}.abi_encode().into(),
    };
    let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    let raw = TxEnvelope::Eip1559(tx.into_signed(sig)).encoded_2718();
    let receipt = p
        .send_raw_transaction(&raw)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    assert_eq!(receipt.transaction_type() as u8, 2);
    assert_eq!(receipt.from, me);
    assert_eq!(receipt.effective_gas_price, 100_000_000);
    let logs = receipt.inner.logs();
    assert_eq!(logs.len(), 1);
    let ev = IProbe::Incremented::decode_log_data(&logs[0].inner.data).unwrap();
    assert_eq!((ev.by, ev.value), (me, U256::from(1)));
    assert_eq!(logs[0].block_number, receipt.block_number);
    assert_eq!(logs[0].transaction_hash, Some(receipt.transaction_hash));

    let tx = p
        .get_transaction_by_hash(receipt.transaction_hash)
        .await
        .unwrap()
        .expect("mined");
    assert_eq!(tx.block_number, receipt.block_number);

    // more events from the second account, then filters
    let p1 = wallet_provider(&node, 1);
    let other = node.dev_accounts()[1].address;
    let send = TransactionRequest::default()
        .with_to(probe)
        .with_input(IProbe::incrementCall {}.abi_encode());
    p1.send_transaction(send)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let by_address = Filter::new().address(probe).from_block(0);
    assert_eq!(p.get_logs(&by_address).await.unwrap().len(), 2);
    let by_topic = Filter::new()
        .address(probe)
        .event_signature(IProbe::Incremented::SIGNATURE_HASH)
        .topic1(B256::left_padding_from(other.as_slice()))
        .from_block(0);
    let logs = p.get_logs(&by_topic).await.unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(
        IProbe::Incremented::decode_log_data(&logs[0].inner.data)
            .unwrap()
            .value,
        U256::from(2)
    );
    let in_block = Filter::new().at_block_hash(receipt.block_hash.unwrap());
    assert_eq!(p.get_logs(&in_block).await.unwrap().len(), 1);
    let none = Filter::new()
        .address(Address::with_last_byte(9))
        .from_block(0);
    assert!(p.get_logs(&none).await.unwrap().is_empty());

    // eth_call, storage and code reads
    let counter = p
        .call(
            TransactionRequest::default()
                .with_to(probe)
                .with_input(IProbe::counterCall {}.abi_encode()),
        )
        .await
        .unwrap();
    assert_eq!(U256::from_be_slice(&counter), U256::from(2));
    assert_eq!(
        p.get_storage_at(probe, U256::ZERO).await.unwrap(),
        U256::from(2)
    );
    let code = p.get_code_at(probe).await.unwrap();
    assert_eq!(&code[..4], &[0xEF, 0xF0, 0x00, 0x00]);
    // a past block's state (before the second increment)
    let past = p
        .call(
            TransactionRequest::default()
                .with_to(probe)
                .with_input(IProbe::counterCall {}.abi_encode()),
        )
        .block(receipt.block_number.unwrap().into())
        .await
        .unwrap();
    assert_eq!(U256::from_be_slice(&past), U256::from(1));
    node.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn reverts_reach_alloy_as_decodable_errors() {
    let node = node().await;
    let p = wallet_provider(&node, 0);
    let probe = deploy_probe(&p).await;
    let req = TransactionRequest::default().with_to(probe).with_input(
        IProbe::setThenRevertCall {
            key: U256::from(7),
            value: U256::from(1),
        }
        .abi_encode(),
    );
    let err = p.call(req.clone()).await.unwrap_err();
    let payload = err.as_error_resp().expect("error response");
    assert_eq!(payload.code, 3);
    let data = payload.as_revert_data().expect("revert data");
    let decoded = IProbe::IProbeErrors::abi_decode(&data).unwrap();
    assert_eq!(
        decoded,
        IProbe::IProbeErrors::ProbeReverted(IProbe::ProbeReverted { key: U256::from(7) })
    );
    // estimateGas reports the same revert
    let err = p.estimate_gas(req).await.unwrap_err();
    assert_eq!(err.as_error_resp().unwrap().code, 3);
    // a trap reverts with no data, as on Nitro
    let trap = TransactionRequest::default()
        .with_to(probe)
        .with_input(IProbe::panicNowCall {}.abi_encode());
    let err = p.call(trap.clone()).await.unwrap_err();
    let payload = err.as_error_resp().unwrap();
    assert_eq!(payload.code, 3);
    assert!(payload.as_revert_data().unwrap_or_default().is_empty());
    // mined anyway with an explicit gas limit: a failed receipt that
    // consumed only what ran (unused gas is kept, as on Nitro)
    let receipt = p
        .send_transaction(trap.with_gas_limit(300_000))
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(!receipt.status());
    assert!(receipt.gas_used < 100_000, "{}", receipt.gas_used);
    // out of gas: a failed receipt too
    let burn = TransactionRequest::default()
        .with_to(probe)
        .with_input(
            IProbe::burnCall {
                iterations: U256::from(100_000_000u64),
            }
            .abi_encode(),
        )
        .with_gas_limit(100_000);
    let receipt = p
        .send_transaction(burn)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(!receipt.status());
    node.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_and_2930_transactions_are_accepted_and_bad_ones_rejected() {
    let node = node().await;
    let p = ProviderBuilder::new().connect_http(node.url().parse().unwrap());
    let signer = node.dev_accounts()[0].signer().clone();
    let to = Address::with_last_byte(0x77);
    let legacy = |nonce: u64, chain_id: Option<u64>, gas_limit: u64| {
        let tx = TxLegacy {
            chain_id,
            nonce,
            gas_price: 100_000_000,
            gas_limit,
            to: TxKind::Call(to),
            value: U256::from(5),
            input: Bytes::new(),
        };
        let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
        TxEnvelope::Legacy(tx.into_signed(sig)).encoded_2718()
    };
    let r = p
        .send_raw_transaction(&legacy(0, Some(412_346), 21_000))
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(r.status());
    assert_eq!(r.transaction_type() as u8, 0);
    let tx = TxEip2930 {
        chain_id: 412_346,
        nonce: 1,
        gas_price: 100_000_000,
        gas_limit: 30_000,
        to: TxKind::Call(to),
        value: U256::from(6),
        access_list: Default::default(),
        input: Bytes::new(),
    };
    let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    let raw = TxEnvelope::Eip2930(tx.into_signed(sig)).encoded_2718();
    let r = p
        .send_raw_transaction(&raw)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(r.status());
    assert_eq!(r.transaction_type() as u8, 1);
    assert_eq!(p.get_balance(to).await.unwrap(), U256::from(11));

    let message = |raw: Vec<u8>| {
        let p = p.clone();
        async move {
            let err = p.send_raw_transaction(&raw).await.unwrap_err();
            err.as_error_resp()
                .expect("error response")
                .message
                .to_string()
        }
    };
    assert!(
        message(legacy(0, Some(412_346), 21_000))
            .await
            .starts_with("nonce too low")
    );
    assert!(
        message(legacy(9, Some(412_346), 21_000))
            .await
            .starts_with("nonce too high")
    );
    assert!(
        message(legacy(2, Some(412_346), 20_000))
            .await
            .starts_with("intrinsic gas too low")
    );
    assert!(
        message(legacy(2, Some(1), 21_000))
            .await
            .starts_with("invalid chain id")
    );
    assert!(message(legacy(2, None, 21_000)).await.contains("EIP-155"));
    let mut corrupt = legacy(2, Some(412_346), 21_000);
    let last = corrupt.len() - 3;
    corrupt[last] ^= 0xff;
    // a corrupted signature recovers another (unfunded) address or none at all
    let m = message(corrupt).await;
    assert!(
        m.contains("signature")
            || m.contains("invalid transaction")
            || m.starts_with("insufficient funds"),
        "{m}"
    );
    assert!(
        message(vec![0x02, 0xc0])
            .await
            .starts_with("invalid transaction")
    );
    // a stranger with no funds
    let stranger = PrivateKeySigner::random();
    let tx = TxLegacy {
        chain_id: Some(412_346),
        nonce: 0,
        gas_price: 100_000_000,
        gas_limit: 21_000,
        to: TxKind::Call(to),
        value: U256::from(1),
        input: Bytes::new(),
    };
    let sig = stranger.sign_hash_sync(&tx.signature_hash()).unwrap();
    let raw = TxEnvelope::Legacy(tx.into_signed(sig)).encoded_2718();
    assert!(message(raw).await.starts_with("insufficient funds"));
    // EIP-7702 (and 4844) transactions are not accepted
    let tx = TxEip7702 {
        chain_id: 412_346,
        nonce: 2,
        gas_limit: 100_000,
        max_fee_per_gas: 200_000_000,
        max_priority_fee_per_gas: 0,
        to,
        value: U256::ZERO,
        access_list: Default::default(),
        authorization_list: Vec::new(),
        input: Bytes::new(),
    };
    let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    let raw = TxEnvelope::Eip7702(tx.into_signed(sig)).encoded_2718();
    assert!(
        message(raw)
            .await
            .starts_with("transaction type 4 not supported")
    );
    // init code over 48 KiB (EIP-3860)
    let tx = TxLegacy {
        chain_id: Some(412_346),
        nonce: 2,
        gas_price: 100_000_000,
        gas_limit: 20_000_000,
        to: TxKind::Create,
        value: U256::ZERO,
        input: Bytes::from(vec![0u8; 49_153]),
    };
    let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    let raw = TxEnvelope::Legacy(tx.into_signed(sig)).encoded_2718();
    assert!(
        message(raw)
            .await
            .contains("max initcode size exceeded: code size 49153 limit 49152")
    );
    // the node still serves
    assert_eq!(p.get_block_number().await.unwrap(), 2);
    node.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn send_transaction_signs_for_dev_accounts() {
    let node = node().await;
    let me = node.dev_accounts()[2].address;
    let to = Address::with_last_byte(0x42);
    let body = json!({"jsonrpc":"2.0","id":1,"method":"eth_sendTransaction",
        "params":[{"from": me, "to": to, "value": "0x64"}]});
    let r = node.request(&body).await.unwrap().unwrap();
    let hash: B256 = serde_json::from_value(r["result"].clone()).unwrap();
    let p = ProviderBuilder::new().connect_http(node.url().parse().unwrap());
    let receipt = p.get_transaction_receipt(hash).await.unwrap().unwrap();
    assert!(receipt.status());
    assert_eq!(receipt.from, me);
    assert_eq!(p.get_balance(to).await.unwrap(), U256::from(100));
    let stranger = json!({"jsonrpc":"2.0","id":1,"method":"eth_sendTransaction",
        "params":[{"from": Address::with_last_byte(1), "to": to}]});
    let r = node.request(&stranger).await.unwrap().unwrap();
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown account")
    );
    node.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_bodies_batches_and_concurrent_clients() {
    let node = node().await;
    let (status, body) = post(&node, "{\"jsonrpc\":").await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], -32700);
    let (_, body) = post(&node, r#"{"jsonrpc":"2.0","id":1,"method":"nope"}"#).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], -32601);
    let (_, body) = post(
        &node,
        r#"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"eth_getBalance","params":["0xzz"]},{"jsonrpc":"2.0","id":3,"method":"eth_blockNumber"}]"#,
    )
    .await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v[0]["result"], "0x64aba");
    assert_eq!(v[1]["error"]["code"], -32602);
    assert_eq!(v[2]["result"], "0x0");
    let client = alloy::transports::http::reqwest::Client::new();
    let get = client.get(node.url()).send().await.unwrap();
    assert_eq!(get.status().as_u16(), 405);

    // eight clients at once, each sending transfers and reads
    let mut tasks = Vec::new();
    for i in 0..8 {
        let p = wallet_provider(&node, i);
        tasks.push(tokio::spawn(async move {
            for _ in 0..5 {
                let tx = TransactionRequest::default()
                    .with_to(Address::with_last_byte(0x99))
                    .with_value(U256::from(1));
                let r = p
                    .send_transaction(tx)
                    .await
                    .unwrap()
                    .get_receipt()
                    .await
                    .unwrap();
                assert!(r.status());
                p.get_block_number().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let p = ProviderBuilder::new().connect_http(node.url().parse().unwrap());
    assert_eq!(
        p.get_balance(Address::with_last_byte(0x99)).await.unwrap(),
        U256::from(40)
    );
    assert_eq!(p.get_block_number().await.unwrap(), 40);
    node.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn state_file_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("il-devnet-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("chain.json");
    let _ = std::fs::remove_file(&file);
    let config = || Config {
        port: 0,
        chain: il_devnet::ChainConfig {
            state_file: Some(file.clone()),
            ..Default::default()
        },
        ..Config::default()
    };
    let node = Devnet::spawn(config()).await.unwrap();
    let p = wallet_provider(&node, 0);
    let probe = deploy_probe(&p).await;
    let tx = TransactionRequest::default()
        .with_to(probe)
        .with_input(IProbe::incrementCall {}.abi_encode());
    let receipt = p
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let block = p.get_block_number().await.unwrap();
    node.shutdown().await.unwrap();
    assert!(file.exists());

    let node = Devnet::spawn(config()).await.unwrap();
    let p = ProviderBuilder::new().connect_http(node.url().parse().unwrap());
    assert_eq!(p.get_block_number().await.unwrap(), block);
    let counter = p
        .call(
            TransactionRequest::default()
                .with_to(probe)
                .with_input(IProbe::counterCall {}.abi_encode()),
        )
        .await
        .unwrap();
    assert_eq!(U256::from_be_slice(&counter), U256::from(1));
    let again = p
        .get_transaction_receipt(receipt.transaction_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.block_hash, receipt.block_hash);
    // the restarted node keeps mining on top
    let p = wallet_provider(&node, 0);
    let tx = TransactionRequest::default()
        .with_to(probe)
        .with_input(IProbe::incrementCall {}.abi_encode());
    let r = p
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert_eq!(r.block_number, Some(block + 1));
    node.shutdown().await.unwrap();
    // a corrupt state file is a clear start-up error
    std::fs::write(&file, b"{ not json").unwrap();
    let err = Devnet::spawn(config()).await.unwrap_err();
    assert!(err.to_string().contains("state file"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Deploys EVM `runtime` with a signed creation transaction; returns its address.
async fn deploy_evm(p: &impl Provider, runtime: &[u8]) -> Address {
    let receipt = p
        .send_transaction(
            TransactionRequest::default()
                .with_deploy_code(il_devnet::testing::evm_initcode(runtime)),
        )
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    receipt.contract_address.expect("contract address")
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshots_and_time_travel_cover_evm_contracts() {
    let node = node().await;
    let p = wallet_provider(&node, 0);
    let snap: U256 = p.raw_request("evm_snapshot".into(), ()).await.unwrap();
    // SSTORE(0, calldata[0..32]), and a contract returning NUMBER
    let store = deploy_evm(&p, &[0x5f, 0x35, 0x5f, 0x55, 0x00]).await;
    let number = deploy_evm(&p, &[0x43, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3]).await;
    let inner: U256 = p.raw_request("evm_snapshot".into(), ()).await.unwrap();
    let set = TransactionRequest::default()
        .with_to(store)
        .with_input(U256::from(5).to_be_bytes::<32>().to_vec());
    let receipt = p
        .send_transaction(set)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    assert_eq!(
        p.get_storage_at(store, U256::ZERO).await.unwrap(),
        U256::from(5)
    );
    // time travel moves the EVM's block.number (the L1 estimate): 3,600 s = 300 L1 blocks.
    // Read at the latest block: a pending call takes the wall clock, which
    // may have crossed a 12 s L1 step since the latest block was mined.
    let read = || async {
        let out = p
            .call(TransactionRequest::default().with_to(number))
            .block(BlockId::latest())
            .await
            .unwrap();
        U256::from_be_slice(&out).to::<u64>()
    };
    let latest = p
        .get_block_by_number(BlockNumberOrTag::Latest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        read().await,
        il_devnet::engine::l1_block_number(latest.header.timestamp)
    );
    let next = latest.header.timestamp + 3_600;
    let _: Value = p
        .raw_request("evm_setNextBlockTimestamp".into(), (next,))
        .await
        .unwrap();
    let _: Value = p.raw_request("evm_mine".into(), ()).await.unwrap();
    assert_eq!(read().await, il_devnet::engine::l1_block_number(next));
    assert_eq!(
        il_devnet::engine::l1_block_number(next)
            - il_devnet::engine::l1_block_number(latest.header.timestamp),
        300
    );
    // reverting undoes EVM storage, then EVM code
    let back: bool = p.raw_request("evm_revert".into(), (inner,)).await.unwrap();
    assert!(back);
    assert_eq!(
        p.get_storage_at(store, U256::ZERO).await.unwrap(),
        U256::ZERO
    );
    assert!(!p.get_code_at(store).await.unwrap().is_empty());
    let back: bool = p.raw_request("evm_revert".into(), (snap,)).await.unwrap();
    assert!(back);
    assert!(p.get_code_at(store).await.unwrap().is_empty());
    assert!(p.get_code_at(number).await.unwrap().is_empty());
    node.shutdown().await.unwrap();
}
