// SPDX-License-Identifier: MIT OR Apache-2.0
// Generated from the contract's sol! interface by `scripts/export-abi.sh`
// (`cargo run --features export-abi`). Do not edit: regenerate.
pragma solidity ^0.8.23;

interface IVault {
    error AlreadyInitialized();
    error BadCalldata();
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
    error ERC20InvalidApprover(address approver);
    error ERC20InvalidReceiver(address receiver);
    error ERC20InvalidSender(address sender);
    error ERC20InvalidSpender(address spender);
    error ERC20SupplyOverflow(uint256 supply, uint256 amount);
    error NotPayable();
    error ReentrantCall();
    error UnknownSelector(bytes4 selector);
    error VaultCallFailed(address target, bytes reason);
    error VaultControllerNotReady(uint64 readyAt);
    error VaultDepositCap(uint256 total1, uint256 cap);
    error VaultEngineOutput(uint256 length);
    error VaultExceedsBalance(uint256 balance, uint256 requested);
    error VaultInsufficientIdle(uint256 needed, uint256 available);
    error VaultInsufficientShares(uint256 shares, uint256 minShares);
    error VaultInvalidAddress(address account);
    error VaultInvalidPool();
    error VaultInvalidRange(int256 tickLower, int256 tickUpper);
    error VaultLocked(uint64 unlockAt);
    error VaultMath(uint8 code);
    error VaultNotController(address account);
    error VaultPaused();
    error VaultPoolAlreadySet();
    error VaultPoolEmpty();
    error VaultSlippage(uint256 amount0, uint256 amount1, uint256 min0, uint256 min1);
    error VaultUnexpectedCallback(address caller);
    error VaultZeroAmount();

    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Configured(address indexed controller, uint256 depositCap, bool paused);
    event ControllerProposed(address indexed controller, uint64 readyAt);
    event Deposit(address indexed sender, address indexed receiver, uint256 amount0, uint256 amount1, uint256 shares);
    event FeesCollected(uint256 amount0, uint256 amount1);
    event HedgeAdjusted(uint256 funded, int256 sizeDelta, int256 newSize, uint256 paid);
    event HedgeTransferred(address indexed receiver, uint256 fractionWad);
    event LiquidityMoved(int256 liquidityDelta, uint256 amount0, uint256 amount1);
    event PoolSet(address indexed hooks, int256 tickLower, int256 tickUpper);
    event Reranged(int256 fromLower, int256 fromUpper, int256 toLower, int256 toUpper, uint256 burned, uint256 minted);
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Withdraw(address indexed owner, address indexed receiver, uint256 amount0, uint256 amount1, uint256 shares, uint256 hedgePaid);

    function adjustHedge(uint256 fund, int256 sizeDelta, bool close) external returns (int256 newSize, uint256 paid);
    function allowance(address owner, address spender) external view returns (uint256);
    function approve(address spender, uint256 value) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
    function configure(address controller, uint256 depositCap, bool paused) external;
    function contracts() external view returns (address token0, address token1, address poolManager, address venue, address oracle, address engine, address ops);
    function decimals() external view returns (uint8);
    function deposit(uint256 amount0Max, uint256 amount1Max, uint256 minShares, address receiver) external returns (uint256 shares, uint256 amount0, uint256 amount1);
    function holder(address account) external view returns (uint256[] memory words);
    function lockOf(address account) external view returns (uint256 shares, uint64 unlockAt);
    function moveLiquidity(int256 liquidityDelta) external returns (uint256 amount0, uint256 amount1);
    function name() external view returns (string memory);
    function pendingController() external view returns (address controller, uint64 readyAt);
    function pool() external view returns (uint32 tickSpacing, address hooks, int256 tickLower, int256 tickUpper);
    function rerange(int256 tickLower, int256 tickUpper) external returns (uint256 amount0Out, uint256 amount1Out, uint256 liquidity, uint256 amount0In, uint256 amount1In);
    function setPool(address hooks) external;
    function state() external view returns (uint256[] memory words);
    function symbol() external view returns (string memory);
    function totalSupply() external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function unlockCallback(bytes memory data) external returns (bytes memory);
    function withdraw(uint256 shares, uint256 amount0Min, uint256 amount1Min, address receiver) external returns (uint256 amount0, uint256 amount1);
}