// Communis Markdown: a small, safe, CommonMark-flavoured subset.
//
// This module and its parts in markdown/ are a line-by-line twin of the Swift target
// `CommunisMarkdown` (Sources/CommunisMarkdown). Both must produce byte-identical output;
// the shared golden cases in Tests/Fixtures/markdown-cases.json are run by both test suites.
// Change one, change the other, and add a golden case.
//
// SAFETY: the browser inserts the string returned by renderMarkdown() with innerHTML. That is
// acceptable ONLY because this renderer never passes raw HTML through: every `<`, `>`, `&`,
// `"` and `'` of user text is escaped, links are limited to http:, https:, mailto: and
// relative `/…` or `#…` URLs, and every attribute value is escaped. Do not insert any other
// user-supplied HTML with innerHTML.
//
// Each part twins one Swift file: markdown/characters.js (Characters.swift), markdown/blocks.js
// (BlockParser.swift), markdown/inline.js (InlineParser.swift) and markdown/render.js
// (Renderer.swift). This file is the public API, like Markdown.swift.
//
// The subset, in short (see docs in Sources/CommunisMarkdown/Markdown.swift):
//  - blocks: paragraphs (a single newline becomes <br>), `#`..`###` headings rendered as
//    <h3>..<h5> (user content never outranks page headings; `####`..`######` are <h5> too),
//    `-`/`*` and `1.` lists, `>` quotes (no lazy continuation), ``` fences, `---`/`***`/`___`
//    rules. No indented code blocks, setext headings, tables or raw HTML. Quotes and lists
//    nest at most 8 deep; deeper quote markers are dropped and deeper list markers stay text.
//  - inline: **strong**, *em*/_em_, `code`, ~~del~~, [text](url), bare http(s):// links,
//    @[Name](person:UUID) mentions, backslash escapes. Images render as their alt text.
//    Link titles and <angle> destinations are not supported; `[`, `]`, `<`, `>` may only
//    appear in a destination backslash-escaped. HTML entities are not decoded: `&` is text.
// All character classes are ASCII or fixed code point lists, so both languages agree.
import { parseDocument } from './markdown/blocks.js';
import { renderBlocks, textBlocks } from './markdown/render.js';

/** Markdown → HTML string, safe for innerHTML (see the note at the top). */
export function renderMarkdown(source) {
  return renderBlocks(parseDocument(source), { html: true, mentions: null });
}

/** Markdown → text without markup, for notifications, search snippets and Atom summaries.
 *  Not HTML-escaped: escape it wherever it is embedded. */
export function plainText(source) {
  return textBlocks(parseDocument(source));
}

/** The lowercase ids of the people mentioned, in order of first appearance, without repeats. */
export function mentions(source) {
  const found = [];
  renderBlocks(parseDocument(source), { html: true, mentions: found });
  return [...new Set(found)];
}
