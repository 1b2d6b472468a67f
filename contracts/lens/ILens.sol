// SPDX-License-Identifier: MIT OR Apache-2.0
// Generated from the contract's sol! interface by `scripts/export-abi.sh`
// (`cargo run --features export-abi`). Do not edit: regenerate.
pragma solidity ^0.8.23;

interface ILens {
    error AlreadyInitialized();
    error BadCalldata();
    error LensCallFailed(address target, bytes reason);
    error LensInvalidAddress(address account);
    error LensInvalidPrice(int256 answer);
    error NotPayable();
    error ReentrantCall();
    error UnknownSelector(bytes4 selector);

    function accountOf(address account) external view returns (uint256 shares, uint256 value, uint256 hold, int256 pnl, int256 il, int256 fees, int256 hedgePnl);
    function accounting() external view returns (uint256 value, uint256 hold, int256 pnl, int256 il, int256 fees, int256 hedgePnl);
    function contracts() external view returns (address vault, address token0, address token1, address poolManager, address venue, address oracle, address engine, address planner);
    function position() external view returns (uint256 sqrtPriceX96, int256 tick, uint256 lpFee, uint256 liquidity, uint256 fees0, uint256 fees1);
    function previewDeposit(uint256 amount0Max, uint256 amount1Max) external view returns (uint256 shares, uint256 amount0, uint256 amount1);
    function price() external view returns (uint256 num, uint256 den, uint256 updatedAt, uint256 deviationBps);
}