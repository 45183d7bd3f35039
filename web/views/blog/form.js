// The form to write a blog post, workspace or personal: save as draft, publish, save changes.
import { h } from '../../lib/dom.js';
import { validateBlogPost, BLOG_TITLE_MAX } from '../../lib/validation.js';
import { field, alertBox, showFieldErrors } from '../components.js';
import { markdownEditor } from '../editor.js';
import { documentLinkButton } from '../document-link.js';

/**
 * The write form: title and Markdown body, "Spara utkast" and "Publicera" for new posts and
 * drafts, "Spara ändringar" for published ones. `onSave({title, body}, publish)` resolves
 * with the saved post. Pressing Enter in the title saves a draft (the first button), never
 * publishes by accident.
 */
export function blogForm(ctx, { post = null, headingText, name, getMembers = null, onSave, onCancel = null, onSaved = null, workspaceId = null }) {
  const { t, user } = ctx;
  const formAlert = alertBox();
  const headingId = `${name}-h`;
  const title = field(t, { label: t('blog.titleLabel'), name: `${name}-title`, required: true, value: post?.title ?? '',
    attrs: { maxlength: BLOG_TITLE_MAX } });
  const body = markdownEditor(t, { label: t('blog.bodyLabel'), name: `${name}-body`, required: true, rows: 8,
    getMembers, excludeId: user.id, value: post?.body ?? '' });
  const isDraft = !post || post.status === 'draft';
  const buttons = isDraft
    ? [h('button', { type: 'submit', class: 'btn btn-secondary', name: 'action', value: 'draft' }, t('blog.saveDraft')),
      h('button', { type: 'submit', class: 'btn btn-primary', name: 'action', value: 'publish' }, t('blog.publish'))]
    : [h('button', { type: 'submit', class: 'btn btn-primary', name: 'action', value: 'save' }, t('blog.saveChanges'))];
  if (onCancel) buttons.push(h('button', { type: 'button', class: 'btn btn-ghost', onclick: onCancel }, t('discussion.cancel')));
  const form = h('form', { class: 'stack blog-form', novalidate: true, 'aria-labelledby': headingId },
    h('h3', { id: headingId, class: 'blog-form-title' }, headingText), formAlert.el, title.wrap, body.wrap,
    documentLinkButton(ctx, body.input, () => workspaceId ?? post?.workspaceId ?? null),
    h('div', { class: 'row' }, buttons));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formAlert.clear();
    const action = e.submitter?.value ?? (isDraft ? 'draft' : 'save');
    const values = { title: title.input.value.trim(), body: body.input.value };
    if (showFieldErrors(t, { title, body }, validateBlogPost(values))) return;
    for (const b of buttons) b.disabled = true;
    try {
      const saved = await onSave(values, action === 'publish');
      if (!post) { title.input.value = ''; body.input.value = ''; }
      formAlert.success(saved?.status === 'published' ? t('blog.published') : t('blog.draftSaved'));
      onSaved?.(saved);
    } catch (err) {
      formAlert.error(t, err);
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  });
  body.input.addEventListener('keydown', (e) => { if (e.key === 'Escape' && onCancel && !e.defaultPrevented) onCancel(); });
  return { form, title, body, alert: formAlert };
}
