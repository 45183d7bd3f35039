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
