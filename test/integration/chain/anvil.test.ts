import { ContractFactory, encodeBytes32String, Interface, JsonRpcProvider, Wallet, type Contract } from 'ethers';
import { compileContract, compileSources, ContractNotFoundError, SolidityCompileError, type CompiledContract } from '../../../contracts/compile';
import { AnvilOptionError, startAnvil } from '../../../nodes/anvil';
import { NODE_HOOK_TIMEOUT_MS, useAnvil } from '../../support/chains';

const CHAIN_ID = 1337;
const ANVIL_ACCOUNT_0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

describe('solc-js compile', () => {
  test('compiles contracts/test/Counter.sol with its import into an ABI and bytecode', () => {
    const started = performance.now();
    const counter = compileContract('test/Counter.sol', 'Counter');
    console.info(`solc-js compile of Counter.sol: ${(performance.now() - started).toFixed(0)} ms`);
    expect(counter.sourceUnit).toBe('test/Counter.sol');
    expect(counter.bytecode).toMatch(/^0x(?:[0-9a-f]{2})+$/);
    expect(counter.deployedBytecode).toMatch(/^0x(?:[0-9a-f]{2})+$/);
    expect(counter.warnings).toEqual([]);
    const abi = new Interface(counter.abi as never);
    expect(abi.getFunction('increment')?.format()).toBe('increment(uint256,bytes32)');
    expect(abi.getEvent('Incremented')?.format()).toBe('Incremented(address,uint256,uint256,bytes32)');
    expect(abi.getError('ZeroAmount')?.format()).toBe('ZeroAmount()');
  });

  test('compiler errors are a SolidityCompileError listing each error', () => {
    const error = (() => {
      try {
        return compileSources({ 'Broken.sol': 'pragma solidity ^0.8.24; contract Broken { function f() public { undefinedThing(); } }' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SolidityCompileError);
    const compileError = error as SolidityCompileError;
    expect(compileError.errors).toHaveLength(1);
    expect(compileError.errors[0]).toMatchObject({ severity: 'error', type: 'DeclarationError' });
    expect(compileError.message).toMatch(/Undeclared identifier/);
  });

  test('imports are read only from inside contracts/', () => {
    // A direct (non-relative) import path reaches the callback verbatim, `..` segments included.
    const escape = () => compileSources({ 'Escape.sol': 'pragma solidity ^0.8.24; import "test/../../package.json";' });
    expect(escape).toThrow(SolidityCompileError);
    expect(escape).toThrow(/outside contracts\//);
    // solc itself clamps relative imports at the root of the source tree: this one asks for contracts/package.json.
    const clamped = () => compileSources({ 'Escape.sol': 'pragma solidity ^0.8.24; import "../package.json";' });
    expect(clamped).toThrow(/cannot read contracts\/package\.json: ENOENT/);
    const absolute = () => compileSources({ 'Abs.sol': 'pragma solidity ^0.8.24; import "/etc/passwd";' });
    expect(absolute).toThrow(/outside contracts\//);
    const missing = () => compileSources({ 'Missing.sol': 'pragma solidity ^0.8.24; import "test/Nope.sol";' });
    expect(missing).toThrow(/cannot read contracts\/test\/Nope\.sol: ENOENT/);
  });

  test('imports from @openzeppelin/contracts resolve by package name, and stay inside the package', () => {
    const token = compileSources({
      'Token.sol': 'pragma solidity ^0.8.24; import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol"; contract Token is ERC20("T", "T") {}',
    })
      .get('Token.sol')
      ?.get('Token');
    expect(token?.bytecode).toMatch(/^0x(?:[0-9a-f]{2})+$/);
    expect(new Interface(token?.abi as never).getFunction('transfer')?.format()).toBe('transfer(address,uint256)');
    // OpenZeppelin's own relative imports ("../../utils/Context.sol") resolved too, or ERC20 would not compile.
    const escape = () => compileSources({ 'Escape.sol': 'pragma solidity ^0.8.24; import "@openzeppelin/contracts/../../../package.json";' });
    expect(escape).toThrow(/outside @openzeppelin\/contracts\//);
    const missing = () => compileSources({ 'Missing.sol': 'pragma solidity ^0.8.24; import "@openzeppelin/contracts/Nope.sol";' });
    expect(missing).toThrow(/cannot read @openzeppelin\/contracts\/Nope\.sol: ENOENT/);
    // Another package is not importable: the name is taken as a path under contracts/.
    const other = () => compileSources({ 'Other.sol': 'pragma solidity ^0.8.24; import "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";' });
    expect(other).toThrow(/cannot read contracts\/@openzeppelin\/contracts-upgradeable\/proxy\/utils\/Initializable\.sol: ENOENT/);
  });

  test('asking for a contract that is not there, or is only an interface, is a ContractNotFoundError', () => {
    expect(() => compileContract('test/Counter.sol', 'Nope')).toThrow(ContractNotFoundError);
    expect(() => compileContract('test/ICounter.sol', 'ICounter')).toThrow(/no bytecode/);
    expect(() => compileContract('../package.json', 'X')).toThrow(/outside contracts\//);
  });
});

describe('anvil', () => {
  const anvil = useAnvil({ chainId: CHAIN_ID });
  let provider: JsonRpcProvider;
  let counterArtifact: CompiledContract;

  beforeAll(() => {
    provider = new JsonRpcProvider(anvil().rpcUrl, CHAIN_ID, { staticNetwork: true });
    counterArtifact = compileContract('test/Counter.sol', 'Counter');
  });
  afterAll(() => provider.destroy());

  test('serves the requested chain id on a loopback port with ten funded dev accounts', async () => {
    const node = anvil();
    expect(node.rpcUrl).toBe(`http://127.0.0.1:${node.port}`);
    expect((await provider.getNetwork()).chainId).toBe(BigInt(CHAIN_ID));
    expect(node.accounts).toHaveLength(10);
    expect(node.accounts[0]?.address.toLowerCase()).toBe(ANVIL_ACCOUNT_0.toLowerCase());
    for (const account of node.accounts) {
      expect(new Wallet(account.privateKey).address.toLowerCase()).toBe(account.address.toLowerCase());
      expect(await provider.getBalance(account.address)).toBe(10_000n * 10n ** 18n);
    }
  });

  test('deploys Counter, changes its state, and reads the state and the event back', async () => {
    const [deployerKey, userKey] = anvil().accounts;
    const deployer = new Wallet(deployerKey?.privateKey ?? '', provider);
    const user = new Wallet(userKey?.privateKey ?? '', provider);

    const factory = new ContractFactory(counterArtifact.abi as never, counterArtifact.bytecode, deployer);
    const deployed = await factory.deploy(7n);
    await deployed.waitForDeployment();
    const counter = deployed as unknown as Contract;
    const counterAddress = await counter.getAddress();
    // The runtime code equals the compiler's except for the immutable `owner`, filled in at deployment.
    expect((await provider.getCode(counterAddress)).length).toBe(counterArtifact.deployedBytecode.length);
    expect(((await counter.getFunction('owner')()) as string).toLowerCase()).toBe(deployer.address.toLowerCase());
    expect(await counter.getFunction('total')()).toBe(7n);

    const memo = encodeBytes32String('deposit-1');
    const tx = await (counter.connect(user) as Contract).getFunction('increment')(5n, memo);
    const receipt = await provider.getTransactionReceipt((await tx.wait())?.hash ?? '');
    expect(receipt?.status).toBe(1);

    expect(await counter.getFunction('total')()).toBe(12n);
    expect(await counter.getFunction('contributions')(user.address)).toBe(5n);
    expect(await counter.getFunction('contributions')(deployer.address)).toBe(0n);

    const logs = (receipt?.logs ?? []).map((log) => counter.interface.parseLog(log));
    expect(logs).toHaveLength(1);
    expect(logs[0]?.name).toBe('Incremented');
    expect(logs[0]?.args.toObject()).toEqual({ by: user.address, amount: 5n, total: 12n, memo });

    const queried = await counter.queryFilter(counter.getEvent('Incremented')(user.address), receipt?.blockNumber, receipt?.blockNumber);
    expect(queried.map((event) => event.transactionHash)).toEqual([receipt?.hash]);
  });

  test('a reverting call surfaces the contract custom error', async () => {
    // Its own account: ethers caches identical RPC answers (the pending nonce) for 250 ms, so
    // reusing the previous test's deployer right away can reuse a nonce.
    const deployer = new Wallet(anvil().accounts[2]?.privateKey ?? '', provider);
    const factory = new ContractFactory(counterArtifact.abi as never, counterArtifact.bytecode, deployer);
    const counter = (await (await factory.deploy(0n)).waitForDeployment()) as unknown as Contract;
    const increment = counter.getFunction('increment');
    const simulated = await increment.staticCall(0n, encodeBytes32String('x')).catch((caught: unknown) => caught);
    expect(simulated).toMatchObject({ code: 'CALL_EXCEPTION', revert: { name: 'ZeroAmount', args: [] } });
    // Sending estimates gas first; ethers leaves that revert undecoded, with the raw error data.
    const sent = (await increment(0n, encodeBytes32String('x')).catch((caught: unknown) => caught)) as { code?: string; data?: string };
    expect(sent.code).toBe('CALL_EXCEPTION');
    expect(counter.interface.parseError(sent.data ?? '0x')?.name).toBe('ZeroAmount');
    expect(await counter.getFunction('total')()).toBe(0n);
  });
});

describe('anvil lifecycle', () => {
  test(
    'starts, stops idempotently, and frees its port',
    async () => {
      const started = performance.now();
      const node = await startAnvil();
      console.info(`anvil startup ${(performance.now() - started).toFixed(0)} ms`);
      try {
        expect(node.chainId).toBe(31337);
        expect(node.process.isRunning).toBe(true);
      } finally {
        await Promise.all([node.stop(), node.stop()]);
      }
      expect(node.process.isRunning).toBe(false);
      await expect(fetch(node.rpcUrl, { method: 'POST', body: '{}' })).rejects.toThrow(/fetch failed/);
    },
    NODE_HOOK_TIMEOUT_MS,
  );

  test('invalid options are an AnvilOptionError naming the option', async () => {
    await expect(startAnvil({ chainId: 0 })).rejects.toMatchObject({ name: 'AnvilOptionError', option: 'chainId' });
    await expect(startAnvil({ port: 70_000 })).rejects.toBeInstanceOf(AnvilOptionError);
  });
});
