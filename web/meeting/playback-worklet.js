// AudioWorklet processor "communis-playback": one adaptive jitter buffer per remote stream
// (jitter-buffer.js), all streams mixed into one mono output. The page posts decoded 20 ms
// frames ({type: 'frame', streamId, seq, timestamp, arrival, pcm}) and removes streams that
// left ({type: 'remove', streamId}); about ten times a second the processor posts back the
// level of what each stream played and, once a second, the buffers' statistics.
import { createJitterBuffer } from './jitter-buffer.js';

const LEVEL_EVERY_QUANTA = 37; // ≈ 100 ms of 128-sample quanta at 48 kHz
const STATS_EVERY_REPORTS = 10;

class PlaybackProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.streams = new Map(); // streamId → {jb, sum, n}
    this.scratch = new Float32Array(128);
    this.quanta = 0;
    this.reports = 0;
    this.running = true;
    this.port.onmessage = (ev) => this.onMessage(ev.data);
  }

  onMessage(msg) {
    if (msg?.type === 'frame') {
      let s = this.streams.get(msg.streamId);
      if (!s) { s = { jb: createJitterBuffer(), sum: 0, n: 0 }; this.streams.set(msg.streamId, s); }
      s.jb.push({ seq: msg.seq, timestamp: msg.timestamp, pcm: msg.pcm }, msg.arrival);
    } else if (msg?.type === 'remove') {
      this.streams.delete(msg.streamId);
    } else if (msg?.type === 'stop') {
      this.running = false;
    }
  }

  process(inputs, outputs) {
    const out = outputs[0]?.[0];
    if (!out) return this.running;
    out.fill(0);
    if (this.scratch.length !== out.length) this.scratch = new Float32Array(out.length);
    const tmp = this.scratch;
    for (const s of this.streams.values()) {
      s.jb.pull(tmp);
      let sum = 0;
      for (let i = 0; i < tmp.length; i++) { out[i] += tmp[i]; sum += tmp[i] * tmp[i]; }
      s.sum += sum;
      s.n += tmp.length;
    }
    // Several loud voices at once must not wrap around: clip softly at full scale.
    for (let i = 0; i < out.length; i++) {
      const v = out[i];
      if (v > 1 || v < -1) out[i] = Math.tanh(v);
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    this.quanta += 1;
    if (this.quanta >= LEVEL_EVERY_QUANTA) this.report();
    return this.running;
  }

  report() {
    this.quanta = 0;
    this.reports += 1;
    const levels = {};
    for (const [id, s] of this.streams) {
      levels[id] = s.n ? Math.sqrt(s.sum / s.n) : 0;
      s.sum = 0;
      s.n = 0;
    }
    const msg = { type: 'levels', levels };
    if (this.reports % STATS_EVERY_REPORTS === 0) {
      msg.stats = {};
      for (const [id, s] of this.streams) msg.stats[id] = s.jb.stats();
    }
    this.port.postMessage(msg);
  }
}

registerProcessor('communis-playback', PlaybackProcessor);
