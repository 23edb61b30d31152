/** One valid message of every kind, for a validator holding participants 2 and 3 of a 3-of-5 key. */
import type { CoordinatorMessage, CoordinatorMessageKind, ProcessorMessage, ProcessorMessageKind } from '../../../messages';

/** `length` bytes of a recognisable pattern, as lowercase hex. */
export function filler(length: number, byte: number): string {
  return byte.toString(16).padStart(2, '0').repeat(length);
}

/** A 64-byte sr25519 signature: R || s with the Schnorrkel marker bit set in the last byte. */
export const SR25519_SIGNATURE = filler(63, 0x11) + '91';

export const OWN = [2, 3];
export const PARTICIPANTS = { t: 3, n: 5, own: OWN } as const;

const keyGenId = { session: 1, attempt: 0 };
const signId = { session: 1, id: filler(32, 0xaa), attempt: 2 };
const context = { serai_time: '1700000000', network_latest_finalized_block: filler(32, 0xbb) };

const batch = {
  network: 'bitcoin' as const,
  id: 7,
  block: filler(32, 0xcc),
  instructions: [
    { instruction: { kind: 'Transfer' as const, address: filler(32, 0x01) }, balance: { coin: 'bitcoin' as const, amount: '100000' } },
  ],
};

export const coordinatorMessages: { [K in CoordinatorMessageKind]: Extract<CoordinatorMessage, { kind: K }> } = {
  'key_gen.GenerateKey': { kind: 'key_gen.GenerateKey', id: keyGenId, params: { t: 3, n: 5, i: 2 }, shares: 2 },
  'key_gen.Commitments': {
    kind: 'key_gen.Commitments',
    id: keyGenId,
    commitments: { '1': filler(100, 0x01), '4': filler(100, 0x04), '5': filler(100, 0x05) },
  },
  'key_gen.Shares': {
    kind: 'key_gen.Shares',
    id: keyGenId,
    shares: [
      { '1': filler(130, 0x12), '4': filler(130, 0x42), '5': filler(130, 0x52) },
      { '1': filler(130, 0x13), '4': filler(130, 0x43), '5': filler(130, 0x53) },
    ],
  },
  'key_gen.VerifyBlame': {
    kind: 'key_gen.VerifyBlame',
    id: keyGenId,
    accuser: 4,
    accused: 1,
    share: filler(130, 0x14),
    blame: filler(97, 0x99),
  },
  'sign.Preprocesses': { kind: 'sign.Preprocesses', id: signId, preprocesses: { '1': filler(66, 0x01) } },
  'sign.Shares': { kind: 'sign.Shares', id: signId, shares: { '1': filler(32, 0x01) } },
  'sign.Reattempt': { kind: 'sign.Reattempt', id: signId },
  'sign.Completed': { kind: 'sign.Completed', session: 1, id: filler(32, 0xaa), tx: filler(32, 0xdd) },
  'coordinator.CosignSubstrateBlock': {
    kind: 'coordinator.CosignSubstrateBlock',
    id: { session: 1, id: { kind: 'CosigningSubstrateBlock', block: filler(32, 0xee) }, attempt: 0 },
    block_number: '123456',
  },
  'coordinator.SignSlashReport': {
    kind: 'coordinator.SignSlashReport',
    id: { session: 1, id: { kind: 'SlashReport' }, attempt: 0 },
    report: [
      { validator: filler(32, 0x01), points: 10 },
      { validator: filler(32, 0x04), points: 0 },
    ],
  },
  'coordinator.SubstratePreprocesses': {
    kind: 'coordinator.SubstratePreprocesses',
    id: { session: 1, id: { kind: 'Batch', id: 7 }, attempt: 0 },
    preprocesses: { '5': filler(64, 0x05) },
  },
  'coordinator.SubstrateShares': {
    kind: 'coordinator.SubstrateShares',
    id: { session: 1, id: { kind: 'Batch', id: 7 }, attempt: 0 },
    shares: { '5': filler(32, 0x05) },
  },
  'coordinator.BatchReattempt': { kind: 'coordinator.BatchReattempt', id: { session: 1, id: { kind: 'Batch', id: 7 }, attempt: 1 } },
  'substrate.ConfirmKeyPair': {
    kind: 'substrate.ConfirmKeyPair',
    context,
    session: 1,
    key_pair: { substrate_key: filler(32, 0x5e), network_key: filler(33, 0x02) },
  },
  'substrate.SubstrateBlock': {
    kind: 'substrate.SubstrateBlock',
    context,
    block: '18446744073709551615',
    burns: [
      { instruction: { address: filler(22, 0x00), data: null }, balance: { coin: 'bitcoin', amount: '50000' } },
      { instruction: { address: '', data: filler(512, 0x77) }, balance: { coin: 'bitcoin', amount: '1' } },
    ],
    batches: [7],
  },
};

export const processorMessages: { [K in ProcessorMessageKind]: Extract<ProcessorMessage, { kind: K }> } = {
  'key_gen.Commitments': { kind: 'key_gen.Commitments', id: keyGenId, commitments: [filler(100, 0x02), filler(100, 0x03)] },
  'key_gen.InvalidCommitments': { kind: 'key_gen.InvalidCommitments', id: keyGenId, faulty: 4 },
  'key_gen.Shares': {
    kind: 'key_gen.Shares',
    id: keyGenId,
    shares: [
      { '1': filler(130, 0x21), '4': filler(130, 0x24), '5': filler(130, 0x25) },
      { '1': filler(130, 0x31), '4': filler(130, 0x34), '5': filler(130, 0x35) },
    ],
  },
  'key_gen.InvalidShare': { kind: 'key_gen.InvalidShare', id: keyGenId, accuser: 2, faulty: 5, blame: null },
  'key_gen.GeneratedKeyPair': {
    kind: 'key_gen.GeneratedKeyPair',
    id: keyGenId,
    substrate_key: filler(32, 0x5e),
    network_key: filler(33, 0x02),
  },
  'key_gen.Blame': { kind: 'key_gen.Blame', id: keyGenId, participant: 4 },
  'sign.InvalidParticipant': { kind: 'sign.InvalidParticipant', id: signId, participant: 1 },
  'sign.Preprocess': { kind: 'sign.Preprocess', id: signId, preprocesses: [filler(66, 0x02), filler(66, 0x03)] },
  'sign.Share': { kind: 'sign.Share', id: signId, shares: [filler(32, 0x02), filler(32, 0x03)] },
  'sign.Completed': { kind: 'sign.Completed', session: 1, id: filler(32, 0xaa), tx: '' },
  'coordinator.SubstrateBlockAck': {
    kind: 'coordinator.SubstrateBlockAck',
    block: '42',
    plans: [
      { session: 1, id: filler(32, 0x0a) },
      { session: 1, id: filler(32, 0x0b) },
    ],
  },
  'coordinator.InvalidParticipant': {
    kind: 'coordinator.InvalidParticipant',
    id: { session: 1, id: { kind: 'Batch', id: 7 }, attempt: 0 },
    participant: 5,
  },
  'coordinator.CosignPreprocess': {
    kind: 'coordinator.CosignPreprocess',
    id: { session: 1, id: { kind: 'CosigningSubstrateBlock', block: filler(32, 0xee) }, attempt: 0 },
    preprocesses: [filler(64, 0x02), filler(64, 0x03)],
  },
  'coordinator.BatchPreprocess': {
    kind: 'coordinator.BatchPreprocess',
    id: { session: 1, id: { kind: 'Batch', id: 7 }, attempt: 0 },
    block: filler(32, 0xcc),
    preprocesses: [filler(64, 0x02), filler(64, 0x03)],
  },
  'coordinator.SlashReportPreprocess': {
    kind: 'coordinator.SlashReportPreprocess',
    id: { session: 1, id: { kind: 'SlashReport' }, attempt: 0 },
    preprocesses: [filler(64, 0x02), filler(64, 0x03)],
  },
  'coordinator.SubstrateShare': {
    kind: 'coordinator.SubstrateShare',
    id: { session: 1, id: { kind: 'Batch', id: 7 }, attempt: 0 },
    shares: [filler(32, 0x02), filler(32, 0x03)],
  },
  'coordinator.CosignedBlock': {
    kind: 'coordinator.CosignedBlock',
    block_number: '123456',
    block: filler(32, 0xee),
    signature: SR25519_SIGNATURE,
  },
  'coordinator.SignedSlashReport': { kind: 'coordinator.SignedSlashReport', session: 1, signature: SR25519_SIGNATURE },
  'substrate.Batch': { kind: 'substrate.Batch', batch },
  'substrate.SignedBatch': { kind: 'substrate.SignedBatch', batch: { batch, signature: SR25519_SIGNATURE } },
};

/** A deep copy to mutate in a test case. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}
