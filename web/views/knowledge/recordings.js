// Recordings in the knowledge bank: on the article page a player for each attached recording
// whose chapter buttons seek that player (and a link to the recording's page); in the editor
// the list of attached recordings (remove) and a picker that attaches one, copying its
// chapters into the article. Shapes and rules: meeting/recording-state.js.
import { h, replaceChildren, uid } from '../../lib/dom.js';
import { recordingHash, attachRecording, detachRecording, pickerQuery } from '../../meeting/recording-state.js';
import { plural } from '../../lib/i18n.js';
import { recordingPlayer } from '../recording/player.js';

/** The article page's "Inspelningar": one player per recording. */
export function articleRecordings(t, recordings) {
  if (!(recordings ?? []).length) return null;
  return h('section', { class: 'kb-recordings', 'aria-labelledby': 'kb-recordings-h' },
    h('h2', { id: 'kb-recordings-h' }, t('kb.recordings')),
    recordings.map((r) => {
      const player = recordingPlayer(t, r, { headingLevel: 3 });
      return h('div', { class: 'card kb-recording', 'data-recording-id': r.recordingId },
        player.el,
        h('p', {}, h('a', { href: recordingHash(r.recordingId) }, t('kb.openRecording', { title: r.title }))));
    }));
}

/**
 * The editor's recordings: `initial` refs; `workspaceId` the article's workspace (null:
 * organisation-wide, every recording the writer may read). Returns {el, value(), attach(rec),
 * setWorkspace(id)}.
 */
export function recordingsEditor(ctx, { initial = [], workspaceId = null, alert }) {
  const { t, api } = ctx;
  let list = [...initial];
  let scope = workspaceId;
  let options = [];
  let loadSeq = 0;
  const attached = h('ul', { class: 'kb-attached' });
  const pickId = uid('kb-pick');
  const select = h('select', { id: pickId, name: 'recording-pick' });
  const addBtn = h('button', { type: 'button', class: 'btn btn-secondary' }, t('kb.attach.add'));
  const status = h('p', { class: 'hint', role: 'status' });

  function renderList() {
    replaceChildren(attached, list.length
      ? list.map((r) => h('li', { class: 'kb-attached-item' },
        h('span', {}, h('strong', {}, r.title), ' · ', plural(t, 'kb.attach.chapters', r.chapters?.length ?? 0)),
        ' ',
        h('button', { type: 'button', class: 'btn btn-ghost btn-small', 'aria-label': t('kb.attach.removeNamed', { title: r.title }),
          onclick: () => { list = detachRecording(list, r.recordingId); renderList(); renderOptions(); status.textContent = t('kb.attach.removed', { title: r.title }); } },
        t('kb.attach.remove'))))
      : h('li', { class: 'empty' }, t('kb.attach.none')));
  }

  function renderOptions() {
    const have = new Set(list.map((r) => r.recordingId));
    const free = options.filter((r) => !have.has(r.id));
    replaceChildren(select, free.length
      ? free.map((r) => h('option', { value: r.id }, r.workspaceName && !scope ? `${r.title} (${r.workspaceName})` : r.title))
      : h('option', { value: '' }, t('kb.attach.noneToAdd')));
    select.disabled = !free.length;
    addBtn.disabled = !free.length;
  }

  async function load() {
    const seq = ++loadSeq;
    try {
      const page = await api.listRecordings(pickerQuery(scope));
      if (seq !== loadSeq) return;
      options = (page?.items ?? []).filter((r) => r.state !== 'failed');
    } catch {
      options = [];
    }
    renderOptions();
  }

  async function attach(recordingOrId) {
    const rec = typeof recordingOrId === 'string' ? await api.getRecording(recordingOrId) : recordingOrId;
    list = attachRecording(list, rec);
    renderList();
    renderOptions();
    status.textContent = t('kb.attach.added', { title: rec.title });
  }

  addBtn.addEventListener('click', async () => {
    if (!select.value) return;
    alert?.clear();
    addBtn.disabled = true;
    try { await attach(select.value); } catch (err) { alert?.error(t, err); } finally { renderOptions(); }
  });

  renderList();
  renderOptions();
  load();
  const el = h('fieldset', { class: 'kb-recordings-editor' },
    h('legend', {}, t('kb.field.recordings')),
    h('p', { class: 'hint' }, t('kb.attach.hint')),
    attached,
    h('div', { class: 'inline-form' },
      h('div', { class: 'field' }, h('label', { for: pickId }, t('kb.attach.pick')), select), addBtn),
    status);
  return {
    el,
    value: () => list.map((r) => ({ recordingId: r.recordingId, title: r.title, chapters: r.chapters ?? [] })),
    attach,
    setWorkspace(id) { scope = id || null; load(); },
  };
}
