// A person's own blog (employees only, over HTTP): a section of their profile with the
// posts, and for my own blog the drafts, the write form and edit / publish / delete; and
// one post on its own page with reactions and comments.
import { h, replaceChildren } from '../../lib/dom.js';
import { buildHash } from '../../lib/router.js';
import { collectPages } from '../../lib/pagination.js';
import { plural } from '../../lib/i18n.js';
import { validatePost } from '../../lib/validation.js';
import {
  blogListState, upsertBlogPost, removeBlogPost, blogPostState, withComment, withCommentDeleted, withPostReactions,
  canDeleteBlogComment,
} from '../../lib/blog-state.js';
import { markdownBlock, alertBox, errorPanel, avatar, keepFocus, pageHeading, showFieldErrors, timeEl, field } from '../components.js';
import { reactionBar } from '../reactions.js';
import { LIST_LIMIT, postMeta, listItem, notFoundNotice, loadPostWithComments } from './common.js';
import { blogForm } from './form.js';
import { ask } from '../dialog.js';

const PERSONAL_PAGES_MAX = 20;

/** Whether `viewer` may see personal blogs and `person` has one (employees only). */
export function hasPersonalBlog(viewer, person) {
  return Boolean(viewer && person && viewer.role !== 'guest' && person.role !== 'guest');
}

function loadPersonalPosts(api, personId) {
  return collectPages((page) => api.listPersonalBlog(personId, page), { limit: LIST_LIMIT, maxPages: PERSONAL_PAGES_MAX });
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
        onclick: async () => {
          if (!await ask(t, t('blog.confirmDelete'))) return;
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

/**
 * One post of a person's blog on its own page (`#/people/<id>/blog/<postId>`), with its
 * reactions and comments. Personal blogs are not live: each write answers with what to
 * show (a comment, the reactions), and a deleted comment is shown from a fresh load.
 */
export async function personalBlogPostPage(ctx, person, postId) {
  const { t, api, user } = ctx;
  const mine = person.id === user.id;
  const back = buildHash('person', { id: person.id });
  const crumbs = h('p', { class: 'crumbs' }, h('a', { href: back }, `← ${t('blog.backToPerson', { name: person.name })}`));
  const load = () => loadPostWithComments((page) => api.getPersonalPost(person.id, postId, page));
  let open;
  try {
    const { post: loaded, comments } = await load();
    open = blogPostState(loaded, comments, 0);
  } catch (err) {
    if (err?.code === 'not-found' || err?.status === 404) {
      return h('div', {}, crumbs, h('section', { class: 'card' }, pageHeading(t('blog.notFoundTitle')), notFoundNotice(t, back)));
    }
    return h('div', {}, crumbs, errorPanel(t, err));
  }
  ctx.setTitle(open.post.title);
  const alert = alertBox();
  const headingEl = pageHeading(open.post.title);
  headingEl.id = 'blog-post-h1';
  const body = h('div', { class: 'stack' });
  const article = h('article', { class: 'blog-post', 'aria-labelledby': 'blog-post-h1' });
  let editing = false;

  async function act(action) {
    alert.clear();
    try { await action(); } catch (err) { alert.error(t, err); }
  }

  // ------------------------------------------------------------ comments
  const commentsHeading = h('h2', { id: 'comments-h', class: 'comments-title', tabindex: '-1' });
  const commentsEl = h('ol', { class: 'comment-list', 'aria-labelledby': 'comments-h' });
  const commentsSection = h('section', { class: 'comments stack', 'aria-labelledby': 'comments-h' });
  let commentForm = null;

  function commentArticle(comment) {
    const name = comment.author?.name ?? '';
    const headingId = `comment-${comment.id}-by`;
    const deletable = canDeleteBlogComment(comment, { userId: user.id, blogAuthorId: person.id });
    return h('article', { class: `post${comment.deleted ? ' post-is-deleted' : ''}`, 'aria-labelledby': headingId, 'data-comment': comment.id },
      h('header', { class: 'post-head' },
        avatar(name),
        h('div', { class: 'post-head-text' },
          h('p', { class: 'post-author', id: headingId }, name),
          h('p', { class: 'meta' }, timeEl(comment.createdAt, ctx.lang)))),
      comment.deleted ? h('p', { class: 'post-deleted' }, t('blog.commentDeleted')) : markdownBlock(comment.body),
      deletable
        ? h('div', { class: 'post-actions' }, h('button', {
          type: 'button', class: 'btn btn-small btn-danger', 'data-focus-key': `delete-comment-${comment.id}`,
          'aria-label': t('blog.deleteCommentBy', { name }),
          onclick: async () => {
            if (!await ask(t, t('blog.confirmDeleteComment'))) return;
            act(async () => {
              await api.deletePersonalComment(person.id, open.post.id, comment.id);
              // 204: show the server's list again; if that fails, mark the comment ourselves.
              try {
                const fresh = await load();
                open = blogPostState(fresh.post, fresh.comments, 0);
              } catch {
                open = withCommentDeleted(open, comment.id);
              }
              paint();
              alert.success(t('blog.commentDeletedDone'));
              commentsHeading.focus();
            });
          },
        }, t('discussion.delete')))
        : null);
  }

  function renderComments() {
    const published = open.post.status === 'published';
    commentsSection.hidden = !published;
    if (!published) return;
    commentsHeading.textContent = plural(t, 'blog.commentCount', Math.max(open.post.commentCount ?? 0, open.comments.length));
    keepFocus(commentsEl, () => replaceChildren(commentsEl, open.comments.length
      ? open.comments.map((c) => h('li', { class: 'post-item' }, commentArticle(c)))
      : h('li', { class: 'empty' }, t('blog.noComments'))));
    if (!commentForm) {
      commentForm = buildCommentForm();
      replaceChildren(commentsSection, commentsHeading, commentsEl, commentForm);
    }
  }

  function buildCommentForm() {
    const formAlert = alertBox();
    const input = field(t, { label: t('blog.commentLabel'), name: 'personal-comment', control: 'textarea', required: true,
      hint: t('blog.commentHint'), attrs: { rows: 3 } });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('blog.sendComment'));
    const form = h('form', { class: 'stack reply-form', novalidate: true, 'aria-label': t('blog.commentLabel') },
      formAlert.el, input.wrap, h('div', { class: 'row' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formAlert.clear();
      if (showFieldErrors(t, { body: input }, validatePost({ body: input.input.value }))) return;
      submit.disabled = true;
      submit.textContent = t('discussion.sending');
      try {
        const comment = await api.commentPersonalPost(person.id, open.post.id, input.input.value);
        input.input.value = '';
        open = withComment(open, comment);
        renderComments();
      } catch (err) {
        formAlert.error(t, err);
      } finally {
        submit.disabled = false;
        submit.textContent = t('blog.sendComment');
      }
    });
    return form;
  }

  // ------------------------------------------------------------ the post
  function toggleReaction(emoji, add) {
    return act(async () => {
      const res = await api.reactPersonalPost(person.id, open.post.id, emoji, add);
      open = withPostReactions(open, res?.reactions);
      paint();
      // A pick from the (now closed) picker: keep focus on the reaction it made, or the picker.
      if (!article.contains(document.activeElement)) {
        (body.querySelector(`[data-focus-key="react-${emoji}"]`) ?? body.querySelector('[data-focus-key="react-picker"]'))?.focus();
      }
    });
  }

  function setPost(saved) {
    open = { ...open, post: { ...saved, commentCount: Math.max(saved.commentCount ?? 0, open.comments.length) } };
  }

  function paint() {
    const post = open.post;
    headingEl.textContent = post.title;
    if (editing) {
      const f = blogForm(ctx, {
        post, headingText: t('blog.editPost'), name: 'blog-edit',
        onSave: (values, publish) => personalSave(api, values, publish, post.id),
        onSaved: (saved) => { setPost(saved); editing = false; paint(); article.querySelector('[data-focus-key="edit"]')?.focus(); },
        onCancel: () => { editing = false; paint(); article.querySelector('[data-focus-key="edit"]')?.focus(); },
      });
      keepFocus(body, () => replaceChildren(body, f.form));
    } else {
      const actions = mine ? [
        h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-focus-key': 'edit',
          onclick: () => { editing = true; paint(); article.querySelector('input')?.focus(); } }, t('discussion.edit')),
        post.status === 'draft'
          ? h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-focus-key': 'publish',
            onclick: () => act(async () => {
              setPost(await personalSave(api, { title: post.title, body: post.body }, true, post.id));
              paint();
              alert.success(t('blog.published'));
            }) }, t('blog.publish'))
          : null,
        h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-focus-key': 'delete',
          onclick: async () => {
            if (!await ask(t, t('blog.confirmDelete'))) return;
            act(async () => { await api.deletePersonalPost(post.id); ctx.navigate(back); });
          } }, t('discussion.delete')),
      ] : [];
      const toggle = post.status === 'published' ? toggleReaction : null;
      keepFocus(body, () => replaceChildren(body,
        h('div', { class: 'post-head' }, avatar(post.author?.name ?? ''), postMeta(ctx, post)),
        markdownBlock(post.body),
        reactionBar(ctx, post, toggle),
        actions.length ? h('div', { class: 'post-actions' }, actions) : null));
    }
    renderComments();
  }
  replaceChildren(article, h('p', { class: 'eyebrow' }, t('blog.personBlog', { name: person.name })),
    headingEl, alert.el, body);
  paint();
  return h('div', { class: 'blog-page' }, crumbs, h('div', { class: 'card blog' }, article, commentsSection));
}
