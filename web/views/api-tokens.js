// "Mina API-nycklar" on the profile: my API tokens (name, created, last used) with "Återkalla"
// (after a question), and a form that creates one. The secret is in the create answer only:
// it is shown once, in a labelled read-only field with a copy button, and is not kept.
// `tokenItem` is shared with the administrators' "Inloggningar och nycklar".
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { davRootUrl } from '../lib/documents.js';
import { validateTokenName } from '../lib/validation.js';
import { field, alertBox, actionButton, showFieldErrors, timeEl } from './components.js';
import { confirmDialog } from './dialog.js';

/** Where "Mina API-nycklar" is: the profile, scrolled to the section (`?section=tokens`). */
export const MY_TOKENS_HASH = buildHash('profile', {}, { section: 'tokens' });
export const MY_TOKENS_HEADING = 'my-tokens-h';

/** `<li>` for one token: its name, when it was made and last used; `action` goes at its end. */
export function tokenItem(ctx, token, action = null) {
  const { t, lang } = ctx;
  return h('li', { class: 'session-item' },
    h('div', { class: 'session-text' },
      h('p', { class: 'session-browser' }, h('strong', {}, token.name)),
      h('p', { class: 'meta' },
        h('span', {}, t('tokens.created'), ' ', timeEl(token.createdAt, lang)),
        h('span', {}, token.lastUsedAt ? [t('tokens.lastUsed'), ' ', timeEl(token.lastUsedAt, lang)] : t('tokens.neverUsed')))),
    action ? h('div', { class: 'session-actions' }, action) : null);
}

/** The "Mina API-nycklar" section (a card with its own heading, `MY_TOKENS_HEADING`). */
export function apiTokensSection(ctx) {
  const { t, api } = ctx;
  const alert = alertBox();
  const list = h('div', {});
  const created = h('div', { class: 'stack' });

  async function load() {
    try {
      const items = (await api.listTokens())?.items ?? [];
      replaceChildren(list, items.length
        ? h('ul', { class: 'session-list', 'aria-labelledby': MY_TOKENS_HEADING }, items.map((token) => tokenItem(ctx, token,
          actionButton(t, t('tokens.revoke'), async () => {
            const yes = await confirmDialog({ title: t('tokens.confirmRevoke', { name: token.name }), text: t('tokens.confirmRevokeText'),
              confirm: t('tokens.revoke'), cancel: t('common.cancel'), danger: true });
            if (!yes) return;
            await api.revokeToken(token.id);
            alert.success(t('tokens.revoked', { name: token.name }));
            await load();
          }, { alert, cls: 'btn btn-small btn-danger', ariaLabel: t('tokens.revokeNamed', { name: token.name }),
            focusKey: `token-${token.id}`, focusFallback: MY_TOKENS_HEADING }))))
        : h('p', { class: 'empty' }, t('tokens.none')));
    } catch (err) {
      alert.error(t, err);
    }
  }

  const name = field(t, { label: t('tokens.nameLabel'), name: 'token-name', required: true, hint: t('tokens.nameHint'),
    attrs: { maxlength: 80, autocomplete: 'off' } });
  const submit = h('button', { type: 'submit', class: 'btn btn-secondary' }, t('tokens.create'));
  const form = h('form', { class: 'stack token-form', novalidate: true }, name.wrap, h('div', { class: 'row' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    replaceChildren(created);
    const value = name.input.value.trim();
    if (showFieldErrors(t, { name }, validateTokenName(value))) return;
    submit.disabled = true;
    try {
      const res = await api.createToken(value);
      name.input.value = '';
      showSecret(res);
      await load();
    } catch (err) {
      alert.error(t, err);
      name.input.focus();
    } finally {
      submit.disabled = false;
    }
  });

  /** The new token's secret, once: a read-only field to copy, with what it is for. */
  function showSecret(res) {
    const secret = field(t, { label: t('tokens.secretLabel', { name: res.name }), name: 'token-secret', value: res.token ?? '',
      hint: t('tokens.shownOnce'), attrs: { readonly: true, spellcheck: 'false', autocomplete: 'off' } });
    secret.input.classList.add('token-secret');
    const copy = h('button', { type: 'button', class: 'btn btn-secondary btn-small' }, t('tokens.copy'));
    const copied = h('span', { class: 'hint', role: 'status' });
    copy.addEventListener('click', async () => {
      secret.input.select();
      try { await navigator.clipboard.writeText(secret.input.value); } catch { document.execCommand?.('copy'); }
      copied.textContent = t('tokens.copied');
    });
    const done = h('button', { type: 'button', class: 'btn btn-ghost btn-small' }, t('tokens.hideSecret'));
    done.addEventListener('click', () => { replaceChildren(created); name.input.focus(); });
    replaceChildren(created, h('div', { class: 'token-created stack' },
      h('p', { role: 'status' }, t('tokens.createdNamed', { name: res.name })),
      secret.wrap, h('div', { class: 'row' }, copy, copied, done)));
    // Focus the secret and select it, so it can be copied at once (Ctrl+C) and is read out.
    secret.input.focus();
    secret.input.select();
  }

  load();
  const dav = davRootUrl(location.origin);
  return h('section', { class: 'card', id: 'my-tokens', 'aria-labelledby': MY_TOKENS_HEADING },
    h('h2', { id: MY_TOKENS_HEADING, tabindex: '-1', 'data-focus-key': MY_TOKENS_HEADING }, t('tokens.title')),
    h('p', {}, t('tokens.intro')),
    h('p', {}, t('tokens.davUse'), ' ', h('code', { class: 'token-dav' }, dav)),
    h('p', { class: 'hint' }, t('tokens.davUserHint')),
    alert.el, list, form, created);
}

/** After the profile is drawn, brings "Mina API-nycklar" into view and focus (for `?section=tokens`). */
export function focusTokensSection(ctx, root) {
  // After app.js has focused the page's h1 (it does so right after the view returns).
  setTimeout(() => {
    if (ctx.isCurrent && !ctx.isCurrent()) return;
    const heading = root.querySelector(`#${MY_TOKENS_HEADING}`);
    if (!heading?.isConnected) return;
    heading.scrollIntoView({ block: 'start' });
    heading.focus({ preventScroll: true });
  }, 0);
}
