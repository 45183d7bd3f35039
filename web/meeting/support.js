// What a browser needs for a meeting, and the Opus encoder configuration it accepts.
// Meetings need WebCodecs Opus (AudioEncoder and AudioDecoder), AudioWorklet and
// getUserMedia; without them the page explains why instead of joining a silent meeting.
// Pure apart from the objects passed in (`scope` defaults to globalThis), so node can test it.

export const SAMPLE_RATE = 48000;
export const FRAME_SAMPLES = 960; // 20 ms
export const FRAME_US = 20_000;

/** What we ask for: 32 kbit/s, 20 ms frames, in-band FEC for 10 % expected loss. */
export const ENCODER_CONFIG = Object.freeze({
  codec: 'opus', sampleRate: SAMPLE_RATE, numberOfChannels: 1, bitrate: 32000,
  opus: Object.freeze({ frameDuration: FRAME_US, useinbandfec: true, packetlossperc: 10 }),
});

export const DECODER_CONFIG = Object.freeze({ codec: 'opus', sampleRate: SAMPLE_RATE, numberOfChannels: 1 });

/**
 * The encoder configurations to try, best first: each drops one more optional field, ending
 * with the bare codec, rate and channel count every Opus encoder must take.
 */
export function encoderConfigCandidates(config = ENCODER_CONFIG) {
  const { opus = {}, ...base } = config;
  const candidates = [];
  const optional = ['packetlossperc', 'useinbandfec'];
  let o = { ...opus };
  candidates.push({ ...base, opus: { ...o } });
  for (const key of optional) {
    if (!(key in o)) continue;
    o = { ...o };
    delete o[key];
    candidates.push(Object.keys(o).length ? { ...base, opus: { ...o } } : { ...base });
  }
  if (Object.keys(o).length) candidates.push({ ...base });
  const { bitrate, ...bare } = base;
  if (bitrate !== undefined) candidates.push(bare);
  return candidates;
}

/**
 * Checks the browser. Resolves `{ok: true, encoderConfig}` or `{ok: false, reason}` with
 * reason one of: insecure (no secure context: getUserMedia is missing), no-webcodecs
 * (AudioEncoder/AudioDecoder missing), no-opus (neither accepts Opus), no-worklet.
 */
export async function checkAudioSupport(scope = globalThis) {
  if (typeof scope.AudioEncoder !== 'function' || typeof scope.AudioDecoder !== 'function'
    || typeof scope.EncodedAudioChunk !== 'function' || typeof scope.AudioData !== 'function') {
    return { ok: false, reason: 'no-webcodecs' };
  }
  if (typeof scope.AudioWorkletNode !== 'function' || typeof scope.AudioContext !== 'function') {
    return { ok: false, reason: 'no-worklet' };
  }
  if (scope.isSecureContext === false || typeof scope.navigator?.mediaDevices?.getUserMedia !== 'function') {
    return { ok: false, reason: 'insecure' };
  }
  try {
    const dec = await scope.AudioDecoder.isConfigSupported({ ...DECODER_CONFIG });
    if (!dec?.supported) return { ok: false, reason: 'no-opus' };
    for (const candidate of encoderConfigCandidates()) {
      const res = await scope.AudioEncoder.isConfigSupported(candidate);
      if (res?.supported) return { ok: true, encoderConfig: res.config ?? candidate };
    }
  } catch {
    return { ok: false, reason: 'no-opus' };
  }
  return { ok: false, reason: 'no-opus' };
}
