import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// Meeting texts looked up with keys built at run time (the i18n test only sees literal keys).
const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dicts = ['sv', 'en'].map((l) => [l, JSON.parse(readFileSync(join(webDir, `i18n/${l}.json`), 'utf8'))]);

test('every meeting problem, state, screen, statistic and error has a text in both languages', () => {
  const keys = [];
  for (const p of ['no-webcodecs', 'no-opus', 'no-worklet', 'insecure', 'mic-denied', 'mic-missing', 'mic-failed', 'encoder-failed']) {
    keys.push(`meeting.problem.${p}.title`, `meeting.problem.${p}.text`);
  }
  for (const s of ['scheduled', 'live', 'ended']) keys.push(`meeting.state.${s}`);
  for (const s of ['ended', 'removed', 'left']) keys.push(`meeting.screen.${s}.title`);
  for (const c of ['packetsIn', 'packetsOut', 'lost', 'jitterMs', 'droppedSlow', 'malformed', 'rateLimited', 'mutedDropped']) keys.push(`meeting.stats.${c}`);
  for (const code of ['meeting-ended', 'meeting-full', 'not-in-meeting', 'not-member', 'forbidden', 'not-found', 'conflict', 'disconnected']) keys.push(`error.${code}`);
  keys.push('meeting.participants.one', 'meeting.participants.other');
  // Issue 17: connection quality (views/meeting/room.js and moderator.js build these keys).
  for (const q of ['good', 'fair', 'poor']) keys.push(`meeting.quality.${q}`);
  for (const q of ['fair', 'poor']) keys.push(`meeting.quality.self.${q}`, `meeting.quality.self.${q}Hint`);
  for (const c of ['droppedStale', 'quality', 'delayMs', 'targetMs', 'stalls', 'concealed']) keys.push(`meeting.stats.${c}`);
  for (const [lang, d] of dicts) for (const k of keys) assert.ok(d[k]?.trim(), `${lang}: ${k}`);
});

test('the reconnecting and poor-connection texts are the agreed wording', () => {
  const [[, sv], [, en]] = dicts;
  assert.equal(sv['meeting.reconnecting'], 'Återansluter…');
  assert.equal(en['meeting.reconnecting'], 'Reconnecting…');
  assert.equal(sv['meeting.quality.self.poor'], 'Din anslutning är svag');
  assert.equal(en['meeting.quality.self.poor'], 'Your connection is poor');
});

test('the lobby waiting text is the agreed Swedish wording', () => {
  assert.equal(dicts[0][1]['meeting.lobby.waiting'], 'Väntar på att en moderator släpper in dig');
});
