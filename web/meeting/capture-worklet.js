// AudioWorklet processor "communis-capture": cuts the microphone (mono, 48 kHz) into 20 ms
// frames of 960 samples and posts each to the page with its RMS and its index (frames since
// start, so timestamps keep the real-time clock even while nothing is sent). Runs in the
// audio rendering thread: no allocation beyond one buffer per frame, no DOM.

const FRAME = 960;

class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.frame = new Float32Array(FRAME);
    this.fill = 0;
    this.index = 0;
    this.running = true;
    this.port.onmessage = (ev) => { if (ev.data?.type === 'stop') this.running = false; };
  }

  process(inputs) {
    const channel = inputs[0]?.[0];
    if (channel) {
      let i = 0;
      while (i < channel.length) {
        const n = Math.min(channel.length - i, FRAME - this.fill);
        this.frame.set(channel.subarray(i, i + n), this.fill);
        this.fill += n;
        i += n;
        if (this.fill === FRAME) this.flush();
      }
    }
    return this.running;
  }

  flush() {
    const pcm = this.frame;
    let sum = 0;
    for (let k = 0; k < FRAME; k++) sum += pcm[k] * pcm[k];
    this.port.postMessage({ type: 'frame', index: this.index, rms: Math.sqrt(sum / FRAME), pcm }, [pcm.buffer]);
    this.index += 1;
    this.frame = new Float32Array(FRAME);
    this.fill = 0;
  }
}

registerProcessor('communis-capture', CaptureProcessor);
