import {
  COORDINATOR_MESSAGE_KINDS,
  PROCESSOR_MESSAGE_KINDS,
  parseCoordinatorMessage,
  parseProcessorMessage,
  participantContextFromParams,
  type MessageContext,
} from '../../../messages';
import { coordinatorMessages, copy, filler, PARTICIPANTS, processorMessages } from './fixtures';

const context: MessageContext = { network: 'bitcoin', participants: PARTICIPANTS };

describe('valid messages round-trip', () => {
  test('every message kind of section 2 is covered', () => {
    expect(COORDINATOR_MESSAGE_KINDS).toHaveLength(15);
    expect(PROCESSOR_MESSAGE_KINDS).toHaveLength(20);
    expect(Object.keys(coordinatorMessages).sort()).toEqual([...COORDINATOR_MESSAGE_KINDS].sort());
    expect(Object.keys(processorMessages).sort()).toEqual([...PROCESSOR_MESSAGE_KINDS].sort());
  });

  test.each(COORDINATOR_MESSAGE_KINDS)('coordinator %s survives JSON and validation unchanged', (kind) => {
    const original = coordinatorMessages[kind];
    const travelled: unknown = JSON.parse(JSON.stringify(original));
    const result = parseCoordinatorMessage(travelled, context);
    expect(result).toEqual({ ok: true, message: original });
    if (result.ok) expect(result.message).not.toBe(travelled);
  });

  test.each(PROCESSOR_MESSAGE_KINDS)('processor %s survives JSON and validation unchanged', (kind) => {
    const original = processorMessages[kind];
    const travelled: unknown = JSON.parse(JSON.stringify(original));
    expect(parseProcessorMessage(travelled, context)).toEqual({ ok: true, message: original });
  });
});

describe('limits are inclusive', () => {
  test('the largest values of each bounded field are accepted', () => {
    const block = copy(coordinatorMessages['substrate.SubstrateBlock']);
    block.block = '18446744073709551615';
    block.burns[0]!.instruction.address = filler(196, 1);
    block.burns[0]!.instruction.data = filler(512, 2);
    block.burns[0]!.balance.amount = '18446744073709551615';
    expect(parseCoordinatorMessage(block).ok).toBe(true);

    const commitments = copy(coordinatorMessages['key_gen.Commitments']);
    commitments.commitments = { '65535': filler(10224, 7) };
    expect(parseCoordinatorMessage(commitments).ok).toBe(true);

    const completed = copy(coordinatorMessages['sign.Completed']);
    completed.tx = filler(64 * 1024, 3);
    completed.session = 4294967295;
    expect(parseCoordinatorMessage(completed).ok).toBe(true);
  });

  test('a Batch of 594 minimal instructions fits MAX_BATCH_SIZE', () => {
    const batch = copy(processorMessages['substrate.Batch']);
    const transfer = batch.batch.instructions[0]!;
    batch.batch.instructions = Array.from({ length: 594 }, () => transfer);
    expect(parseProcessorMessage(batch).ok).toBe(true);
  });

  test('a 1-of-1 key and a full 150-share set are valid parameters', () => {
    const single = copy(coordinatorMessages['key_gen.GenerateKey']);
    single.params = { t: 1, n: 1, i: 1 };
    single.shares = 1;
    expect(parseCoordinatorMessage(single).ok).toBe(true);

    const full = copy(coordinatorMessages['key_gen.GenerateKey']);
    full.params = { t: 101, n: 150, i: 1 };
    full.shares = 150;
    expect(parseCoordinatorMessage(full).ok).toBe(true);
  });
});

describe('participant context', () => {
  test('GenerateKey parameters give our consecutive indices', () => {
    expect(participantContextFromParams({ t: 3, n: 5, i: 2 }, 2)).toEqual({ t: 3, n: 5, own: [2, 3] });
  });

  test('a signing map holding exactly the expected peers passes', () => {
    const shares = copy(coordinatorMessages['sign.Shares']);
    shares.shares = { '1': filler(32, 1), '5': filler(32, 5) };
    const exact: MessageContext = { participants: { ...PARTICIPANTS, expectedPeers: [1, 5] } };
    expect(parseCoordinatorMessage(shares, exact).ok).toBe(true);
  });

  test('context checks are skipped when no context is given, not guessed', () => {
    const commitments = copy(coordinatorMessages['key_gen.Commitments']);
    commitments.commitments['2'] = filler(100, 2);
    expect(parseCoordinatorMessage(commitments).ok).toBe(true);
    expect(parseCoordinatorMessage(commitments, context)).toMatchObject({ ok: false, error: { field: 'commitments.2' } });
  });
});
