//! Tests of the components through a contract that uses all of them, the way
//! the product's contracts do.

use alloc::vec::Vec;

use alloy_primitives::{Address, U256, address};
use alloy_sol_types::{SolEvent, sol};
use stylus_sdk::{prelude::*, testing::TestVM};

use crate::{
    erc20::{self, Approval, Erc20, Erc20Metadata, Transfer},
    ownable::{self, Ownable2Step, OwnershipTransferStarted, OwnershipTransferred},
    pausable::{self, EnforcedPause, ExpectedPause, Pausable},
    short_string,
};

sol! {
    #[derive(Debug, PartialEq, Eq)]
    error SampleHookRefused(address from);
}

#[derive(SolidityError, Debug, PartialEq)]
pub enum SampleError {
    InsufficientBalance(erc20::ERC20InsufficientBalance),
    InvalidSender(erc20::ERC20InvalidSender),
    InvalidReceiver(erc20::ERC20InvalidReceiver),
    InsufficientAllowance(erc20::ERC20InsufficientAllowance),
    InvalidApprover(erc20::ERC20InvalidApprover),
    InvalidSpender(erc20::ERC20InvalidSpender),
    SupplyOverflow(erc20::ERC20SupplyOverflow),
    Unauthorized(ownable::OwnableUnauthorizedAccount),
    InvalidOwner(ownable::OwnableInvalidOwner),
    EnforcedPause(pausable::EnforcedPause),
    ExpectedPause(pausable::ExpectedPause),
    HookRefused(SampleHookRefused),
}

#[storage]
pub struct Sample {
    token: Erc20,
    ownable: Ownable2Step,
    pausable: Pausable,
    refused: stylus_sdk::storage::StorageAddress,
}

impl Erc20Metadata for Sample {
    fn erc20_name(&self) -> alloc::string::String {
        "Sample".into()
    }
    fn erc20_symbol(&self) -> alloc::string::String {
        "SMP".into()
    }
    fn erc20_decimals(&self) -> u8 {
        6
    }
}

impl Sample {
    fn mint(&mut self, to: Address, value: U256) -> Result<(), SampleError> {
        self.ownable.only_owner::<SampleError>()?;
        self.pausable.when_not_paused::<SampleError>()?;
        self.token.mint(to, value)
    }

    fn pause(&mut self) -> Result<(), SampleError> {
        self.ownable.only_owner::<SampleError>()?;
        self.pausable.pause()
    }

    fn unpause(&mut self) -> Result<(), SampleError> {
        self.ownable.only_owner::<SampleError>()?;
        self.pausable.unpause()
    }
}

impl Sample {
    fn before_transfer(
        &mut self,
        from: Address,
        _to: Address,
        _value: U256,
    ) -> Result<(), SampleError> {
        if from == self.refused.get() {
            return Err(SampleHookRefused { from }.into());
        }
        Ok(())
    }
}

crate::erc20_methods!(
    Sample,
    token,
    SampleError,
    before_transfer = before_transfer
);
crate::ownable_methods!(Sample, ownable, SampleError);

const OWNER: Address = address!("0x00000000000000000000000000000000000000a1");
const ALICE: Address = address!("0x00000000000000000000000000000000000000b2");
const BOB: Address = address!("0x00000000000000000000000000000000000000c3");

fn setup() -> (TestVM, Sample) {
    let vm = TestVM::new();
    let mut sample = Sample::from(&vm);
    vm.set_sender(OWNER);
    sample.ownable.init::<SampleError>(OWNER).unwrap();
    sample
        .refused
        .set(address!("0x00000000000000000000000000000000000000ff"));
    (vm, sample)
}

fn last_log<E: SolEvent>(vm: &TestVM) -> E {
    let logs = vm.get_emitted_logs();
    let (topics, data) = logs.last().expect("a log");
    E::decode_raw_log(topics.iter().copied(), data).expect("decodes as the expected event")
}

fn logs_of<E: SolEvent>(vm: &TestVM) -> Vec<E> {
    vm.get_emitted_logs()
        .iter()
        .filter(|(topics, _)| topics.first() == Some(&E::SIGNATURE_HASH))
        .map(|(topics, data)| E::decode_raw_log(topics.iter().copied(), data).unwrap())
        .collect()
}

#[test]
fn metadata_is_what_init_set() {
    let (_vm, sample) = setup();
    assert_eq!(sample.name().unwrap(), "Sample");
    assert_eq!(sample.symbol().unwrap(), "SMP");
    assert_eq!(sample.decimals().unwrap(), 6);
}

#[test]
fn short_string_round_trips_up_to_31_bytes_and_refuses_longer() {
    assert_eq!(short_string::decode(U256::ZERO), "");
    for text in ["Wrapped Ether", "é€", &"x".repeat(31)] {
        assert_eq!(
            short_string::decode(short_string::encode(text).unwrap()),
            text
        );
    }
    assert_eq!(short_string::encode(&"y".repeat(32)), None);
}

#[test]
fn mint_credits_balance_and_supply_and_logs_transfer_from_zero() {
    let (vm, mut sample) = setup();
    sample.mint(ALICE, U256::from(500)).unwrap();
    assert_eq!(sample.balance_of(ALICE).unwrap(), U256::from(500));
    assert_eq!(sample.total_supply().unwrap(), U256::from(500));
    let log: Transfer = last_log(&vm);
    assert_eq!(
        (log.from, log.to, log.value),
        (Address::ZERO, ALICE, U256::from(500))
    );
}

#[test]
fn transfer_moves_balance_and_refuses_more_than_held() {
    let (vm, mut sample) = setup();
    sample.mint(ALICE, U256::from(100)).unwrap();
    vm.set_sender(ALICE);
    assert_eq!(sample.transfer(BOB, U256::from(40)), Ok(true));
    assert_eq!(sample.balance_of(ALICE).unwrap(), U256::from(60));
    assert_eq!(sample.balance_of(BOB).unwrap(), U256::from(40));
    assert_eq!(sample.total_supply().unwrap(), U256::from(100));
    assert_eq!(
        sample.transfer(BOB, U256::from(61)),
        Err(SampleError::InsufficientBalance(
            erc20::ERC20InsufficientBalance {
                sender: ALICE,
                balance: U256::from(60),
                needed: U256::from(61),
            }
        ))
    );
    assert_eq!(
        sample.transfer(Address::ZERO, U256::from(1)),
        Err(SampleError::InvalidReceiver(erc20::ERC20InvalidReceiver {
            receiver: Address::ZERO
        }))
    );
}

#[test]
fn transfer_from_spends_allowance_but_not_an_infinite_one() {
    let (vm, mut sample) = setup();
    sample.mint(ALICE, U256::from(100)).unwrap();
    vm.set_sender(ALICE);
    assert_eq!(sample.approve(BOB, U256::from(30)), Ok(true));
    let approval: Approval = last_log(&vm);
    assert_eq!(
        (approval.owner, approval.spender, approval.value),
        (ALICE, BOB, U256::from(30))
    );

    vm.set_sender(BOB);
    assert_eq!(sample.transfer_from(ALICE, BOB, U256::from(20)), Ok(true));
    assert_eq!(sample.allowance(ALICE, BOB).unwrap(), U256::from(10));
    assert_eq!(
        sample.transfer_from(ALICE, BOB, U256::from(11)),
        Err(SampleError::InsufficientAllowance(
            erc20::ERC20InsufficientAllowance {
                spender: BOB,
                allowance: U256::from(10),
                needed: U256::from(11),
            }
        ))
    );

    vm.set_sender(ALICE);
    sample.approve(BOB, U256::MAX).unwrap();
    vm.set_sender(BOB);
    sample.transfer_from(ALICE, BOB, U256::from(50)).unwrap();
    assert_eq!(sample.allowance(ALICE, BOB).unwrap(), U256::MAX);
    assert_eq!(sample.balance_of(BOB).unwrap(), U256::from(70));
}

#[test]
fn approve_refuses_the_zero_spender() {
    let (vm, mut sample) = setup();
    vm.set_sender(ALICE);
    assert_eq!(
        sample.approve(Address::ZERO, U256::from(1)),
        Err(SampleError::InvalidSpender(erc20::ERC20InvalidSpender {
            spender: Address::ZERO
        }))
    );
}

#[test]
fn transfer_hook_runs_first_and_can_refuse() {
    let (vm, mut sample) = setup();
    let refused = address!("0x00000000000000000000000000000000000000ff");
    sample.mint(refused, U256::from(5)).unwrap();
    vm.set_sender(refused);
    assert_eq!(
        sample.transfer(BOB, U256::from(1)),
        Err(SampleError::HookRefused(SampleHookRefused {
            from: refused
        }))
    );
    assert_eq!(sample.balance_of(refused).unwrap(), U256::from(5));
}

#[test]
fn mint_refuses_supply_overflow() {
    let (_vm, mut sample) = setup();
    sample.mint(ALICE, U256::MAX).unwrap();
    assert_eq!(
        sample.mint(BOB, U256::from(1)),
        Err(SampleError::SupplyOverflow(erc20::ERC20SupplyOverflow {
            supply: U256::MAX,
            amount: U256::from(1),
        }))
    );
}

#[test]
fn burn_and_locked_mint_keep_supply_equal_to_sum_of_balances() {
    let (vm, mut sample) = setup();
    sample
        .token
        .mint_locked::<SampleError>(U256::from(1000))
        .unwrap();
    let locked: Transfer = last_log(&vm);
    assert_eq!((locked.from, locked.to), (Address::ZERO, Address::ZERO));
    sample.mint(ALICE, U256::from(10)).unwrap();
    sample
        .token
        .burn::<SampleError>(ALICE, U256::from(4))
        .unwrap();
    assert_eq!(sample.balance_of(Address::ZERO).unwrap(), U256::from(1000));
    assert_eq!(sample.total_supply().unwrap(), U256::from(1006));
    // Locked tokens cannot be moved: the zero address is not a valid sender.
    assert_eq!(
        sample
            .token
            .transfer::<SampleError>(Address::ZERO, ALICE, U256::from(1)),
        Err(SampleError::InvalidSender(erc20::ERC20InvalidSender {
            sender: Address::ZERO
        }))
    );
}

#[test]
fn only_owner_guards_and_ownership_moves_in_two_steps() {
    let (vm, mut sample) = setup();
    vm.set_sender(ALICE);
    assert_eq!(
        sample.mint(ALICE, U256::from(1)),
        Err(SampleError::Unauthorized(
            ownable::OwnableUnauthorizedAccount { account: ALICE }
        ))
    );
    assert_eq!(
        sample.transfer_ownership(ALICE),
        Err(SampleError::Unauthorized(
            ownable::OwnableUnauthorizedAccount { account: ALICE }
        ))
    );

    vm.set_sender(OWNER);
    sample.transfer_ownership(ALICE).unwrap();
    let started: OwnershipTransferStarted = last_log(&vm);
    assert_eq!((started.previousOwner, started.newOwner), (OWNER, ALICE));
    assert_eq!(
        sample.owner().unwrap(),
        OWNER,
        "nothing changes before acceptance"
    );
    assert_eq!(sample.pending_owner().unwrap(), ALICE);

    vm.set_sender(BOB);
    assert_eq!(
        sample.accept_ownership(),
        Err(SampleError::Unauthorized(
            ownable::OwnableUnauthorizedAccount { account: BOB }
        ))
    );
    vm.set_sender(ALICE);
    sample.accept_ownership().unwrap();
    let transferred: OwnershipTransferred = last_log(&vm);
    assert_eq!(
        (transferred.previousOwner, transferred.newOwner),
        (OWNER, ALICE)
    );
    assert_eq!(sample.owner().unwrap(), ALICE);
    assert_eq!(sample.pending_owner().unwrap(), Address::ZERO);
    sample.mint(BOB, U256::from(1)).unwrap();
}

#[test]
fn init_refuses_the_zero_owner() {
    let vm = TestVM::new();
    let mut sample = Sample::from(&vm);
    assert_eq!(
        sample.ownable.init::<SampleError>(Address::ZERO),
        Err(SampleError::InvalidOwner(ownable::OwnableInvalidOwner {
            owner: Address::ZERO
        }))
    );
}

#[test]
fn pause_blocks_guarded_calls_until_unpaused() {
    let (vm, mut sample) = setup();
    assert_eq!(
        sample.unpause(),
        Err(SampleError::ExpectedPause(ExpectedPause {}))
    );
    sample.pause().unwrap();
    assert_eq!(logs_of::<pausable::Paused>(&vm).len(), 1);
    assert!(sample.pausable.paused());
    assert_eq!(
        sample.pause(),
        Err(SampleError::EnforcedPause(EnforcedPause {}))
    );
    assert_eq!(
        sample.mint(ALICE, U256::from(1)),
        Err(SampleError::EnforcedPause(EnforcedPause {}))
    );
    sample.unpause().unwrap();
    assert_eq!(logs_of::<pausable::Unpaused>(&vm).len(), 1);
    sample.mint(ALICE, U256::from(1)).unwrap();
}
