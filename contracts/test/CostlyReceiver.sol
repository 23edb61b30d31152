// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

/// A payee whose `receive` needs more than the 2300-gas stipend (it writes storage).
contract CostlyReceiver {
    uint256 public received;

    receive() external payable {
        received += msg.value;
    }
}
