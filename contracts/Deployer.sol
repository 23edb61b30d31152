// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.28;

/// Deploys contracts by CREATE and remembers, per initcode, the first deployment: every validator
/// finds a key's Router as `deployments(keccak256(Router initcode ++ key))`, trusting nobody's word.
/// The Deployer itself is deployed by a keyless transaction (networks/ethereum/deployer.ts), so its
/// address is the same wherever that transaction is accepted.
///
/// CREATE with the Deployer's own nonce, rather than CREATE2 with the initcode as salt, leaves no
/// address a contract could be brought to by a chosen salt (CREATE2's 2^80 collision search).
contract Deployer {
    /// keccak256(initCode) => the contract deployed first with it.
    mapping(bytes32 => address) public deployments;

    error DeploymentFailed();
    error PriorDeployed();

    function deploy(bytes calldata initCode) external returns (address deployed) {
        bytes memory code = initCode;
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        if (deployed == address(0)) revert DeploymentFailed();
        bytes32 id = keccak256(initCode);
        // Checked after the CREATE, so the CREATE's own reentrancy cannot slip a second one in first.
        if (deployments[id] != address(0)) revert PriorDeployed();
        deployments[id] = deployed;
    }
}
