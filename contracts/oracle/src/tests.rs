use alloy_primitives::{Address, I256, U256, address};
use alloy_sol_types::SolEvent;
use stylus_sdk::testing::TestVM;

use super::*;

const OWNER: Address = address!("0x00000000000000000000000000000000000000a1");
const UPDATER: Address = address!("0x00000000000000000000000000000000000000c3");
const STRANGER: Address = address!("0x00000000000000000000000000000000000000d4");
const DEPLOYER: Address = address!("0xcEcba2F1DC234f70Dd89F2041029807F8D03A990");
const T0: u64 = 1_700_000_000;
/// $3000 and $2900 with 8 decimals.
const P3000: i64 = 300_000_000_000;
const P2900: i64 = 290_000_000_000;

fn int(v: i64) -> I256 {
    I256::try_from(v).unwrap()
}

fn deploy() -> (TestVM, Oracle) {
    let vm = TestVM::new();
    vm.set_block_timestamp(T0);
    vm.set_sender(DEPLOYER);
    let mut oracle = Oracle::from(&vm);
    oracle
        .constructor(8, "ETH / USD".into(), int(P3000), OWNER)
        .unwrap();
    (vm, oracle)
}

fn logs_of<E: SolEvent>(vm: &TestVM) -> Vec<E> {
    vm.get_emitted_logs()
        .iter()
        .filter(|(t, _)| t.first() == Some(&E::SIGNATURE_HASH))
        .map(|(t, d)| E::decode_raw_log(t.iter().copied(), d).unwrap())
        .collect()
}

fn last<E: SolEvent>(vm: &TestVM) -> E {
    logs_of::<E>(vm).pop().expect("event emitted")
}

fn round(id: u64, answer: I256, at: u64) -> RoundData {
    (
        U256::from(id),
        answer,
        U256::from(at),
        U256::from(at),
        U256::from(id),
    )
}

#[test]
fn constructor_answers_round_one() {
    let (vm, oracle) = deploy();
    assert_eq!(oracle.decimals().unwrap(), 8);
    assert_eq!(oracle.description().unwrap(), "ETH / USD");
    assert_eq!(oracle.version().unwrap(), U256::from(1));
    assert_eq!(oracle.owner().unwrap(), OWNER);
    assert_eq!(oracle.updater().unwrap(), Address::ZERO);
    let expected = round(1, int(P3000), T0);
    assert_eq!(oracle.latest_round_data().unwrap(), expected);
    assert_eq!(oracle.get_round_data(U256::from(1)), Ok(expected));
    assert_eq!(oracle.latest_answer().unwrap(), int(P3000));
    assert_eq!(oracle.latest_timestamp().unwrap(), U256::from(T0));
    assert_eq!(oracle.latest_round().unwrap(), U256::from(1));

    assert_eq!(
        logs_of::<NewRound>(&vm),
        vec![NewRound {
            roundId: U256::from(1),
            startedBy: DEPLOYER,
            startedAt: U256::from(T0)
        }]
    );
    assert_eq!(
        logs_of::<AnswerUpdated>(&vm),
        vec![AnswerUpdated {
            current: int(P3000),
            roundId: U256::from(1),
            updatedAt: U256::from(T0)
        }]
    );
    let transferred: il_common::ownable::OwnershipTransferred = last(&vm);
    assert_eq!(transferred.newOwner, OWNER);
}

#[test]
fn constructor_refuses_a_zero_owner() {
    let vm = TestVM::new();
    let mut oracle = Oracle::from(&vm);
    assert_eq!(
        oracle.constructor(8, "X".into(), int(1), Address::ZERO),
        Err(OracleError::from(OwnableInvalidOwner {
            owner: Address::ZERO
        }))
    );
}

#[test]
fn constructor_refuses_a_description_over_31_bytes() {
    let vm = TestVM::new();
    let mut oracle = Oracle::from(&vm);
    let long = "a description that is 32 bytes!!";
    assert_eq!(long.len(), 32);
    assert_eq!(
        oracle.constructor(8, long.into(), int(1), OWNER),
        Err(OracleError::from(OracleDescriptionTooLong {
            length: U256::from(32)
        }))
    );
}

#[test]
fn constructor_accepts_an_empty_or_31_byte_description() {
    for text in ["", "exactly thirty-one bytes long!!"] {
        let vm = TestVM::new();
        let mut oracle = Oracle::from(&vm);
        oracle.constructor(18, text.into(), int(1), OWNER).unwrap();
        assert_eq!(oracle.description().unwrap(), text);
        assert_eq!(oracle.decimals().unwrap(), 18);
    }
}

#[test]
fn set_answer_opens_a_new_round_at_the_block_time() {
    let (vm, mut oracle) = deploy();
    vm.set_block_timestamp(T0 + 60);
    vm.set_sender(OWNER);
    oracle.set_answer(int(P2900)).unwrap();
    let expected = round(2, int(P2900), T0 + 60);
    assert_eq!(oracle.latest_round_data().unwrap(), expected);
    assert_eq!(oracle.get_round_data(U256::from(2)), Ok(expected));
    // earlier rounds stay readable, unchanged
    assert_eq!(
        oracle.get_round_data(U256::from(1)),
        Ok(round(1, int(P3000), T0))
    );
    assert_eq!(oracle.latest_round().unwrap(), U256::from(2));
    assert_eq!(oracle.latest_timestamp().unwrap(), U256::from(T0 + 60));

    assert_eq!(
        last::<NewRound>(&vm),
        NewRound {
            roundId: U256::from(2),
            startedBy: OWNER,
            startedAt: U256::from(T0 + 60)
        }
    );
    assert_eq!(
        last::<AnswerUpdated>(&vm),
        AnswerUpdated {
            current: int(P2900),
            roundId: U256::from(2),
            updatedAt: U256::from(T0 + 60)
        }
    );
}

#[test]
fn set_answer_accepts_zero_negative_and_extreme_answers() {
    let (vm, mut oracle) = deploy();
    vm.set_sender(OWNER);
    for (i, answer) in [I256::ZERO, int(-1), I256::MIN, I256::MAX]
        .into_iter()
        .enumerate()
    {
        oracle.set_answer(answer).unwrap();
        assert_eq!(oracle.latest_answer().unwrap(), answer);
        assert_eq!(oracle.latest_round().unwrap(), U256::from(i + 2));
        assert_eq!(last::<AnswerUpdated>(&vm).current, answer);
    }
}

#[test]
fn get_round_data_refuses_round_zero_and_future_rounds() {
    let (_vm, oracle) = deploy();
    for id in [U256::ZERO, U256::from(2), U256::MAX] {
        assert_eq!(
            oracle.get_round_data(id),
            Err(OracleError::from(OracleNoRound { roundId: id }))
        );
    }
}

#[test]
fn updater_may_set_answers_once_appointed() {
    let (vm, mut oracle) = deploy();
    vm.set_sender(UPDATER);
    assert_eq!(
        oracle.set_answer(int(1)),
        Err(OracleError::from(OracleUnauthorized { account: UPDATER }))
    );
    vm.set_sender(OWNER);
    oracle.set_updater(UPDATER).unwrap();
    assert_eq!(oracle.updater().unwrap(), UPDATER);
    assert_eq!(
        last::<UpdaterChanged>(&vm),
        UpdaterChanged {
            previous: Address::ZERO,
            next: UPDATER
        }
    );

    vm.set_sender(UPDATER);
    oracle.set_answer(int(7)).unwrap();
    assert_eq!(oracle.latest_answer().unwrap(), int(7));
    assert_eq!(last::<NewRound>(&vm).startedBy, UPDATER);

    // revoking: the zero address leaves only the owner
    vm.set_sender(OWNER);
    oracle.set_updater(Address::ZERO).unwrap();
    assert_eq!(
        last::<UpdaterChanged>(&vm),
        UpdaterChanged {
            previous: UPDATER,
            next: Address::ZERO
        }
    );
    vm.set_sender(UPDATER);
    assert_eq!(
        oracle.set_answer(int(8)),
        Err(OracleError::from(OracleUnauthorized { account: UPDATER }))
    );
}

#[test]
fn zero_updater_does_not_authorise_the_zero_sender() {
    // With no updater the stored address is zero; a call with sender zero
    // (an `eth_call` without `from`) must still be refused.
    let (vm, mut oracle) = deploy();
    vm.set_sender(Address::ZERO);
    assert_eq!(
        oracle.set_answer(int(5)),
        Err(OracleError::from(OracleUnauthorized {
            account: Address::ZERO
        }))
    );
}

#[test]
fn access_matrix_for_privileged_functions() {
    // (caller, may setAnswer, may setUpdater)
    let cases = [
        (OWNER, true, true),
        (UPDATER, true, false),
        (STRANGER, false, false),
    ];
    for (caller, may_answer, may_appoint) in cases {
        let (vm, mut oracle) = deploy();
        vm.set_sender(OWNER);
        oracle.set_updater(UPDATER).unwrap();
        vm.set_sender(caller);
        let answered = oracle.set_answer(int(42));
        if may_answer {
            assert_eq!(answered, Ok(()), "{caller}");
        } else {
            assert_eq!(
                answered,
                Err(OracleError::from(OracleUnauthorized { account: caller })),
                "{caller}"
            );
        }
        let appointed = oracle.set_updater(STRANGER);
        if may_appoint {
            assert_eq!(appointed, Ok(()), "{caller}");
        } else {
            assert_eq!(
                appointed,
                Err(OracleError::from(OwnableUnauthorizedAccount {
                    account: caller
                })),
                "{caller}"
            );
        }
        let transfer = oracle.transfer_ownership(STRANGER);
        if caller == OWNER {
            assert_eq!(transfer, Ok(()));
        } else {
            assert_eq!(
                transfer,
                Err(OracleError::from(OwnableUnauthorizedAccount {
                    account: caller
                }))
            );
        }
    }
}

#[test]
fn ownership_moves_in_two_steps_and_carries_the_answer_right() {
    let (vm, mut oracle) = deploy();
    vm.set_sender(OWNER);
    oracle.transfer_ownership(STRANGER).unwrap();
    assert_eq!(oracle.pending_owner().unwrap(), STRANGER);
    vm.set_sender(STRANGER);
    oracle.accept_ownership().unwrap();
    assert_eq!(oracle.owner().unwrap(), STRANGER);
    oracle.set_answer(int(9)).unwrap();
    vm.set_sender(OWNER);
    assert_eq!(
        oracle.set_answer(int(10)),
        Err(OracleError::from(OracleUnauthorized { account: OWNER }))
    );
}

#[test]
fn compact_error_encoding_matches_alloy() {
    fn check<E: alloy_sol_types::SolError + Clone>(e: E)
    where
        OracleError: From<E>,
    {
        assert_eq!(OracleError::from(e.clone()), OracleError::standard(&e));
    }
    check(OracleUnauthorized { account: STRANGER });
    check(OracleNoRound { roundId: U256::MAX });
    check(OracleDescriptionTooLong {
        length: U256::from(32),
    });
    check(OwnableUnauthorizedAccount { account: STRANGER });
    check(OwnableInvalidOwner {
        owner: Address::ZERO,
    });
}

/// Every routed function through the router, with alloy's encoding of
/// `IOracle`/`IOwnable` (a wrong selector, argument order or return
/// encoding fails here).
mod abi_calls {
    use alloy_sol_types::{SolCall, SolError};
    use il_common::{
        ownable::IOwnable,
        router::{AlreadyInitialized, CONSTRUCTOR_SELECTOR, NotPayable},
    };
    use stylus_sdk::host::VM;

    use super::*;

    alloy_sol_types::sol! {
        /// The constructor's arguments (the Stylus constructor selector
        /// replaces this function's).
        function init(uint8 decimals, string description, int256 initialAnswer, address owner);
    }

    fn raw(vm: &TestVM, sender: Address, input: Vec<u8>) -> Result<Vec<u8>, Vec<u8>> {
        vm.set_sender(sender);
        route(
            input,
            VM {
                host: Box::new(vm.clone()),
            },
        )
    }

    fn call<C: SolCall>(vm: &TestVM, sender: Address, call: C) -> Result<C::Return, Vec<u8>> {
        raw(vm, sender, call.abi_encode())
            .map(|out| C::abi_decode_returns(&out).expect("return decodes"))
    }

    #[test]
    fn every_function_answers_through_the_router() {
        let vm = TestVM::new();
        vm.set_block_timestamp(T0);
        let mut input = CONSTRUCTOR_SELECTOR.to_vec();
        let args = initCall {
            decimals: 8,
            description: "ETH / USD".into(),
            initialAnswer: int(-5),
            owner: OWNER,
        };
        input.extend(&args.abi_encode()[4..]);
        assert_eq!(raw(&vm, DEPLOYER, input.clone()), Ok(Vec::new()));
        assert_eq!(
            raw(&vm, DEPLOYER, input),
            Err(AlreadyInitialized {}.abi_encode())
        );

        assert_eq!(call(&vm, STRANGER, IOracle::decimalsCall {}), Ok(8));
        assert_eq!(
            call(&vm, STRANGER, IOracle::descriptionCall {}),
            Ok("ETH / USD".into())
        );
        assert_eq!(
            call(&vm, STRANGER, IOracle::versionCall {}),
            Ok(U256::from(VERSION))
        );
        assert_eq!(
            call(&vm, STRANGER, IOracle::latestAnswerCall {}),
            Ok(int(-5))
        );
        assert_eq!(call(&vm, STRANGER, IOwnable::ownerCall {}), Ok(OWNER));

        call(&vm, OWNER, IOracle::setUpdaterCall { updater: UPDATER }).unwrap();
        assert_eq!(call(&vm, STRANGER, IOracle::updaterCall {}), Ok(UPDATER));
        vm.set_block_timestamp(T0 + 30);
        call(&vm, UPDATER, IOracle::setAnswerCall { answer: int(1_234) }).unwrap();
        assert_eq!(
            call(&vm, STRANGER, IOracle::setAnswerCall { answer: int(1) }).err(),
            Some(OracleUnauthorized { account: STRANGER }.abi_encode())
        );

        let latest = call(&vm, STRANGER, IOracle::latestRoundDataCall {}).unwrap();
        assert_eq!(latest.roundId.to::<u64>(), 2);
        assert_eq!(latest.answer, int(1_234));
        assert_eq!(
            (latest.startedAt, latest.updatedAt),
            (U256::from(T0 + 30), U256::from(T0 + 30))
        );
        assert_eq!(latest.answeredInRound.to::<u64>(), 2);
        let first = call(
            &vm,
            STRANGER,
            IOracle::getRoundDataCall {
                roundId: alloy_primitives::Uint::from(1),
            },
        )
        .unwrap();
        assert_eq!(
            (first.roundId.to::<u64>(), first.answer, first.updatedAt),
            (1, int(-5), U256::from(T0))
        );
        assert_eq!(
            call(
                &vm,
                STRANGER,
                IOracle::getRoundDataCall {
                    roundId: alloy_primitives::Uint::from(3)
                }
            )
            .err(),
            Some(
                OracleNoRound {
                    roundId: U256::from(3)
                }
                .abi_encode()
            )
        );
        assert_eq!(
            call(&vm, STRANGER, IOracle::latestRoundCall {}),
            Ok(U256::from(2))
        );
        assert_eq!(
            call(&vm, STRANGER, IOracle::latestTimestampCall {}),
            Ok(U256::from(T0 + 30))
        );

        call(
            &vm,
            OWNER,
            IOwnable::transferOwnershipCall { newOwner: STRANGER },
        )
        .unwrap();
        assert_eq!(
            call(&vm, OWNER, IOwnable::pendingOwnerCall {}),
            Ok(STRANGER)
        );
        call(&vm, STRANGER, IOwnable::acceptOwnershipCall {}).unwrap();
        assert_eq!(call(&vm, OWNER, IOwnable::ownerCall {}), Ok(STRANGER));

        vm.set_value(U256::from(1));
        assert_eq!(
            call(&vm, STRANGER, IOracle::decimalsCall {}),
            Err(NotPayable {}.abi_encode())
        );
    }
}
