// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

/// The Router's Schnorr signatures over secp256k1 (crypto/suites/ethereum.ts): for a key A with
/// x-coordinate px (px < n, even y), a signature (c, s) over a 32-byte message is valid iff
///   c == keccak256(address(s·G − c·A) || px || message).
library Schnorr {
    /// secp256k1's group order.
    uint256 private constant Q = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    function verify(bytes32 px, bytes32 message, bytes32 c, bytes32 s) internal pure returns (bool) {
        // ecrecover(h, v, r, s') is the address of r⁻¹·(s'·R − h·G), R the point with x = r and the
        // parity v names (27: even y, as every Router key has). With r = px (so R = A), h = −s·px and
        // s' = −c·px that is s·G − c·A. ecrecover yields address(0) for px or s' out of [1, n) or an
        // x that is on no point.
        bytes32 sa = bytes32(Q - mulmod(uint256(s), uint256(px), Q));
        bytes32 ca = bytes32(Q - mulmod(uint256(c), uint256(px), Q));
        address r = ecrecover(sa, 27, px, ca);
        return r != address(0) && c == keccak256(abi.encodePacked(r, px, message));
    }
}
