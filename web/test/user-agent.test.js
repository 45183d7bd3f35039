import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeUserAgent, userAgentText } from '../lib/user-agent.js';
import { createTranslator } from '../lib/i18n.js';

const UA = {
  chromeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  chromeIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
  samsungAndroid: 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
  chromeAndroid: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  headless: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/142.0.0.0 Safari/537.36',
  operaMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0',
  chromebook: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
};

test('common browsers are named with their major version, the system after them', () => {
  assert.deepEqual(summarizeUserAgent(UA.chromeWindows), { browser: 'Chrome 131', os: 'Windows' });
  assert.deepEqual(summarizeUserAgent(UA.edgeWindows), { browser: 'Edge 131', os: 'Windows' });
  assert.deepEqual(summarizeUserAgent(UA.firefoxLinux), { browser: 'Firefox 128', os: 'Linux' });
  assert.deepEqual(summarizeUserAgent(UA.safariMac), { browser: 'Safari 17', os: 'macOS' });
  assert.deepEqual(summarizeUserAgent(UA.safariIphone), { browser: 'Safari 17', os: 'iPhone' });
  assert.deepEqual(summarizeUserAgent(UA.chromeIphone), { browser: 'Chrome 124', os: 'iPhone' });
  assert.deepEqual(summarizeUserAgent(UA.samsungAndroid), { browser: 'Samsung Internet 25', os: 'Android' });
  assert.deepEqual(summarizeUserAgent(UA.chromeAndroid), { browser: 'Chrome 131', os: 'Android' });
  assert.deepEqual(summarizeUserAgent(UA.headless), { browser: 'Chromium 142', os: 'Linux' });
  assert.deepEqual(summarizeUserAgent(UA.operaMac), { browser: 'Opera 115', os: 'macOS' });
  assert.deepEqual(summarizeUserAgent(UA.chromebook), { browser: 'Chrome 131', os: 'ChromeOS' });
});

test('tools show their product token, nothing shows nothing', () => {
  assert.deepEqual(summarizeUserAgent('curl/8.5.0'), { browser: 'curl 8', os: null });
  assert.deepEqual(summarizeUserAgent('python-requests/2.31.0'), { browser: 'python-requests 2', os: null });
  assert.deepEqual(summarizeUserAgent('Python-urllib/3.11'), { browser: 'Python-urllib 3', os: null });
  assert.deepEqual(summarizeUserAgent(''), { browser: null, os: null });
  assert.deepEqual(summarizeUserAgent(null), { browser: null, os: null });
  assert.deepEqual(summarizeUserAgent('Mozilla/5.0 (compatible; Something)'), { browser: null, os: null });
});

test('the readable text in Swedish and English', () => {
  const dicts = { sv: { 'sessions.browserOn': '{browser} på {os}', 'sessions.unknownBrowser': 'Okänd webbläsare' },
    en: { 'sessions.browserOn': '{browser} on {os}', 'sessions.unknownBrowser': 'Unknown browser' } };
  const sv = createTranslator(dicts, 'sv');
  const en = createTranslator(dicts, 'en');
  assert.equal(userAgentText(sv, UA.firefoxLinux), 'Firefox 128 på Linux');
  assert.equal(userAgentText(en, UA.edgeWindows), 'Edge 131 on Windows');
  assert.equal(userAgentText(sv, 'curl/8.5.0'), 'curl 8');
  assert.equal(userAgentText(sv, ''), 'Okänd webbläsare');
  assert.equal(userAgentText(en, undefined), 'Unknown browser');
});
