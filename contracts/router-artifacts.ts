import { compileContract, type CompiledContract, type CompileOptions } from './compile';

/** Cancun: the oldest EVM with transient storage, which the Router's reentrancy guard uses. */
export const ROUTER_COMPILE_OPTIONS: CompileOptions = { evmVersion: 'cancun' };

/** contracts/Router.sol (with Schnorr.sol and OpenZeppelin's SafeERC20). */
export function compileRouter(): CompiledContract {
  return compileContract('Router.sol', 'Router', ROUTER_COMPILE_OPTIONS);
}

/** The devnet's ERC20 standing in for DAI (OpenZeppelin's ERC20, anyone may mint). */
export function compileDevnetDai(): CompiledContract {
  return compileContract('devnet/DevnetDai.sol', 'DevnetDai', ROUTER_COMPILE_OPTIONS);
}

/** contracts/Deployer.sol: the contract every key's Router is deployed and found through. */
export function compileDeployer(): CompiledContract {
  return compileContract('Deployer.sol', 'Deployer', ROUTER_COMPILE_OPTIONS);
}
