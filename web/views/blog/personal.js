// A person's own blog (employees only, over HTTP): a section of their profile with the
// posts, and for my own blog the drafts, the write form and edit / publish / delete; and
// one post on its own page.
import { h, replaceChildren } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { collectPages } from '../../lib/pagination.js';
import { blogListState, upsertBlogPost, removeBlogPost } from '../../lib/blog-state.js';
import { markdownBlock, alertBox, errorPanel, avatar, keepFocus, pageHeading } from '../components.js';
import { reactionBar } from '../reactions.js';
import { LIST_LIMIT, postMeta, listItem, notFoundNotice } from './common.js';
import { blogForm } from './form.js';

const PERSONAL_PAGES_MAX = 20;

/** Whether `viewer` may see personal blogs and `person` has one (employees only). */
export function hasPersonalBlog(viewer, person) {
  return Boolean(viewer && person && viewer.role !== 'guest' && person.role !== 'guest');
}

function loadPersonalPosts(api, personId, { stopAt } = {}) {
  return collectPages((page) => api.listPersonalBlog(personId, page), {
    limit: LIST_LIMIT, maxPages: PERSONAL_PAGES_MAX, stop: (items) => Boolean(stopAt) && items.some((p) => p.id === stopAt),
  });
}

function personalSave(api, values, publish, id) {
  const payload = { ...values, ...(publish ? { publish: true } : {}) };
  return id ? api.updatePersonalPost(id, payload) : api.createPersonalPost(payload);
}

/**
 * A person's blog as a section of their profile: published posts; for my own blog also my
 * drafts, the "Skriv inlägg" form and edit / publish / delete on each post.
 */
export async function personalBlogSection(ctx, person, { headingId = 'personal-blog-h' } = {}) {
  const { t, api, user } = ctx;
  const mine = person.id === user.id;
  const alert = alertBox();
  const listEl = h('div', { class: 'blog-list-body' });
  const editingIds = new Set();
  let list = blogListState([], 0);

  function itemActions(post) {
    if (!mine) return null;
    return h('div', { class: 'post-actions' },
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': `edit-${post.id}`,
        'aria-label': t('blog.editNamed', { title: post.title }),
        onclick: () => { editingIds.add(post.id); render(); listEl.querySelector(`[data-blog-post="${post.id}"] input`)?.focus(); } },
      t('discussion.edit')),
      post.status === 'draft'
        ? h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-focus-key': `publish-${post.id}`,
          'aria-label': t('blog.publishNamed', { title: post.title }),
          onclick: () => act(async () => {
            list = upsertBlogPost(list, await personalSave(api, { title: post.title, body: post.body }, true, post.id));
            render();
            alert.success(t('blog.published'));
            listEl.querySelector(`[data-focus-key="post-${post.id}"]`)?.focus();
          }) }, t('blog.publish'))
        : null,
      h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-focus-key': `delete-${post.id}`,
        'aria-label': t('blog.deleteNamed', { title: post.title }),
        onclick: () => {
          if (!window.confirm(t('blog.confirmDelete'))) return;
          act(async () => {
            await api.deletePersonalPost(post.id);
            list = removeBlogPost(list, post.id);
            render();
            alert.success(t('blog.deleted'));
          });
        } }, t('discussion.delete')));
  }

  async function act(action) {
    alert.clear();
    try { await action(); } catch (err) { alert.error(t, err); }
  }

  function render() {
    keepFocus(listEl, () => {
      replaceChildren(listEl, list.posts.length
        ? h('ul', { class: 'blog-list', 'aria-label': t('blog.listLabel') }, list.posts.map((p) => {
          if (!editingIds.has(p.id)) return listItem(ctx, p, { showAuthor: false, showComments: false, actions: itemActions(p) });
          const f = blogForm(ctx, {
            post: p, headingText: t('blog.editPost'), name: `blog-edit-${p.id}`,
            onSave: (values, publish) => personalSave(api, values, publish, p.id),
            onSaved: (saved) => { editingIds.delete(p.id); list = upsertBlogPost(list, saved); render(); listEl.querySelector(`[data-focus-key="post-${p.id}"]`)?.focus(); },
            onCancel: () => { editingIds.delete(p.id); render(); listEl.querySelector(`[data-focus-key="edit-${p.id}"]`)?.focus(); },
          });
          return h('li', { class: 'blog-item', 'data-blog-post': p.id }, f.form);
        }))
        : h('p', { class: 'empty' }, mine ? t('blog.noneMine') : t('blog.nonePerson')));
    });
  }

  let content;
  try {
    list = blogListState(await loadPersonalPosts(api, person.id), 0);
    render();
    content = listEl;
  } catch (err) {
    content = errorPanel(t, err);
  }
  const write = mine
    ? blogForm(ctx, {
      headingText: t('blog.writePersonal'), name: 'personal-new',
      onSave: (values, publish) => personalSave(api, values, publish),
      onSaved: (post) => { if (post) { list = upsertBlogPost(list, post); render(); } },
    })
    : null;
  return h('section', { class: 'card blog personal-blog', 'aria-labelledby': headingId },
    h('div', { class: 'blog-head' },
      h('h2', { id: headingId }, mine ? t('blog.myBlog') : t('blog.personBlog', { name: person.name }))),
    mine ? h('p', { class: 'hint' }, t('blog.personalHint')) : null,
    alert.el,
    write ? h('details', { class: 'blog-write' }, h('summary', {}, t('blog.writePersonal')), write.form) : null,
    content);
}

/** One post of a person's blog on its own page (`#/people/<id>/blog/<postId>`). */
export async function personalBlogPostPage(ctx, person, postId) {
  const { t, api, user } = ctx;
  const mine = person.id === user.id;
  const back = buildHash('person', { id: person.id });
  const crumbs = h('p', { class: 'crumbs' }, h('a', { href: back }, `← ${t('blog.backToPerson', { name: person.name })}`));
  const items = await loadPersonalPosts(api, person.id, { stopAt: postId });
  let post = items.find((p) => p.id === postId) ?? null;
  if (!post) return h('div', {}, crumbs, h('section', { class: 'card' }, pageHeading(t('blog.notFoundTitle')), notFoundNotice(t, back)));
  ctx.setTitle(post.title);
  const alert = alertBox();
  const body = h('div', { class: 'stack' });
  const card = h('article', { class: 'card blog blog-post', 'aria-labelledby': 'blog-post-h1' });
  let editing = false;

  function paint() {
    const headingEl = pageHeading(post.title);
    headingEl.id = 'blog-post-h1';
    if (editing) {
      const f = blogForm(ctx, {
        post, headingText: t('blog.editPost'), name: 'blog-edit',
        onSave: (values, publish) => personalSave(api, values, publish, post.id),
        onSaved: (saved) => { post = saved; editing = false; paint(); card.querySelector('[data-focus-key="edit"]')?.focus(); },
        onCancel: () => { editing = false; paint(); card.querySelector('[data-focus-key="edit"]')?.focus(); },
      });
      replaceChildren(body, f.form);
    } else {
      const actions = mine ? [
        h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': 'edit',
          onclick: () => { editing = true; paint(); card.querySelector('input')?.focus(); } }, t('discussion.edit')),
        post.status === 'draft'
          ? h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-focus-key': 'publish',
            onclick: async () => {
              alert.clear();
              try { post = await personalSave(api, { title: post.title, body: post.body }, true, post.id); paint(); alert.success(t('blog.published')); } catch (err) { alert.error(t, err); }
            } }, t('blog.publish'))
          : null,
        h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-focus-key': 'delete',
          onclick: async () => {
            if (!window.confirm(t('blog.confirmDelete'))) return;
            alert.clear();
            try { await api.deletePersonalPost(post.id); ctx.navigate(back); } catch (err) { alert.error(t, err); }
          } }, t('discussion.delete')),
      ] : [];
      replaceChildren(body,
        h('div', { class: 'post-head' }, avatar(post.author?.name ?? ''), postMeta(ctx, post)),
        markdownBlock(post.body),
        reactionBar(ctx, post, null),
        actions.length ? h('div', { class: 'post-actions' }, actions) : null);
    }
    keepFocus(card, () => replaceChildren(card, h('p', { class: 'eyebrow' }, t('blog.personBlog', { name: person.name })),
      headingEl, alert.el, body));
  }
  paint();
  return h('div', { class: 'blog-page' }, crumbs, card);
}
