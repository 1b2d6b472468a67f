//! The gas the local chain charges the project's contracts, as a deployer
//! and a keeper see it over JSON-RPC (`eth_estimateGas`, receipts),
//! against Nitro's figures: the formulas of `il_wasm::costs` (read from
//! Nitro's source) and the bands Nitro's own activation code gave for
//! these contracts when issue 15 was filed (program start 16.6k-23.8k gas
//! uncached; activation 2.5-3.4 M gas).

use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::primitives::{Address, U256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;
use il_devnet::{
    Config, Devnet, artifacts,
    engine::{arbwasm, arbwasm::IArbWasm, gas},
};

/// Every contract the deployer puts on a chain.
const CONTRACTS: [&str; 10] = [
    "il-engine",
    "il-hedge",
    "il-lens",
    "il-manager",
    "il-manager-ops",
    "il-oracle",
    "il-planner",
    "il-token",
    "il-vault",
    "il-vault-ops",
];

/// Intrinsic gas of a call transaction with `data`.
fn intrinsic(data: &[u8]) -> u64 {
    gas::intrinsic_gas(data, false, 0, 0)
}

fn within(measured: u64, nitro: u64, tolerance: f64) -> bool {
    let (m, n) = (measured as f64, nitro as f64);
    (m - n).abs() <= tolerance * n
}

#[tokio::test(flavor = "multi_thread")]
async fn activation_and_uncached_calls_cost_what_nitro_charges() {
    let node = Devnet::spawn(Config {
        port: 0,
        ..Config::default()
    })
    .await
    .expect("spawn node");
    let signer = node.dev_accounts()[0].signer().clone();
    let p = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(node.url().parse().unwrap());
    let budget = U256::from(10_000_000_000_000_000u64);
    for name in CONTRACTS {
        let raw = artifacts::read_wasm(name).unwrap_or_else(|e| panic!("{e}"));
        let wasm = il_wasm::prepare(&raw).unwrap();
        let nitro = il_wasm::costs::nitro_costs(&wasm).unwrap();
        // Nitro's own activation code measured these contracts in bands
        // that the formulas must stay near (widened by a quarter: the
        // contracts have grown since)
        assert!(
            (16_600 * 3 / 4..=23_800 * 5 / 4).contains(&nitro.uncached_call_gas()),
            "{name}: {}",
            nitro.uncached_call_gas()
        );
        assert!(
            (2_500_000 * 3 / 4..=3_400_000 * 5 / 4).contains(&nitro.activation_gas()),
            "{name}: {}",
            nitro.activation_gas()
        );

        let created = p
            .send_transaction(
                TransactionRequest::default()
                    .with_deploy_code(il_wasm::initcode(&il_wasm::contract_code(&wasm))),
            )
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        let program: Address = created.contract_address.expect("created");

        // activation: what a deployer estimates, then pays
        let data = IArbWasm::activateProgramCall { program }.abi_encode();
        let activate = TransactionRequest::default()
            .with_to(arbwasm::ADDRESS)
            .with_input(data.clone())
            .with_value(budget);
        let estimate = p.estimate_gas(activate.clone()).await.unwrap();
        let estimated = estimate - intrinsic(&data);
        assert!(
            within(estimated, nitro.activation_gas(), 0.25),
            "{name}: activation estimated at {estimated}, Nitro {}",
            nitro.activation_gas()
        );
        let receipt = p
            .send_transaction(activate.with_gas_limit(estimate))
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        assert!(
            receipt.status(),
            "{name}: activation with the estimate failed"
        );
        let used = receipt.gas_used - intrinsic(&data);
        assert!(
            within(used, nitro.activation_gas(), 0.25),
            "{name}: activation used {used}, Nitro {}",
            nitro.activation_gas()
        );

        // the start of an uncached call: ArbWasm reports Nitro's figure,
        // and a call that does almost nothing else pays it
        let init = IArbWasm::programInitGasCall { program }.abi_encode();
        let out = p
            .call(
                TransactionRequest::default()
                    .with_to(arbwasm::ADDRESS)
                    .with_input(init),
            )
            .await
            .unwrap();
        let reported = IArbWasm::programInitGasCall::abi_decode_returns(&out).unwrap();
        assert_eq!(
            (reported.gas, reported.gasWhenCached),
            (nitro.uncached_call_gas(), nitro.cached_gas()),
            "{name}"
        );
        // the vault and the manager hand unknown selectors to their
        // operations programs: ask them for `totalSupply()` and
        // `pendingOwner()` (one storage read each) instead
        let unknown = match name {
            "il-vault" => vec![0x18, 0x16, 0x0d, 0xdd],
            "il-manager" => vec![0xe3, 0x0c, 0x39, 0x78],
            _ => vec![0xde, 0xad, 0xbe, 0xef],
        };
        let receipt = p
            .send_transaction(
                TransactionRequest::default()
                    .with_to(program)
                    .with_input(unknown.clone())
                    .with_gas_limit(1_000_000),
            )
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        let call = receipt.gas_used - intrinsic(&unknown);
        assert!(
            call >= nitro.uncached_call_gas() && within(call, nitro.uncached_call_gas(), 0.25),
            "{name}: an uncached call used {call}, Nitro's start {}",
            nitro.uncached_call_gas()
        );
        eprintln!(
            "{name}: activation estimated {estimated} / used {used} (Nitro {}), uncached call {call} (Nitro start {})",
            nitro.activation_gas(),
            nitro.uncached_call_gas()
        );
    }
}
