import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameRms, timeStretch } from '../meeting/time-stretch.js';

const RATE = 48000;

function sine(hz, length, amplitude = 0.5) {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / RATE);
  return out;
}

/** Frequency from upward zero crossings (interpolated), over the whole signal. */
function frequency(x) {
  let first = null;
  let last = null;
  let cycles = 0;
  for (let i = 1; i < x.length; i++) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      const t = i - 1 + -x[i - 1] / (x[i] - x[i - 1]);
      if (first === null) first = t; else cycles += 1;
      last = t;
    }
  }
  return (cycles * RATE) / (last - first);
}

const maxStep = (x) => { let m = 0; for (let i = 1; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - x[i - 1])); return m; };

test('WSOLA keeps the pitch of a tone and gives the length the speed asks for', () => {
  for (const hz of [120, 220, 440, 1000]) {
    const input = sine(hz, RATE / 2);
    for (const speed of [1.5, 1.25, 0.8, 0.75]) {
      const out = timeStretch(input, speed);
      // The length is what the speed asks for, to within a few ms (where the end joins).
      const want = input.length / speed;
      assert.ok(Math.abs(out.length - want) <= 0.006 * RATE, `${hz} Hz at ${speed}×: ${out.length} samples, not ${want}`);
      const f = frequency(out);
      assert.ok(Math.abs(f - hz) / hz < 0.03, `${hz} Hz at ${speed}× came out at ${f.toFixed(1)} Hz`);
      assert.ok(Math.abs(frameRms(out) - frameRms(input)) < 0.03, `level kept at ${speed}×: ${frameRms(out)}`);
    }
  }
});

test('a stretched chunk starts and ends with the input unchanged, so chunks join without a click', () => {
  const hz = 180;
  const input = sine(hz, RATE);
  const chunk = 2880; // 60 ms, as the jitter buffer accelerates
  for (const speed of [1.5, 0.8]) {
    const parts = [];
    for (let at = 0; at < input.length; at += chunk) {
      const piece = input.subarray(at, at + chunk);
      const out = timeStretch(piece, speed);
      assert.deepEqual(Array.from(out.subarray(0, 50)), Array.from(piece.subarray(0, 50)));
      assert.deepEqual(Array.from(out.subarray(out.length - 50)), Array.from(piece.subarray(piece.length - 50)));
      parts.push(out);
    }
    const total = parts.reduce((n, p) => n + p.length, 0);
    assert.ok(Math.abs(total - input.length / speed) < 0.08 * (input.length / speed), `${speed}×: ${total} samples`);
    const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { joined.set(p, at); at += p.length; }
    // The largest step between samples is what the tone itself has: no discontinuity.
    assert.ok(maxStep(joined) <= 1.2 * maxStep(input), `steps ${maxStep(joined)} vs ${maxStep(input)}`);
    const f = frequency(joined);
    assert.ok(Math.abs(f - hz) / hz < 0.05, `${speed}× in 60 ms chunks: ${f.toFixed(1)} Hz`);
  }
});

test('speed 1 copies; short pieces and silence are handled', () => {
  const input = sine(300, 960);
  assert.deepEqual(Array.from(timeStretch(input, 1)), Array.from(input));
  assert.equal(timeStretch(new Float32Array(40), 1.5).length, 27);
  assert.equal(timeStretch(new Float32Array(0), 1.5).length, 1);
  const silent = timeStretch(new Float32Array(1920), 0.8);
  assert.ok(Math.abs(silent.length - 2400) <= 288, `${silent.length}`);
  assert.ok(silent.every((v) => v === 0));
  assert.equal(frameRms(new Float32Array(0)), 0);
});
