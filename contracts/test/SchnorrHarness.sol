// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {Schnorr} from "../Schnorr.sol";

/// Exposes the Router's Schnorr check for the tests.
contract SchnorrHarness {
    function verify(bytes32 px, bytes32 message, bytes32 c, bytes32 s) external pure returns (bool) {
        return Schnorr.verify(px, message, c, s);
    }
}
