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

const PLURAL_RULES = new Map();

/** The CLDR plural category of `count` in `lang` ('one', 'other', …), from Intl.PluralRules. */
export function pluralCategory(lang, count) {
  if (!PLURAL_RULES.has(lang)) PLURAL_RULES.set(lang, new Intl.PluralRules(lang));
  return PLURAL_RULES.get(lang).select(count);
}

/**
 * Count-dependent text: `${base}.<category>` for the reader's language (Intl.PluralRules:
 * "1 oförändrad rad" / "2 oförändrade rader"), falling back to `${base}.other`, with
 * `{count}` filled in.
 */
export function plural(t, base, count, params = {}) {
  const key = `${base}.${pluralCategory(t.lang ?? DEFAULT_LANGUAGE, count)}`;
  return t(t.has?.(key) === false ? `${base}.other` : key, { ...params, count });
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
