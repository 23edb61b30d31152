import {
  MessageValidationError,
  assertCoordinatorMessage,
  assertProcessorMessage,
  parseCoordinatorMessage,
  parseProcessorMessage,
  type CoordinatorMessageKind,
  type MessageContext,
  type ProcessorMessageKind,
} from '../../../messages';
import { coordinatorMessages, copy, filler, PARTICIPANTS, processorMessages, SR25519_SIGNATURE } from './fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Case {
  name: string;
  input: unknown;
  context?: MessageContext;
  field: string;
  reason: string;
}

/** A valid coordinator message of `kind`, changed by `change`. */
function coordinator(kind: CoordinatorMessageKind, change: (message: Json) => void): unknown {
  const message = copy(coordinatorMessages[kind]) as Json;
  change(message);
  return message;
}

function processor(kind: ProcessorMessageKind, change: (message: Json) => void): unknown {
  const message = copy(processorMessages[kind]) as Json;
  change(message);
  return message;
}

const withParticipants: MessageContext = { participants: PARTICIPANTS };
const U32 = 'expected an integer 0..4294967295';

const coordinatorCases: Case[] = [
  { name: 'a string instead of a message', input: 'key_gen.GenerateKey', field: 'message', reason: 'expected object' },
  { name: 'null', input: null, field: 'message', reason: 'expected object' },
  { name: 'an array', input: [coordinatorMessages['sign.Reattempt']], field: 'message', reason: 'expected object' },
  {
    name: 'an unknown kind',
    input: { kind: 'key_gen.Destroy', id: { session: 1, attempt: 0 } },
    field: 'kind',
    reason: expect.stringMatching(/^unknown kind, expected one of key_gen\.GenerateKey, /) as unknown as string,
  },
  { name: 'a missing kind', input: coordinator('sign.Reattempt', (m) => delete m.kind), field: 'kind', reason: 'is required' },
  {
    name: 'a processor kind sent as coordinator message',
    input: processorMessages['key_gen.Blame'],
    field: 'kind',
    reason: expect.stringMatching(/^unknown kind/) as unknown as string,
  },
  { name: 'an extra top-level key', input: coordinator('sign.Reattempt', (m) => (m.note = 'hi')), field: 'note', reason: 'unexpected field' },
  { name: 'an extra key inside id', input: coordinator('sign.Reattempt', (m) => (m.id.key = filler(33, 2))), field: 'id.key', reason: 'unexpected field' },
  { name: 'a missing attempt', input: coordinator('key_gen.GenerateKey', (m) => delete m.id.attempt), field: 'id.attempt', reason: 'is required' },
  { name: 'a negative session', input: coordinator('key_gen.GenerateKey', (m) => (m.id.session = -1)), field: 'id.session', reason: U32 },
  { name: 'a fractional attempt', input: coordinator('sign.Reattempt', (m) => (m.id.attempt = 1.5)), field: 'id.attempt', reason: U32 },
  { name: 'a session as a string', input: coordinator('key_gen.GenerateKey', (m) => (m.id.session = '1')), field: 'id.session', reason: U32 },
  { name: 'a session above u32', input: coordinator('key_gen.GenerateKey', (m) => (m.id.session = 2 ** 32)), field: 'id.session', reason: U32 },
  { name: 'a NaN-like null attempt', input: coordinator('key_gen.GenerateKey', (m) => (m.id.attempt = null)), field: 'id.attempt', reason: U32 },
  { name: 't > n', input: coordinator('key_gen.GenerateKey', (m) => (m.params.t = 6)), field: 'params.t', reason: 'expected a threshold 1..n (n = 5)' },
  { name: 't = 0', input: coordinator('key_gen.GenerateKey', (m) => (m.params.t = 0)), field: 'params.t', reason: 'expected a threshold 1..n (n = 5)' },
  { name: 'i = 0', input: coordinator('key_gen.GenerateKey', (m) => (m.params.i = 0)), field: 'params.i', reason: 'expected a participant index 1..n (n = 5)' },
  { name: 'shares = 0', input: coordinator('key_gen.GenerateKey', (m) => (m.shares = 0)), field: 'shares', reason: 'expected at least one key share' },
  {
    name: 'i + shares - 1 > n',
    input: coordinator('key_gen.GenerateKey', (m) => (m.shares = 5)),
    field: 'shares',
    reason: 'our indices i..i+shares-1 exceed n (i = 2, n = 5)',
  },
  { name: 'n above 150 key shares', input: coordinator('key_gen.GenerateKey', (m) => (m.params.n = 151)), field: 'params.n', reason: 'expected 1..150 key shares' },
  { name: 'n above u16', input: coordinator('key_gen.GenerateKey', (m) => (m.params.n = 70000)), field: 'params.n', reason: 'expected an integer 0..65535' },
  {
    name: 'participant 0 as a map key',
    input: coordinator('key_gen.Commitments', (m) => (m.commitments['0'] = filler(100, 0))),
    field: 'commitments.0',
    reason: 'expected a participant index 1..65535 as key',
  },
  {
    name: 'a non-canonical participant key',
    input: coordinator('key_gen.Commitments', (m) => (m.commitments['04'] = filler(100, 0))),
    field: 'commitments.04',
    reason: 'expected a participant index 1..65535 as key',
  },
  {
    name: 'a participant key above u16',
    input: coordinator('key_gen.Commitments', (m) => (m.commitments['65536'] = filler(100, 0))),
    field: 'commitments.65536',
    reason: 'expected a participant index 1..65535 as key',
  },
  {
    name: 'a commitments blob below the minimum',
    input: coordinator('key_gen.Commitments', (m) => (m.commitments['4'] = filler(10, 4))),
    field: 'commitments.4',
    reason: 'expected 32..10224 hex bytes, got 10 bytes',
  },
  {
    name: 'an oversized commitments blob',
    input: coordinator('key_gen.Commitments', (m) => (m.commitments['4'] = filler(10225, 4))),
    field: 'commitments.4',
    reason: 'expected 32..10224 hex bytes, got 10225 bytes',
  },
  {
    name: 'non-hex characters',
    input: coordinator('key_gen.Commitments', (m) => (m.commitments['4'] = 'zz'.repeat(40))),
    field: 'commitments.4',
    reason: 'expected 32..10224 hex bytes, got a character that is not a lowercase hex digit',
  },
  {
    name: 'uppercase hex',
    input: coordinator('key_gen.Commitments', (m) => (m.commitments['4'] = 'AB'.repeat(40))),
    field: 'commitments.4',
    reason: 'expected 32..10224 hex bytes, got a character that is not a lowercase hex digit',
  },
  {
    name: 'an odd number of hex digits',
    input: coordinator('key_gen.Commitments', (m) => (m.commitments['4'] = filler(40, 4) + 'a')),
    field: 'commitments.4',
    reason: 'expected 32..10224 hex bytes, got an odd number of hex digits',
  },
  {
    name: 'a 0x prefix',
    input: coordinator('key_gen.Commitments', (m) => (m.commitments['4'] = '0x' + filler(40, 4))),
    field: 'commitments.4',
    reason: 'expected 32..10224 hex bytes, got a 0x prefix',
  },
  {
    name: 'a blob that is not a string',
    input: coordinator('key_gen.Commitments', (m) => (m.commitments['4'] = [1, 2, 3])),
    field: 'commitments.4',
    reason: 'expected 32..10224 hex bytes',
  },
  {
    name: 'a __proto__ key in a participant map',
    input: JSON.parse(`{"kind":"key_gen.Commitments","id":{"session":1,"attempt":0},"commitments":{"__proto__":"${filler(40, 1)}"}}`),
    field: 'commitments.__proto__',
    reason: 'expected a participant index 1..65535 as key',
  },
  {
    name: 'more peers than a set can have',
    input: coordinator('key_gen.Commitments', (m) => {
      m.commitments = Object.fromEntries(Array.from({ length: 150 }, (_, k) => [String(k + 1), filler(32, 1)]));
    }),
    field: 'commitments',
    reason: 'expected at most 149 entries, got 150',
  },
  {
    name: 'our own index among the commitments',
    input: coordinator('key_gen.Commitments', (m) => (m.commitments['3'] = filler(100, 3))),
    context: withParticipants,
    field: 'commitments.3',
    reason: 'is one of our own participant indices',
  },
  {
    name: 'a missing participant in the commitments',
    input: coordinator('key_gen.Commitments', (m) => delete m.commitments['5']),
    context: withParticipants,
    field: 'commitments.5',
    reason: 'is missing',
  },
  {
    name: 'a participant beyond n in the commitments',
    input: coordinator('key_gen.Commitments', (m) => (m.commitments['6'] = filler(100, 6))),
    context: withParticipants,
    field: 'commitments.6',
    reason: 'expected a participant index 1..5',
  },
  {
    name: 'one share map for two local shares',
    input: coordinator('key_gen.Shares', (m) => m.shares.pop()),
    context: withParticipants,
    field: 'shares',
    reason: 'expected one entry per local share (2), got 1',
  },
  {
    name: 'our own index in a share map',
    input: coordinator('key_gen.Shares', (m) => (m.shares[1]['2'] = filler(130, 0x22))),
    context: withParticipants,
    field: 'shares.1.2',
    reason: 'is one of our own participant indices',
  },
  { name: 'no share maps at all', input: coordinator('key_gen.Shares', (m) => (m.shares = [])), field: 'shares', reason: 'expected an array of 1..150 entries' },
  { name: 'an accuser accusing itself', input: coordinator('key_gen.VerifyBlame', (m) => (m.accused = 4)), field: 'accused', reason: 'is the accuser' },
  {
    name: 'an accuser beyond n',
    input: coordinator('key_gen.VerifyBlame', (m) => (m.accuser = 9)),
    context: withParticipants,
    field: 'accuser',
    reason: 'expected a participant index 1..5',
  },
  { name: 'participant 0 as accused', input: coordinator('key_gen.VerifyBlame', (m) => (m.accused = 0)), field: 'accused', reason: 'expected a participant index 1..65535' },
  { name: 'a missing blame (null is absent)', input: coordinator('key_gen.VerifyBlame', (m) => delete m.blame), field: 'blame', reason: 'is required' },
  {
    name: 'an oversized blame',
    input: coordinator('key_gen.VerifyBlame', (m) => (m.blame = filler(323, 1))),
    field: 'blame',
    reason: 'expected 1..322 hex bytes, got 323 bytes',
  },
  {
    name: 'a 31-byte plan id',
    input: coordinator('sign.Preprocesses', (m) => (m.id.id = filler(31, 0xaa))),
    field: 'id.id',
    reason: 'expected 32 hex bytes, got 31 bytes',
  },
  {
    name: 'too few signers for the threshold',
    input: coordinator('sign.Preprocesses', (m) => (m.preprocesses = {})),
    context: withParticipants,
    field: 'preprocesses',
    reason: 'expected at least 1 participants, got 0',
  },
  {
    name: 'a share from outside the signing set',
    input: coordinator('sign.Shares', (m) => (m.shares['4'] = filler(32, 4))),
    context: { participants: { ...PARTICIPANTS, expectedPeers: [1] } },
    field: 'shares.4',
    reason: 'is not an expected participant',
  },
  {
    name: 'a share missing from the signing set',
    input: coordinator('sign.Shares', () => undefined),
    context: { participants: { ...PARTICIPANTS, expectedPeers: [1, 5] } },
    field: 'shares.5',
    reason: 'is missing',
  },
  {
    name: 'a claim over 64 KiB',
    input: coordinator('sign.Completed', (m) => (m.tx = filler(64 * 1024 + 1, 1))),
    field: 'tx',
    reason: 'expected 0..65536 hex bytes, got 65537 bytes',
  },
  {
    name: 'a cosign of a Batch signable',
    input: coordinator('coordinator.CosignSubstrateBlock', (m) => (m.id.id = { kind: 'Batch', id: 7 })),
    field: 'id.id.kind',
    reason: 'expected CosigningSubstrateBlock for coordinator.CosignSubstrateBlock',
  },
  {
    name: 'a u64 as a JSON number',
    input: coordinator('coordinator.CosignSubstrateBlock', (m) => (m.block_number = 123456)),
    field: 'block_number',
    reason: 'expected a u64 as a decimal string',
  },
  {
    name: 'a u64 with a leading zero',
    input: coordinator('coordinator.CosignSubstrateBlock', (m) => (m.block_number = '0123')),
    field: 'block_number',
    reason: 'expected a u64 as a decimal string without sign or leading zeros',
  },
  {
    name: 'a negative u64',
    input: coordinator('coordinator.CosignSubstrateBlock', (m) => (m.block_number = '-1')),
    field: 'block_number',
    reason: 'expected a u64 as a decimal string without sign or leading zeros',
  },
  {
    name: 'a u64 overflow',
    input: coordinator('coordinator.CosignSubstrateBlock', (m) => (m.block_number = '18446744073709551616')),
    field: 'block_number',
    reason: 'expected a u64, got a value above 2^64 - 1',
  },
  {
    name: 'a slash report naming a validator twice',
    input: coordinator('coordinator.SignSlashReport', (m) => (m.report[1].validator = m.report[0].validator)),
    field: 'report.1',
    reason: 'duplicate validator',
  },
  {
    name: 'negative slash points',
    input: coordinator('coordinator.SignSlashReport', (m) => (m.report[0].points = -1)),
    field: 'report.0.points',
    reason: U32,
  },
  {
    name: 'a 63-byte Ristretto preprocess',
    input: coordinator('coordinator.SubstratePreprocesses', (m) => (m.preprocesses['5'] = filler(63, 5))),
    field: 'preprocesses.5',
    reason: 'expected 64 hex bytes, got 63 bytes',
  },
  {
    name: 'an unknown signable variant',
    input: coordinator('coordinator.SubstrateShares', (m) => (m.id.id = { kind: 'Transaction', id: filler(32, 1) })),
    field: 'id.id.kind',
    reason: 'unknown kind, expected one of CosigningSubstrateBlock, Batch, SlashReport',
  },
  {
    name: 'a SlashReport signable with a payload',
    input: coordinator('coordinator.SignSlashReport', (m) => (m.id.id.block = filler(32, 1))),
    field: 'id.id.block',
    reason: 'unexpected field',
  },
  {
    name: 'a batch reattempt for a slash report',
    input: coordinator('coordinator.BatchReattempt', (m) => (m.id.id = { kind: 'SlashReport' })),
    field: 'id.id.kind',
    reason: 'expected Batch for coordinator.BatchReattempt',
  },
  {
    name: 'a batch acknowledged twice',
    input: coordinator('substrate.SubstrateBlock', (m) => (m.batches = [7, 8, 7])),
    field: 'batches.2',
    reason: 'duplicate batch',
  },
  {
    name: 'a burn of an unknown coin',
    input: coordinator('substrate.SubstrateBlock', (m) => (m.burns[0].balance.coin = 'dogecoin')),
    field: 'burns.0.balance.coin',
    reason: 'expected an external coin: one of bitcoin, ether, dai, monero',
  },
  {
    name: 'a burn of SRI (not an external coin)',
    input: coordinator('substrate.SubstrateBlock', (m) => (m.burns[1].balance.coin = 'serai')),
    field: 'burns.1.balance.coin',
    reason: 'expected an external coin: one of bitcoin, ether, dai, monero',
  },
  {
    name: 'a burn of zero',
    input: coordinator('substrate.SubstrateBlock', (m) => (m.burns[1].balance.amount = '0')),
    field: 'burns.1.balance.amount',
    reason: 'expected a non-zero amount',
  },
  {
    name: "a burn of another network's coin",
    input: coordinator('substrate.SubstrateBlock', (m) => (m.burns[1].balance.coin = 'ether')),
    context: { network: 'bitcoin' },
    field: 'burns.1.balance.coin',
    reason: "expected a coin of bitcoin, this processor's network",
  },
  {
    name: 'an external address over 196 bytes',
    input: coordinator('substrate.SubstrateBlock', (m) => (m.burns[0].instruction.address = filler(197, 1))),
    field: 'burns.0.instruction.address',
    reason: 'expected 0..196 hex bytes, got 197 bytes',
  },
  {
    name: 'burn data over 512 bytes',
    input: coordinator('substrate.SubstrateBlock', (m) => (m.burns[1].instruction.data = filler(513, 1))),
    field: 'burns.1.instruction.data',
    reason: 'expected 0..512 hex bytes, got 513 bytes',
  },
  {
    name: 'burns that are not an array',
    input: coordinator('substrate.SubstrateBlock', (m) => (m.burns = {})),
    field: 'burns',
    reason: 'expected an array of 0..10000 entries',
  },
  {
    name: 'a network key over 96 bytes',
    input: coordinator('substrate.ConfirmKeyPair', (m) => (m.key_pair.network_key = filler(97, 2))),
    field: 'key_pair.network_key',
    reason: 'expected 1..96 hex bytes, got 97 bytes',
  },
  {
    name: 'a malformed context',
    input: coordinatorMessages['sign.Reattempt'],
    context: { participants: { t: 3, n: 5, own: [] } },
    field: 'context.participants.own',
    reason: 'expected at least one index',
  },
];

const processorCases: Case[] = [
  { name: 'an unknown processor kind', input: { kind: 'sign.Publish' }, field: 'kind', reason: expect.stringMatching(/^unknown kind, expected one of key_gen\.Commitments, /) as unknown as string },
  {
    name: 'a signature without the Schnorrkel marker',
    input: processor('coordinator.SignedSlashReport', (m) => (m.signature = filler(64, 0x11))),
    field: 'signature',
    reason: 'expected an sr25519 signature (marker bit of byte 63 set)',
  },
  {
    name: 'a 65-byte batch signature',
    input: processor('substrate.SignedBatch', (m) => (m.batch.signature = SR25519_SIGNATURE + '00')),
    field: 'batch.signature',
    reason: 'expected 64 hex bytes, got 65 bytes',
  },
  {
    name: "a batch instruction of another network's coin",
    input: processor('substrate.Batch', (m) => (m.batch.instructions[0].balance.coin = 'monero')),
    field: 'batch.instructions.0.balance.coin',
    reason: 'expected a coin of bitcoin',
  },
  {
    name: 'a batch above MAX_BATCH_SIZE',
    input: processor('substrate.Batch', (m) => {
      const swap = {
        instruction: {
          kind: 'Dex',
          call: { kind: 'Swap', minimum: { coin: 'serai', amount: '1' }, to: { kind: 'External', address: filler(196, 9) } },
        },
        balance: { coin: 'bitcoin', amount: '1' },
      };
      m.batch.instructions = Array.from({ length: 120 }, () => swap);
    }),
    field: 'batch.instructions',
    // Each instruction: 1 + 1 + (1 + 8) + 1 + (2 + 196) + (1 + 8) = 219 bytes; 120 of them plus
    // network (1) + id (4) + block (32) + compact(120) (2) = 26 319 bytes.
    reason: 'encode to 26319 bytes, above MAX_BATCH_SIZE (25000)',
  },
  {
    name: 'more instructions than a Batch can hold',
    input: processor('substrate.Batch', (m) => (m.batch.instructions = Array.from({ length: 595 }, () => m.batch.instructions[0]))),
    field: 'batch.instructions',
    reason: 'expected an array of 0..594 entries',
  },
  {
    name: 'a batch for another network',
    input: processorMessages['substrate.Batch'],
    context: { network: 'ethereum' },
    field: 'batch.network',
    reason: "expected ethereum, this processor's network",
  },
  {
    name: 'an unknown InInstruction',
    input: processor('substrate.Batch', (m) => (m.batch.instructions[0].instruction = { kind: 'Mint', address: filler(32, 1) })),
    field: 'batch.instructions.0.instruction.kind',
    reason: 'unknown kind, expected one of Transfer, Dex, GenesisLiquidity, SwapToStakedSRI',
  },
  {
    name: 'a stake to an unknown network',
    input: processor('substrate.Batch', (m) => {
      m.batch.instructions[0].instruction = { kind: 'SwapToStakedSRI', address: filler(32, 1), network: 'dogecoin' };
    }),
    field: 'batch.instructions.0.instruction.network',
    reason: 'expected a network: one of serai, bitcoin, ethereum, monero',
  },
  {
    name: 'one commitments blob for two local shares',
    input: processor('key_gen.Commitments', (m) => m.commitments.pop()),
    context: withParticipants,
    field: 'commitments',
    reason: 'expected one entry per local share (2), got 1',
  },
  {
    name: 'an accusation by someone else',
    input: processor('key_gen.InvalidShare', (m) => (m.accuser = 1)),
    context: withParticipants,
    field: 'accuser',
    reason: 'expected one of our own participant indices',
  },
  { name: 'an accuser blaming itself', input: processor('key_gen.InvalidShare', (m) => (m.faulty = 2)), field: 'faulty', reason: 'is the accuser' },
  {
    name: 'a plan acknowledged twice',
    input: processor('coordinator.SubstrateBlockAck', (m) => (m.plans[1].id = m.plans[0].id)),
    field: 'plans.1',
    reason: 'duplicate plan',
  },
  {
    name: 'a batch preprocess for a cosign',
    input: processor('coordinator.BatchPreprocess', (m) => (m.id.id = { kind: 'CosigningSubstrateBlock', block: filler(32, 1) })),
    field: 'id.id.kind',
    reason: 'expected Batch for coordinator.BatchPreprocess',
  },
  {
    name: 'a 31-byte Ristretto share',
    input: processor('coordinator.SubstrateShare', (m) => (m.shares[0] = filler(31, 1))),
    field: 'shares.0',
    reason: 'expected 32 hex bytes, got 31 bytes',
  },
  {
    name: 'blaming one of our own indices as invalid participant',
    input: processor('sign.InvalidParticipant', (m) => (m.participant = 3)),
    context: withParticipants,
    field: 'participant',
    reason: 'is one of our own participant indices',
  },
];

describe('malformed coordinator messages', () => {
  test.each(coordinatorCases)('$name -> $field', ({ input, context, field, reason }) => {
    const result = parseCoordinatorMessage(input, context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(MessageValidationError);
    expect(result.error).toMatchObject({ name: 'MessageValidationError', field, reason });
  });
});

describe('malformed processor messages', () => {
  test.each(processorCases)('$name -> $field', ({ input, context, field, reason }) => {
    const result = parseProcessorMessage(input, context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(MessageValidationError);
    expect(result.error).toMatchObject({ name: 'MessageValidationError', field, reason });
  });
});

describe('the boundary never throws', () => {
  test('a throwing getter becomes a validation error', () => {
    const hostile = {
      kind: 'sign.Reattempt',
      get id(): never {
        throw new Error('boom: secret 0123');
      },
    };
    const result = parseCoordinatorMessage(hostile);
    expect(result).toEqual({ ok: false, error: expect.any(MessageValidationError) });
    if (result.ok) return;
    expect(result.error.field).toBe('message');
    expect(result.error.message).not.toContain('secret');
  });

  test('the error names the field, never the value', () => {
    const secretShare = filler(10, 0x5e);
    const result = parseCoordinatorMessage(coordinator('key_gen.Commitments', (m) => (m.commitments['4'] = secretShare)));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe('commitments.4: expected 32..10224 hex bytes, got 10 bytes');
    expect(result.error.message).not.toContain(secretShare);
  });

  test('the assert variants throw MessageValidationError with a stable name', () => {
    const bad = coordinator('key_gen.GenerateKey', (m) => (m.params.t = 9));
    expect(() => assertCoordinatorMessage(bad)).toThrow(MessageValidationError);
    try {
      assertProcessorMessage({ kind: 'nope' });
      throw new Error('assertProcessorMessage accepted an unknown kind');
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ name: 'MessageValidationError', field: 'kind' });
    }
  });
});
