// SPDX-License-Identifier: MIT OR Apache-2.0
// Generated from the Rust contract by `scripts/export-abi.sh`
// (stylus-sdk export-abi + event ABIs). Do not edit: regenerate.
pragma solidity ^0.8.23;

interface IToken is IIErc20, IIOwnable {
    function mint(address to, uint256 amount) external;

    function faucet() external returns (uint256);

    function setFaucet(uint256 amount, uint64 cooldown) external;

    function faucetAmount() external view returns (uint256);

    function faucetCooldown() external view returns (uint64);

    function nextFaucetAt(address account) external view returns (uint64);

    error ERC20InsufficientBalance(address, uint256, uint256);

    error ERC20InvalidSender(address);

    error ERC20InvalidReceiver(address);

    error ERC20InsufficientAllowance(address, uint256, uint256);

    error ERC20InvalidApprover(address);

    error ERC20InvalidSpender(address);

    error ERC20SupplyOverflow(uint256, uint256);

    error OwnableUnauthorizedAccount(address);

    error OwnableInvalidOwner(address);

    error TokenInvalidMetadata();

    error TokenFaucetDisabled();

    error TokenFaucetCooldown(uint64);
}
interface IIErc20 {
    function name() external view returns (string memory);

    function symbol() external view returns (string memory);

    function decimals() external view returns (uint8);

    function totalSupply() external view returns (uint256);

    function balanceOf(address account) external view returns (uint256);

    function transfer(address to, uint256 value) external returns (bool);

    function transferFrom(address from, address to, uint256 value) external returns (bool);

    function approve(address spender, uint256 value) external returns (bool);

    function allowance(address owner, address spender) external view returns (uint256);

    error ERC20InsufficientBalance(address, uint256, uint256);

    error ERC20InvalidSender(address);

    error ERC20InvalidReceiver(address);

    error ERC20InsufficientAllowance(address, uint256, uint256);

    error ERC20InvalidApprover(address);

    error ERC20InvalidSpender(address);

    error ERC20SupplyOverflow(uint256, uint256);

    error OwnableUnauthorizedAccount(address);

    error OwnableInvalidOwner(address);

    error TokenInvalidMetadata();

    error TokenFaucetDisabled();

    error TokenFaucetCooldown(uint64);
}
interface IIOwnable {
    function owner() external view returns (address);

    function pendingOwner() external view returns (address);

    function transferOwnership(address new_owner) external;

    function acceptOwnership() external;

    error ERC20InsufficientBalance(address, uint256, uint256);

    error ERC20InvalidSender(address);

    error ERC20InvalidReceiver(address);

    error ERC20InsufficientAllowance(address, uint256, uint256);

    error ERC20InvalidApprover(address);

    error ERC20InvalidSpender(address);

    error ERC20SupplyOverflow(uint256, uint256);

    error OwnableUnauthorizedAccount(address);

    error OwnableInvalidOwner(address);

    error TokenInvalidMetadata();

    error TokenFaucetDisabled();

    error TokenFaucetCooldown(uint64);
}
interface ITokenEvents {
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event FaucetDrawn(address indexed account, uint256 amount);
    event FaucetUpdated(uint256 amount, uint64 cooldown);
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event Transfer(address indexed from, address indexed to, uint256 value);
}
