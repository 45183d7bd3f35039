// The loudspeaker side of a meeting: every binary frame from the live connection is read
// (audio-frame.js), decoded by one WebCodecs AudioDecoder per remote stream, and the PCM
// goes to the playback worklet (playback-worklet.js), which keeps a jitter buffer per
// stream and mixes them. The page learns per-stream levels two ways: `receivedLevels()`
// measures decoded PCM as it arrives (RMS over the last 500 ms; what the browser test
// reads), `playedLevels()` what the worklet actually played (for the meters).
import { loadWorklet } from './audio-context.js';
import { decodeFrame } from './audio-frame.js';
import { unwrap } from './jitter-buffer.js';
import { DECODER_CONFIG, SAMPLE_RATE } from './support.js';

/** The window over which receivedLevels() measures (ms). */
export const RECEIVED_WINDOW_MS = 500;

export function createPlayback({ ctx, ownStreamId = () => null, onLevels, now = () => performance.now() }) {
  let node = null;
  let stopped = false;
  const streams = new Map(); // streamId → {decoder, queue, lastTs, recent: [{at, sum, n}], errors}
  let played = {};
  let bufferStats = {};
  const counts = { frames: 0, malformed: 0, own: 0, decodeErrors: 0 };

  function stream(id) {
    let s = streams.get(id);
    if (!s) {
      s = { decoder: null, queue: [], lastTs: null, recent: [], decoded: 0, unmatched: 0 };
      streams.set(id, s);
    }
    if (!s.decoder || s.decoder.state === 'closed') s.decoder = makeDecoder(id, s);
    return s;
  }

  function makeDecoder(id, s) {
    const decoder = new AudioDecoder({
      output: (data) => onDecoded(id, s, data),
      error: () => { counts.decodeErrors += 1; if (s.decoder === decoder) s.decoder = null; s.queue.length = 0; },
    });
    decoder.configure({ ...DECODER_CONFIG });
    return decoder;
  }

  function copyPcm(data) {
    const n = data.numberOfFrames;
    const pcm = new Float32Array(n);
    try {
      data.copyTo(pcm, { planeIndex: 0, format: 'f32-planar' });
    } catch {
      // Browsers without format conversion: interleaved f32 with one channel is the same.
      const all = new Float32Array(data.allocationSize({ planeIndex: 0 }) / 4);
      data.copyTo(all, { planeIndex: 0 });
      const channels = data.format?.endsWith('planar') ? 1 : data.numberOfChannels;
      for (let i = 0; i < n; i++) pcm[i] = all[i * channels];
    }
    return pcm;
  }

  function onDecoded(id, s, data) {
    try {
      if (stopped || streams.get(id) !== s) return;
      // The packet this output came from: by timestamp, else in order (a decoder may number
      // its outputs itself, e.g. after a pause in the stream).
      const i = s.queue.findIndex((m) => m.us === data.timestamp);
      const meta = (i >= 0 ? s.queue.splice(0, i + 1)[i] : s.queue.shift())
        ?? { seq: undefined, ts: Math.round((data.timestamp * SAMPLE_RATE) / 1_000_000), arrival: now() };
      if (i < 0) s.unmatched += 1;
      const pcm = copyPcm(data);
      s.decoded += 1;
      let sum = 0;
      for (let k = 0; k < pcm.length; k++) sum += pcm[k] * pcm[k];
      const at = now();
      s.recent.push({ at, sum, n: pcm.length });
      while (s.recent.length && at - s.recent[0].at > RECEIVED_WINDOW_MS) s.recent.shift();
      node?.port.postMessage({ type: 'frame', streamId: id, seq: meta.seq, timestamp: meta.ts >>> 0, arrival: meta.arrival, pcm }, [pcm.buffer]);
    } finally {
      data.close();
    }
  }

  return {
    async start() {
      await loadWorklet(ctx, new URL('./playback-worklet.js', import.meta.url));
      node = new AudioWorkletNode(ctx, 'communis-playback', { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1] });
      node.port.onmessage = (ev) => {
        if (ev.data?.type !== 'levels') return;
        played = ev.data.levels ?? {};
        if (ev.data.stats) bufferStats = ev.data.stats;
        onLevels?.(played);
      };
      node.connect(ctx.destination);
    },

    /** One binary frame from the live connection (an ArrayBuffer). */
    handleFrame(buffer) {
      if (stopped) return;
      const f = decodeFrame(buffer);
      if (!f) { counts.malformed += 1; return; }
      if (f.streamId === ownStreamId()) { counts.own += 1; return; }
      counts.frames += 1;
      const arrival = now();
      const s = stream(f.streamId);
      // Timestamps in µs for WebCodecs, unwrapped so they keep increasing past 2^32 samples.
      const ext = unwrap(f.timestamp, s.lastTs, 0x100000000);
      if (s.lastTs === null || ext > s.lastTs) s.lastTs = ext;
      const us = Math.round((ext * 1_000_000) / SAMPLE_RATE);
      s.queue.push({ us, seq: f.seq, ts: f.timestamp, arrival });
      if (s.queue.length > 100) s.queue.shift();
      try {
        s.decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: us, data: f.payload }));
      } catch {
        counts.decodeErrors += 1;
        s.decoder = null;
      }
    },

    /** Forgets a stream that left (its decoder and buffer). */
    removeStream(id) {
      const s = streams.get(id);
      if (!s) return;
      streams.delete(id);
      try { if (s.decoder && s.decoder.state !== 'closed') s.decoder.close(); } catch { /* already */ }
      node?.port.postMessage({ type: 'remove', streamId: id });
      delete played[id];
    },

    /** Per remote stream: RMS of the PCM decoded in the last 500 ms (0 when nothing came). */
    receivedLevels() {
      const at = now();
      const out = {};
      for (const [id, s] of streams) {
        let sum = 0;
        let n = 0;
        for (const r of s.recent) if (at - r.at <= RECEIVED_WINDOW_MS) { sum += r.sum; n += r.n; }
        out[id] = n ? Math.sqrt(sum / n) : 0;
      }
      return out;
    },

    /** Per remote stream: RMS of what was played in the last ~100 ms. */
    playedLevels() { return { ...played }; },

    /** Counters and each stream's jitter buffer statistics (updated once a second). */
    stats() {
      const perStream = {};
      for (const [id, s] of streams) perStream[id] = { decoded: s.decoded, unmatched: s.unmatched, ...(bufferStats[id] ?? {}) };
      return { ...counts, streams: perStream };
    },

    stop() {
      stopped = true;
      for (const id of [...streams.keys()]) this.removeStream(id);
      try { node?.port.postMessage({ type: 'stop' }); node?.disconnect(); } catch { /* gone */ }
      node = null;
    },
  };
}
