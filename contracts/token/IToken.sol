// SPDX-License-Identifier: MIT OR Apache-2.0
// Generated from the contract's sol! interface by `scripts/export-abi.sh`
// (`cargo run --features export-abi`). Do not edit: regenerate.
pragma solidity ^0.8.23;

interface IToken {
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
    error ReentrantCall();
    error TokenFaucetCooldown(uint64 availableAt);
    error TokenFaucetDisabled();
    error TokenInvalidMetadata();
    error UnknownSelector(bytes4 selector);

    event Approval(address indexed owner, address indexed spender, uint256 value);
    event FaucetDrawn(address indexed account, uint256 amount);
    event FaucetUpdated(uint256 amount, uint64 cooldown);
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event Transfer(address indexed from, address indexed to, uint256 value);

    function acceptOwnership() external;
    function allowance(address owner, address spender) external view returns (uint256);
    function approve(address spender, uint256 value) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
    function decimals() external view returns (uint8);
    function faucet() external returns (uint256 amount);
    function faucetAmount() external view returns (uint256);
    function faucetCooldown() external view returns (uint64);
    function mint(address to, uint256 amount) external;
    function name() external view returns (string memory);
    function nextFaucetAt(address account) external view returns (uint64);
    function owner() external view returns (address);
    function pendingOwner() external view returns (address);
    function setFaucet(uint256 amount, uint64 cooldown) external;
    function symbol() external view returns (string memory);
    function totalSupply() external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function transferOwnership(address newOwner) external;
}