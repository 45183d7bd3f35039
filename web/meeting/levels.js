// Audio levels: RMS of PCM samples → the header's level byte (−dBov, RFC 6464: 0 loudest,
// 127 silence) and a 0..1 value for the meters drawn in the page; plus a small voice
// activity detector for the header's voice bit. Pure: runs in worklets and under node.
//
// dBov is relative to the overload point: a full-scale square wave (RMS 1.0) is 0 dBov, a
// full-scale sine (RMS 1/√2) about −3 dBov.

export const LEVEL_SILENCE = 127;
/** Meters show −60 dBov (a quiet room) as empty and 0 dBov as full. */
export const METER_FLOOR_DBOV = 60;
/** The server counts a stream as speaking when louder than −50 dBov (docs/protocol.md). */
export const SPEAKING_DBOV = 50;

/** Root mean square of `samples` (any array-like of floats in −1..1); 0 when empty. */
export function rms(samples, start = 0, end = samples.length) {
  const n = end - start;
  if (n <= 0) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / n);
}

/** The level byte for an RMS value: round(−20·log10(rms)) clamped to 0..127. */
export function levelFromRms(value) {
  if (!(value > 0)) return LEVEL_SILENCE;
  const db = -20 * Math.log10(value);
  return Math.max(0, Math.min(LEVEL_SILENCE, Math.round(db)));
}

/** The RMS a level byte stands for (127 → 0). */
export function rmsFromLevel(level) {
  if (level >= LEVEL_SILENCE) return 0;
  return 10 ** (-Math.max(0, level) / 20);
}

/** A meter value 0..1 for a level byte: linear in dB between −60 dBov and 0. */
export function meterFromLevel(level) {
  const l = Number(level);
  if (!Number.isFinite(l) || l >= METER_FLOOR_DBOV) return 0;
  return Math.min(1, Math.max(0, (METER_FLOOR_DBOV - l) / METER_FLOOR_DBOV));
}

/** A meter value 0..1 straight from RMS. */
export function meterFromRms(value) {
  return meterFromLevel(levelFromRms(value));
}

/**
 * Meter ballistics: rises at once, falls by at most `fallPerSecond` (of the full scale)
 * over `elapsedMs`, so a meter does not flicker between words.
 */
export function smoothMeter(previous, next, elapsedMs, fallPerSecond = 1.5) {
  if (next >= previous) return next;
  return Math.max(next, previous - fallPerSecond * (elapsedMs / 1000));
}

/**
 * Voice activity for the header bit: a frame louder than `thresholdLevel` (−dBov) opens
 * the detector and it stays open `hangoverFrames` frames after the last loud one, so the
 * pauses between words keep the bit set. `update(level)` → boolean.
 */
export function createVoiceDetector({ thresholdLevel = 45, hangoverFrames = 15 } = {}) {
  let hold = 0;
  return {
    update(level) {
      if (level <= thresholdLevel) hold = hangoverFrames;
      else if (hold > 0) hold -= 1;
      return hold > 0;
    },
    reset() { hold = 0; },
  };
}
