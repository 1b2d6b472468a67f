// SPDX-License-Identifier: MIT OR Apache-2.0
// Generated from the contract's sol! interface by `scripts/export-abi.sh`
// (`cargo run --features export-abi`). Do not edit: regenerate.
pragma solidity ^0.8.23;

interface IOracle {
    error AlreadyInitialized();
    error BadCalldata();
    error NotPayable();
    error OracleDescriptionTooLong(uint256 length);
    error OracleNoRound(uint256 roundId);
    error OracleUnauthorized(address account);
    error OwnableInvalidOwner(address owner);
    error OwnableUnauthorizedAccount(address account);
    error ReentrantCall();
    error UnknownSelector(bytes4 selector);

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event UpdaterChanged(address indexed previous, address indexed next);

    function acceptOwnership() external;
    function decimals() external view returns (uint8);
    function description() external view returns (string memory);
    function getRoundData(uint80 roundId) external view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
    function latestAnswer() external view returns (int256);
    function latestRound() external view returns (uint256);
    function latestRoundData() external view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
    function latestTimestamp() external view returns (uint256);
    function owner() external view returns (address);
    function pendingOwner() external view returns (address);
    function setAnswer(int256 answer) external;
    function setUpdater(address updater) external;
    function transferOwnership(address newOwner) external;
    function updater() external view returns (address);
    function version() external view returns (uint256);
}