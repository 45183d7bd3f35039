import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rms, levelFromRms, rmsFromLevel, meterFromLevel, meterFromRms, smoothMeter, createVoiceDetector } from '../meeting/levels.js';

const sine = (amplitude, n = 960) => Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * 440 * i) / 48000));

test('RMS of silence, a square wave and a sine', () => {
  assert.equal(rms(new Float32Array(960)), 0);
  assert.equal(rms(new Float32Array(960).fill(0.5)), 0.5);
  assert.ok(Math.abs(rms(sine(1)) - Math.SQRT1_2) < 0.01);
  assert.equal(rms([]), 0);
});

test('level byte is −dBov: full scale 0, a full-scale sine 3, silence 127', () => {
  assert.equal(levelFromRms(1), 0);
  assert.equal(levelFromRms(2), 0);
  assert.equal(levelFromRms(rms(sine(1))), 3);
  assert.equal(levelFromRms(10 ** (-30 / 20)), 30); // the protocol example's −30 dBov
  assert.equal(levelFromRms(0), 127);
  assert.equal(levelFromRms(1e-9), 127);
  assert.ok(Math.abs(rmsFromLevel(30) - 0.0316) < 1e-3);
  assert.equal(rmsFromLevel(127), 0);
});

test('meter runs 0..1 from −60 dBov to 0 dBov', () => {
  assert.equal(meterFromLevel(0), 1);
  assert.equal(meterFromLevel(30), 0.5);
  assert.equal(meterFromLevel(60), 0);
  assert.equal(meterFromLevel(127), 0);
  assert.equal(meterFromRms(0), 0);
  assert.equal(meterFromRms(1), 1);
});

test('meters rise at once and fall slowly', () => {
  assert.equal(smoothMeter(0.2, 0.8, 100), 0.8);
  assert.ok(Math.abs(smoothMeter(0.8, 0, 100) - 0.65) < 1e-9);
  assert.equal(smoothMeter(0.8, 0, 10_000), 0);
});

test('voice detector holds between words and lets go after the hangover', () => {
  const vad = createVoiceDetector({ thresholdLevel: 45, hangoverFrames: 3 });
  assert.equal(vad.update(127), false);
  assert.equal(vad.update(20), true);
  assert.equal(vad.update(90), true);
  assert.equal(vad.update(90), true);
  assert.equal(vad.update(90), false);
});
