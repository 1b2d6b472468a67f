//! The real Uniswap v4 core on the local chain, through JSON-RPC only, next
//! to anvil 1.7.1 (`--hardfork cancun`) running the same sequence: a pool
//! whose currencies are the project's Stylus `il-token` and v4's EVM
//! `TestERC20` (on anvil a second `TestERC20` stands in for the Stylus
//! token), so the PoolManager calls a Stylus contract. Also: a Stylus program
//! that unlocks the PoolManager and is called back by it, `cast` deploying
//! EVM code and decoding EVM reverts, and bad EVM input over JSON-RPC.
//!
//! Needs `scripts/setup.sh` (v4-core artifacts, cast, anvil) and
//! `scripts/build-contracts.sh` (the release wasm).

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, Bytes, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolError, SolEvent, SolValue},
};
use il_devnet::{Config, Devnet, DevnetHandle, testing::IProbe};
use il_e2e::{
    cast,
    v4::{self, IPoolManager, V4},
};

/// anvil's (and il-devnet's) dev account 0.
fn dev_key() -> PrivateKeySigner {
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        .parse()
        .expect("key")
}

async fn devnet() -> (DevnetHandle, DynProvider, Address) {
    let node = Devnet::spawn(Config {
        port: 0,
        ..Config::default()
    })
    .await
    .unwrap_or_else(|e| panic!("devnet: {e}"));
    let key = dev_key();
    let p = v4::provider(&node.url(), &key);
    (node, p, key.address())
}

#[tokio::test(flavor = "multi_thread")]
async fn v4_pool_with_a_stylus_currency_matches_anvil() {
    let (node, dp, from) = devnet().await;
    let anvil = v4::anvil();
    let ap = v4::provider(&anvil.url(), &dev_key());

    // il-devnet: the Stylus token and an EVM TestERC20
    let stylus_token = v4::deploy_stylus_token(&dp, from).await;
    let evm_token = v4::deploy_test_erc20(&dp, from).await;
    assert!(il_wasm::is_stylus_code(
        &dp.get_code_at(stylus_token).await.unwrap()
    ));
    let dv4 = V4::deploy(&dp, from).await;
    // anvil: two TestERC20s, ordered so that each plays the role (currency0
    // or currency1) its counterpart plays on il-devnet
    let x = v4::deploy_test_erc20(&ap, from).await;
    let y = v4::deploy_test_erc20(&ap, from).await;
    let (lo, hi) = if x < y { (x, y) } else { (y, x) };
    let (anvil_for_stylus, anvil_for_evm) = if stylus_token < evm_token {
        (lo, hi)
    } else {
        (hi, lo)
    };
    let av4 = V4::deploy(&ap, from).await;

    let on_devnet = v4::run_sequence(&dp, from, &dv4, stylus_token, evm_token).await;
    let on_anvil = v4::run_sequence(&ap, from, &av4, anvil_for_stylus, anvil_for_evm).await;

    // the run did something: liquidity in, both swap directions, tokens moved
    assert_eq!(on_devnet.modify_liquidity.len(), 3);
    assert_eq!(on_devnet.swaps.len(), 4);
    assert!(
        on_devnet.swaps.iter().all(|s| s.6),
        "swaps come from the router"
    );
    assert!(on_devnet.swaps.iter().any(|s| s.0 > 0) && on_devnet.swaps.iter().any(|s| s.0 < 0));
    let last = on_devnet.balances.last().unwrap();
    assert!(
        last[2] > U256::ZERO && last[3] > U256::ZERO,
        "the manager holds both tokens"
    );
    assert!(last[0] < v4::supply() && last[1] < v4::supply());
    // the PoolManager's view of the Stylus token agrees with the token's own
    let key = v4::pool_key(stylus_token, evm_token);
    let stylus_role = usize::from(key.currency1 == stylus_token);
    assert_eq!(
        v4::view(
            &dp,
            stylus_token,
            &v4::IErc20::balanceOfCall { owner: dv4.manager }
        )
        .await,
        last[2 + stylus_role]
    );
    println!(
        "swaps (amount0, amount1, sqrtPriceX96, liquidity, tick, fee): {:?}",
        on_devnet.swaps
    );
    println!("modify liquidity: {:?}", on_devnet.modify_liquidity);
    println!("final balances (deployer c0, c1; manager c0, c1): {last:?}");
    // same amounts to the wei, same events, on both chains
    assert_eq!(on_devnet.initialize, on_anvil.initialize);
    assert_eq!(on_devnet.modify_liquidity, on_anvil.modify_liquidity);
    assert_eq!(on_devnet.swaps, on_anvil.swaps);
    assert_eq!(on_devnet.balances, on_anvil.balances);

    // eth_getLogs finds the PoolManager's Swap events (EVM logs) by topic
    let filter = alloy::rpc::types::Filter::new()
        .address(dv4.manager)
        .event_signature(IPoolManager::Swap::SIGNATURE_HASH)
        .from_block(0);
    let logs = dp.get_logs(&filter).await.unwrap();
    assert_eq!(logs.len(), on_devnet.swaps.len());
    let first = IPoolManager::Swap::decode_log_data(logs[0].data()).unwrap();
    assert_eq!(first.amount0, on_devnet.swaps[0].0);

    drop(anvil);
    node.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stylus_program_unlocks_the_pool_manager_and_is_called_back() {
    let (node, p, from) = devnet().await;
    let url = node.url();
    let probe = v4::deploy_stylus(&p, from, "il-probe", &U256::ZERO.abi_encode()).await;
    let token = v4::deploy_test_erc20(&p, from).await;
    let v4 = V4::deploy(&p, from).await;

    // Stylus -> PoolManager (EVM) -> probe.unlockCallback (Stylus) ->
    // PoolManager.extsload (EVM), all in one mined transaction
    let slot = alloy::primitives::B256::with_last_byte(1);
    let read = IPoolManager::extsloadCall { slot }.abi_encode();
    let unlock = IProbe::unlockCall {
        manager: v4.manager,
        data: read.clone().into(),
    };
    let receipt = v4::transact(&p, from, probe, &unlock).await;
    assert!(receipt.status());
    // what came back: unlock's bytes = the callback's bytes = extsload's word
    let out = p
        .call(
            TransactionRequest::default()
                .with_to(probe)
                .with_input(unlock.abi_encode()),
        )
        .await
        .unwrap();
    // the probe returns unlock's return data, the ABI encoding of the bytes
    // the callback returned: extsload's word
    let from_unlock = IProbe::unlockCall::abi_decode_returns(&out).unwrap();
    let word = Bytes::abi_decode(&from_unlock).unwrap();
    let direct = v4::view(&p, v4.manager, &IPoolManager::extsloadCall { slot }).await;
    assert_eq!(word.as_ref(), direct.as_slice());

    // the callback mints claims without paying: the EVM frame reverts with
    // CurrencyNotSettled(), which the Stylus probe decodes by name
    let mint = IPoolManager::mintCall {
        to: probe,
        id: U256::from_be_slice(token.as_slice()),
        amount: U256::from(1),
    }
    .abi_encode();
    let unlock = IProbe::unlockCall {
        manager: v4.manager,
        data: mint.into(),
    };
    let request = TransactionRequest::default()
        .with_from(from)
        .with_to(probe)
        .with_input(unlock.abi_encode());
    let data = v4::revert_data(&p, request).await;
    let decoded = IProbe::ProbeUnlockReverted::abi_decode(&data).unwrap();
    assert_eq!(decoded.name, "CurrencyNotSettled");
    assert_eq!(
        decoded.data.as_ref(),
        IPoolManager::CurrencyNotSettled {}.abi_encode()
    );
    // cast shows the same data and decodes both errors by name
    let shown = cast_error(&[
        "call",
        "--rpc-url",
        &url,
        "--from",
        &from.to_string(),
        &probe.to_string(),
        "unlock(address,bytes)",
        &v4.manager.to_string(),
        &alloy::primitives::hex::encode_prefixed(&unlock.data),
    ])
    .await;
    let hex = alloy::primitives::hex::encode_prefixed(&data);
    assert!(
        shown.contains(&hex),
        "cast call shows the revert data: {shown}"
    );
    let outer = cast(&[
        "decode-error",
        "--sig",
        "ProbeUnlockReverted(string,bytes)",
        &hex,
    ])
    .await;
    assert!(outer.contains("CurrencyNotSettled"), "{outer}");
    // the inner data is exactly the error cast names CurrencyNotSettled()
    assert_eq!(
        cast(&["sig", "CurrencyNotSettled()"]).await,
        alloy::primitives::hex::encode_prefixed(&decoded.data)
    );

    // only the manager being unlocked may call back
    let stray = IProbe::unlockCallbackCall { data: read.into() };
    let request = TransactionRequest::default()
        .with_from(from)
        .with_to(probe)
        .with_input(stray.abi_encode());
    let data = v4::revert_data(&p, request).await;
    assert_eq!(
        IProbe::ProbeNotUnlocking::abi_decode(&data).unwrap().caller,
        from
    );
    node.shutdown().await.unwrap();
}

/// Runs `cast` expecting it to fail (the native binary: a non-zero exit);
/// returns its stderr and stdout, which the callers check for what it shows.
async fn cast_error(args: &[&str]) -> String {
    let out = il_e2e::cast_output(args).await;
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        !out.status.success() && shown.contains("Error"),
        "cast was expected to fail: {shown}"
    );
    shown
}

#[tokio::test(flavor = "multi_thread")]
async fn cast_deploys_evm_code_and_shows_evm_revert_data() {
    let (node, p, from) = devnet().await;
    let url = node.url();
    let key = node.dev_accounts()[0].private_key.to_string();
    // cast send --create with TestERC20's creation code and its argument
    let mut code = v4::artifact("TestERC20").to_vec();
    code.extend_from_slice(&U256::from(5_000u64).abi_encode());
    let sent = cast(&[
        "send",
        "--rpc-url",
        &url,
        "--private-key",
        &key,
        "--create",
        &alloy::primitives::hex::encode_prefixed(&code),
        "--json",
    ])
    .await;
    let sent: serde_json::Value = serde_json::from_str(&sent).unwrap();
    assert_eq!(sent["status"], "0x1");
    let token: Address = sent["contractAddress"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        cast(&[
            "call",
            "--rpc-url",
            &url,
            &token.to_string(),
            "balanceOf(address)(uint256)",
            &from.to_string(),
        ])
        .await,
        "5000"
    );
    assert_eq!(
        p.get_code_at(token).await.unwrap().len(),
        alloy::primitives::hex::decode(
            serde_json::from_str::<serde_json::Value>(
                &std::fs::read_to_string(
                    v4::v4_core_dir().join("out/TestERC20.sol/TestERC20.json")
                )
                .unwrap()
            )
            .unwrap()["deployedBytecode"]["object"]
                .as_str()
                .unwrap()
        )
        .unwrap()
        .len()
    );
    // an EVM revert with a named error, through cast call: unsorted currencies
    let v4 = V4::deploy(&p, from).await;
    let (c0, c1) = (Address::with_last_byte(2), Address::with_last_byte(1));
    let shown = cast_error(&[
        "call",
        "--rpc-url",
        &url,
        &v4.manager.to_string(),
        "initialize((address,address,uint24,int24,address),uint160)",
        &format!("({c0},{c1},3000,60,{})", Address::ZERO),
        &v4::sqrt_price_1_1().to_string(),
    ])
    .await;
    let want = IPoolManager::CurrenciesOutOfOrderOrEqual {
        currency0: c0,
        currency1: c1,
    }
    .abi_encode();
    assert!(
        shown.contains(&alloy::primitives::hex::encode_prefixed(&want)),
        "{shown}"
    );
    node.shutdown().await.unwrap();
}

/// The JSON-RPC error of `eth_estimateGas`/`eth_call` for `request`.
async fn rpc_error(p: &DynProvider, request: TransactionRequest) -> String {
    p.call(request).await.expect_err("fails").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_evm_input_fails_cleanly_over_json_rpc() {
    let (node, p, from) = devnet().await;
    let balance = p.get_balance(from).await.unwrap();
    let create = |code: Vec<u8>| {
        TransactionRequest::default()
            .with_from(from)
            .with_deploy_code(code)
    };
    // malformed init code: INVALID (0xfe)
    let e = rpc_error(&p, create(vec![0x60, 0x00, 0xfe])).await;
    assert!(e.contains("invalid opcode: opcode 0xfe not defined"), "{e}");
    // init code returning code that starts with 0xEF
    let e = rpc_error(&p, create(il_devnet::testing::evm_initcode(&[0xef, 0x01]))).await;
    assert!(e.contains("must not begin with 0xef"), "{e}");
    // mined anyway (gas given): status 0, a receipt with the targeted address
    let tx = create(vec![0x60, 0x00, 0xfe]).with_gas_limit(100_000);
    let receipt = p
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(!receipt.status());
    assert_eq!(receipt.gas_used, 100_000);
    assert_eq!(receipt.contract_address, Some(from.create(0)));
    assert!(p.get_code_at(from.create(0)).await.unwrap().is_empty());

    // an unknown opcode and a frame out of gas in deployed code
    let deploy =
        |runtime: &[u8]| create(il_devnet::testing::evm_initcode(runtime)).with_gas_limit(200_000);
    let bad = v4::send_ok(&p, "bad opcode", deploy(&[0x0c]))
        .await
        .contract_address
        .unwrap();
    let spin = v4::send_ok(&p, "loop", deploy(&[0x5b, 0x5f, 0x56]))
        .await
        .contract_address
        .unwrap();
    let call = |to: Address| TransactionRequest::default().with_from(from).with_to(to);
    let e = rpc_error(&p, call(bad)).await;
    assert!(e.contains("invalid opcode: opcode 0x0c not defined"), "{e}");
    let e = p.estimate_gas(call(bad)).await.unwrap_err().to_string();
    assert!(e.contains("invalid opcode: opcode 0x0c not defined"), "{e}");
    let e = rpc_error(&p, call(spin).with_gas_limit(100_000)).await;
    assert!(e.contains("out of gas"), "{e}");
    let e = p.estimate_gas(call(spin)).await.unwrap_err().to_string();
    assert!(e.contains("gas required exceeds allowance"), "{e}");
    let receipt = p
        .send_transaction(call(spin).with_gas_limit(80_000))
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(!receipt.status());
    assert_eq!(receipt.gas_used, 80_000);

    // a CREATE2 collision from EVM code: 0 comes back, nothing else changes
    let factory = [
        0x36, 0x5f, 0x5f, 0x37, 0x5f, 0x36, 0x5f, 0x34, 0xf5, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3,
    ];
    let factory = v4::send_ok(&p, "factory", deploy(&factory))
        .await
        .contract_address
        .unwrap();
    let initcode = il_devnet::testing::evm_initcode(&[0x00]);
    let first = v4::send_ok(&p, "create2", call(factory).with_input(initcode.clone())).await;
    assert!(first.status());
    let out = p
        .call(call(factory).with_input(initcode.clone()))
        .await
        .unwrap();
    assert_eq!(Address::from_slice(&out[12..]), Address::ZERO);
    let created = factory.create2(
        alloy::primitives::B256::ZERO,
        alloy::primitives::keccak256(&initcode),
    );
    assert_eq!(
        p.get_code_at(created).await.unwrap(),
        Bytes::from(vec![0x00])
    );

    // the node is alive and only gas was spent
    assert!(p.get_block_number().await.unwrap() > 0);
    let spent = balance - p.get_balance(from).await.unwrap();
    let blocks = p.get_block_number().await.unwrap();
    let mut gas = U256::ZERO;
    for n in 1..=blocks {
        let block = p.get_block_by_number(n.into()).await.unwrap().unwrap();
        gas += U256::from(block.header.gas_used) * U256::from(il_devnet::engine::BASE_FEE_WEI);
    }
    assert_eq!(spent, gas);
    node.shutdown().await.unwrap();
}
