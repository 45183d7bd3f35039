// Time-scale modification of mono PCM without changing its pitch: WSOLA (waveform-similarity
// overlap-add). The jitter buffer (jitter-buffer.js) uses it to play a backlog faster
// ("accelerate", speed > 1) after a network stall and to play slower ("expand", speed < 1)
// when it is about to run dry, as WebRTC's NetEQ does.
//
// timeStretch(input, speed) returns about input.length / speed samples (within a few ms:
// the end is placed where the waveform joins). The output starts with the input's first
// samples and ends with its last ones unchanged, so chunks stretched one after another (and
// unstretched frames between them) join without a click. Between, Hann-windowed segments of
// the input (15 ms) are overlap-added at a regular output hop; each segment is taken within
// ±6 ms of where the speed puts it, at the offset whose waveform best continues what was
// already written (normalised cross-correlation), so pitch periods are dropped or repeated
// whole rather than cut.
// Pure: no Web Audio, no imports; it runs inside the playback AudioWorklet and under node.

const DEFAULT_RATE = 48000;

/** Root mean square of `pcm` (0 for an empty array). */
export function frameRms(pcm, start = 0, end = pcm.length) {
  let sum = 0;
  for (let i = start; i < end; i++) sum += pcm[i] * pcm[i];
  return end > start ? Math.sqrt(sum / (end - start)) : 0;
}

/** Normalised cross-correlation of a[ai..ai+n) and b[bi..bi+n), every `step`-th sample. */
function similarity(x, ai, bi, n, step) {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < n; j += step) {
    const a = x[ai + j];
    const b = x[bi + j];
    ab += a * b;
    aa += a * a;
    bb += b * b;
  }
  return ab / Math.sqrt(aa * bb + 1e-12);
}

/**
 * `input` played at `speed` (1.5 = half as fast again, 0.8 = slower), same pitch. Returns a
 * new Float32Array of about input.length / speed samples: the length is rounded to where
 * the waveform lets the end join (within a few ms), so that nothing is cut mid-period.
 */
export function timeStretch(input, speed, { sampleRate = DEFAULT_RATE, windowMs = 15, toleranceMs = 6 } = {}) {
  const L = input.length;
  const M = Math.max(1, Math.round(L / speed));
  if (M === L) return Float32Array.from(input);
  let N = Math.round((windowMs * sampleRate) / 1000);
  N = 2 * Math.floor(Math.min(N, Math.min(L, M) / 2) / 2);
  if (N < 32) return resample(input, M);
  const hop = N / 2;
  const tolerance = Math.min(Math.round((toleranceMs * sampleRate) / 1000), hop);
  const step = Math.max(1, Math.round(sampleRate / 16000)); // correlate at about 16 kHz
  // Segment k plays input[pos[k] ..+ N) at output k·hop; after the last one (k = S) the
  // input goes on unchanged from pos[S] + hop to its end, so the output is S·hop + L − pos[S]
  // long: pos[S] = L − M + S·hop gives M, and the segments between are spread evenly.
  const S = Math.max(1, Math.floor((M - N) / hop));
  const last = Math.min(L - N, Math.max(0, L - M + S * hop));
  const pos = [0];
  for (let k = 1; k <= S; k++) {
    const natural = pos[k - 1] + hop; // where the previous segment would go on
    const ideal = Math.round((k * last) / S);
    const lo = Math.max(0, ideal - tolerance);
    const hi = Math.min(L - N, ideal + tolerance);
    let best = Math.min(hi, Math.max(lo, ideal));
    let bestScore = -Infinity;
    for (let c = lo; c <= hi; c += 2) {
      const sc = similarity(input, c, natural, hop, step);
      if (sc > bestScore) { bestScore = sc; best = c; }
    }
    for (const c of [best - 1, best + 1]) {
      if (c >= lo && c <= hi) { const sc = similarity(input, c, natural, hop, step); if (sc > bestScore) { bestScore = sc; best = c; } }
    }
    pos.push(best);
  }
  const K = pos.length;
  const tailFrom = pos[K - 1] + hop;
  const out = new Float32Array(K * hop + (L - tailFrom));
  // Hann windows at a hop of half their length sum to exactly 1.
  const rise = new Float32Array(hop);
  for (let n = 0; n < hop; n++) { const sn = Math.sin((Math.PI * (n + 0.5)) / N); rise[n] = sn * sn; }
  for (let k = 0; k < K; k++) {
    const o = k * hop;
    const p = pos[k];
    for (let n = 0; n < hop; n++) out[o + n] += (k === 0 ? 1 : rise[n]) * input[p + n];
    for (let n = 0; n < hop; n++) out[o + hop + n] += (1 - rise[n]) * input[p + hop + n];
  }
  const o = K * hop;
  for (let n = 0; n < L - tailFrom; n++) out[o + n] += (n < hop ? rise[n] : 1) * input[tailFrom + n];
  // Where the input plays unchanged (the start, the end), its exact samples.
  out.set(input.subarray(0, hop), 0);
  out.set(input.subarray(tailFrom + hop), o + hop);
  return out;
}

/** Linear resampling to `length` samples (changes pitch: only for very short pieces). */
function resample(input, length) {
  const out = new Float32Array(length);
  if (input.length === 0) return out;
  const scale = length > 1 ? (input.length - 1) / (length - 1) : 0;
  for (let i = 0; i < length; i++) {
    const x = i * scale;
    const j = Math.floor(x);
    const f = x - j;
    out[i] = j + 1 < input.length ? input[j] * (1 - f) + input[j + 1] * f : input[input.length - 1];
  }
  return out;
}
