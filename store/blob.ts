/** better-sqlite3 returns BLOBs as Node Buffers; callers get plain, independent Uint8Arrays. */
export function blobToBytes(value: unknown, column: string): Uint8Array {
  if (!ArrayBuffer.isView(value)) throw new TypeError(`column ${column} is not a BLOB`);
  return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
}
