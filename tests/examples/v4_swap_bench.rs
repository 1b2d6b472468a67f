//! Wall time of one Uniswap v4 swap through `eth_call` on il-devnet (the
//! PoolManager calling the Stylus `il-token`) and on anvil 1.7.1 (the same
//! swap between two `TestERC20`s), both over HTTP JSON-RPC in one run, after
//! the e2e test's pool sequence; also the same swap between two EVM tokens
//! on il-devnet. Prints the medians and their ratios.
//!
//! ```sh
//! scripts/setup.sh && scripts/build-contracts.sh
//! cargo run -p il-e2e --example v4_swap_bench [-- ITERATIONS]
//! ```

use std::time::{Duration, Instant};

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, I256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol_types::SolCall,
};
use il_devnet::{Config, Devnet};
use il_e2e::v4::{self, V4};

/// Median wall time of `n` `eth_call`s of the sequence's first swap
/// (exact input of 1e15 currency0), after 20 unmeasured ones.
async fn median_swap_call(
    p: &DynProvider,
    from: Address,
    v4: &V4,
    a: Address,
    b: Address,
    n: usize,
) -> Duration {
    let key = v4::pool_key(a, b);
    let amount = -I256::try_from(1_000_000_000_000_000i64).expect("fits");
    let request = TransactionRequest::default()
        .with_from(from)
        .with_to(v4.swap_router)
        .with_input(v4::swap_call(&key, true, amount).abi_encode())
        .with_gas_limit(5_000_000);
    for _ in 0..20 {
        p.call(request.clone()).await.expect("the swap simulates");
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        p.call(request.clone()).await.expect("the swap simulates");
        times.push(started.elapsed());
    }
    times.sort();
    times[n / 2]
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("ITERATIONS is a number"))
        .unwrap_or(300);
    let key: PrivateKeySigner =
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
            .parse()
            .expect("key");
    let from = key.address();

    let node = Devnet::spawn(Config {
        port: 0,
        ..Config::default()
    })
    .await
    .expect("devnet");
    let dp = v4::provider(&node.url(), &key);
    let stylus_token = v4::deploy_stylus_token(&dp, from).await;
    let evm_token = v4::deploy_test_erc20(&dp, from).await;
    let dv4 = V4::deploy(&dp, from).await;
    v4::run_sequence(&dp, from, &dv4, stylus_token, evm_token).await;
    // the same pool between two EVM tokens on il-devnet: what the EVM alone costs
    let e1 = v4::deploy_test_erc20(&dp, from).await;
    let e2 = v4::deploy_test_erc20(&dp, from).await;
    v4::run_sequence(&dp, from, &dv4, e1, e2).await;

    let anvil = v4::anvil();
    let ap = v4::provider(&anvil.url(), &key);
    let x = v4::deploy_test_erc20(&ap, from).await;
    let y = v4::deploy_test_erc20(&ap, from).await;
    let av4 = V4::deploy(&ap, from).await;
    v4::run_sequence(&ap, from, &av4, x, y).await;

    let devnet = median_swap_call(&dp, from, &dv4, stylus_token, evm_token, n).await;
    let devnet_evm = median_swap_call(&dp, from, &dv4, e1, e2, n).await;
    let on_anvil = median_swap_call(&ap, from, &av4, x, y, n).await;
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("v4 swap (exact in, 1e15) via eth_call over HTTP, median of {n}:");
    let rows = [
        (
            "il-devnet, PoolManager -> Stylus il-token + EVM TestERC20",
            devnet,
        ),
        ("il-devnet, PoolManager -> two EVM TestERC20s", devnet_evm),
        ("anvil 1.7.1, PoolManager -> two EVM TestERC20s", on_anvil),
    ];
    for (what, t) in rows {
        println!("  {what:<58} {:>9.1} us", us(t));
    }
    println!(
        "  ratio il-devnet (Stylus currency) / anvil: {:.2}",
        us(devnet) / us(on_anvil)
    );
    println!(
        "  ratio il-devnet (EVM currencies) / anvil:  {:.2}",
        us(devnet_evm) / us(on_anvil)
    );
    drop(anvil);
    node.shutdown().await.expect("devnet shutdown");
}
