// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// The devnet's stand-in for DAI (18 decimals). Anyone may mint: it is worth nothing.
contract DevnetDai is ERC20("Devnet Dai", "DAI") {
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
