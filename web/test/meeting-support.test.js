import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAudioSupport, encoderConfigCandidates, ENCODER_CONFIG } from '../meeting/support.js';

function browser({ encoder = () => true, decoder = true, noWebCodecs = false, noWorklet = false, secure = true } = {}) {
  const tried = [];
  const scope = {
    isSecureContext: secure,
    navigator: { mediaDevices: secure ? { getUserMedia() {} } : undefined },
    AudioContext: function AudioContext() {},
    AudioWorkletNode: noWorklet ? undefined : function AudioWorkletNode() {},
    EncodedAudioChunk: function EncodedAudioChunk() {},
    AudioData: function AudioData() {},
  };
  if (!noWebCodecs) {
    scope.AudioEncoder = function AudioEncoder() {};
    scope.AudioEncoder.isConfigSupported = async (c) => { tried.push(c); return { supported: encoder(c), config: c }; };
    scope.AudioDecoder = function AudioDecoder() {};
    scope.AudioDecoder.isConfigSupported = async (c) => ({ supported: decoder, config: c });
  }
  return { scope, tried };
}

test('the full configuration when the browser takes it', async () => {
  const { scope } = browser();
  assert.deepEqual(await checkAudioSupport(scope), { ok: true, encoderConfig: encoderConfigCandidates()[0] });
  assert.deepEqual(encoderConfigCandidates()[0], JSON.parse(JSON.stringify(ENCODER_CONFIG)));
});

test('unsupported optional fields are dropped one by one', async () => {
  const { scope, tried } = browser({ encoder: (c) => !c.opus?.useinbandfec && !c.opus?.packetlossperc });
  const res = await checkAudioSupport(scope);
  assert.equal(res.ok, true);
  assert.deepEqual(res.encoderConfig, { codec: 'opus', sampleRate: 48000, numberOfChannels: 1, bitrate: 32000, opus: { frameDuration: 20000 } });
  assert.equal(tried.length, 3);
});

test('the candidates end with the bare codec', () => {
  const all = encoderConfigCandidates();
  assert.deepEqual(all.at(-1), { codec: 'opus', sampleRate: 48000, numberOfChannels: 1 });
  assert.ok(all.length >= 4);
});

test('no WebCodecs, no Opus, no worklet or an insecure page each give their reason', async () => {
  assert.deepEqual(await checkAudioSupport(browser({ noWebCodecs: true }).scope), { ok: false, reason: 'no-webcodecs' });
  assert.deepEqual(await checkAudioSupport(browser({ decoder: false }).scope), { ok: false, reason: 'no-opus' });
  assert.deepEqual(await checkAudioSupport(browser({ encoder: () => false }).scope), { ok: false, reason: 'no-opus' });
  assert.deepEqual(await checkAudioSupport(browser({ noWorklet: true }).scope), { ok: false, reason: 'no-worklet' });
  assert.deepEqual(await checkAudioSupport(browser({ secure: false }).scope), { ok: false, reason: 'insecure' });
});
