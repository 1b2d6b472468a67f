// SPDX-License-Identifier: MIT OR Apache-2.0
// Generated from the contract's sol! interface by `scripts/export-abi.sh`
// (`cargo run --features export-abi`). Do not edit: regenerate.
pragma solidity ^0.8.23;

interface IManager {
    error AlreadyInitialized();
    error BadCalldata();
    error ManagerCallFailed(address target, bytes reason);
    error ManagerCooldown(uint64 availableAt);
    error ManagerHookAddress(address hook);
    error ManagerIncompleteRound(uint256 roundId, uint256 answeredInRound);
    error ManagerInvalidAddress(address account);
    error ManagerInvalidParameter(uint8 index);
    error ManagerInvalidRangeRule();
    error ManagerInvalidTarget(uint16 targetBps, uint16 currentBps);
    error ManagerInvalidTiers();
    error ManagerMath(uint8 code);
    error ManagerNotKeeper(address account);
    error ManagerNothingToDo();
    error ManagerPaused();
    error ManagerPriceDeviation(uint256 deviationBps, uint256 maxBps);
    error ManagerSlippage(uint256 amount0, uint256 amount1);
    error ManagerStalePrice(uint256 updatedAt, uint256 now);
    error ManagerVolatilityOutOfRange(uint256 sigma);
    error NotPayable();
    error OwnableInvalidOwner(address owner);
    error OwnableUnauthorizedAccount(address account);
    error ReentrantCall();
    error UnknownSelector(bytes4 selector);

    event FeeApplied(uint8 tier, uint32 feePips);
    event Hedged(int256 previousSize, int256 newSize, int256 target, uint256 collateralAdded, bool closed);
    event KeeperChanged(address indexed previous, address indexed next);
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event ParamsUpdated(uint64 maxPriceAge, uint16 maxDeviationBps, uint16 maxSlippageBps, uint16 minLpBps, uint16 maxStepBps, uint64 rebalanceCooldown, uint16 hedgeRatioBps, uint256 maxHedgeStep, uint16 collateralBps, uint64 hedgeCooldown);
    event RangeRuleUpdated(uint32 kBps, uint64 horizonSecs, uint32 minWidth, uint32 maxWidth);
    event Rebalanced(uint16 fromBps, uint16 toBps, uint256 amount0, uint256 amount1, int256 liquidityDelta);
    event TiersUpdated(uint256 count, uint256 hysteresis);
    event VolatilityUpdated(uint256 sigma, uint8 tier, uint32 feePips, bool changed);

    function acceptOwnership() external;
    function applyFee() external returns (uint32 feePips);
    function checkSpot() external view returns (uint256 num, uint256 den, uint256 deviationBps);
    function closeHedge() external;
    function config() external view returns (address vault, address keeper, uint8 tierIndex, uint256 sigma, uint64 sigmaUpdatedAt, uint64 lastRebalance, uint64 lastHedge, uint64 lastTierChange, uint8 rebalanceDirection, uint8 hedgeDirection);
    function configureVault(address controller, uint256 depositCap, bool paused) external;
    function hedge() external returns (int256 newSize);
    function owner() external view returns (address);
    function params() external view returns (uint64 maxPriceAge, uint16 maxDeviationBps, uint16 maxSlippageBps, uint16 minLpBps, uint16 maxStepBps, uint64 rebalanceCooldown, uint16 hedgeRatioBps, uint256 maxHedgeStep, uint16 collateralBps, uint64 hedgeCooldown);
    function pendingOwner() external view returns (address);
    function poolKey() external view returns (address currency0, address currency1, uint24 fee, int24 tickSpacing, address hooks, address poolManager);
    function rangeRule() external view returns (uint32 kBps, uint64 horizonSecs, uint32 minWidth, uint32 maxWidth, uint64 lastRerange);
    function rebalance(uint16 targetBps, uint256 amount0Min, uint256 amount1Min) external returns (int256 liquidityDelta);
    function rerange() external returns (int256 tickLower, int256 tickUpper, uint256 liquidity);
    function setKeeper(address keeper) external;
    function setParams(uint64 maxPriceAge, uint16 maxDeviationBps, uint16 maxSlippageBps, uint16 minLpBps, uint16 maxStepBps, uint64 rebalanceCooldown, uint16 hedgeRatioBps, uint256 maxHedgeStep, uint16 collateralBps, uint64 hedgeCooldown) external;
    function setRangeRule(uint32 kBps, uint64 horizonSecs, uint32 minWidth, uint32 maxWidth) external;
    function setTiers(uint256[] memory minSigmas, uint32[] memory feesPips, uint256 hysteresis) external;
    function tiers() external view returns (uint256[] memory words);
    function transferOwnership(address newOwner) external;
    function updateVolatility(uint256 sigma) external returns (uint8 tier, uint32 feePips);
}