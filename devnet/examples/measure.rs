//! Measures the local chain with the fixture program: wall time of one
//! `eth_call` (engine only, and over HTTP JSON-RPC), instantiation vs
//! execution, and the gas model's cost of representative calls.
//!
//! ```sh
//! scripts/build-contracts.sh
//! cargo run --profile host -p il-devnet --example measure
//! ```

use std::time::{Duration, Instant};

use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::primitives::{Address, Bytes, U256, address};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;
use il_devnet::{
    Config, Devnet, artifacts,
    engine::{BlockEnv, Engine, TxRequest, WorldState, arbwasm, arbwasm::IArbWasm, gas},
    testing::{IProbe, deploy_wasm, send},
};

const ALICE: Address = address!("0x00000000000000000000000000000000000a11ce");

fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    (us(v[v.len() / 2]), us(v[v.len() * 9 / 10]), us(v[0]))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wasm = artifacts::read_wasm("il-probe")?;
    let prepared = il_wasm::prepare(&wasm)?;
    println!(
        "il_probe.wasm: raw {} B, prepared {} B, brotli {} B",
        wasm.len(),
        prepared.len(),
        il_wasm::compress(&prepared).len()
    );

    let engine = Engine::new(412_346, WorldState::default());
    engine.set_balance(ALICE, U256::from(10u64).pow(U256::from(24u64)));
    engine.set_block_env(BlockEnv {
        number: 1,
        timestamp: 1_700_000_000,
        ..BlockEnv::default()
    });
    let probe = deploy_wasm(&engine, ALICE, &wasm)?;
    let other = deploy_wasm(&engine, ALICE, &wasm)?;

    // engine-level eth_call of counter()
    let view = TxRequest {
        from: ALICE,
        to: Some(probe),
        data: IProbe::counterCall {}.abi_encode().into(),
        gas_limit: gas::MAX_TX_GAS,
        ..TxRequest::default()
    };
    for _ in 0..200 {
        engine.transact(&view, false)?;
    }
    let n = 5_000;
    let before = engine.wasm().timings();
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let out = engine.transact(&view, false)?;
        samples.push(t.elapsed());
        assert!(out.status.is_success());
    }
    let after = engine.wasm().timings();
    let (median, p90, min) = stats(samples);
    println!(
        "engine eth_call counter(): median {median:.1} us, p90 {p90:.1} us, min {min:.1} us over {n}"
    );
    let frames = (after.frames - before.frames) as f64;
    println!(
        "  per frame: instantiate {:.1} us, execute {:.1} us (means over {} frames)",
        (after.instantiate - before.instantiate).as_secs_f64() * 1e6 / frames,
        (after.execute - before.execute).as_secs_f64() * 1e6 / frames,
        frames
    );
    println!(
        "  compile (once per code hash, at activation): {:.2} ms",
        after.compile.as_secs_f64() * 1e3
    );

    // gas model: representative calls
    let gas_of = |data: Vec<u8>, to: Address| -> Result<u64, Box<dyn std::error::Error>> {
        let out = send(&engine, ALICE, to, data, U256::ZERO)?;
        assert!(out.status.is_success(), "{out:?}");
        Ok(out.gas_used)
    };
    let v = engine.transact(&view, false)?;
    println!("gas: counter() view {}", v.gas_used);
    println!(
        "gas: increment() first (0 -> 1, log) {}",
        gas_of(IProbe::incrementCall {}.abi_encode(), probe)?
    );
    println!(
        "gas: increment() again (1 -> 2, log) {}",
        gas_of(IProbe::incrementCall {}.abi_encode(), probe)?
    );
    println!(
        "gas: set(k, v) new slot {}",
        gas_of(
            IProbe::setCall {
                key: U256::from(1),
                value: U256::from(2)
            }
            .abi_encode(),
            probe
        )?
    );
    let inner = IProbe::incrementCall {}.abi_encode();
    println!(
        "gas: callOther(B, increment()) program -> program {}",
        gas_of(
            IProbe::callOtherCall {
                to: other,
                data: inner.into()
            }
            .abi_encode(),
            probe
        )?
    );
    println!(
        "gas: burn(10000) compute {}",
        gas_of(
            IProbe::burnCall {
                iterations: U256::from(10_000)
            }
            .abi_encode(),
            probe
        )?
    );
    let code = engine.code(probe);
    let deploy = engine.transact(
        &TxRequest {
            from: ALICE,
            to: None,
            data: il_wasm::initcode(&code).into(),
            gas_limit: gas::MAX_TX_GAS,
            ..TxRequest::default()
        },
        false,
    )?;
    let nitro = il_wasm::costs::nitro_costs(&prepared)?;
    println!(
        "gas: deploy (creation tx, {} B code) {}, activation {} with data fee {} wei",
        code.len(),
        deploy.gas_used,
        nitro.activation_gas() + 21_000,
        arbwasm::data_fee(&engine, &prepared)?
    );

    // JSON-RPC over HTTP
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let node = Devnet::spawn(Config { port: 0, ..Config::default() }).await?;
        let signer = node.dev_accounts()[0].signer().clone();
        let p = ProviderBuilder::new()
            .wallet(EthereumWallet::from(signer))
            .connect_http(node.url().parse()?);
        let init = il_wasm::initcode(&il_wasm::contract_code(&prepared));
        let r = p
            .send_transaction(TransactionRequest::default().with_deploy_code(init))
            .await?
            .get_receipt()
            .await?;
        let address = r.contract_address.ok_or("no address")?;
        let activate = TransactionRequest::default()
            .with_to(arbwasm::ADDRESS)
            .with_input(IArbWasm::activateProgramCall { program: address }.abi_encode())
            .with_value(arbwasm::data_fee(&engine, &prepared)?);
        p.send_transaction(activate).await?.get_receipt().await?;
        let body = serde_json::json!({
            "jsonrpc": "2.0", "id": 1, "method": "eth_call",
            "params": [{"to": address, "data": Bytes::from(IProbe::counterCall {}.abi_encode())}, "latest"]
        })
        .to_string();
        let client = alloy::transports::http::reqwest::Client::new();
        for _ in 0..100 {
            client.post(node.url()).header("content-type", "application/json").body(body.clone()).send().await?.text().await?;
        }
        let n = 2_000;
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            let text = client
                .post(node.url())
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await?
                .text()
                .await?;
            samples.push(t.elapsed());
            assert!(text.contains("\"result\""), "{text}");
        }
        let (median, p90, min) = stats(samples);
        println!("HTTP eth_call counter(): median {median:.1} us, p90 {p90:.1} us, min {min:.1} us over {n} (keep-alive, one client)");
        node.shutdown().await?;
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    Ok(())
}
