// SPDX-License-Identifier: MIT OR Apache-2.0
// Generated from the contract's sol! interface by `scripts/export-abi.sh`
// (`cargo run --features export-abi`). Do not edit: regenerate.
pragma solidity ^0.8.23;

interface IPlanner {
    error AlreadyInitialized();
    error BadCalldata();
    error NotPayable();
    error PlannerMath(uint8 code);
    error ReentrantCall();
    error UnknownSelector(bytes4 selector);

    function accountOf(uint256[] memory args) external view returns (uint256[] memory);
    function accounting(uint256[] memory args) external view returns (uint256[] memory);
    function feesOwed(uint256[] memory args) external view returns (uint256[] memory);
    function hedgePlan(uint256[] memory args) external view returns (uint256[] memory);
    function price(uint256[] memory args) external view returns (uint256[] memory);
    function rangePlan(uint256[] memory args) external view returns (uint256[] memory);
    function rebalancePlan(uint256[] memory args) external view returns (uint256[] memory);
    function slippageOk(uint256[] memory args) external view returns (uint256[] memory);
}