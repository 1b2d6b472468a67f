//! The deployer against the local Stylus chain, executing the release wasm
//! (run `scripts/build-contracts.sh` first).

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, I256, U256},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol_types::SolCall,
};
use il_deploy::{
    Manifest,
    bindings::{IHedge, ILens, IManager, IOracle, IToken, IVault},
    deploy::{Artifacts, DeployError, INITIAL_FEE_PIPS, SystemConfig, canonical_v4, deploy_system},
    manifest::pool_id,
    ops,
    send::Sender,
};
use il_devnet::{Config, Devnet};

/// $1,850.25 with 8 decimals.
const ANSWER: u64 = 185_025_000_000;

fn artifacts() -> Artifacts {
    Artifacts::load(None).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploys_and_wires_the_whole_system_on_a_v4_pool() {
    let chain = Devnet::spawn(Config {
        port: 0,
        ..Default::default()
    })
    .await
    .expect("devnet");
    let owner = &chain.dev_accounts()[0];
    let keeper = chain.dev_accounts()[1].address;
    let signer = PrivateKeySigner::from_bytes(&owner.private_key).expect("key");
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(chain.url().parse().unwrap());
    let config = SystemConfig::test_tokens(keeper, U256::from(ANSWER));
    let mut steps = Vec::new();
    let m = deploy_system(&provider, owner.address, &artifacts(), &config, |s| {
        steps.push(s.to_owned())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.chain_id, 412_346);
    assert_eq!(
        canonical_v4(m.chain_id),
        None,
        "the local chain gets its own v4"
    );
    assert_eq!(m.keeper, keeper);
    assert!(m.block > 0);
    for prefix in [
        "vault at",
        "manager operations at",
        "manager at",
        "Uniswap v4 PoolManager at",
        "lens at",
    ] {
        assert!(
            steps.iter().any(|s| s.starts_with(prefix)),
            "{prefix}: {steps:?}"
        );
    }
    let c = m.contracts;
    let all = c.named();
    assert_eq!(all.len(), 13, "the local chain records its swap router");
    for (name, a) in &all {
        assert!(
            !provider.get_code_at(*a).await.unwrap().is_empty(),
            "{name} has code"
        );
        assert_eq!(
            all.iter().filter(|(_, b)| b == a).count(),
            1,
            "{name}: addresses are distinct"
        );
    }
    // the manifest reads back as written, its pool key checked
    assert_eq!(Manifest::from_json(&m.to_json(), "m.json").unwrap(), m);

    // v4's currency order and the hook address
    assert!(c.token0 < c.token1, "token0 is v4's currency0");
    assert_eq!(
        u16::from_be_bytes([c.manager[18], c.manager[19]]) & 0x3fff,
        0,
        "the hook's permission bits are zero"
    );
    let key = m.pool_key();
    assert_eq!(
        (
            key.currency0,
            key.currency1,
            key.fee.to::<u32>(),
            key.tickSpacing.as_i32(),
            key.hooks
        ),
        (c.token0, c.token1, 0x80_0000, 60, c.manager)
    );
    assert_eq!(m.pool.id, pool_id(&key));

    let vault = IVault::new(c.vault, &provider);
    // `contracts()` read raw: IVault.sol declares seven addresses (ops
    // last) while the vault returns six (no ops), so the generated decoder
    // overruns; the six it returns must be the wiring, and ops if present
    let raw = provider
        .call(
            TransactionRequest::default()
                .with_to(c.vault)
                .with_input(IVault::contractsCall {}.abi_encode()),
        )
        .await
        .unwrap();
    let words: Vec<Address> = raw
        .chunks(32)
        .map(|w| Address::from_word(B256::from_slice(w)))
        .collect();
    let mut want = vec![
        c.token0,
        c.token1,
        c.pool_manager,
        c.hedge,
        c.oracle,
        c.engine,
    ];
    if words.len() > 6 {
        want.push(c.vault_ops);
    }
    assert_eq!(words, want);
    let pool = vault.pool().call().await.unwrap();
    let (lower, upper) = il_math::v4::full_range_ticks(60).unwrap();
    assert_eq!(
        (
            pool.tickSpacing,
            pool.hooks,
            pool.tickLower.as_i32(),
            pool.tickUpper.as_i32()
        ),
        (60, c.manager, lower, upper)
    );
    let manager = IManager::new(c.manager, &provider);
    let mk = manager.poolKey().call().await.unwrap();
    assert_eq!(
        (mk.currency0, mk.currency1, mk.hooks, mk.poolManager),
        (c.token0, c.token1, c.manager, c.pool_manager)
    );
    let cfg = manager.config().call().await.unwrap();
    assert_eq!((cfg.vault, cfg.keeper), (c.vault, keeper));
    assert_eq!(manager.owner().call().await.unwrap(), owner.address);

    // the pool: at the oracle's price, the lowest tier's fee, the seed's
    // full-range liquidity
    let slot0 = ops::slot0(&provider, &m).await.unwrap();
    assert_eq!(slot0.sqrt_price_x96, config.sqrt_price().unwrap());
    assert_eq!(slot0.lp_fee, INITIAL_FEE_PIPS, "manager.applyFee ran");
    assert_eq!(slot0.protocol_fee, 0);
    let state = il_math::vault::PoolState {
        sqrt_price: slot0.sqrt_price_x96,
        tick_lower: lower,
        tick_upper: upper,
    };
    let e18 = U256::from(10u64).pow(U256::from(18));
    let seeded = il_math::vault::liquidity_for(
        &state,
        U256::from(100u64) * e18,
        U256::from(185_025_000_000u64),
    )
    .unwrap();
    assert_eq!(
        U256::from(ops::pool_liquidity(&provider, &m).await.unwrap()),
        seeded,
        "100 tWETH + 185,025 tUSDC over the full range"
    );
    let (need0, need1) = il_math::vault::add_amounts(&state, seeded).unwrap();
    let t0 = IToken::new(c.token0, &provider);
    let t1 = IToken::new(c.token1, &provider);
    assert_eq!(t0.balanceOf(c.pool_manager).call().await.unwrap(), need0);
    assert_eq!(t1.balanceOf(c.pool_manager).call().await.unwrap(), need1);
    assert!(need0 <= U256::from(100u64) * e18 && need0 > U256::from(99u64) * e18);
    let lens = ILens::new(c.lens, &provider);
    let position = lens.position().call().await.unwrap();
    assert_eq!(position.lpFee, U256::from(INITIAL_FEE_PIPS));
    assert_eq!(position.sqrtPriceX96, slot0.sqrt_price_x96);
    assert_eq!(position.liquidity, U256::ZERO, "no deposit yet");
    let price = lens.price().call().await.unwrap();
    // spot is the oracle's price rounded down to a sqrt price: under one
    // bps off (the lens rounds the deviation up)
    assert!(
        price.deviationBps <= U256::from(1),
        "{}",
        price.deviationBps
    );

    let hedge = IHedge::new(c.hedge, &provider);
    assert_eq!(
        hedge.house().call().await.unwrap().into_raw(),
        U256::from(1_000_000_000_000u64)
    );
    assert_eq!(
        IOracle::new(c.oracle, &provider)
            .latestAnswer()
            .call()
            .await
            .unwrap()
            .into_raw(),
        U256::from(ANSWER)
    );
    assert_eq!(t0.symbol().call().await.unwrap(), "tWETH");
    assert_eq!(t1.decimals().call().await.unwrap(), 6);

    // the deployer is no longer the vault's controller
    let Err(err) = vault
        .configure(owner.address, U256::ZERO, true)
        .call()
        .await
    else {
        panic!("the deployer must no longer control the vault");
    };
    let data = err.as_revert_data().expect("revert data");
    assert_eq!(
        il_deploy::bindings::decode_revert(&data).as_deref(),
        Some(&*format!(
            "VaultNotController {{ account: {:?} }}",
            owner.address
        ))
    );

    // the wallet helpers work on it: a deposit, then a trade to a new
    // oracle price through the PoolManager, both ways
    let mut owner_tx = Sender::new(&provider, owner.address);
    ops::mint_test_tokens(
        &mut owner_tx,
        &m,
        owner.address,
        U256::from(1_000u64) * e18,
        U256::from(5_000_000_000_000u64),
    )
    .await
    .unwrap();
    let d = ops::deposit(
        &mut owner_tx,
        &m,
        U256::from(2u64) * e18,
        U256::from(3_700_500_000u64),
        U256::from(1),
    )
    .await
    .unwrap();
    assert!(d.shares > U256::ZERO);
    for (answer, down) in [(ANSWER * 9 / 10, true), (ANSWER, false)] {
        ops::set_oracle(&mut owner_tx, &m, I256::try_from(answer).unwrap())
            .await
            .unwrap();
        let s = ops::arbitrage_to_oracle(&mut owner_tx, &provider, &m, 1)
            .await
            .unwrap()
            .expect("a 10 % move calls for a trade");
        assert_eq!(s.zero_for_one, down);
        assert_eq!(s.fee_pips, INITIAL_FEE_PIPS);
        let target = ops::oracle_sqrt_price(&provider, &m).await.unwrap();
        assert_eq!(
            s.sqrt_price_x96, target,
            "full-range liquidity only: the swap ends at the oracle's price"
        );
        assert_eq!(
            ops::slot0(&provider, &m).await.unwrap().sqrt_price_x96,
            target
        );
    }
    // nothing left to do
    assert_eq!(
        ops::arbitrage_to_oracle(&mut owner_tx, &provider, &m, 1)
            .await
            .unwrap(),
        None
    );
    chain.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_deployment_by_the_same_account_gets_its_own_addresses() {
    let chain = Devnet::spawn(Config {
        port: 0,
        ..Default::default()
    })
    .await
    .expect("devnet");
    let owner = &chain.dev_accounts()[0];
    let signer = PrivateKeySigner::from_bytes(&owner.private_key).expect("key");
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(chain.url().parse().unwrap());
    let mut config = SystemConfig::test_tokens(Address::repeat_byte(7), U256::from(ANSWER));
    config.seed = None;
    let a = deploy_system(&provider, owner.address, &artifacts(), &config, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let b = deploy_system(&provider, owner.address, &artifacts(), &config, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(a.contracts.token1, b.contracts.token1);
    assert_ne!(a.pool.id, b.pool.id);
    for m in [&a, &b] {
        assert!(m.contracts.token0 < m.contracts.token1);
        let s = ops::slot0(&provider, m).await.unwrap();
        assert_eq!(s.lp_fee, INITIAL_FEE_PIPS);
        assert_eq!(
            ops::pool_liquidity(&provider, m).await.unwrap(),
            0,
            "no seed"
        );
    }
    chain.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unfunded_deployer_is_refused_before_sending() {
    let chain = Devnet::spawn(Config {
        port: 0,
        ..Default::default()
    })
    .await
    .expect("devnet");
    let signer = PrivateKeySigner::random();
    let who = signer.address();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(chain.url().parse().unwrap());
    let config = SystemConfig::test_tokens(Address::repeat_byte(7), U256::from(ANSWER));
    let err = deploy_system(&provider, who, &artifacts(), &config, |_| {})
        .await
        .expect_err("unfunded");
    assert!(
        matches!(err, DeployError::InsufficientFunds { deployer, .. } if deployer == who),
        "{err}"
    );
    assert_eq!(
        provider.get_transaction_count(who).await.unwrap(),
        0,
        "nothing was sent"
    );
    chain.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_constructor_is_named_and_nothing_is_sent() {
    let chain = Devnet::spawn(Config {
        port: 0,
        ..Default::default()
    })
    .await
    .expect("devnet");
    let owner = &chain.dev_accounts()[0];
    let signer = PrivateKeySigner::from_bytes(&owner.private_key).expect("key");
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(chain.url().parse().unwrap());
    let mut config = SystemConfig::test_tokens(Address::repeat_byte(7), U256::from(ANSWER));
    config.token0.name = "x".repeat(40);
    let err = deploy_system(&provider, owner.address, &artifacts(), &config, |_| {})
        .await
        .expect_err("long name");
    let text = err.to_string();
    assert!(
        text.starts_with(
            "deploy token0 tWETH: reverted ContractInitializationError(constructor of 0x"
        ),
        "{text}"
    );
    assert!(text.contains("TokenInvalidMetadata"), "{text}");
    assert_eq!(
        provider.get_transaction_count(owner.address).await.unwrap(),
        0,
        "nothing was sent"
    );
    chain.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_arbitrum_sepolia_the_canonical_pool_manager_must_exist_before_anything_is_sent() {
    // a local chain that says it is Arbitrum Sepolia: the deployer looks for
    // the canonical PoolManager instead of deploying one, finds no code
    // there and stops before the first transaction
    let chain = Devnet::spawn(Config {
        port: 0,
        chain: il_devnet::ChainConfig {
            chain_id: il_deploy::deploy::ARBITRUM_SEPOLIA,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .expect("devnet");
    let owner = &chain.dev_accounts()[0];
    let signer = PrivateKeySigner::from_bytes(&owner.private_key).expect("key");
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(chain.url().parse().unwrap());
    let config = SystemConfig::test_tokens(Address::repeat_byte(7), U256::from(ANSWER));
    let err = deploy_system(&provider, owner.address, &artifacts(), &config, |_| {})
        .await
        .expect_err("no PoolManager");
    let pm = canonical_v4(421_614).unwrap().pool_manager;
    assert!(
        matches!(err, DeployError::NoPoolManager { chain_id: 421_614, address } if address == pm),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "chain 421614 has no code at its canonical Uniswap v4 PoolManager {pm} (https://docs.uniswap.org/contracts/v4/deployments)"
        )
    );
    assert_eq!(
        provider.get_transaction_count(owner.address).await.unwrap(),
        0,
        "nothing was sent"
    );
    chain.shutdown().await.unwrap();
}
