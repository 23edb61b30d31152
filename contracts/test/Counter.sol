// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {ICounter} from "./ICounter.sol";

/// A small contract for the chain-harness tests: constructor argument, storage, an event, a custom error.
contract Counter is ICounter {
    address public immutable owner;
    uint256 public total;
    mapping(address => uint256) public contributions;

    constructor(uint256 initial) {
        owner = msg.sender;
        total = initial;
    }

    function increment(uint256 amount, bytes32 memo) external returns (uint256) {
        if (amount == 0) revert ZeroAmount();
        total += amount;
        contributions[msg.sender] += amount;
        emit Incremented(msg.sender, amount, total, memo);
        return total;
    }
}
