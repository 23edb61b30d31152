import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCODING_ENCRYPTED, METADATA_KEY_ID } from '../../temporal/codec';
import { loadCodecKeyring, parseKeyring, KeyringConfigError } from '../../temporal/keyring';

const hexKey = () => bytesToHex(randomBytes(32));

describe('AES-256-GCM payload codec', () => {
  const k1 = hexKey();
  const k2 = hexKey();
  const payload = defaultPayloadConverter.toPayload({ amount: '123456789012345678901', note: 'secret marker' });

  test('encrypts the whole payload, metadata included, and decodes it back', async () => {
    const codec = new AesGcmPayloadCodec(parseKeyring(`k1=${k1}`, 'test'));
    const [encoded] = await codec.encode([payload]);
    expect(Buffer.from(encoded!.metadata!.encoding!).toString()).toBe(ENCODING_ENCRYPTED);
    expect(Buffer.from(encoded!.metadata![METADATA_KEY_ID]!).toString()).toBe('k1');
    expect(Buffer.from(encoded!.data!).includes(Buffer.from('secret marker'))).toBe(false);
    expect(Buffer.from(encoded!.data!).includes(Buffer.from('json/plain'))).toBe(false);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ amount: '123456789012345678901', note: 'secret marker' });
  });

  test('two encodings of one payload differ (fresh nonce each time)', async () => {
    const codec = new AesGcmPayloadCodec(parseKeyring(`k1=${k1}`, 'test'));
    const [a] = await codec.encode([payload]);
    const [b] = await codec.encode([payload]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  test('rotation: payloads under an older key still decode after a new current key is added', async () => {
    const old = new AesGcmPayloadCodec(parseKeyring(`k1=${k1}`, 'test'));
    const rotated = new AesGcmPayloadCodec(parseKeyring(`k2=${k2},k1=${k1}`, 'test'));
    const [underOld] = await old.encode([payload]);
    const [underNew] = await rotated.encode([payload]);
    expect(Buffer.from(underNew!.metadata![METADATA_KEY_ID]!).toString()).toBe('k2');
    const decoded = await rotated.decode([underOld!, underNew!]);
    for (const d of decoded) expect(defaultPayloadConverter.fromPayload(d)).toEqual({ amount: '123456789012345678901', note: 'secret marker' });
  });

  test('unknown key id, wrong key, tampering and truncation are refused with PayloadDecryptError', async () => {
    const codec = new AesGcmPayloadCodec(parseKeyring(`k1=${k1}`, 'test'));
    const [encoded] = await codec.encode([payload]);
    const other = new AesGcmPayloadCodec(parseKeyring(`k2=${k2}`, 'test'));
    await expect(other.decode([encoded!])).rejects.toMatchObject({ type: 'PayloadDecryptError', message: 'no codec key with id "k1"' });
    const wrongKey = new AesGcmPayloadCodec(parseKeyring(`k1=${k2}`, 'test'));
    await expect(wrongKey.decode([encoded!])).rejects.toMatchObject({ type: 'PayloadDecryptError' });
    const tampered = { ...encoded!, data: Uint8Array.from(encoded!.data!) };
    tampered.data[tampered.data.length - 1]! ^= 1;
    await expect(codec.decode([tampered])).rejects.toMatchObject({ type: 'PayloadDecryptError' });
    const movedKeyId = { ...encoded!, metadata: { ...encoded!.metadata, [METADATA_KEY_ID]: Buffer.from('k2') } };
    const both = new AesGcmPayloadCodec(parseKeyring(`k2=${k1},k1=${k1}`, 'test'));
    await expect(both.decode([movedKeyId])).rejects.toMatchObject({ type: 'PayloadDecryptError' });
    await expect(codec.decode([{ ...encoded!, data: encoded!.data!.subarray(0, 20) }])).rejects.toMatchObject({ message: 'encrypted payload is truncated' });
  });

  test('payloads that are not encrypted pass through decode unchanged', async () => {
    const codec = new AesGcmPayloadCodec(parseKeyring(`k1=${k1}`, 'test'));
    expect(await codec.decode([payload])).toEqual([payload]);
  });
});

describe('codec keyring configuration', () => {
  test('first entry is the current key; bad entries name what is wrong without echoing key material', () => {
    const k = hexKey();
    expect(parseKeyring(`a=${k}, b=${hexKey()}`, 'X').current).toBe('a');
    expect(() => parseKeyring('', 'CODEC_KEYS')).toThrow('CODEC_KEYS: no keys');
    expect(() => parseKeyring(`=${k}`, 'CODEC_KEYS')).toThrow('entry 1 has no valid key id');
    expect(() => parseKeyring('a=abcd', 'CODEC_KEYS')).toThrow('key "a" must be 64 hex characters');
    expect(() => parseKeyring(`a=${k},a=${k}`, 'CODEC_KEYS')).toThrow('key id "a" appears twice');
    try {
      parseKeyring(`a=${k.slice(0, 60)}`, 'CODEC_KEYS');
    } catch (err) {
      expect((err as Error).message).not.toContain(k.slice(0, 60));
    }
  });

  test('loads from CODEC_KEYS, else CODEC_KEYS_FILE, else a one-line error', () => {
    expect(loadCodecKeyring({ CODEC_KEYS: `z=${hexKey()}` }).current).toBe('z');
    expect(() => loadCodecKeyring({})).toThrow(KeyringConfigError);
    expect(() => loadCodecKeyring({ CODEC_KEYS_FILE: '/nonexistent/keys' })).toThrow('CODEC_KEYS_FILE: cannot read /nonexistent/keys (ENOENT)');
  });
});
