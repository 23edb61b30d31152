/**
 * contracts/Router.sol on a real EVM (anvil), with keys from this project's encrypted DKG and
 * threshold signatures from its FROST (the ethereum suite), messages from networks/ethereum/router.ts.
 */
import { Contract, getBytes, hexlify, Interface, parseEther, toBeHex, Wallet, ZeroAddress, type JsonRpcProvider } from 'ethers';
import { SecpPoint } from '../../../crypto/sign/curves';
import { verifyRouterSignature } from '../../../crypto/suites/ethereum';
import { decodeResults, ETH, routerCalldata, routerInterface, routerMessage, routerMessageHash, type OutInstruction, type RouterAction } from '../../../networks/ethereum/router';
import { useAnvil } from '../../support/chains';
import {
  compileRouterArtifacts,
  deployContract,
  deployRouter,
  revertName,
  routerEvents,
  RouterHandle,
  routerKeyset,
  sendAndWait,
  uncachedProvider,
  type RouterArtifacts,
  type RouterKeyset,
} from '../../support/router';
import { compileContract } from '../../../contracts/compile';
import { ROUTER_COMPILE_OPTIONS } from '../../../contracts/router-artifacts';

const CHAIN_ID = 4242;
const N = SecpPoint.Fn.ORDER;

const anvil = useAnvil({ chainId: CHAIN_ID });
let provider: JsonRpcProvider;
let artifacts: RouterArtifacts;
let deployer: Wallet;
let relayer: Wallet;
let depositor: Wallet;
/** The key most tests use, and another one that is never this Router's. */
let key: RouterKeyset;
let otherKey: RouterKeyset;

beforeAll(() => {
  provider = uncachedProvider(anvil().rpcUrl, CHAIN_ID);
  const wallet = (i: number) => new Wallet(anvil().accounts[i]!.privateKey, provider);
  [deployer, relayer, depositor] = [wallet(0), wallet(1), wallet(2)];
  artifacts = compileRouterArtifacts();
  key = routerKeyset(3, [1, 1, 1, 1]);
  otherKey = routerKeyset(2, [1, 1, 1]);
});
afterAll(() => provider?.destroy());

const payee = () => Wallet.createRandom().address;
const token = (artifact: 'devnetDai' | 'noReturnToken', address: string) => new Contract(address, artifacts[artifact].abi as never, depositor);

/** Deposits `amount` of ETH into the Router through `inInstruction`. */
async function depositEth(router: RouterHandle, amount: bigint, instruction = '0x') {
  return sendAndWait(depositor, { to: router.address, value: amount, data: routerInterface.encodeFunctionData('inInstruction', [ETH, amount, instruction]) });
}

/** Deploys a token, mints `amount` to the depositor, and deposits it into the Router. */
async function depositToken(router: RouterHandle, artifact: 'devnetDai' | 'noReturnToken', amount: bigint): Promise<Contract> {
  const deployed = await deployContract(artifacts[artifact], deployer);
  const coin = token(artifact, await deployed.getAddress());
  await (await coin.getFunction('mint')(depositor.address, amount)).wait();
  await (await coin.getFunction('approve')(router.address, amount)).wait();
  await sendAndWait(depositor, { to: router.address, data: routerInterface.encodeFunctionData('inInstruction', [await coin.getAddress(), amount, '0x']) });
  return coin;
}

async function view<T>(router: RouterHandle, name: string, ...args: unknown[]): Promise<T> {
  return (await router.contract.getFunction(name)(...args)) as T;
}

async function executeMessage(router: RouterHandle, coin: string, fee: bigint, outs: OutInstruction[], nonce?: bigint): Promise<Uint8Array> {
  return router.message({ kind: 'execute', coin, fee, outs }, nonce);
}

test('the ABI networks/ethereum/router.ts encodes with is the compiled Router\'s, which compiles without warnings', () => {
  const minimal = (abi: Interface) => abi.fragments.map((fragment) => fragment.format('minimal')).sort();
  expect(minimal(new Interface(artifacts.router.abi as never))).toEqual(minimal(routerInterface));
  expect(artifacts.router.warnings).toEqual([]);
});

describe('Schnorr.verify on the EVM', () => {
  let harness: Contract;
  beforeAll(async () => {
    harness = await deployContract(compileContract('test/SchnorrHarness.sol', 'SchnorrHarness', ROUTER_COMPILE_OPTIONS), deployer);
  });
  const evmVerify = async (px: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
    (await harness.getFunction('verify')(px, message, signature.subarray(0, 32), signature.subarray(32))) as boolean;

  test('accepts the threshold signatures this project signs, and refuses, as crypto/suites/ethereum.ts does, any other message, c, s or key', async () => {
    for (const signer of [key, otherKey, routerKeyset(2, [2, 1], [1, 2])]) {
      for (let round = 0; round < 4; round++) {
        const message = getBytes(Wallet.createRandom().privateKey);
        const signature = signer.sign(message);
        const digest = routerMessageHash(message);
        expect(verifyRouterSignature(signature, digest, signer.px)).toBe(true);
        expect(await evmVerify(signer.px, digest, signature)).toBe(true);

        const flipped = (bytes: Uint8Array, at: number) => Uint8Array.from(bytes, (b, i) => (i === at ? b ^ 1 : b));
        const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
          [signer.px, flipped(digest, 31), signature], // another message
          [signer.px, digest, flipped(signature, 0)], // another c
          [signer.px, digest, flipped(signature, 63)], // another s
          [(signer === key ? otherKey : key).px, digest, signature], // another key
          [getBytes(toBeHex(N, 32)), digest, signature], // px not below n
          [new Uint8Array(32), digest, signature], // px 0
        ];
        for (const [px, msg, sig] of cases) {
          expect(verifyRouterSignature(sig, msg, px)).toBe(false);
          expect(await evmVerify(px, msg, sig)).toBe(false);
        }
      }
    }
  });
});

describe('deployment', () => {
  test('a new Router takes nothing until its key confirms itself at nonce 1', async () => {
    const contract = await deployContract(artifacts.router, deployer, key.px);
    const router = new RouterHandle(contract, await contract.getAddress(), BigInt(CHAIN_ID));
    const deployment = await provider.getTransactionReceipt(contract.deploymentTransaction()!.hash);
    expect(routerEvents(deployment!, router.address)).toEqual([{ name: 'NextSeraiKeySet', args: { nonce: 0n, key: hexlify(key.px) } }]);
    expect(await view(router, 'seraiKey')).toBe(toBeHex(0, 32));
    expect(await view(router, 'nextSeraiKey')).toBe(hexlify(key.px));
    expect(await router.nextNonce()).toBe(1n);

    const deposit = { from: depositor.address, to: router.address, value: 1n, data: routerInterface.encodeFunctionData('inInstruction', [ETH, 1n, '0x']) };
    expect(await revertName(provider, deposit)).toBe('SeraiKeyWasNone');
    const execute = await executeMessage(router, ETH, 0n, []);
    expect(await router.revertOf(relayer.address, execute, key.sign(execute))).toBe('SeraiKeyWasNone');

    const confirm = await router.message({ kind: 'confirmNextSeraiKey' });
    expect(await router.revertOf(relayer.address, confirm, otherKey.sign(confirm))).toBe('InvalidSignature');
    const receipt = await router.send(relayer, confirm, key.sign(confirm));
    expect(routerEvents(receipt, router.address)).toEqual([{ name: 'SeraiKeyUpdated', args: { nonce: 1n, key: hexlify(key.px) } }]);
    expect(await view(router, 'seraiKey')).toBe(hexlify(key.px));
    expect(await view(router, 'nextSeraiKey')).toBe(toBeHex(0, 32));
    expect(await router.nextNonce()).toBe(2n);
    expect(await revertName(provider, deposit)).toBe('none');
  });
});

describe.each([
  { label: '2-of-3', make: () => routerKeyset(2, [1, 1, 1]) },
  { label: '3-of-4', make: () => routerKeyset(3, [1, 1, 1, 1], [2, 3, 4]) },
  { label: '5-of-7', make: () => routerKeyset(5, [1, 1, 1, 1, 1, 1, 1], [1, 3, 4, 6, 7]) },
  { label: '3-of-4 weighted 2,1,1 (validators 1 and 3 sign)', make: () => routerKeyset(3, [2, 1, 1], [1, 2, 4]) },
  { label: '4-of-6 weighted 1,3,2 (validators 2 and 3 sign)', make: () => routerKeyset(4, [1, 3, 2], [2, 3, 4, 6]) },
])('execute under a $label key', ({ make }) => {
  test('pays the ETH outs and the relayer its fee, takes the nonce, and emits Executed', async () => {
    const signer = make();
    const router = await deployRouter(artifacts.router, deployer, signer, relayer);
    await depositEth(router, parseEther('3'));
    const outs = [
      { to: payee(), amount: parseEther('1') },
      { to: payee(), amount: parseEther('0.5') },
    ];
    const fee = parseEther('0.01');
    const nonce = await router.nextNonce();
    expect(nonce).toBe(2n);
    const message = await executeMessage(router, ETH, fee, outs);
    const relayerBefore = await provider.getBalance(relayer.address);

    const receipt = await router.send(relayer, message, signer.sign(message));

    for (const out of outs) expect(await provider.getBalance(out.to)).toBe(out.amount);
    expect(await provider.getBalance(relayer.address)).toBe(relayerBefore - receipt.gasUsed * receipt.gasPrice + fee);
    expect(await provider.getBalance(router.address)).toBe(parseEther('3') - parseEther('1.5') - fee);
    expect(await router.nextNonce()).toBe(nonce + 1n);
    const events = routerEvents(receipt, router.address);
    expect(events).toEqual([{ name: 'Executed', args: { nonce, messageHash: hexlify(routerMessageHash(message)), resultsLength: 2n, results: '0x03' } }]);
    expect(decodeResults(2n, getBytes('0x03'))).toEqual([true, true]);
  });
});

describe('execute', () => {
  let router: RouterHandle;
  beforeAll(async () => {
    router = await deployRouter(artifacts.router, deployer, key, relayer);
  });

  test.each(['devnetDai', 'noReturnToken'] as const)('pays ERC20 outs and the relayer its fee in the token (%s)', async (artifact) => {
    const coin = await depositToken(router, artifact, 1000n);
    const coinAddress = await coin.getAddress();
    const balanceOf = async (who: string) => (await coin.getFunction('balanceOf')(who)) as bigint;
    expect(await balanceOf(router.address)).toBe(1000n);
    const outs = [
      { to: payee(), amount: 300n },
      { to: payee(), amount: 200n },
      { to: payee(), amount: 1n },
    ];
    const nonce = await router.nextNonce();
    const message = await executeMessage(router, coinAddress, 7n, outs);

    const receipt = await router.send(relayer, message, key.sign(message));

    for (const out of outs) expect(await balanceOf(out.to)).toBe(out.amount);
    expect(await balanceOf(relayer.address)).toBe(7n);
    expect(await balanceOf(router.address)).toBe(1000n - 501n - 7n);
    expect(await router.nextNonce()).toBe(nonce + 1n);
    expect(routerEvents(receipt, router.address)).toEqual([{ name: 'Executed', args: { nonce, messageHash: hexlify(routerMessageHash(message)), resultsLength: 3n, results: '0x07' } }]);
  });

  test('an empty batch takes its nonce and pays only the fee', async () => {
    await depositEth(router, 100n);
    const nonce = await router.nextNonce();
    const message = await executeMessage(router, ETH, 100n, []);
    const before = await provider.getBalance(router.address);
    const receipt = await router.send(relayer, message, key.sign(message));
    expect(await provider.getBalance(router.address)).toBe(before - 100n);
    expect(routerEvents(receipt, router.address)).toEqual([{ name: 'Executed', args: { nonce, messageHash: hexlify(routerMessageHash(message)), resultsLength: 0n, results: '0x' } }]);
  });
});

describe('execute refuses', () => {
  let router: RouterHandle;
  let outs: OutInstruction[];
  let message: Uint8Array;
  let signature: Uint8Array;
  let nonce: bigint;
  const fee = 1000n;

  beforeAll(async () => {
    router = await deployRouter(artifacts.router, deployer, key, relayer);
    await depositEth(router, parseEther('2'));
    outs = [
      { to: payee(), amount: parseEther('1') },
      { to: payee(), amount: 5n },
    ];
    nonce = await router.nextNonce();
    message = await executeMessage(router, ETH, fee, outs);
    signature = key.sign(message);
  });

  /** Nothing moved and the nonce is still the one `message` was signed under. */
  async function expectUntouched() {
    expect(await router.nextNonce()).toBe(nonce);
    expect(await provider.getBalance(router.address)).toBe(parseEther('2'));
    for (const out of outs) expect(await provider.getBalance(out.to)).toBe(0n);
  }

  const withS = (s: bigint) => Uint8Array.from([...signature.subarray(0, 32), ...getBytes(toBeHex(s % 2n ** 256n, 32))]);
  const sOf = () => BigInt(hexlify(signature.subarray(32)));
  const action = (change: Partial<Extract<RouterAction, { kind: 'execute' }>>): RouterAction => ({ kind: 'execute', coin: ETH, fee, outs, ...change });

  test.each<[string, () => Promise<[Uint8Array, Uint8Array]>]>([
    ['another payee than signed', async () => [await router.message(action({ outs: [{ ...outs[0]!, to: payee() }, outs[1]!] }), nonce), signature]],
    ['another amount than signed', async () => [await router.message(action({ outs: [outs[0]!, { ...outs[1]!, amount: 6n }] }), nonce), signature]],
    ['an out more than signed', async () => [await router.message(action({ outs: [...outs, { to: payee(), amount: 1n }] }), nonce), signature]],
    ['a higher relayer fee than signed', async () => [await router.message(action({ fee: fee + 1n }), nonce), signature]],
    ['another coin than signed', async () => [await router.message(action({ coin: relayer.address }), nonce), signature]],
    ['a message signed for the next nonce', async () => {
      const next = await router.message(action({}), nonce + 1n);
      return [next, key.sign(next)];
    }],
    ['a message signed for another chain id', async () => {
      const other = routerMessage({ chainId: BigInt(CHAIN_ID) + 1n, router: router.address, nonce }, action({}));
      return [message, key.sign(other)];
    }],
    ['a message signed for another Router with the same key', async () => {
      const twin = await deployRouter(artifacts.router, deployer, key, relayer);
      expect(await twin.nextNonce()).toBe(nonce);
      const forTwin = await twin.message(action({}));
      return [message, key.sign(forTwin)];
    }],
    ['a signature by another key', async () => [message, otherKey.sign(message)]],
    ['a changed s (s + 1)', async () => [message, withS(sOf() + 1n)]],
    ['a changed c', async () => [message, Uint8Array.from(signature, (b, i) => (i === 5 ? b ^ 0x80 : b))]],
  ])('%s: InvalidSignature, nothing paid, the nonce unused', async (_name, tamper) => {
    const [sent, sig] = await tamper();
    expect(await router.revertOf(relayer.address, sent, sig)).toBe('InvalidSignature');
    await expectUntouched();
  });

  test('a mined transaction with a bad signature reverts on chain and changes nothing', async () => {
    const tx = await relayer.sendTransaction({ to: router.address, data: hexlify(routerCalldata(message, withS(sOf() + 1n))), gasLimit: 500_000n });
    await expect(tx.wait()).rejects.toMatchObject({ code: 'CALL_EXCEPTION' });
    expect((await provider.getTransactionReceipt(tx.hash))?.status).toBe(0);
    await expectUntouched();
  });

  test('the untouched signature is accepted once; replayed, its nonce is refused', async () => {
    await router.send(relayer, message, signature);
    expect(await provider.getBalance(outs[0]!.to)).toBe(parseEther('1'));
    expect(await router.nextNonce()).toBe(nonce + 1n);

    expect(await router.revertOf(relayer.address, message, signature)).toBe('InvalidSignature');
    const replay = await relayer.sendTransaction({ to: router.address, data: hexlify(routerCalldata(message, signature)), gasLimit: 500_000n });
    await expect(replay.wait()).rejects.toMatchObject({ code: 'CALL_EXCEPTION' });
    expect(await provider.getBalance(outs[0]!.to)).toBe(parseEther('1'));
    expect(await provider.getBalance(outs[1]!.to)).toBe(5n);
    expect(await router.nextNonce()).toBe(nonce + 1n);
  });
});

describe('inInstruction', () => {
  let router: RouterHandle;
  beforeAll(async () => {
    router = await deployRouter(artifacts.router, deployer, key, relayer);
  });

  test('an ETH deposit emits InInstruction with the sender, coin 0, amount and instruction', async () => {
    const instruction = '0x0102030405';
    const before = await provider.getBalance(router.address);
    const receipt = await depositEth(router, parseEther('0.25'), instruction);
    expect(routerEvents(receipt, router.address)).toEqual([
      { name: 'InInstruction', args: { from: depositor.address, coin: ZeroAddress, amount: parseEther('0.25'), instruction } },
    ]);
    expect(await provider.getBalance(router.address)).toBe(before + parseEther('0.25'));
  });

  test('msg.value must be the ETH amount, and 0 with a token: AmountMismatchesMsgValue', async () => {
    const call = (coin: string, amount: bigint, value: bigint) => ({
      from: depositor.address,
      to: router.address,
      value,
      data: routerInterface.encodeFunctionData('inInstruction', [coin, amount, '0x']),
    });
    expect(await revertName(provider, call(ETH, 10n, 9n))).toBe('AmountMismatchesMsgValue');
    expect(await revertName(provider, call(ETH, 10n, 11n))).toBe('AmountMismatchesMsgValue');
    const dai = token('devnetDai', await (await deployContract(artifacts.devnetDai, deployer)).getAddress());
    await (await dai.getFunction('mint')(depositor.address, 10n)).wait();
    await (await dai.getFunction('approve')(router.address, 10n)).wait();
    expect(await revertName(provider, call(await dai.getAddress(), 10n, 1n))).toBe('AmountMismatchesMsgValue');
    expect(await revertName(provider, call(await dai.getAddress(), 10n, 0n))).toBe('none');
  });

  test.each(['devnetDai', 'noReturnToken'] as const)('an ERC20 deposit (%s) pulls the tokens and emits InInstruction', async (artifact) => {
    const deployed = await deployContract(artifacts[artifact], deployer);
    const coin = token(artifact, await deployed.getAddress());
    const coinAddress = await coin.getAddress();
    await (await coin.getFunction('mint')(depositor.address, 500n)).wait();
    await (await coin.getFunction('approve')(router.address, 500n)).wait();
    const instruction = '0xdeadbeef';
    const receipt = await sendAndWait(depositor, { to: router.address, data: routerInterface.encodeFunctionData('inInstruction', [coinAddress, 400n, instruction]) });
    expect(routerEvents(receipt, router.address)).toEqual([{ name: 'InInstruction', args: { from: depositor.address, coin: coinAddress, amount: 400n, instruction } }]);
    expect(await coin.getFunction('balanceOf')(router.address)).toBe(400n);
    expect(await coin.getFunction('balanceOf')(depositor.address)).toBe(100n);
  });

  test('a deposit the Router cannot pull reverts: beyond the allowance, or a "token" without code', async () => {
    const deployed = await deployContract(artifacts.devnetDai, deployer);
    const dai = token('devnetDai', await deployed.getAddress());
    await (await dai.getFunction('mint')(depositor.address, 500n)).wait();
    await (await dai.getFunction('approve')(router.address, 100n)).wait();
    const deposit = (coin: string) => ({ from: depositor.address, to: router.address, data: routerInterface.encodeFunctionData('inInstruction', [coin, 101n, '0x']) });
    const beyond = await provider.call(deposit(await dai.getAddress())).catch((caught: { data?: string }) => caught.data);
    expect(dai.interface.parseError(beyond ?? '0x')?.name).toBe('ERC20InsufficientAllowance');
    expect(await revertName(provider, deposit(payee()))).toBe('SafeERC20FailedOperation');
  });
});

describe('a payout the payee side refuses is kept for it', () => {
  let router: RouterHandle;
  beforeAll(async () => {
    router = await deployRouter(artifacts.router, deployer, key, relayer);
  });

  test('ETH to a payee needing more than the stipend: owed, the other outs paid, then claimed with full gas', async () => {
    await depositEth(router, parseEther('2'));
    const receiver = await deployContract(artifacts.costlyReceiver, deployer);
    const receiverAddress = await receiver.getAddress();
    const eoa = payee();
    const nonce = await router.nextNonce();
    const message = await executeMessage(router, ETH, 0n, [
      { to: receiverAddress, amount: parseEther('1') },
      { to: eoa, amount: parseEther('0.5') },
    ]);
    const receipt = await router.send(relayer, message, key.sign(message));

    expect(routerEvents(receipt, router.address)).toEqual([{ name: 'Executed', args: { nonce, messageHash: hexlify(routerMessageHash(message)), resultsLength: 2n, results: '0x02' } }]);
    expect(await provider.getBalance(receiverAddress)).toBe(0n);
    expect(await provider.getBalance(eoa)).toBe(parseEther('0.5'));
    expect(await view(router, 'owed', ETH, receiverAddress)).toBe(parseEther('1'));
    expect(await view(router, 'totalOwed', ETH)).toBe(parseEther('1'));
    expect(await provider.getBalance(router.address)).toBe(parseEther('1.5'));

    // Anyone may claim for the payee.
    const claim = routerInterface.encodeFunctionData('claim', [ETH, receiverAddress]);
    const claimed = await sendAndWait(depositor, { to: router.address, data: claim });
    expect(routerEvents(claimed, router.address)).toEqual([{ name: 'Claimed', args: { coin: ZeroAddress, to: receiverAddress, amount: parseEther('1') } }]);
    expect(await receiver.getFunction('received')()).toBe(parseEther('1'));
    expect(await view(router, 'owed', ETH, receiverAddress)).toBe(0n);
    expect(await view(router, 'totalOwed', ETH)).toBe(0n);
    expect(await revertName(provider, { from: depositor.address, to: router.address, data: claim })).toBe('NothingOwed');
  });

  test('a token transfer that reverts (a blocked payee): owed, and claimed once the payee can take it', async () => {
    const coin = await depositToken(router, 'noReturnToken', 1000n);
    const coinAddress = await coin.getAddress();
    const [blocked, fine] = [payee(), payee()];
    await (await coin.getFunction('setBlocked')(blocked, true)).wait();
    const message = await executeMessage(router, coinAddress, 0n, [
      { to: blocked, amount: 100n },
      { to: fine, amount: 50n },
    ]);
    const receipt = await router.send(relayer, message, key.sign(message));
    const executed = routerEvents(receipt, router.address)[0]!;
    expect(decodeResults(executed.args.resultsLength as bigint, getBytes(executed.args.results as string))).toEqual([false, true]);
    expect(await coin.getFunction('balanceOf')(fine)).toBe(50n);
    expect(await view(router, 'owed', coinAddress, blocked)).toBe(100n);

    const claim = { from: depositor.address, to: router.address, data: routerInterface.encodeFunctionData('claim', [coinAddress, blocked]) };
    // Still blocked: the claim reverts with the token's own reason, and the debt stays.
    const refused = await provider.call(claim).then(
      () => 'none',
      (caught: { revert?: { name: string; args: unknown[] } }) => caught.revert,
    );
    expect(refused).toMatchObject({ name: 'Error', args: ['blocked'] });
    expect(await view(router, 'owed', coinAddress, blocked)).toBe(100n);
    await (await coin.getFunction('setBlocked')(blocked, false)).wait();
    await sendAndWait(depositor, claim);
    expect(await coin.getFunction('balanceOf')(blocked)).toBe(100n);
    expect(await view(router, 'owed', coinAddress, blocked)).toBe(0n);
    expect(await view(router, 'totalOwed', coinAddress)).toBe(0n);
  });

  test('a batch the Router cannot fund without what payees are owed reverts whole (InsufficientFunds), its nonce unused', async () => {
    const fresh = await deployRouter(artifacts.router, deployer, key, relayer);
    await depositEth(fresh, parseEther('1'));
    const receiver = await deployContract(artifacts.costlyReceiver, deployer);
    const owedMessage = await executeMessage(fresh, ETH, 0n, [{ to: await receiver.getAddress(), amount: parseEther('0.6') }]);
    await fresh.send(relayer, owedMessage, key.sign(owedMessage));
    expect(await view(fresh, 'totalOwed', ETH)).toBe(parseEther('0.6'));

    // 1 ETH held, 0.6 of it owed: 0.4 may go out, 0.4 plus a fee of 1 wei may not.
    const nonce = await fresh.nextNonce();
    const tooMuch = await executeMessage(fresh, ETH, 1n, [{ to: payee(), amount: parseEther('0.4') }]);
    expect(await fresh.revertOf(relayer.address, tooMuch, key.sign(tooMuch))).toBe('InsufficientFunds');
    expect(await fresh.nextNonce()).toBe(nonce);
    const enough = await executeMessage(fresh, ETH, 0n, [{ to: payee(), amount: parseEther('0.4') }]);
    await fresh.send(relayer, enough, key.sign(enough));
    expect(await provider.getBalance(fresh.address)).toBe(parseEther('0.6'));
  });
});

describe('key update', () => {
  test('two steps: the active key names the next, the next confirms; then only the new key signs', async () => {
    const router = await deployRouter(artifacts.router, deployer, key, relayer);
    await depositEth(router, parseEther('1'));
    const next = routerKeyset(2, [1, 2], [2, 3]);

    const zero = await router.message({ kind: 'updateSeraiKey', nextKey: new Uint8Array(32) });
    expect(await router.revertOf(relayer.address, zero, key.sign(zero))).toBe('InvalidSeraiKey');
    const update = await router.message({ kind: 'updateSeraiKey', nextKey: next.px });
    expect(await router.revertOf(relayer.address, update, next.sign(update))).toBe('InvalidSignature');
    const updateNonce = await router.nextNonce();
    const updated = await router.send(relayer, update, key.sign(update));
    expect(routerEvents(updated, router.address)).toEqual([{ name: 'NextSeraiKeySet', args: { nonce: updateNonce, key: hexlify(next.px) } }]);
    expect(await view(router, 'seraiKey')).toBe(hexlify(key.px));
    expect(await view(router, 'nextSeraiKey')).toBe(hexlify(next.px));

    // Until the next key confirms, the current key still pays.
    const interim = await executeMessage(router, ETH, 0n, [{ to: payee(), amount: 1n }]);
    await router.send(relayer, interim, key.sign(interim));

    const confirm = await router.message({ kind: 'confirmNextSeraiKey' });
    expect(await router.revertOf(relayer.address, confirm, key.sign(confirm))).toBe('InvalidSignature');
    const confirmNonce = await router.nextNonce();
    const confirmed = await router.send(relayer, confirm, next.sign(confirm));
    expect(routerEvents(confirmed, router.address)).toEqual([{ name: 'SeraiKeyUpdated', args: { nonce: confirmNonce, key: hexlify(next.px) } }]);
    expect(await view(router, 'seraiKey')).toBe(hexlify(next.px));
    expect(await view(router, 'nextSeraiKey')).toBe(toBeHex(0, 32));

    const to = payee();
    const pay = await executeMessage(router, ETH, 0n, [{ to, amount: 2n }]);
    expect(await router.revertOf(relayer.address, pay, key.sign(pay))).toBe('InvalidSignature');
    const again = await router.message({ kind: 'updateSeraiKey', nextKey: key.px });
    expect(await router.revertOf(relayer.address, again, key.sign(again))).toBe('InvalidSignature');
    const reconfirm = await router.message({ kind: 'confirmNextSeraiKey' });
    expect(await router.revertOf(relayer.address, reconfirm, next.sign(reconfirm))).toBe('SeraiKeyWasNone');
    await router.send(relayer, pay, next.sign(pay));
    expect(await provider.getBalance(to)).toBe(2n);
  });
});

describe('the escape hatch', () => {
  test('signed once by the active key, to a contract only; afterwards no deposit and no signed call, and anyone moves each coin out, all but what payees are owed', async () => {
    const router = await deployRouter(artifacts.router, deployer, key, relayer);
    await depositEth(router, parseEther('2'));
    const coin = await depositToken(router, 'devnetDai', 1000n);
    const coinAddress = await coin.getAddress();
    // A payee that refuses ETH: 0.5 stays owed to it through the escape.
    const refuser = await deployContract(artifacts.costlyReceiver, deployer);
    const refuserAddress = await refuser.getAddress();
    const owedBatch = await executeMessage(router, ETH, 0n, [{ to: refuserAddress, amount: parseEther('0.5') }]);
    await router.send(relayer, owedBatch, key.sign(owedBatch));
    const escape = (c: string) => ({ from: depositor.address, to: router.address, data: routerInterface.encodeFunctionData('escape', [c]) });
    expect(await revertName(provider, escape(ETH))).toBe('EscapeHatchNotInvoked');

    const vault = await (await deployContract(artifacts.costlyReceiver, deployer)).getAddress();
    const to = async (escapeTo: string) => router.message({ kind: 'escapeHatch', escapeTo });
    const toZero = await to(ZeroAddress);
    expect(await router.revertOf(relayer.address, toZero, key.sign(toZero))).toBe('InvalidEscapeAddress');
    const toAccount = await to(payee());
    expect(await router.revertOf(relayer.address, toAccount, key.sign(toAccount))).toBe('EscapeAddressWasNotAContract');
    const hatch = await to(vault);
    expect(await router.revertOf(relayer.address, hatch, otherKey.sign(hatch))).toBe('InvalidSignature');
    const nonce = await router.nextNonce();
    const invoked = await router.send(relayer, hatch, key.sign(hatch));
    expect(routerEvents(invoked, router.address)).toEqual([{ name: 'EscapeHatch', args: { nonce, escapeTo: vault } }]);
    expect(await view(router, 'escapedTo')).toBe(vault);
    expect(await router.nextNonce()).toBe(nonce + 1n);

    // Nothing signed runs again, the hatch included, and no deposit is taken.
    const pay = await executeMessage(router, ETH, 0n, [{ to: payee(), amount: 1n }]);
    expect(await router.revertOf(relayer.address, pay, key.sign(pay))).toBe('EscapeHatchInvoked');
    const again = await to(vault);
    expect(await router.revertOf(relayer.address, again, key.sign(again))).toBe('EscapeHatchInvoked');
    const update = await router.message({ kind: 'updateSeraiKey', nextKey: otherKey.px });
    expect(await router.revertOf(relayer.address, update, key.sign(update))).toBe('EscapeHatchInvoked');
    const deposit = { from: depositor.address, to: router.address, value: 1n, data: routerInterface.encodeFunctionData('inInstruction', [ETH, 1n, '0x']) };
    expect(await revertName(provider, deposit)).toBe('EscapeHatchInvoked');

    // Anyone moves the coins: ETH less the 0.5 owed, all of the token.
    const escapedEth = await sendAndWait(depositor, escape(ETH));
    expect(routerEvents(escapedEth, router.address)).toEqual([{ name: 'Escaped', args: { coin: ZeroAddress, amount: parseEther('1.5') } }]);
    expect(await provider.getBalance(vault)).toBe(parseEther('1.5'));
    await sendAndWait(depositor, escape(coinAddress));
    expect(await coin.getFunction('balanceOf')(vault)).toBe(1000n);
    expect(await coin.getFunction('balanceOf')(router.address)).toBe(0n);
    // The owed payee still claims what it is owed.
    await sendAndWait(depositor, { to: router.address, data: routerInterface.encodeFunctionData('claim', [ETH, refuserAddress]) });
    expect(await refuser.getFunction('received')()).toBe(parseEther('0.5'));
    expect(await provider.getBalance(router.address)).toBe(0n);
  });
});
