// People directory (search and filters, paginated) and a person's profile with their blog.
import { formatWhen } from '../lib/format.js';
import { h, replaceChildren } from '../lib/dom.js';
import { buildHash } from '../lib/router.js';
import { plural } from '../lib/i18n.js';
import { field, pager, pageHeading, errorPanel, avatar, roleText } from './components.js';
import { personalBlogSection, personalBlogPostPage, hasPersonalBlog } from './blog.js';
import { followButton } from './notifications-follow.js';

const PAGE = 20;

export function notAllowedPage(t, textKey = 'people.notAllowed') {
  return h('section', { class: 'card' },
    pageHeading(t('common.notAllowedTitle')),
    h('p', { role: 'alert' }, t(textKey)),
    h('p', {}, h('a', { href: buildHash('home') }, t('common.backHome'))));
}

function facetOptions(t, allKey, facet) {
  return [['', t(allKey)], ...(facet ?? []).map((f) => [f.name, `${f.name} (${f.count})`])];
}

function personCard(t, p) {
  return h('li', { class: 'card person-card' },
    avatar(p.name, 'avatar-lg'),
    h('div', { class: 'person-card-text' },
      h('h3', { class: 'person-name' }, h('a', { href: buildHash('person', { id: p.id }) }, p.name)),
      h('p', { class: 'person-sub' }, p.title || t('common.dash')),
      h('p', { class: 'person-sub' }, [p.department, p.workplace].filter(Boolean).join(' · ')),
      p.competences?.length
        ? h('ul', { class: 'chips', 'aria-label': t('person.competences') }, p.competences.slice(0, 5).map((c) => h('li', { class: 'chip' }, c)))
        : null));
}

export async function renderPeople(ctx) {
  const { t, api, user } = ctx;
  ctx.setTitle(t('people.title'));
  if (user.role === 'guest') return notAllowedPage(t);
  let facets;
  try {
    facets = await api.peopleFacets();
  } catch (err) {
    if (err.code === 'forbidden') return notAllowedPage(t);
    throw err;
  }
  const query = ctx.route.query;
  const q = field(t, { label: t('people.searchLabel'), name: 'q', type: 'search', value: query.q ?? '' });
  const department = field(t, { label: t('people.department'), name: 'department', control: 'select',
    value: query.department ?? '', options: facetOptions(t, 'people.allDepartments', facets.departments) });
  const workplace = field(t, { label: t('people.workplace'), name: 'workplace', control: 'select',
    value: query.workplace ?? '', options: facetOptions(t, 'people.allWorkplaces', facets.workplaces) });
  const competence = field(t, { label: t('people.competence'), name: 'competence', control: 'select',
    value: query.competence ?? '', options: facetOptions(t, 'people.allCompetences', facets.competences) });
  const results = h('section', { 'aria-labelledby': 'results-h' });

  const currentFilters = () => ({
    q: q.input.value.trim(), department: department.input.value,
    workplace: workplace.input.value, competence: competence.input.value,
  });

  async function load(offset) {
    const filters = currentFilters();
    // Keep the hash in step so the search survives a reload, without a hashchange re-render.
    history.replaceState(null, '', buildHash('people', {}, { ...filters, offset: offset || '' }));
    let page;
    try {
      page = await api.listPeople({ ...filters, limit: PAGE, offset });
    } catch (err) {
      replaceChildren(results, h('h2', { id: 'results-h' }, t('people.results')), errorPanel(t, err));
      return;
    }
    replaceChildren(results,
      h('h2', { id: 'results-h' }, t('people.results')),
      h('p', { role: 'status', class: 'result-count' }, plural(t, 'people.count', page.total)),
      page.items.length
        ? h('ul', { class: 'card-grid people-grid' }, page.items.map((p) => personCard(t, p)))
        : h('p', { class: 'empty' }, t('people.noResults')),
      pager(t, page, (o) => { load(o); results.querySelector('h2')?.scrollIntoView?.(); }));
  }

  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('people.title') },
    h('div', { class: 'filters-q' }, q.wrap),
    department.wrap, workplace.wrap, competence.wrap,
    h('div', { class: 'filters-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search')),
      h('button', { type: 'reset', class: 'btn btn-ghost' }, t('people.clear'))));
  form.addEventListener('submit', (e) => { e.preventDefault(); load(0); });
  form.addEventListener('reset', () => setTimeout(() => load(0), 0));
  for (const f of [department, workplace, competence]) f.input.addEventListener('change', () => load(0));

  await load(Number(query.offset) || 0);
  return h('div', { class: 'people-page' },
    h('div', { class: 'hero' }, pageHeading(t('people.title')), h('p', { class: 'lead' }, t('people.intro'))),
    h('div', { class: 'card' }, form),
    results);
}

/** "Online nu", "Borta", or when the person was last seen. */
function presenceText(ctx, presence) {
  if (presence.status !== 'offline') return h('span', { class: `presence presence-${presence.status}` }, ctx.t(`presence.${presence.status}`));
  if (!presence.lastSeen) return ctx.t('presence.offline');
  return ctx.t('presence.lastSeen', { time: formatWhen(presence.lastSeen, ctx.lang) });
}

export async function renderPerson(ctx) {
  const { t, api, user } = ctx;
  let p;
  try {
    p = await api.getPerson(ctx.route.params.id);
  } catch (err) {
    if (err.code === 'forbidden') return notAllowedPage(t);
    if (err.code === 'not-found') {
      return h('section', { class: 'card' }, pageHeading(t('person.notFoundTitle')), h('p', {}, t('person.notFoundText')),
        h('p', {}, h('a', { href: buildHash('people') }, t('person.back'))));
    }
    throw err;
  }
  ctx.setTitle(p.name);
  if (ctx.route.name === 'personBlogPost') {
    if (!hasPersonalBlog(user, p)) return notAllowedPage(t, 'blog.noPersonalBlog');
    return personalBlogPostPage(ctx, p, ctx.route.params.postId);
  }
  const blog = hasPersonalBlog(user, p) ? await personalBlogSection(ctx, p) : null;
  const presence = await api.getPresence(p.id).catch(() => null);
  const row = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value || t('common.dash')));
  return h('div', { class: 'person-page' },
    user.role !== 'guest' ? h('p', { class: 'crumbs' }, h('a', { href: buildHash('people') }, t('person.back'))) : null,
    h('article', { class: 'card profile-card' },
      h('div', { class: 'profile-head' },
        avatar(p.name, 'avatar-xl'),
        h('div', {},
          pageHeading(p.name),
          h('p', { class: 'lead' }, p.title || ''),
          p.role !== 'member' ? h('span', { class: `badge badge-${p.role}` }, roleText(t, p.role)) : null,
          p.id !== user.id ? h('p', {}, followButton(ctx, 'person', p.id, t('notif.followPerson', { name: p.name }))) : null)),
      h('dl', { class: 'facts' },
        presence ? row(t('person.presence'), presenceText(ctx, presence)) : null,
        row(t('person.department'), p.department),
        row(t('person.workplace'), p.workplace),
        row(t('person.phone'), p.phone ? h('a', { href: `tel:${p.phone.replace(/\s+/g, '')}` }, p.phone) : ''),
        row(t('person.email'), p.email ? h('a', { href: `mailto:${p.email}` }, p.email) : '')),
      h('h2', {}, t('person.presentation')),
      p.presentation
        ? h('div', { class: 'description' }, p.presentation.split(/\n{2,}/).map((x) => h('p', {}, x)))
        : h('p', { class: 'empty' }, t('person.noPresentation')),
      h('h2', {}, t('person.competences')),
      p.competences?.length
        ? h('ul', { class: 'chips' }, p.competences.map((c) => h('li', { class: 'chip' },
          user.role !== 'guest' ? h('a', { href: buildHash('people', {}, { competence: c }) }, c) : c)))
        : h('p', { class: 'empty' }, t('person.noCompetences'))),
    blog);
}
