// The jitter buffer on simulated networks (jitter-sim.js), a minute each: what a listener
// would notice. `node web/test/jitter-sim.js` prints the same figures for more seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './jitter-sim.js';

function describe(r) {
  return `${r.profile}: delay ${r.avgDelayMs.toFixed(0)} ms (target ${r.avgTargetMs.toFixed(0)}), mouth-to-ear median `
    + `${r.mouthToEarMedianMs.toFixed(0)} ms, played ${r.playedPct.toFixed(2)} %, discarded ${r.stats.discarded}, `
    + `gaps ${r.underrunsPerMinute.toFixed(1)}/min (${r.stats.underrunMs} ms), accelerated ${r.stats.acceleratedMs} ms, `
    + `expanded ${r.stats.expandedMs} ms, stall recoveries ≤ ${Math.max(0, ...r.stallRecoveryMs).toFixed(0)} ms`;
}

test('clean network: every frame played at once, delay as low as before', (t) => {
  const r = run('clean', { seconds: 30 });
  t.diagnostic(describe(r));
  assert.equal(r.stats.played, r.frames);
  assert.equal(r.stats.underruns, 0);
  assert.equal(r.stats.concealed, 0);
  assert.ok(r.avgDelayMs <= 120, `delay ${r.avgDelayMs}`);
  assert.ok(r.mouthToEarMedianMs <= 120, `mouth-to-ear ${r.mouthToEarMedianMs}`);
});

test('4G (40 ± 20 ms each way, in order): the buffer holds its target without gaps', (t) => {
  for (const seed of [1, 2]) {
    const r = run('4g', { seconds: 60, seed });
    t.diagnostic(describe(r));
    assert.ok(r.avgDelayMs >= 0.95 * r.avgTargetMs, `seed ${seed}: holds ${r.avgDelayMs.toFixed(1)} of ${r.avgTargetMs.toFixed(1)} ms`);
    assert.ok(r.underrunsPerMinute <= 3, `seed ${seed}: ${r.underrunsPerMinute} gaps a minute`);
    assert.equal(r.stats.discarded, 0);
    assert.equal(r.stats.played, r.frames);
    assert.ok(r.mouthToEarMedianMs <= 250, `seed ${seed}: mouth-to-ear ${r.mouthToEarMedianMs}`);
  }
});

test('bad mobile (80 ± 60 ms, 0.3–0.8 s stalls every 4–8 s, both ends): nothing discarded, the delay comes back', (t) => {
  for (const seed of [1, 2]) {
    const r = run('bad-mobile', { seconds: 60, seed });
    t.diagnostic(describe(r));
    assert.equal(r.stats.discarded, 0, `seed ${seed}: no speech discarded`);
    assert.ok(r.playedPct >= 97, `seed ${seed}: played ${r.playedPct} %`);
    assert.equal(r.stats.concealed, 0, 'nothing is lost on TCP, so nothing is concealed');
    assert.ok(r.stallRecoveryMs.length > 0);
    assert.ok(r.stallRecoveryMs.every((ms) => ms <= 2000), `seed ${seed}: back within 1.5 × target in ${Math.max(...r.stallRecoveryMs)} ms`);
    assert.ok(r.mouthToEarMedianMs <= 360, `seed ${seed}: mouth-to-ear median ${r.mouthToEarMedianMs}`);
    // A gap at most for each stall on the way (two proxies, ~9 stalls a minute each).
    assert.ok(r.stats.underruns <= r.stallsSent, `seed ${seed}: ${r.stats.underruns} gaps for ${r.stallsSent} stalls`);
  }
});
