// One news item (#/news/<id>): title, introduction, image, the body (Markdown rendered by the
// client's one safe renderer, as every other body), "Jag har läst och förstått" when asked –
// after a material revision with what changed since I confirmed – reactions and comments
// when the item allows them, and for editors edit, the acknowledgement report and delete.
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { plural } from '../lib/i18n.js';
import { formatDateTime } from '../lib/format.js';
import { acknowledgementState, audienceSummary } from '../lib/news.js';
import { comparedRevisions, revisionChanges } from '../lib/news-diff.js';
import { diffModel } from '../lib/knowledge.js';
import { validatePost } from '../lib/validation.js';
import {
  alertBox, pageHeading, markdownBlock, timeEl, actionButton, field, showFieldErrors, avatar, errorPanel, keepFocus,
} from './components.js';
import { reactionBar } from './reactions.js';
import { ask } from './dialog.js';
import { followButton } from './notifications-follow.js';
import { newsApiFor, newsBadges, tagLinks, followNews } from './news-parts.js';

const COMMENT_LIMIT = 100;

function notFound(t) {
  return h('section', { class: 'card' }, pageHeading(t('news.notFoundTitle')),
    h('p', {}, t('news.notFound')), h('p', {}, h('a', { href: buildHash('news') }, t('news.backToList'))));
}

/** The changes between the revision I confirmed and the current one, as diff rows. */
function changesBlock(t, fields) {
  const model = diffModel(fields);
  if (!model.length) return h('p', { class: 'muted' }, t('news.diff.none'));
  return h('div', { class: 'kb-diff news-diff' }, model.map((f) => h('section', { class: 'kb-diff-field' },
    h('h3', {}, t(`news.diff.field.${f.field}`)),
    h('pre', {}, f.rows.map((r) => (r.kind === 'fold'
      ? h('div', { class: 'diff-fold' }, plural(t, 'news.diff.folded', r.count))
      : h('div', { class: `diff-${r.kind}` }, h('span', { class: 'diff-sign', 'aria-hidden': 'true' }, r.sign),
        r.kind === 'added' || r.kind === 'removed' ? h('span', { class: 'visually-hidden' }, `${t(`news.diff.${r.kind}`)}: `) : null,
        r.text)))))));
}

export async function renderNewsArticle(ctx) {
  const { t, lang, route, user } = ctx;
  const api = newsApiFor(ctx);
  let news;
  try {
    news = await api.get(route.params.id);
  } catch (err) {
    if (err?.status === 404 || err?.code === 'not-found') { ctx.setTitle(t('news.notFoundTitle')); return notFound(t); }
    throw err;
  }
  ctx.setTitle(news.title);
  const orgs = news.canEdit ? (await api.organisations().catch(() => ({ items: [] }))).items ?? [] : [];
  const alert = alertBox();
  const ackEl = h('section', { class: 'news-ack', 'aria-labelledby': 'news-ack-h', hidden: true });
  const reactionsEl = h('div', {});
  const updatedNotice = h('div', { class: 'alert alert-warning', role: 'status', hidden: true });

  // ------------------------------------------------------------ läst och förstått
  async function paintAck() {
    const s = acknowledgementState(news);
    ackEl.hidden = !s.required;
    if (!s.required) return;
    const heading = h('h2', { id: 'news-ack-h' }, t('news.ack.title'));
    if (s.done) {
      replaceChildren(ackEl, heading, h('p', { class: 'news-ack-done', role: 'status' },
        t('news.ack.done', { when: formatDateTime(news.acknowledgedAt, lang) })));
      return;
    }
    const parts = [heading];
    if (s.changed) {
      parts.push(h('div', { class: 'alert alert-warning news-changed' }, h('p', {}, h('strong', {}, t('news.ack.changed')))));
      try {
        const pair = comparedRevisions((await api.revisions(news.id)).items, news.revision, news.myAcknowledgedRevision ?? null);
        if (pair) {
          parts.push(h('h3', {}, t('news.diff.heading', { from: pair.from.revision, to: pair.to.revision })),
            changesBlock(t, revisionChanges(pair.from, pair.to)));
        }
      } catch (err) {
        parts.push(errorPanel(t, err));
      }
    }
    parts.push(h('p', {}, s.deadline
      ? t(s.overdue ? 'news.ack.overdue' : 'news.ack.askedBy', { when: formatDateTime(s.deadline, lang) })
      : t('news.ack.asked')));
    parts.push(actionButton(t, t('news.ack.button'), async () => {
      const res = await api.acknowledge(news.id);
      news = { ...news, acknowledgedAt: res?.acknowledgedAt ?? new Date().toISOString(), changedSinceMyAcknowledgement: false };
      await paintAck();
      ackEl.querySelector('.news-ack-done')?.setAttribute('tabindex', '-1');
      ackEl.querySelector('.news-ack-done')?.focus();
    }, { alert, cls: 'btn btn-primary news-ack-button' }));
    replaceChildren(ackEl, ...parts);
  }

  // ------------------------------------------------------------ reactions
  function paintReactions() {
    if (!news.allowReactions) { replaceChildren(reactionsEl); return; }
    // reactionBar reads "mine" from the people who reacted; the news API says `mine` instead.
    const item = { ...news, reactions: (news.reactions ?? []).map((r) => ({ ...r, people: r.mine ? [user.id] : [] })) };
    keepFocus(reactionsEl, () => replaceChildren(reactionsEl, reactionBar(ctx, item, (emoji, add) => act(async () => {
      const res = await api.react(news.id, emoji, add);
      news = res?.reactions ? { ...news, reactions: res.reactions } : await api.get(news.id);
      paintReactions();
      if (!reactionsEl.contains(document.activeElement)) {
        (reactionsEl.querySelector(`[data-focus-key="react-${emoji}"]`) ?? reactionsEl.querySelector('[data-focus-key="react-picker"]'))?.focus();
      }
    }))));
  }

  async function act(action) {
    alert.clear();
    try { await action(); } catch (err) { alert.error(t, err); }
  }

  // ------------------------------------------------------------ comments
  const comments = await commentsSection(ctx, api, news);

  // ------------------------------------------------------------ editor actions
  const actions = news.canEdit ? h('div', { class: 'actions news-actions' },
    h('a', { class: 'btn', href: buildHash('newsEdit', { id: news.id }) }, t('news.edit')),
    news.acknowledgement?.required
      ? h('a', { class: 'btn btn-secondary', href: buildHash('newsAcknowledgements', { id: news.id }) }, t('news.report.link'))
      : null,
    actionButton(t, t('news.delete'), async () => {
      if (!await ask(t, t('news.confirmDelete'))) return;
      await api.remove(news.id);
      ctx.navigate(buildHash('news'));
    }, { alert, cls: 'btn btn-ghost' })) : null;

  // A revision published while I read: say so, and offer the new text.
  followNews(ctx, {
    onEvent(msg) {
      if (msg.type !== 'news.updated' || msg.data?.id !== news.id) return;
      replaceChildren(updatedNotice, h('p', {}, t('news.updatedWhileReading'), ' ',
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => ctx.rerender() }, t('news.showNewVersion'))));
      updatedNotice.hidden = false;
    },
  });

  await paintAck();
  paintReactions();
  const when = news.publishedAt ?? news.publishAt;
  return h('div', { class: 'news-page' },
    h('p', { class: 'crumbs' }, h('a', { href: buildHash('news') }, `← ${t('news.backToList')}`)),
    h('article', { class: 'card news-article', 'aria-labelledby': 'news-h1' },
      updatedNotice,
      h('p', { class: 'eyebrow' }, news.category ?? t('news.eyebrow')),
      Object.assign(pageHeading(news.title), { id: 'news-h1' }),
      h('p', { class: 'meta' }, newsBadges(t, news), news.author?.name ? h('span', {}, news.author.name) : null,
        when ? timeEl(when, lang) : null,
        news.revision > 1 ? h('span', {}, t('news.revisionNote', { revision: news.revision })) : null),
      news.introduction ? h('p', { class: 'lead news-intro' }, news.introduction) : null,
      news.imageUrl ? h('img', { class: 'news-image', src: news.imageUrl, alt: '' }) : null,
      markdownBlock(news.body),
      tagLinks(t, news.tags),
      news.category ? h('p', { class: 'news-follow-category' },
        followButton(ctx, 'category', news.category, t('news.followCategory', { category: news.category }))) : null,
      news.canEdit ? h('p', { class: 'meta news-audience' }, t('news.audienceLabel'), ' ', audienceSummary(t, news.audience, orgs)) : null,
      alert.el, ackEl, reactionsEl, actions),
    comments);
}

/** The comments of an item that allows them: the list, delete for the author and editors, the form. */
async function commentsSection(ctx, api, news) {
  const { t, lang, user } = ctx;
  if (!news.allowComments) return null;
  let items = [];
  const listEl = h('ol', { class: 'comment-list', 'aria-labelledby': 'news-comments-h' });
  const heading = h('h2', { id: 'news-comments-h', tabindex: '-1' });
  const alert = alertBox();
  try {
    items = (await api.comments(news.id, { limit: COMMENT_LIMIT })).items ?? [];
  } catch (err) {
    return h('section', { class: 'card comments' }, errorPanel(t, err));
  }
  function paint() {
    heading.textContent = plural(t, 'news.commentCount', items.length);
    keepFocus(listEl, () => replaceChildren(listEl, items.length ? items.map((c) => {
      const name = c.author?.name ?? '';
      const mayDelete = c.canDelete ?? (c.author?.id === user.id || news.canEdit);
      return h('li', { class: 'post-item' }, h('article', { class: 'post', 'aria-label': t('news.commentBy', { name }) },
        h('header', { class: 'post-head' }, avatar(name),
          h('div', { class: 'post-head-text' }, h('p', { class: 'post-author' }, name), h('p', { class: 'meta' }, timeEl(c.createdAt, lang)))),
        markdownBlock(c.body),
        mayDelete ? h('div', { class: 'post-actions' }, h('button', {
          type: 'button', class: 'btn btn-small btn-danger', 'aria-label': t('news.deleteCommentBy', { name }),
          onclick: async () => {
            if (!await ask(t, t('news.confirmDeleteComment'))) return;
            alert.clear();
            try {
              await api.deleteComment(news.id, c.id);
              items = items.filter((x) => x.id !== c.id);
              paint();
              heading.focus();
            } catch (err) { alert.error(t, err); }
          },
        }, t('discussion.delete'))) : null));
    }) : h('li', { class: 'empty' }, t('news.noComments'))));
  }
  const input = field(t, { label: t('news.commentLabel'), name: 'news-comment', control: 'textarea', required: true, attrs: { rows: 3 } });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('news.sendComment'));
  const form = h('form', { class: 'stack reply-form', novalidate: true, 'aria-label': t('news.writeComment') },
    input.wrap, h('div', { class: 'row' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    if (showFieldErrors(t, { body: input }, validatePost({ body: input.input.value }))) return;
    submit.disabled = true;
    try {
      const comment = await api.comment(news.id, input.input.value);
      input.input.value = '';
      items = [...items, comment];
      paint();
    } catch (err) {
      alert.error(t, err);
    } finally {
      submit.disabled = false;
    }
  });
  paint();
  return h('section', { class: 'card comments stack', 'aria-labelledby': 'news-comments-h' }, heading, alert.el, listEl, form);
}
