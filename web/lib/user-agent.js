// A short, readable name for a login's browser ("Firefox 128 på Windows") from its
// User-Agent header, for "Mina inloggningar" and the administrators' session lists.
// Only the common browsers and systems are named; anything else shows its first product
// token ("curl 8") or nothing. Pure, tested with real User-Agent strings.

const BROWSERS = [
  // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
  ['Edge', /\b(?:Edg|EdgA|EdgiOS|Edge)\/(\d+)/],
  ['Opera', /\b(?:OPR|OPiOS)\/(\d+)/],
  ['Samsung Internet', /\bSamsungBrowser\/(\d+)/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d+)/],
  ['Chromium', /\bHeadlessChrome\/(\d+)/],
  ['Chrome', /\b(?:Chrome|CriOS)\/(\d+)/],
  ['Safari', /\bVersion\/(\d+)[.\d]* (?:Mobile\/\S+ )?Safari\//],
];

const SYSTEMS = [
  ['iPhone', /\biPhone\b/],
  ['iPad', /\biPad\b/],
  ['Android', /\bAndroid\b/],
  ['ChromeOS', /\bCrOS\b/],
  ['Windows', /\bWindows\b/],
  ['macOS', /\bMac OS X\b|\bMacintosh\b/],
  ['Linux', /\bLinux\b/],
];

/**
 * `{browser, os}` from a User-Agent: browser "Firefox 128" (name and major version) or a
 * product token such as "curl 8", os "Windows" etc.; each null when it cannot be told.
 */
export function summarizeUserAgent(userAgent) {
  const ua = String(userAgent ?? '').trim();
  if (!ua) return { browser: null, os: null };
  let browser = null;
  for (const [name, pattern] of BROWSERS) {
    const m = pattern.exec(ua);
    if (m) { browser = `${name} ${m[1]}`; break; }
  }
  let os = null;
  for (const [name, pattern] of SYSTEMS) {
    if (pattern.test(ua)) { os = name; break; }
  }
  if (!browser && !/^Mozilla\//.test(ua)) {
    // A tool rather than a browser: "curl/8.5.0" → "curl 8", "python-requests/2.31" → "python-requests 2".
    const m = /^([A-Za-z][\w.-]{0,30})(?:\/(\d+))?/.exec(ua);
    if (m) browser = m[2] ? `${m[1]} ${m[2]}` : m[1];
  }
  return { browser, os };
}

/** "Firefox 128 på Windows" / "Firefox 128 on Windows", or the parts there are. */
export function userAgentText(t, userAgent) {
  const { browser, os } = summarizeUserAgent(userAgent);
  if (browser && os) return t('sessions.browserOn', { browser, os });
  if (browser) return browser;
  if (os) return os;
  return t('sessions.unknownBrowser');
}
