// The microphone side of a meeting: getUserMedia (echo cancellation, noise suppression,
// automatic gain, mono) → AudioWorklet (capture-worklet.js: 20 ms frames and their level)
// → WebCodecs AudioEncoder (Opus) → one binary frame per packet (audio-frame.js header:
// stream id, sequence, 48 kHz timestamp, level, voice activity) handed to `send`.
// Nothing is encoded or sent unless `setSending({streamId, active: true})` said so:
// not while muted, in the lobby or before joining.
import { loadWorklet } from './audio-context.js';
import { encodeFrame } from './audio-frame.js';
import { levelFromRms, meterFromRms, createVoiceDetector } from './levels.js';
import { SAMPLE_RATE, FRAME_SAMPLES, FRAME_US } from './support.js';

/** An error a person can act on: `code` is mic-denied | mic-missing | mic-failed | encoder-failed. */
export class CaptureError extends Error {
  constructor(code, cause) {
    super(code);
    this.name = 'CaptureError';
    this.code = code;
    this.cause = cause;
  }
}

export const MIC_CONSTRAINTS = Object.freeze({
  echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1, sampleRate: SAMPLE_RATE,
});

/**
 * `ctx`: the meeting's AudioContext; `encoderConfig`: from checkAudioSupport; `send(bytes)`:
 * sends one binary frame (returns false when dropped); `onLevel({rms, level, meter})`: the
 * microphone level of every frame (also while muted, so the page can say so).
 */
export function createCapture({ ctx, encoderConfig, send, onLevel, maxPacketBytes = 1000 }) {
  let stream = null;
  let source = null;
  let node = null;
  let sink = null;
  let encoder = null;
  let streamId = null;
  let active = false;
  let seq = Math.floor(Math.random() * 0x10000);
  // What was measured for each frame handed to the encoder, in order: {us, level, voice}.
  // Matched to output chunks by timestamp, or in order: Chromium's encoder numbers its
  // chunks from its first input on, so after a pause (mute) the timestamps no longer match.
  const pending = [];
  const vad = createVoiceDetector();
  const counts = { captured: 0, encoded: 0, sent: 0, dropped: 0, tooLarge: 0 };

  function makeEncoder() {
    const enc = new AudioEncoder({
      output: onChunk,
      error: () => { if (encoder === enc) encoder = null; }, // made anew for the next frame
    });
    enc.configure(encoderConfig);
    return enc;
  }

  function takeMeta(timestamp) {
    const i = pending.findIndex((m) => m.us === timestamp);
    if (i >= 0) return pending.splice(0, i + 1)[i];
    return pending.shift() ?? { us: timestamp, level: 127, voice: false };
  }

  function onChunk(chunk) {
    const meta = takeMeta(chunk.timestamp);
    if (!active || !streamId) return; // muted or left while the packet was in the encoder
    if (chunk.byteLength > maxPacketBytes) { counts.tooLarge += 1; return; }
    const packet = new Uint8Array(chunk.byteLength);
    chunk.copyTo(packet);
    const frame = encodeFrame({
      // Our own 48 kHz clock (frames since capture began), so pauses show in the timestamps.
      streamId, seq, timestamp: Math.round((meta.us * SAMPLE_RATE) / 1_000_000),
      level: meta.level, voice: meta.voice, payload: packet,
    });
    seq = (seq + 1) & 0xffff;
    if (send(frame)) counts.sent += 1; else counts.dropped += 1;
  }

  function onFrame({ index, rms, pcm }) {
    counts.captured += 1;
    const level = levelFromRms(rms);
    const voice = vad.update(level);
    onLevel?.({ rms, level, meter: meterFromRms(rms), voice });
    if (!active || !streamId) return;
    try {
      if (!encoder || encoder.state === 'closed') encoder = makeEncoder();
      const timestamp = index * FRAME_US;
      pending.push({ us: timestamp, level, voice });
      if (pending.length > 50) pending.shift();
      const data = new AudioData({
        format: 'f32-planar', sampleRate: SAMPLE_RATE, numberOfFrames: FRAME_SAMPLES, numberOfChannels: 1, timestamp, data: pcm,
      });
      encoder.encode(data);
      data.close();
      counts.encoded += 1;
    } catch {
      encoder = null;
    }
  }

  return {
    /** Asks for the microphone and starts the worklet. Throws CaptureError. */
    async start() {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: { ...MIC_CONSTRAINTS }, video: false });
      } catch (err) {
        const name = err?.name;
        if (name === 'NotAllowedError' || name === 'SecurityError') throw new CaptureError('mic-denied', err);
        if (name === 'NotFoundError' || name === 'OverconstrainedError') throw new CaptureError('mic-missing', err);
        throw new CaptureError('mic-failed', err);
      }
      try {
        await loadWorklet(ctx, new URL('./capture-worklet.js', import.meta.url));
        source = ctx.createMediaStreamSource(stream);
        node = new AudioWorkletNode(ctx, 'communis-capture', {
          numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], channelCount: 1, channelCountMode: 'explicit',
        });
        node.port.onmessage = (ev) => { if (ev.data?.type === 'frame') onFrame(ev.data); };
        // A node is only processed while something pulls it: connect it to the output
        // through a silent gain.
        sink = ctx.createGain();
        sink.gain.value = 0;
        source.connect(node).connect(sink).connect(ctx.destination);
        encoder = makeEncoder();
      } catch (err) {
        this.stop();
        throw new CaptureError('encoder-failed', err);
      }
    },

    /** Sends (active) or not; `streamId` from the join ack or meeting.admitted. */
    setSending({ streamId: id = streamId, active: on }) {
      const was = active;
      streamId = id;
      active = Boolean(on) && Number.isInteger(id);
      if (!active) vad.reset();
      if (active && !was && encoder) {
        // A fresh encoder after a pause: no stale state from before, timestamps from now.
        try { if (encoder.state !== 'closed') encoder.close(); } catch { /* already */ }
        encoder = null;
        pending.length = 0;
      }
    },

    get sending() { return active; },
    stats() { return { ...counts, seq }; },

    stop() {
      active = false;
      try { node?.port.postMessage({ type: 'stop' }); } catch { /* gone */ }
      try { source?.disconnect(); node?.disconnect(); sink?.disconnect(); } catch { /* already */ }
      try { if (encoder && encoder.state !== 'closed') encoder.close(); } catch { /* already */ }
      for (const track of stream?.getTracks() ?? []) track.stop();
      stream = source = node = sink = encoder = null;
      pending.length = 0;
    },
  };
}
