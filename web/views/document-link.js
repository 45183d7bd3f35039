// "Länka dokument" under a Markdown text field (discussion, blog, how-to): opens the document
// picker (a chunk of its own, loaded on first use) and writes `[Title](#/documents/<id>)`
// — or `?version=approved` — at the caret. The rendered text shows the link as a card.
import { h } from '../lib/dom.js';

/**
 * The button for `textarea`; `getWorkspaceId()` names the workspace the picker opens in
 * (null: the first of mine). The status line says what was inserted, for screen readers.
 */
export function documentLinkButton(ctx, textarea, getWorkspaceId = () => null) {
  const { t } = ctx;
  const status = h('span', { class: 'visually-hidden', role: 'status' });
  const button = h('button', { type: 'button', class: 'btn btn-small btn-ghost doc-link-button' }, t('documents.linkDocument'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const [{ pickDocument }, { documentMarkdownLink, insertSnippet }] = await Promise.all([
        import('./documents/picker.js'), import('../lib/documents.js')]);
      button.disabled = false;
      const choice = await pickDocument(ctx, { workspaceId: getWorkspaceId() });
      if (!choice) return;
      const start = textarea.selectionStart ?? textarea.value.length;
      const end = textarea.selectionEnd ?? start;
      const r = insertSnippet(textarea.value, start, end, documentMarkdownLink(choice.doc, { approved: choice.approved }));
      textarea.value = r.text;
      textarea.focus();
      textarea.setSelectionRange(r.caret, r.caret);
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
      status.textContent = t('documents.linkInserted', { title: choice.doc.title });
    } catch {
      status.textContent = t('documents.linkFailed');
    } finally {
      button.disabled = false;
    }
  });
  return h('div', { class: 'doc-link-row' }, button, status);
}
