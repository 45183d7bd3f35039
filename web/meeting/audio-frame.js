// The binary audio frame of docs/protocol.md ("Audio frames"): a 10-byte header, all
// integers big-endian, followed by one Opus packet.
//
//   0     0x10: format version 1 (high 4 bits), kind 0 = Opus audio (low 4 bits)
//   1     bit 7 voice activity; bits 0–6 audio level in −dBov (0 loudest, 127 silence)
//   2–3   stream id of the sender
//   4–5   sequence number (+1 per packet, wraps 65535 → 0)
//   6–9   timestamp, 48 kHz sample clock of the first sample (+960 per 20 ms, wraps)
//   10…   the Opus packet (at least one byte)
//
// Pure: no DOM, no Web Audio; runs in the page, in worklets and under `node --test`.

export const HEADER_BYTES = 10;
export const FORMAT_VERSION = 1;
export const KIND_OPUS = 0;
export const FIRST_BYTE = (FORMAT_VERSION << 4) | KIND_OPUS; // 0x10
export const LEVEL_SILENCE = 127;
export const SEQ_MODULO = 0x10000;
export const TIMESTAMP_MODULO = 0x100000000;

const clampLevel = (level) => Math.max(0, Math.min(LEVEL_SILENCE, Math.round(Number(level) || 0)));

/**
 * Builds one frame. `payload` is the Opus packet (Uint8Array, ArrayBuffer or a view);
 * sequence and timestamp are taken modulo 2^16 and 2^32 so counters may simply grow.
 * Returns a Uint8Array whose buffer holds exactly the frame (ready for WebSocket.send).
 */
export function encodeFrame({ streamId, seq, timestamp, level = LEVEL_SILENCE, voice = false, payload }) {
  const packet = toBytes(payload);
  if (!packet || packet.length < 1) throw new RangeError('an audio frame needs a packet of at least one byte');
  if (!Number.isInteger(streamId) || streamId < 1 || streamId > 0xffff) throw new RangeError(`stream id out of range: ${streamId}`);
  const out = new Uint8Array(HEADER_BYTES + packet.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, FIRST_BYTE);
  view.setUint8(1, (voice ? 0x80 : 0) | clampLevel(level));
  view.setUint16(2, streamId);
  view.setUint16(4, mod(seq, SEQ_MODULO));
  view.setUint32(6, mod(timestamp, TIMESTAMP_MODULO));
  out.set(packet, HEADER_BYTES);
  return out;
}

/**
 * Reads one frame. Returns `{streamId, seq, timestamp, level, voice, payload}` (payload a
 * Uint8Array view into the input) or null when the bytes are not a version 1 Opus frame
 * with a non-empty packet — the same frames the server refuses.
 */
export function decodeFrame(data) {
  const bytes = toBytes(data);
  if (!bytes || bytes.length < HEADER_BYTES + 1) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== FIRST_BYTE) return null;
  const b1 = view.getUint8(1);
  return {
    voice: (b1 & 0x80) !== 0,
    level: b1 & 0x7f,
    streamId: view.getUint16(2),
    seq: view.getUint16(4),
    timestamp: view.getUint32(6),
    payload: bytes.subarray(HEADER_BYTES),
  };
}

/** The stream id of a frame without decoding the rest (null if too short or not audio). */
export function frameStreamId(data) {
  const bytes = toBytes(data);
  if (!bytes || bytes.length < HEADER_BYTES || bytes[0] !== FIRST_BYTE) return null;
  return (bytes[2] << 8) | bytes[3];
}

/** Hex dump "10 9e 00 03 …" (tests, debugging). */
export function toHex(data) {
  return [...toBytes(data)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Bytes from "10 9e 00 …" (spaces optional). */
export function fromHex(text) {
  const clean = String(text).replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function mod(n, m) {
  const v = Math.trunc(Number(n) || 0) % m;
  return v < 0 ? v + m : v;
}

function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}
