use alloy_primitives::{Address, U256, address};
use alloy_sol_types::SolEvent;
use stylus_sdk::testing::TestVM;

use super::*;

const OWNER: Address = address!("0x00000000000000000000000000000000000000a1");
const ALICE: Address = address!("0x00000000000000000000000000000000000000b2");
const DAY: u64 = 86_400;

fn deploy(faucet: u64) -> (TestVM, Token) {
    let vm = TestVM::new();
    vm.set_block_timestamp(1_700_000_000);
    let mut token = Token::from(&vm);
    token
        .constructor(
            "Test USD".into(),
            "tUSD".into(),
            6,
            OWNER,
            U256::from(faucet),
            DAY,
        )
        .unwrap();
    (vm, token)
}

fn last<E: SolEvent>(vm: &TestVM) -> E {
    let logs = vm.get_emitted_logs();
    let (topics, data) = logs
        .iter()
        .rev()
        .find(|(t, _)| t.first() == Some(&E::SIGNATURE_HASH))
        .expect("event emitted");
    E::decode_raw_log(topics.iter().copied(), data).unwrap()
}

#[test]
fn constructor_sets_metadata_owner_and_faucet() {
    let (vm, token) = deploy(1_000_000_000);
    assert_eq!(token.name().unwrap(), "Test USD");
    assert_eq!(token.symbol().unwrap(), "tUSD");
    assert_eq!(token.decimals().unwrap(), 6);
    assert_eq!(token.owner().unwrap(), OWNER);
    assert_eq!(token.faucet_amount().unwrap(), U256::from(1_000_000_000u64));
    assert_eq!(token.faucet_cooldown().unwrap(), DAY);
    let updated: FaucetUpdated = last(&vm);
    assert_eq!(
        updated,
        FaucetUpdated {
            amount: U256::from(1_000_000_000u64),
            cooldown: DAY
        }
    );
}

#[test]
fn constructor_refuses_a_zero_owner() {
    let vm = TestVM::new();
    let mut token = Token::from(&vm);
    let err = token
        .constructor("T".into(), "T".into(), 18, Address::ZERO, U256::ZERO, 0)
        .unwrap_err();
    assert_eq!(
        err,
        TokenError::from(OwnableInvalidOwner {
            owner: Address::ZERO
        })
    );
}

#[test]
fn constructor_refuses_empty_or_long_metadata() {
    for (name, symbol) in [
        ("", "T"),
        ("T", ""),
        ("a name that is longer than 31 by", "T"),
    ] {
        let vm = TestVM::new();
        let mut token = Token::from(&vm);
        assert_eq!(
            token.constructor(name.into(), symbol.into(), 18, OWNER, U256::ZERO, 0),
            Err(TokenError::from(TokenInvalidMetadata {})),
            "{name:?}/{symbol:?}"
        );
    }
}

#[test]
fn owner_mints_and_stranger_cannot() {
    let (vm, mut token) = deploy(0);
    vm.set_sender(OWNER);
    token.mint(ALICE, U256::from(5)).unwrap();
    assert_eq!(token.balance_of(ALICE).unwrap(), U256::from(5));
    vm.set_sender(ALICE);
    assert_eq!(
        token.mint(ALICE, U256::from(5)),
        Err(TokenError::from(OwnableUnauthorizedAccount {
            account: ALICE
        }))
    );
    assert_eq!(
        token.set_faucet(U256::from(1), 1),
        Err(TokenError::from(OwnableUnauthorizedAccount {
            account: ALICE
        }))
    );
}

#[test]
fn faucet_draws_once_per_cooldown() {
    let (vm, mut token) = deploy(100);
    vm.set_sender(ALICE);
    assert_eq!(token.next_faucet_at(ALICE).unwrap(), 0);
    assert_eq!(token.faucet(), Ok(U256::from(100)));
    assert_eq!(token.balance_of(ALICE).unwrap(), U256::from(100));
    let drawn: FaucetDrawn = last(&vm);
    assert_eq!(
        drawn,
        FaucetDrawn {
            account: ALICE,
            amount: U256::from(100)
        }
    );

    let available_at = 1_700_000_000 + DAY;
    assert_eq!(token.next_faucet_at(ALICE).unwrap(), available_at);
    vm.set_block_timestamp(available_at - 1);
    assert_eq!(
        token.faucet(),
        Err(TokenError::from(TokenFaucetCooldown {
            availableAt: available_at
        }))
    );
    vm.set_block_timestamp(available_at);
    assert_eq!(token.faucet(), Ok(U256::from(100)));
    assert_eq!(token.total_supply().unwrap(), U256::from(200));
}

#[test]
fn faucet_off_when_amount_is_zero() {
    let (vm, mut token) = deploy(0);
    vm.set_sender(ALICE);
    assert_eq!(
        token.faucet(),
        Err(TokenError::from(TokenFaucetDisabled {}))
    );
    vm.set_sender(OWNER);
    token.set_faucet(U256::from(7), 60).unwrap();
    vm.set_sender(ALICE);
    assert_eq!(token.faucet(), Ok(U256::from(7)));
}

#[test]
fn transfers_use_the_shared_erc20_core() {
    let (vm, mut token) = deploy(100);
    vm.set_sender(ALICE);
    token.faucet().unwrap();
    assert_eq!(token.transfer(OWNER, U256::from(30)), Ok(true));
    assert_eq!(token.balance_of(OWNER).unwrap(), U256::from(30));
    assert_eq!(
        token.transfer(OWNER, U256::from(71)),
        Err(TokenError::from(ERC20InsufficientBalance {
            sender: ALICE,
            balance: U256::from(70),
            needed: U256::from(71),
        }))
    );
}

#[test]
fn compact_error_encoding_matches_alloy() {
    fn check<E: alloy_sol_types::SolError + Clone>(e: E)
    where
        TokenError: From<E>,
    {
        assert_eq!(TokenError::from(e.clone()), TokenError::standard(&e));
    }
    check(ERC20InsufficientBalance {
        sender: ALICE,
        balance: U256::from(1),
        needed: U256::from(2),
    });
    check(ERC20InvalidSender { sender: ALICE });
    check(ERC20InvalidReceiver { receiver: ALICE });
    check(ERC20InsufficientAllowance {
        spender: ALICE,
        allowance: U256::from(3),
        needed: U256::from(4),
    });
    check(ERC20InvalidApprover { approver: ALICE });
    check(ERC20InvalidSpender { spender: ALICE });
    check(ERC20SupplyOverflow {
        supply: U256::MAX,
        amount: U256::from(1),
    });
    check(OwnableUnauthorizedAccount { account: ALICE });
    check(OwnableInvalidOwner {
        owner: Address::ZERO,
    });
    check(TokenInvalidMetadata {});
    check(TokenFaucetDisabled {});
    check(TokenFaucetCooldown { availableAt: 7 });
}
