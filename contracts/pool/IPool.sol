// SPDX-License-Identifier: MIT OR Apache-2.0
// Generated from the contract's sol! interface by `scripts/export-abi.sh`
// (`cargo run --features export-abi`). Do not edit: regenerate.
pragma solidity ^0.8.23;

interface IPool {
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
    error OwnableInvalidOwner(address owner);
    error OwnableUnauthorizedAccount(address account);
    error PoolBalanceFailed(address token);
    error PoolExpired(uint256 deadline, uint256 now);
    error PoolFeeTooHigh(uint32 fee, uint32 maximum);
    error PoolIdenticalTokens(address token);
    error PoolInsufficientInputAmount();
    error PoolInsufficientLiquidity();
    error PoolInsufficientLiquidityBurned();
    error PoolInsufficientLiquidityMinted();
    error PoolInsufficientOutputAmount();
    error PoolInvalidTo(address to);
    error PoolK();
    error PoolMathError(uint8 code);
    error PoolNotFeeManager(address account);
    error PoolOverflow();
    error PoolSlippage(uint256 amount, uint256 minimum);
    error PoolTransferFailed(address token);
    error PoolZeroAddress();
    error ReentrantCall();
    error UnknownSelector(bytes4 selector);

    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to);
    event FeeManagerChanged(address indexed previous, address indexed next);
    event FeeTierChanged(uint32 previousFee, uint32 newFee);
    event Mint(address indexed sender, uint256 amount0, uint256 amount1);
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to);
    event Sync(uint112 reserve0, uint112 reserve1);
    event Transfer(address indexed from, address indexed to, uint256 value);

    function MINIMUM_LIQUIDITY() external view returns (uint256);
    function acceptOwnership() external;
    function addLiquidity(uint256 amount0Desired, uint256 amount1Desired, uint256 amount0Min, uint256 amount1Min, address to, uint256 deadline) external returns (uint256 amount0, uint256 amount1, uint256 liquidity);
    function allowance(address owner, address spender) external view returns (uint256);
    function approve(address spender, uint256 value) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
    function burn(address to) external returns (uint256 amount0, uint256 amount1);
    function decimals() external view returns (uint8);
    function fee() external view returns (uint32);
    function feeManager() external view returns (address);
    function getAmountOut(bool zeroForOne, uint256 amountIn) external view returns (uint256);
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
    function maxFee() external view returns (uint32);
    function mint(address to) external returns (uint256 liquidity);
    function name() external view returns (string memory);
    function owner() external view returns (address);
    function pendingOwner() external view returns (address);
    function price0CumulativeLast() external view returns (uint256);
    function price1CumulativeLast() external view returns (uint256);
    function removeLiquidity(uint256 liquidity, uint256 amount0Min, uint256 amount1Min, address to, uint256 deadline) external returns (uint256 amount0, uint256 amount1);
    function setFeeManager(address manager) external;
    function setFeeTier(uint32 feePips) external;
    function skim(address to) external;
    function swap(uint256 amount0Out, uint256 amount1Out, address to) external;
    function swapExactIn(bool zeroForOne, uint256 amountIn, uint256 minAmountOut, address to, uint256 deadline) external returns (uint256 amountOut);
    function symbol() external view returns (string memory);
    function sync() external;
    function token0() external view returns (address);
    function token1() external view returns (address);
    function totalSupply() external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function transferOwnership(address newOwner) external;
}