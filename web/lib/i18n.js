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
