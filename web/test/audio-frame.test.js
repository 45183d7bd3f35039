import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFrame, decodeFrame, frameStreamId, toHex, fromHex, HEADER_BYTES } from '../meeting/audio-frame.js';

// The golden example of docs/protocol.md, "Audio frames": stream 3, sequence 258,
// timestamp 48000, level −30 dBov with voice, a 3-byte packet.
const GOLDEN = '10 9e 00 03 01 02 00 00 bb 80 f8 ff fe';

test('the golden example frame of the protocol document is what we encode and decode', () => {
  const doc = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../docs/protocol.md'), 'utf8');
  assert.ok(doc.includes(GOLDEN), 'docs/protocol.md still carries the example');
  const frame = encodeFrame({ streamId: 3, seq: 258, timestamp: 48000, level: 30, voice: true, payload: new Uint8Array([0xf8, 0xff, 0xfe]) });
  assert.equal(toHex(frame), GOLDEN);
  const decoded = decodeFrame(fromHex(GOLDEN));
  assert.deepEqual({ ...decoded, payload: [...decoded.payload] },
    { voice: true, level: 30, streamId: 3, seq: 258, timestamp: 48000, payload: [0xf8, 0xff, 0xfe] });
  assert.equal(frameStreamId(fromHex(GOLDEN).buffer), 3);
});

test('sequence and timestamp wrap; counters may simply grow', () => {
  const f = decodeFrame(encodeFrame({ streamId: 65535, seq: 65536 + 2, timestamp: 2 ** 32 + 960, level: 127, payload: new Uint8Array([1]) }));
  assert.equal(f.seq, 2);
  assert.equal(f.timestamp, 960);
  assert.equal(f.streamId, 65535);
  assert.equal(f.voice, false);
  assert.equal(f.level, 127);
});

test('level is clamped to 0..127 and the voice bit is separate', () => {
  const loud = decodeFrame(encodeFrame({ streamId: 1, seq: 0, timestamp: 0, level: -5, voice: false, payload: new Uint8Array([0]) }));
  assert.equal(loud.level, 0);
  const quiet = decodeFrame(encodeFrame({ streamId: 1, seq: 0, timestamp: 0, level: 400, voice: true, payload: new Uint8Array([0]) }));
  assert.equal(quiet.level, 127);
  assert.equal(quiet.voice, true);
});

test('frames the server would refuse do not decode', () => {
  assert.equal(decodeFrame(new Uint8Array(HEADER_BYTES)), null, 'empty packet');
  assert.equal(decodeFrame(new Uint8Array(5)), null, 'short header');
  assert.equal(decodeFrame(fromHex('20 9e 00 03 01 02 00 00 bb 80 f8')), null, 'other version');
  assert.equal(decodeFrame(fromHex('11 9e 00 03 01 02 00 00 bb 80 f8')), null, 'other kind');
  assert.equal(decodeFrame('text'), null);
  assert.throws(() => encodeFrame({ streamId: 0, seq: 0, timestamp: 0, payload: new Uint8Array([1]) }), RangeError);
  assert.throws(() => encodeFrame({ streamId: 1, seq: 0, timestamp: 0, payload: new Uint8Array(0) }), RangeError);
});

test('decoding reads from a view inside a larger buffer', () => {
  const big = new Uint8Array(20);
  big.set(fromHex(GOLDEN), 4);
  const f = decodeFrame(big.subarray(4, 4 + 13));
  assert.equal(f.seq, 258);
  assert.deepEqual([...f.payload], [0xf8, 0xff, 0xfe]);
});
