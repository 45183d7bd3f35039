// Translation lookup: flat key → text, with fallback language and {placeholders}.

export const LANGUAGES = ['sv', 'en'];
export const DEFAULT_LANGUAGE = 'sv';
export const STORAGE_KEY = 'communis.lang';

/** Replaces `{name}` placeholders with values; unknown placeholders stay as written. */
export function interpolate(text, params = {}) {
  return String(text).replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/**
 * Makes a translator for `lang`. Looks the key up in `dicts[lang]`, then in the fallback
 * language, and finally returns the key itself so a missing text is visible, never blank.
 */
export function createTranslator(dicts, lang, fallback = DEFAULT_LANGUAGE) {
  const primary = dicts[lang] ?? {};
  const secondary = dicts[fallback] ?? {};
  const t = (key, params) => {
    const text = primary[key] ?? secondary[key];
    return text === undefined ? key : interpolate(text, params);
  };
  t.has = (key) => key in primary || key in secondary;
  t.lang = lang;
  return t;
}

/**
 * Count-dependent text: `${base}.one` when count is 1, otherwise `${base}.other`,
 * with `{count}` filled in. (Swedish and English both have just these two forms.)
 */
export function plural(t, base, count, params = {}) {
  return t(`${base}.${count === 1 ? 'one' : 'other'}`, { ...params, count });
}

/** Picks a supported language: a stored choice first, otherwise Swedish. */
export function pickLanguage(stored) {
  return LANGUAGES.includes(stored) ? stored : DEFAULT_LANGUAGE;
}

/** Keys present in one dictionary and missing in the other (both directions). */
export function keyDifferences(a, b) {
  const ka = new Set(Object.keys(a));
  const kb = new Set(Object.keys(b));
  return {
    onlyInFirst: [...ka].filter((k) => !kb.has(k)).sort(),
    onlyInSecond: [...kb].filter((k) => !ka.has(k)).sort(),
  };
}

/**
 * Where a language's texts are: in a bundle (`communis serve` bundles web/) the
 * `<meta name="communis-build">` element names each language file's hashed path
 * (`data-i18n-sv="assets/sv-1A2B3C4D.json"`); unbundled, `i18n/<lang>.json`.
 * `build` is that element's `dataset` (or nothing).
 */
export function dictionaryUrl(lang, build) {
  const key = `i18n${lang.charAt(0).toUpperCase()}${lang.slice(1)}`;
  return build?.[key] || `i18n/${lang}.json`;
}

/**
 * Loads the dictionaries `langs` lacks in `dicts` (only the active language is loaded at
 * start; another one when chosen) and returns a new object with them added. A file that
 * cannot be read leaves that language out, so the translator falls back.
 */
export async function loadDictionaries(dicts, langs, { fetchImpl = globalThis.fetch?.bind(globalThis), build } = {}) {
  const missing = [...new Set(langs)].filter((l) => LANGUAGES.includes(l) && !dicts[l]);
  const loaded = await Promise.all(missing.map(async (lang) => {
    try {
      const res = await fetchImpl(dictionaryUrl(lang, build), { credentials: 'same-origin' });
      return [lang, res.ok ? await res.json() : null];
    } catch {
      return [lang, null];
    }
  }));
  const next = { ...dicts };
  for (const [lang, dict] of loaded) if (dict) next[lang] = dict;
  return next;
}
