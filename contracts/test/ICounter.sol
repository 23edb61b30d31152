// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

interface ICounter {
    event Incremented(address indexed by, uint256 amount, uint256 total, bytes32 memo);

    error ZeroAmount();

    function increment(uint256 amount, bytes32 memo) external returns (uint256 total);
}
