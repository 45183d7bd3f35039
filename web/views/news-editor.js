// The news editor (#/news/new, #/news/<id>/edit), for those who may publish news: title,
// introduction, body (Markdown), image, tags, category, publish time, end date, pinned,
// important, comments and reactions allowed, "läst och förstått" with a deadline, and the
// audience (the whole group or organisations; departments, workplaces, titles, groups, with
// suggestions from the people directory). On edit, "Väsentlig ändring" starts a new revision.
import { h, uid, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { validateNews, formValues, audienceSummary, NEWS_LIMITS } from '../lib/news.js';
import { IMAGE_TYPES } from '../lib/news-api.js';
import { field, alertBox, showFieldErrors, pageHeading } from './components.js';
import { newsApiFor, canPublish, ensureNewsSession } from './news-parts.js';

function checkbox(label, { name, checked = false, hint = null }) {
  const id = uid(name);
  const input = h('input', { id, name, type: 'checkbox', checked, 'aria-describedby': hint ? `${id}-hint` : null });
  const wrap = h('div', { class: 'field field-check' },
    h('p', { class: 'checkbox-line' }, input, ' ', h('label', { for: id }, label)),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null);
  return { wrap, input };
}

/**
 * A list of values with suggestions: a text field (with a datalist) and "Lägg till", the
 * chosen values as removable chips. `suggestions` is `[[value, label]]`. `onChange()` runs
 * after every change. Returns `{wrap, input, error, errorId, values(), flush()}`.
 */
function valuePicker(t, { label, name, addLabel, suggestions = [], values = [], hint, onChange }) {
  const listId = uid(`${name}-options`);
  const f = field(t, { label, name, hint, attrs: { list: listId, autocomplete: 'off' } });
  const chosen = [...values];
  const chips = h('ul', { class: 'news-chips', 'aria-label': t('news.form.chosen', { label }) });
  const datalist = h('datalist', { id: listId }, suggestions.map(([value, text]) =>
    h('option', { value, label: text && text !== value ? text : null })));
  function paint() {
    replaceChildren(chips, chosen.map((v) => h('li', { class: 'news-chip' }, h('span', {}, v), h('button', {
      type: 'button', class: 'btn btn-small btn-ghost', 'aria-label': t('news.form.removeValue', { value: v }),
      onclick: () => { chosen.splice(chosen.indexOf(v), 1); paint(); onChange?.(); f.input.focus(); },
    }, '×'))));
    chips.hidden = chosen.length === 0;
  }
  function add() {
    const v = f.input.value.trim();
    if (v && !chosen.some((c) => c.toLowerCase() === v.toLowerCase())) chosen.push(v);
    f.input.value = '';
    paint();
    onChange?.();
  }
  const button = h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: () => { add(); f.input.focus(); } }, addLabel);
  f.input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } });
  f.input.insertAdjacentElement('afterend', h('span', { class: 'news-picker-add' }, button));
  f.wrap.append(datalist, chips);
  paint();
  return { ...f, values: () => [...chosen], flush: add };
}

export async function renderNewsEditor(ctx) {
  const { t, api: baseApi, route } = ctx;
  const api = newsApiFor(ctx);
  const editing = route.name === 'newsEdit';
  const heading = editing ? t('news.editTitle') : t('news.write');
  ctx.setTitle(heading);
  const [existing] = await Promise.all([editing ? api.get(route.params.id) : null, ensureNewsSession(ctx)]);
  if (editing ? !existing.canEdit : !canPublish(ctx)) {
    return h('section', { class: 'card' }, pageHeading(heading), h('p', { role: 'status' }, t('news.mayNotWrite')),
      h('p', {}, h('a', { href: buildHash('news') }, t('news.backToList'))));
  }
  const [orgs, facets, groups] = await Promise.all([
    api.organisations().catch(() => ({ items: [] })),
    baseApi.peopleFacets().catch(() => ({ departments: [], workplaces: [] })),
    ctx.user?.role === 'admin' ? baseApi.listGroups('').catch(() => ({ items: [] })) : Promise.resolve({ items: [] }),
  ]);
  const organisations = orgs.items ?? [];
  const v = formValues(existing);
  const alert = alertBox();
  const names = (list) => (list ?? []).map((x) => [x.name, '']);
  const summary = h('p', { class: 'news-audience-summary', 'aria-live': 'polite' });

  const fields = {
    title: field(t, { label: t('news.form.title'), name: 'title', required: true, value: v.title, attrs: { maxlength: NEWS_LIMITS.title } }),
    introduction: field(t, { label: t('news.form.introduction'), name: 'introduction', control: 'textarea', value: v.introduction,
      attrs: { rows: 3, maxlength: NEWS_LIMITS.introduction } }),
    body: field(t, { label: t('news.form.body'), name: 'body', control: 'textarea', value: v.body, hint: t('news.form.bodyHint'), attrs: { rows: 12 } }),
    tags: field(t, { label: t('news.form.tags'), name: 'tags', value: v.tags, hint: t('news.form.tagsHint') }),
    category: field(t, { label: t('news.form.category'), name: 'category', value: v.category }),
    publishAt: field(t, { label: t('news.form.publishAt'), name: 'publishAt', type: 'datetime-local', value: v.publishAt, hint: t('news.form.publishAtHint') }),
    endsAt: field(t, { label: t('news.form.endsAt'), name: 'endsAt', type: 'datetime-local', value: v.endsAt, hint: t('news.form.endsAtHint') }),
    ackDeadline: field(t, { label: t('news.form.ackDeadline'), name: 'ackDeadline', type: 'datetime-local', value: v.ackDeadline }),
  };
  const image = field(t, { label: t('news.form.image'), name: 'image', type: 'file', hint: t('news.form.imageHint'),
    attrs: { accept: IMAGE_TYPES.join(',') } });
  const checks = {
    pinned: checkbox(t('news.form.pinned'), { name: 'pinned', checked: v.pinned, hint: t('news.form.pinnedHint') }),
    important: checkbox(t('news.form.important'), { name: 'important', checked: v.important }),
    allowComments: checkbox(t('news.form.allowComments'), { name: 'allowComments', checked: v.allowComments }),
    allowReactions: checkbox(t('news.form.allowReactions'), { name: 'allowReactions', checked: v.allowReactions }),
    ackRequired: checkbox(t('news.form.ackRequired'), { name: 'ackRequired', checked: v.ackRequired, hint: t('news.form.ackRequiredHint') }),
  };
  const material = editing ? checkbox(t('news.form.material'), { name: 'material', hint: t('news.form.materialHint') }) : null;
  const orgBoxes = organisations.map((o) => ({ id: o.id, box: checkbox(o.name, { name: `org-${o.id}`, checked: v.organisationIds.includes(o.id) }) }));
  const pickers = {
    departments: valuePicker(t, { label: t('news.form.departments'), name: 'departments', addLabel: t('news.form.addDepartment'),
      suggestions: names(facets.departments), values: existing?.audience?.departments ?? [], onChange: paintSummary }),
    workplaces: valuePicker(t, { label: t('news.form.workplaces'), name: 'workplaces', addLabel: t('news.form.addWorkplace'),
      suggestions: names(facets.workplaces), values: existing?.audience?.workplaces ?? [], onChange: paintSummary }),
    titles: valuePicker(t, { label: t('news.form.titles'), name: 'titles', addLabel: t('news.form.addTitle'),
      values: existing?.audience?.titles ?? [], onChange: paintSummary }),
    groups: valuePicker(t, { label: t('news.form.groups'), name: 'groups', addLabel: t('news.form.addGroup'), hint: t('news.form.groupsHint'),
      suggestions: (groups.items ?? []).map((g) => [g.key, g.name]), values: existing?.audience?.groups ?? [], onChange: paintSummary }),
  };

  function values() {
    const out = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.input.value]));
    for (const [k, c] of Object.entries(checks)) out[k] = c.input.checked;
    out.organisationIds = orgBoxes.filter((o) => o.box.input.checked).map((o) => o.id);
    for (const [k, p] of Object.entries(pickers)) out[k] = p.values();
    return out;
  }
  function paintSummary() {
    summary.textContent = t('news.form.audienceNow', { audience: audienceSummary(t, validateNews(values()).input.audience, organisations) });
  }
  for (const o of orgBoxes) o.box.input.addEventListener('change', paintSummary);
  const syncDeadline = () => { fields.ackDeadline.wrap.hidden = !checks.ackRequired.input.checked; };
  checks.ackRequired.input.addEventListener('change', syncDeadline);
  syncDeadline();
  paintSummary();

  // A new item or a draft: "Spara utkast" keeps it from readers, "Publicera" publishes (at once
  // or at its time). A published item is saved as it is.
  const isDraft = !existing || Boolean(existing.draft);
  const buttons = isDraft
    ? [h('button', { type: 'submit', class: 'btn btn-secondary', value: 'draft' }, t('news.form.saveDraft')),
      h('button', { type: 'submit', class: 'btn btn-primary', value: 'publish' }, t('news.form.publish'))]
    : [h('button', { type: 'submit', class: 'btn btn-primary', value: 'save' }, t('news.form.save'))];
  const audience = h('fieldset', { class: 'news-audience-fields' },
    h('legend', {}, t('news.form.audience')),
    h('p', { class: 'hint' }, t('news.form.audienceHint')),
    orgBoxes.length ? h('fieldset', { class: 'news-orgs' }, h('legend', {}, t('news.form.organisations')),
      h('p', { class: 'hint' }, t('news.form.organisationsHint')), orgBoxes.map((o) => o.box.wrap)) : null,
    Object.values(pickers).map((p) => p.wrap),
    summary);
  const form = h('form', { class: 'card news-editor stack', novalidate: true, 'aria-label': heading },
    alert.el, fields.title.wrap, fields.introduction.wrap, fields.body.wrap, image.wrap,
    existing?.imageUrl ? h('p', { class: 'hint' }, t('news.form.imageKept')) : null,
    h('div', { class: 'news-form-row' }, fields.tags.wrap, fields.category.wrap),
    h('div', { class: 'news-form-row' }, fields.publishAt.wrap, fields.endsAt.wrap),
    h('fieldset', { class: 'news-options' }, h('legend', {}, t('news.form.options')),
      Object.values(checks).map((c) => c.wrap), fields.ackDeadline.wrap),
    audience,
    material?.wrap,
    h('div', { class: 'actions' }, buttons,
      h('a', { class: 'btn btn-ghost', href: existing ? buildHash('newsArticle', { id: existing.id }) : buildHash('news') }, t('news.form.cancel'))));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.clear();
    for (const p of Object.values(pickers)) if (p.input.value.trim()) p.flush();
    const { errors, input } = validateNews(values());
    input.draft = (e.submitter?.value ?? (isDraft ? 'draft' : 'save')) === 'draft';
    const file = image.input.files?.[0] ?? null;
    if (file && !IMAGE_TYPES.includes(file.type)) errors.image = 'news.error.imageType';
    if (showFieldErrors(t, { ...fields, image }, errors)) return;
    for (const b of buttons) b.disabled = true;
    try {
      let saved = editing ? await api.update(existing.id, input, material.input.checked) : await api.create(input);
      if (file) saved = await api.uploadImage(saved.id, file);
      ctx.navigate(buildHash('newsArticle', { id: saved.id }));
    } catch (err) {
      alert.error(t, err);
      alert.el.setAttribute('tabindex', '-1');
      alert.el.focus();
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  });
  return h('section', { class: 'news-editor-page' },
    h('p', { class: 'crumbs' }, h('a', { href: existing ? buildHash('newsArticle', { id: existing.id }) : buildHash('news') },
      `← ${existing ? existing.title : t('news.backToList')}`)),
    pageHeading(heading), form);
}
