// SPDX-License-Identifier: MIT OR Apache-2.0
// Generated from the contract's sol! interface by `scripts/export-abi.sh`
// (`cargo run --features export-abi`). Do not edit: regenerate.
pragma solidity ^0.8.23;

interface IEngine {
    error AlreadyInitialized();
    error BadCalldata();
    error EngineMath(uint8 code);
    error NotPayable();
    error ReentrantCall();
    error UnknownSelector(bytes4 selector);

    function checkpoint(uint256[] memory args) external view returns (uint256[] memory);
    function deposit(uint256[] memory args) external view returns (uint256[] memory);
    function settleVenue(uint256[] memory args) external view returns (uint256[] memory);
    function transfer(uint256[] memory args) external view returns (uint256[] memory);
    function withdraw(uint256[] memory args) external view returns (uint256[] memory);
}