import { BitcoinNetwork } from '../../../networks/bitcoin/chain';
import { useBtcd } from '../../support/chains';
import { Faucet, randomTaprootScript } from '../../support/bitcoin-tx';

jest.setTimeout(120_000);

const btcd = useBtcd();

test('BitcoinNetwork: publish outcomes and eventuality completion at its confirmation depth', async () => {
  const node = btcd();
  await node.activateSoftForks();
  const network = new BitcoinNetwork(node.rpc, { confirmations: 2 });
  const txid = await new Faucet(node).pay([{ script: randomTaprootScript(), amount: 1_000_000n }]);
  const hex = await node.rpc.getRawTransactionHex(txid);

  expect(await network.publish(hex)).toEqual({ kind: 'already-in-mempool' });
  expect(await network.completion({ id: txid })).toEqual({ completed: false });
  await node.mine(1);
  expect(await network.publish(hex)).toEqual({ kind: 'already-confirmed' });
  expect(await network.completion({ id: txid })).toEqual({ completed: false });
  await node.mine(1);
  const height = await network.latestBlockNumber();
  expect(await network.completion({ id: txid })).toEqual({ completed: true, claim: txid, height: height - 1 });
  expect((await network.blockAt(height)).height).toBe(height);
  expect(await network.feeRate()).toBeGreaterThanOrEqual(1);
});
