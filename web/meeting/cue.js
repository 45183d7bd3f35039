// The short sound that says "recording started" (and a lower one when it stopped): a tiny
// oscillator through the meeting's own AudioContext, so it needs no file and plays where the
// meeting's audio plays. Quiet (gain 0.15) and short (two 120 ms tones).

const TONES = { start: [880, 1320], stop: [660, 440] };

/** Plays the cue `kind` ('start' | 'stop') on `ctx`; does nothing without a running context. */
export function playCue(ctx, kind = 'start') {
  if (!ctx || typeof ctx.createOscillator !== 'function' || ctx.state === 'closed') return false;
  try {
    const t0 = ctx.currentTime + 0.02;
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0, t0);
    gain.connect(ctx.destination);
    (TONES[kind] ?? TONES.start).forEach((hz, i) => {
      const at = t0 + i * 0.16;
      const osc = ctx.createOscillator();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(hz, at);
      osc.connect(gain);
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(0.15, at + 0.01);
      gain.gain.linearRampToValueAtTime(0, at + 0.12);
      osc.start(at);
      osc.stop(at + 0.13);
    });
    return true;
  } catch {
    return false;
  }
}
