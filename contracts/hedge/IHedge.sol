// SPDX-License-Identifier: MIT OR Apache-2.0
// Generated from the contract's sol! interface by `scripts/export-abi.sh`
// (`cargo run --features export-abi`). Do not edit: regenerate.
pragma solidity ^0.8.23;

interface IHedge {
    error AlreadyInitialized();
    error BadCalldata();
    error HedgeIncompleteRound(uint256 roundId, uint256 answeredInRound);
    error HedgeInsufficientCollateral(uint256 available, uint256 needed);
    error HedgeInsufficientLiquidity(uint256 available, uint256 needed);
    error HedgeInsufficientMargin(int256 equity, uint256 required);
    error HedgeInvalidFraction(uint256 fractionWad);
    error HedgeInvalidParameter();
    error HedgeInvalidPrice(int256 answer);
    error HedgeMathError(uint8 code);
    error HedgeNoPendingParams();
    error HedgeNotLiquidatable(int256 equity, uint256 maintenance);
    error HedgeNothingToTransfer();
    error HedgeOpenInterestCap(uint256 openInterest, uint256 cap);
    error HedgeOppositePosition(int256 receiverSize, int256 movedSize);
    error HedgeOracleUnavailable(address oracle);
    error HedgeParamsNotReady(uint256 eta, uint256 now);
    error HedgeSelfTransfer();
    error HedgeStalePrice(uint256 updatedAt, uint256 now);
    error HedgeTransferFailed(address token);
    error HedgeTransferNotApproved(address from, address to);
    error HedgeZeroAddress();
    error HedgeZeroAmount();
    error NotPayable();
    error OwnableInvalidOwner(address owner);
    error OwnableUnauthorizedAccount(address account);
    error ReentrantCall();
    error UnknownSelector(bytes4 selector);

    event BadDebt(address indexed account, uint256 amount);
    event Defunded(address indexed to, uint256 amount);
    event Deposited(address indexed account, uint256 amount);
    event Exited(address indexed account, address indexed to, uint256 fractionWad, uint256 paid);
    event Funded(address indexed from, uint256 amount);
    event Liquidated(address indexed account, address indexed liquidator, int256 size, uint256 priceNum, uint256 priceDen, int256 realizedPnl, uint256 penalty);
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event ParamsCancelled(uint64 eta);
    event ParamsQueued(uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge, uint32 spreadPips, uint32 impactPips, uint16 coverBps, uint64 eta);
    event ParamsUpdated(uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge, uint32 spreadPips, uint32 impactPips, uint16 coverBps);
    event PositionSenderSet(address indexed account, address indexed sender);
    event PositionTransferred(address indexed from, address indexed to, uint256 fractionWad, int256 size, uint256 collateral, int256 entry);
    event Traded(address indexed account, int256 sizeDelta, int256 newSize, uint256 priceNum, uint256 priceDen, uint256 fee, int256 realizedPnl);
    event Withdrawn(address indexed account, address indexed to, uint256 amount);

    function acceptOwnership() external;
    function applyParams() external;
    function cancelParams() external;
    function collateralToken() external view returns (address);
    function defund(uint256 amount, address to) external;
    function deposit(uint256 amount) external;
    function equityOf(address account) external view returns (int256 equity);
    function exit(uint256 fractionWad, address to) external returns (uint256 paid);
    function fund(uint256 amount) external;
    function house() external view returns (int256);
    function liquidate(address account) external returns (uint256 penalty);
    function marginOf(address account) external view returns (uint256 initial, uint256 maintenance);
    function markPrice() external view returns (uint256 num, uint256 den, uint256 updatedAt);
    function oracle() external view returns (address);
    function owner() external view returns (address);
    function params() external view returns (uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge, uint32 spreadPips, uint32 impactPips, uint16 coverBps);
    function pendingOwner() external view returns (address);
    function pendingParams() external view returns (uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge, uint32 spreadPips, uint32 impactPips, uint16 coverBps, uint64 eta);
    function positionOf(address account) external view returns (int256 size, uint256 collateral, int256 entryNotional);
    function positionSenderOf(address account) external view returns (address);
    function queueParams(uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge, uint32 spreadPips, uint32 impactPips, uint16 coverBps) external;
    function setPositionSender(address sender) external;
    function trade(int256 sizeDelta) external returns (int256 newSize);
    function transferOwnership(address newOwner) external;
    function transferPosition(uint256 fractionWad, address to) external;
    function withdraw(uint256 amount, address to) external;
}