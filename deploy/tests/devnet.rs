//! The deployer against the local Stylus chain, executing the release wasm
//! (run `scripts/build-contracts.sh` first).

use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use il_deploy::{
    bindings::{IHedge, ILens, IManager, IOracle, IPool, IToken, IVault},
    deploy::{Artifacts, DeployError, SystemConfig, deploy_system},
};
use il_devnet::{Config, Devnet};

/// $1,850.25 with 8 decimals.
const ANSWER: u64 = 185_025_000_000;

fn artifacts() -> Artifacts {
    Artifacts::load(None).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploys_and_wires_the_whole_system() {
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
    assert_eq!(m.keeper, keeper);
    assert!(m.block > 0);
    assert!(steps.iter().any(|s| s.starts_with("vault at")), "{steps:?}");
    let c = m.contracts;
    let all = [
        c.token0, c.token1, c.oracle, c.pool, c.hedge, c.engine, c.vault, c.manager, c.lens,
    ];
    for (i, a) in all.iter().enumerate() {
        assert!(
            !provider.get_code_at(*a).await.unwrap().is_empty(),
            "contract {i} has code"
        );
        assert!(
            all.iter().filter(|b| *b == a).count() == 1,
            "addresses are distinct"
        );
    }

    let vault = IVault::new(c.vault, &provider);
    let wiring = vault.contracts().call().await.unwrap();
    assert_eq!(
        (
            wiring.token0,
            wiring.token1,
            wiring.pool,
            wiring.venue,
            wiring.oracle,
            wiring.engine
        ),
        (c.token0, c.token1, c.pool, c.hedge, c.oracle, c.engine)
    );
    let pool = IPool::new(c.pool, &provider);
    assert_eq!(pool.feeManager().call().await.unwrap(), c.manager);
    assert_eq!(pool.fee().call().await.unwrap(), 500);
    let reserves = pool.getReserves().call().await.unwrap();
    assert_eq!(
        U256::from(reserves.reserve0),
        U256::from(100u64) * U256::from(10u64).pow(U256::from(18))
    );
    assert_eq!(
        U256::from(reserves.reserve1),
        U256::from(185_025_000_000u64),
        "100 tWETH at $1,850.25 = 185,025 tUSDC (6 decimals)"
    );
    let manager = IManager::new(c.manager, &provider);
    let cfg = manager.config().call().await.unwrap();
    assert_eq!((cfg.vault, cfg.keeper), (c.vault, keeper));
    assert_eq!(manager.owner().call().await.unwrap(), owner.address);
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
    assert_eq!(
        IToken::new(c.token0, &provider)
            .symbol()
            .call()
            .await
            .unwrap(),
        "tWETH"
    );
    assert_eq!(
        IToken::new(c.token1, &provider)
            .decimals()
            .call()
            .await
            .unwrap(),
        6
    );
    let price = ILens::new(c.lens, &provider).price().call().await.unwrap();
    // spot equals the oracle: no deviation
    assert_eq!(price.deviationBps, U256::ZERO);

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
