// SPDX-License-Identifier: MIT OR Apache-2.0
// Arbitrum's ArbWasm precompile at 0x0000000000000000000000000000000000000071,
// as this project uses it: il-devnet serves it (devnet/src/engine/arbwasm.rs)
// and the keeper calls it (il_deploy::bindings::IArbWasm) to watch and renew
// its programs' lifetimes. Declared from Arbitrum's documented interface.
pragma solidity ^0.8.23;

interface IArbWasm {
    function activateProgram(address program) external payable returns (uint16 version, uint256 dataFee);
    function stylusVersion() external view returns (uint16 version);
    function codehashVersion(bytes32 codehash) external view returns (uint16 version);
    function codehashKeepalive(bytes32 codehash) external payable;
    function codehashAsmSize(bytes32 codehash) external view returns (uint32 size);
    function programVersion(address program) external view returns (uint16 version);
    function programInitGas(address program) external view returns (uint64 gas, uint64 gasWhenCached);
    function programMemoryFootprint(address program) external view returns (uint16 footprint);
    function programTimeLeft(address program) external view returns (uint64 _secs);
    function inkPrice() external view returns (uint32 price);
    function maxStackDepth() external view returns (uint32 depth);
    function freePages() external view returns (uint16 pages);
    function pageGas() external view returns (uint16 gas);
    function pageRamp() external view returns (uint64 ramp);
    function pageLimit() external view returns (uint16 limit);
    function minInitGas() external view returns (uint64 gas, uint64 cached);
    function initCostScalar() external view returns (uint64 percent);
    function activationGas() external view returns (uint64 gas);
    function expiryDays() external view returns (uint16 _days);
    function keepaliveDays() external view returns (uint16 _days);
    function blockCacheSize() external view returns (uint16 count);

    event ProgramActivated(bytes32 indexed codehash, bytes32 moduleHash, address program, uint256 dataFee, uint16 version);
    event ProgramLifetimeExtended(bytes32 indexed codehash, uint256 dataFee);

    error ProgramNotWasm();
    error ProgramNotActivated();
    error ProgramNeedsUpgrade(uint16 version, uint16 stylusVersion);
    error ProgramExpired(uint64 ageInSeconds);
    error ProgramUpToDate();
    error ProgramKeepaliveTooSoon(uint64 ageInSeconds);
    error ProgramInsufficientValue(uint256 have, uint256 want);
}
