import { bytesToHex } from '@noble/hashes/utils.js';

import { batchMessage, encodeBatch, encodeExternalBalance, type Batch } from '../../../messages';

const bytes32 = (byte: string) => byte.repeat(32);
const block = Array.from({ length: 32 }, (_, k) => k.toString(16).padStart(2, '0')).join('');

const batch: Batch = {
  network: 'ethereum',
  id: 0x01020304,
  block,
  instructions: [
    { instruction: { kind: 'Transfer', address: bytes32('11') }, balance: { coin: 'ether', amount: '1000000000' } },
    {
      instruction: {
        kind: 'Dex',
        call: { kind: 'Swap', minimum: { coin: 'serai', amount: '5' }, to: { kind: 'External', address: '22'.repeat(20) } },
      },
      balance: { coin: 'dai', amount: '18446744073709551615' },
    },
    { instruction: { kind: 'Dex', call: { kind: 'SwapAndAddLiquidity', address: bytes32('33') } }, balance: { coin: 'ether', amount: '1' } },
    { instruction: { kind: 'GenesisLiquidity', address: bytes32('44') }, balance: { coin: 'dai', amount: '7' } },
    {
      instruction: { kind: 'SwapToStakedSRI', address: bytes32('55'), network: 'monero' },
      balance: { coin: 'ether', amount: '9' },
    },
  ],
};

// Batch{network, id, block, instructions}, written out field by field.
const expectedEncoding = [
  '02', // ExternalNetworkId::Ethereum
  '04030201', // id: u32 LE
  block, // [u8; 32]
  '14', // compact(5) instructions
  // Transfer(SeraiAddress) | ExternalBalance(Ether = 5, 1e9 LE)
  '00' + bytes32('11') + '05' + '00ca9a3b00000000',
  // Dex(Swap(Balance(Serai = 0, 5), OutAddress::External(compact(20) = 0x50, 20 bytes))) | (Dai = 6, u64::MAX)
  '01' + '01' + '00' + '0500000000000000' + '01' + '50' + '22'.repeat(20) + '06' + 'ffffffffffffffff',
  // Dex(SwapAndAddLiquidity(SeraiAddress)) | (Ether, 1)
  '01' + '00' + bytes32('33') + '05' + '0100000000000000',
  // GenesisLiquidity(SeraiAddress) | (Dai, 7)
  '02' + bytes32('44') + '06' + '0700000000000000',
  // SwapToStakedSRI(SeraiAddress, NetworkId::Monero = 3) | (Ether, 9)
  '03' + bytes32('55') + '03' + '05' + '0900000000000000',
].join('');

// "InInstructions-batch" in ASCII.
const BATCH_CONTEXT = '496e496e737472756374696f6e732d6261746368';

describe('Batch SCALE encoding', () => {
  test('matches the hand-written layout byte for byte', () => {
    expect(bytesToHex(encodeBatch(batch))).toBe(expectedEncoding);
  });

  test('an empty Batch is network, id, block and a zero count', () => {
    const empty: Batch = { network: 'bitcoin', id: 0, block: bytes32('00'), instructions: [] };
    expect(bytesToHex(encodeBatch(empty))).toBe('01' + '00000000' + bytes32('00') + '00');
  });

  test('the signed message is "InInstructions-batch" || SCALE(Batch)', () => {
    expect(bytesToHex(batchMessage(batch))).toBe(BATCH_CONTEXT + expectedEncoding);
  });

  test('ExternalBalance uses the coin ids 4..7 of serai#619', () => {
    expect(bytesToHex(encodeExternalBalance({ coin: 'bitcoin', amount: '1' }))).toBe('04' + '0100000000000000');
    expect(bytesToHex(encodeExternalBalance({ coin: 'monero', amount: '256' }))).toBe('07' + '0001000000000000');
  });
});
