import { coordinatorMessageIntent, processorMessageIntent } from '../../../messages';
import { coordinatorMessages, copy, filler, processorMessages } from './fixtures';

// Layouts written out by hand: [sender, type, sub] then the SCALE id fields, little-endian.
// Senders: 00 coordinator, 01 processor. Types: 02 key_gen, 03 sign, 04 coordinator, 05 substrate.
const SESSION_1 = '01000000';
const AA32 = 'aa'.repeat(32);

describe('coordinator -> processor intents', () => {
  test.each([
    ['key_gen.GenerateKey', '000200' + SESSION_1 + '00000000'],
    ['key_gen.VerifyBlame', '000203' + SESSION_1 + '00000000'],
    // SignId = session || plan id || attempt (2)
    ['sign.Preprocesses', '000300' + SESSION_1 + AA32 + '02000000'],
    ['sign.Reattempt', '000302' + SESSION_1 + AA32 + '02000000'],
    // (id, tx): the 32-byte id, then tx as Vec<u8> with compact length 32 -> 0x80
    ['sign.Completed', '000303' + AA32 + '80' + 'dd'.repeat(32)],
    // SubstrateSignId = session || variant index (+ payload) || attempt
    ['coordinator.CosignSubstrateBlock', '000400' + SESSION_1 + '00' + 'ee'.repeat(32) + '00000000'],
    ['coordinator.SignSlashReport', '000401' + SESSION_1 + '02' + '00000000'],
    ['coordinator.SubstratePreprocesses', '000402' + SESSION_1 + '01' + '07000000' + '00000000'],
    ['coordinator.BatchReattempt', '000404' + SESSION_1 + '01' + '07000000' + '01000000'],
    ['substrate.ConfirmKeyPair', '000500' + SESSION_1],
    ['substrate.SubstrateBlock', '000501' + 'ffffffffffffffff'],
  ] as const)('%s', (kind, expected) => {
    expect(coordinatorMessageIntent(coordinatorMessages[kind])).toBe(expected);
  });

  test('a claim of 100 bytes takes a two-byte compact length (100 << 2 | 1 = 0x0191)', () => {
    const completed = copy(coordinatorMessages['sign.Completed']);
    completed.tx = filler(100, 0x0f);
    expect(coordinatorMessageIntent(completed)).toBe('000303' + AA32 + '9101' + '0f'.repeat(100));
  });
});

describe('processor -> coordinator intents', () => {
  test.each([
    ['key_gen.Commitments', '010200' + SESSION_1 + '00000000'],
    ['key_gen.Blame', '010205' + SESSION_1 + '00000000'],
    ['sign.InvalidParticipant', '010300' + SESSION_1 + AA32 + '02000000'],
    ['sign.Share', '010302' + SESSION_1 + AA32 + '02000000'],
    // raw plan id, no SCALE wrapper
    ['sign.Completed', '010303' + AA32],
    ['coordinator.SubstrateBlockAck', '010400' + '2a00000000000000'],
    ['coordinator.InvalidParticipant', '010401' + SESSION_1 + '01' + '07000000' + '00000000'],
    ['coordinator.BatchPreprocess', '010403' + SESSION_1 + '01' + '07000000' + '00000000'],
    ['coordinator.SubstrateShare', '010405' + SESSION_1 + '01' + '07000000' + '00000000'],
    ['coordinator.CosignedBlock', '010406' + 'ee'.repeat(32)],
    ['coordinator.SignedSlashReport', '010407' + SESSION_1],
    // (network, id): Bitcoin = 1, batch 7
    ['substrate.Batch', '010500' + '01' + '07000000'],
    ['substrate.SignedBatch', '010501' + '01' + '07000000'],
  ] as const)('%s', (kind, expected) => {
    expect(processorMessageIntent(processorMessages[kind])).toBe(expected);
  });

  test('slash reports of different sessions have different intents (reference section 6, item 15)', () => {
    const later = copy(processorMessages['coordinator.SignedSlashReport']);
    later.session = 2;
    expect(processorMessageIntent(later)).toBe('010407' + '02000000');
    expect(processorMessageIntent(later)).not.toBe(processorMessageIntent(processorMessages['coordinator.SignedSlashReport']));
  });
});

describe('intents identify the message, not its payload', () => {
  test('a re-sent message with other contents keeps its intent', () => {
    const resent = copy(coordinatorMessages['key_gen.Commitments']);
    resent.commitments['1'] = filler(100, 0x77);
    expect(coordinatorMessageIntent(resent)).toBe(coordinatorMessageIntent(coordinatorMessages['key_gen.Commitments']));
  });

  test('every fixture kind has its own intent', () => {
    const intents = [
      ...Object.values(coordinatorMessages).map(coordinatorMessageIntent),
      ...Object.values(processorMessages).map(processorMessageIntent),
    ];
    expect(new Set(intents).size).toBe(intents.length);
  });
});
