//! Settable price feed with Chainlink's `AggregatorV3Interface` shape, for
//! local chains and testnets: the hedge venue and the vault read it through
//! `latestRoundData`/`decimals` exactly as they would read a Chainlink feed,
//! so on Arbitrum Sepolia a real feed can replace it without code changes.
//!
//! Every `setAnswer` opens and answers one new round at the block timestamp
//! (`startedAt == updatedAt`, `answeredInRound == roundId`). Rounds are
//! numbered from 1 (the constructor's initial answer) and every round stays
//! readable with `getRoundData`.
//!
//! Any `int256` is accepted as an answer, zero and negative included: this
//! feed is a test instrument, and consumers must be testable against the
//! answers a real feed can give. Validation (positive, fresh) is the
//! consumer's job, as with Chainlink.
//!
//! Roles: the owner (two-step transfer, il-common) and one `updater` set by
//! the owner (zero: none). Both may call `setAnswer`.
//!
//! Not a production oracle: on mainnet the system reads a real feed.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;

use alloc::string::String;

use alloy_primitives::{Address, I256, U256};
use alloy_sol_types::{SolEvent, sol};
use il_common::{
    Ownable2Step,
    lean::{Word, emit},
    ownable::{IOwnable, OwnableInvalidOwner, OwnableUnauthorizedAccount},
    short_string, slots,
};
use stylus_sdk::prelude::*;

/// What `version()` answers: the first (and only) version of this feed's
/// code. Chainlink consumers read it for information only.
pub const VERSION: u64 = 1;

sol! {
    /// The feed's functions, events and errors (ownership is `il_common`'s
    /// `IOwnable`): Chainlink's `AggregatorV3Interface`, the v2
    /// `AggregatorInterface` getters and events, and the setters. The
    /// constructor (Stylus `stylus_constructor`) takes `(uint8 decimals,
    /// string description, int256 initialAnswer, address owner)`.
    #[sol(abi)]
    interface IOracle {
        /// Decimals of every answer.
        function decimals() external view returns (uint8);
        /// What the feed prices, e.g. "ETH / USD".
        function description() external view returns (string);
        /// Version of the feed's code.
        function version() external view returns (uint256);
        /// Round `roundId`: (roundId, answer, startedAt, updatedAt, answeredInRound).
        function getRoundData(uint80 roundId) external view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
        /// The latest round, as `getRoundData`.
        function latestRoundData() external view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
        /// The latest answer.
        function latestAnswer() external view returns (int256);
        /// Unix seconds of the latest answer.
        function latestTimestamp() external view returns (uint256);
        /// Id of the latest round.
        function latestRound() external view returns (uint256);
        /// Owner or updater: answers a new round at the block timestamp.
        function setAnswer(int256 answer) external;
        /// Owner only: sets the updater (zero: none).
        function setUpdater(address updater) external;
        /// The account allowed to call `setAnswer` besides the owner.
        function updater() external view returns (address);

        /// Round `roundId` was answered with `current` at `updatedAt` (unix seconds).
        #[derive(Debug, PartialEq, Eq)]
        event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
        /// Round `roundId` was opened by `startedBy` at `startedAt` (unix seconds).
        #[derive(Debug, PartialEq, Eq)]
        event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);
        /// The owner replaced the updater `previous` with `next` (zero: none).
        #[derive(Debug, PartialEq, Eq)]
        event UpdaterChanged(address indexed previous, address indexed next);

        /// `account` is neither the owner nor the updater.
        #[derive(Debug, PartialEq, Eq)]
        error OracleUnauthorized(address account);
        /// Round `roundId` does not exist (0, or after the latest round). The id
        /// is the `uint80` asked for, widened (il-common encodes errors from
        /// 256-bit words).
        #[derive(Debug, PartialEq, Eq)]
        error OracleNoRound(uint256 roundId);
        /// The description is `length` bytes long; at most 31 are stored.
        #[derive(Debug, PartialEq, Eq)]
        error OracleDescriptionTooLong(uint256 length);
    }
}

pub use IOracle::{
    AnswerUpdated, NewRound, OracleDescriptionTooLong, OracleNoRound, OracleUnauthorized,
    UpdaterChanged,
};

il_common::solidity_errors! {
    /// Every way a call can fail, as named Solidity errors.
    pub enum OracleError {
        Unauthorized(OracleUnauthorized { account }),
        NoRound(OracleNoRound { roundId }),
        DescriptionTooLong(OracleDescriptionTooLong { length }),
        OwnableUnauthorized(OwnableUnauthorizedAccount { account }),
        InvalidOwner(OwnableInvalidOwner { owner }),
    }
}

/// Words at `CONFIG`: the updater (an address), decimals, description (a
/// short string), the latest round id (>= 1 once constructed).
const CONFIG: U256 = slots::base(b"il.oracle.config");
const UPDATER: usize = 0;
const DECIMALS: usize = 1;
const DESCRIPTION: usize = 2;
const LATEST: usize = 3;
/// Map base of the rounds: round `id` is 2 words at `keccak(id . ROUNDS)`:
/// its answer (two's complement) and its timestamp (unix seconds; a round
/// is opened and answered in one call, so this is both `startedAt` and
/// `updatedAt`).
const ROUNDS: U256 = slots::base(b"il.oracle.rounds");

/// The feed's storage: ownership, then the words above in hashed slots
/// (see `il_common::slots`).
#[storage]
pub struct Oracle {
    ownable: Ownable2Step,
}

/// `(roundId, answer, startedAt, updatedAt, answeredInRound)`, as Chainlink's
/// `latestRoundData`/`getRoundData` return it (the round ids are `uint80`
/// in the ABI, always `< 2^80`).
pub type RoundData = (U256, I256, U256, U256, U256);

impl Oracle {
    /// Sets decimals, description and owner, and answers round 1 with
    /// `initial_answer` at the block timestamp.
    ///
    /// `decimals` is the number of decimals of every answer (any `u8`;
    /// consumers validate the range they support). `description` is at most
    /// 31 bytes (e.g. `"ETH / USD"`), possibly empty.
    ///
    /// # Errors
    /// `OracleDescriptionTooLong` for a description over 31 bytes,
    /// `OwnableInvalidOwner` for a zero owner.
    ///
    /// # Events
    /// `OwnershipTransferred(0, owner)`, `NewRound(1, deployer, now)`,
    /// `AnswerUpdated(initial_answer, 1, now)` (`deployer` is the constructor's
    /// `msg.sender`: the StylusDeployer when deployed through it).
    pub fn constructor(
        &mut self,
        decimals: u8,
        description: String,
        initial_answer: I256,
        owner: Address,
    ) -> Result<(), OracleError> {
        let Some(text) = short_string::encode(&description) else {
            return Err(OracleDescriptionTooLong {
                length: U256::from(description.len()),
            }
            .into());
        };
        let at = CONFIG.wrapping_add(U256::from(DECIMALS));
        slots::store(self.vm(), at, &[U256::from(decimals), text]);
        self.ownable.init::<OracleError>(owner)?;
        self.open_round(initial_answer);
        Ok(())
    }

    /// Owner or updater: answers a new round with `answer` (any value, zero
    /// and negative included) at the block timestamp. The round id is the
    /// previous one plus 1.
    ///
    /// # Errors
    /// `OracleUnauthorized(caller)` for any other caller.
    ///
    /// # Events
    /// `NewRound(roundId, caller, now)`, `AnswerUpdated(answer, roundId, now)`.
    pub fn set_answer(&mut self, answer: I256) -> Result<(), OracleError> {
        let caller = self.vm().msg_sender();
        let updater = self.updater_address();
        // a zero updater means "none": it must not admit a zero sender (an
        // `eth_call` without `from` runs with sender zero).
        let is_updater = !updater.is_zero() && caller == updater;
        if caller != self.ownable.owner() && !is_updater {
            return Err(OracleUnauthorized { account: caller }.into());
        }
        self.open_round(answer);
        Ok(())
    }

    /// Owner only: makes `updater` the account allowed to call `setAnswer`
    /// besides the owner (the zero address: nobody besides the owner).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount(caller)` for any caller but the owner.
    ///
    /// # Events
    /// `UpdaterChanged(previous, updater)`.
    pub fn set_updater(&mut self, updater: Address) -> Result<(), OracleError> {
        self.ownable.only_owner::<OracleError>()?;
        let previous = self.updater_address();
        slots::set(self.vm(), CONFIG, slots::from_address(updater));
        emit(
            self.vm(),
            &[
                UpdaterChanged::SIGNATURE_HASH,
                previous.to_word(),
                updater.to_word(),
            ],
            &[],
        );
        Ok(())
    }

    /// The account allowed to call `setAnswer` besides the owner (zero: none).
    pub fn updater(&self) -> Result<Address, OracleError> {
        Ok(self.updater_address())
    }

    /// Decimals of every answer: an answer `a` stands for `a / 10^decimals`.
    pub fn decimals(&self) -> Result<u8, OracleError> {
        Ok(self.config()[DECIMALS].saturating_to::<u8>())
    }

    /// What the feed prices, e.g. `"ETH / USD"` (at most 31 bytes).
    pub fn description(&self) -> Result<String, OracleError> {
        Ok(short_string::decode(self.config()[DESCRIPTION]))
    }

    /// Version of the feed's code ([`VERSION`]).
    pub fn version(&self) -> Result<U256, OracleError> {
        Ok(U256::from(VERSION))
    }

    /// The latest round: `(roundId, answer, startedAt, updatedAt,
    /// answeredInRound)`, timestamps in unix seconds, `startedAt ==
    /// updatedAt`, `answeredInRound == roundId`. Never fails: round 1 exists
    /// from construction.
    pub fn latest_round_data(&self) -> Result<RoundData, OracleError> {
        Ok(self.round_data(self.latest_id()))
    }

    /// Round `round_id` (a `uint80` in the ABI), in the shape of
    /// [`Self::latest_round_data`].
    ///
    /// # Errors
    /// `OracleNoRound(round_id)` for round 0 or a round after the latest
    /// (including ids that do not fit a `uint80`).
    pub fn get_round_data(&self, round_id: U256) -> Result<RoundData, OracleError> {
        if round_id.is_zero() || round_id > self.latest_id() {
            return Err(OracleNoRound { roundId: round_id }.into());
        }
        Ok(self.round_data(round_id))
    }

    /// The latest answer (Chainlink's v2 `AggregatorInterface`).
    pub fn latest_answer(&self) -> Result<I256, OracleError> {
        Ok(self.round_data(self.latest_id()).1)
    }

    /// Unix seconds of the latest answer (Chainlink's v2 `AggregatorInterface`).
    pub fn latest_timestamp(&self) -> Result<U256, OracleError> {
        Ok(self.round_data(self.latest_id()).3)
    }

    /// Id of the latest round (Chainlink's v2 `AggregatorInterface`).
    pub fn latest_round(&self) -> Result<U256, OracleError> {
        Ok(self.latest_id())
    }
}

impl Oracle {
    fn config(&self) -> [U256; 4] {
        let mut w = [U256::ZERO; 4];
        slots::load(self.vm(), CONFIG, &mut w);
        w
    }

    fn updater_address(&self) -> Address {
        slots::to_address(self.config()[UPDATER])
    }

    fn latest_id(&self) -> U256 {
        self.config()[LATEST]
    }

    /// Opens round `latest + 1` answered with `answer` now; logs as Chainlink
    /// does. The caller's authority is checked by the public function.
    fn open_round(&mut self, answer: I256) {
        // cannot overflow: one round per transaction; 2^80 (the uint80 of
        // the interface) transactions will never be executed on any chain.
        let id = self.latest_id().wrapping_add(U256::from(1u8));
        let now = U256::from(self.vm().block_timestamp());
        let round = slots::keyed(self.vm(), id.to_word(), ROUNDS);
        slots::store(self.vm(), round, &[answer.into_raw(), now]);
        slots::set(self.vm(), CONFIG.wrapping_add(U256::from(LATEST)), id);
        let sender = self.vm().msg_sender();
        emit(
            self.vm(),
            &[NewRound::SIGNATURE_HASH, id.to_word(), sender.to_word()],
            &[now.to_word()],
        );
        emit(
            self.vm(),
            &[
                AnswerUpdated::SIGNATURE_HASH,
                answer.to_word(),
                id.to_word(),
            ],
            &[now.to_word()],
        );
    }

    /// Round `id`, known to exist (1 <= id <= latest < 2^80).
    fn round_data(&self, id: U256) -> RoundData {
        let mut w = [U256::ZERO; 2];
        let round = slots::keyed(self.vm(), id.to_word(), ROUNDS);
        slots::load(self.vm(), round, &mut w);
        (id, slots::to_signed(w[0]), w[1], w[1], id)
    }
}

il_common::ownable_methods!(Oracle, ownable, OracleError);

il_common::lean_router! {
    Oracle, OracleError;
    constructor(decimals: u8, description: String, initial_answer: I256, owner: Address);
    IOracle::decimalsCall => decimals();
    IOracle::descriptionCall => description();
    IOracle::versionCall => version();
    IOracle::getRoundDataCall => get_round_data(round_id: U256);
    IOracle::latestRoundDataCall => latest_round_data();
    IOracle::latestAnswerCall => latest_answer();
    IOracle::latestTimestampCall => latest_timestamp();
    IOracle::latestRoundCall => latest_round();
    IOracle::setAnswerCall => set_answer(answer: I256);
    IOracle::setUpdaterCall => set_updater(updater: Address);
    IOracle::updaterCall => updater();
    IOwnable::ownerCall => owner();
    IOwnable::pendingOwnerCall => pending_owner();
    IOwnable::transferOwnershipCall => transfer_ownership(new_owner: Address);
    IOwnable::acceptOwnershipCall => accept_ownership();
}

/// The Solidity interface of the contract, as committed in `IOracle.sol`.
#[cfg(feature = "export-abi")]
pub fn interface() -> String {
    il_common::abi::render(
        "Oracle",
        &[
            IOracle::abi::contract(),
            IOwnable::abi::contract(),
            il_common::router::RouterErrors::abi::contract(),
        ],
    )
}

#[cfg(test)]
mod tests;
