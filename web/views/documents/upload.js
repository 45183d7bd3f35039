// Uploads with a progress bar per file: the queue of a workspace's library (several files,
// from the picker or dropped on the list) and a single new version on the document page.
// The queue outlives a re-render of the page (moving between folders rebuilds it), so it is
// kept per workspace here and its element moved into the new page.
import { h, replaceChildren } from '../../lib/dom.js';
import { createTusUpload, fingerprint } from '../../lib/tus.js';
import { formatSize } from '../../lib/documents.js';
import { problemText } from './common.js';

/** At most this many files go up at once; the rest wait their turn (a phone's uplink is narrow). */
const PARALLEL = 2;

const queues = new Map(); // workspaceId → queue

/**
 * Upload addresses kept across a reload of the page (sessionStorage: this tab only), so the
 * same file picked again resumes where it stopped; removed when the upload ends.
 */
const resumeStore = {
  get(key) { try { return sessionStorage.getItem(key); } catch { return null; } },
  set(key, url) { try { sessionStorage.setItem(key, url); } catch { /* private mode: starts over */ } },
  remove(key) { try { sessionStorage.removeItem(key); } catch { /* nothing kept */ } },
};
let unloadGuard = false;

function active() {
  for (const q of queues.values()) if (q.busy()) return true;
  return false;
}

/** Warns before leaving the page while files are still going up (the browser's own question). */
function guardUnload() {
  if (unloadGuard || typeof window === 'undefined') return;
  unloadGuard = true;
  window.addEventListener('beforeunload', (e) => {
    if (!active()) return;
    e.preventDefault();
    e.returnValue = '';
  });
}

/**
 * One upload's row: name, size, a labelled <progress>, what is happening and "Avbryt".
 * `start(row)` runs the upload; returns `{el, run(), cancel()}`.
 */
function uploadRow(ctx, file, metadata, { onDone, onFinished }) {
  const { t, lang } = ctx;
  const progress = h('progress', { max: '100', value: '0', 'aria-label': t('documents.upload.progressLabel', { name: file.name }) });
  const status = h('span', { class: 'upload-status' }, t('documents.upload.queued'));
  const cancel = h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'aria-label': t('documents.upload.cancelNamed', { name: file.name }) },
    t('documents.upload.cancel'));
  const el = h('li', { class: 'upload-item' },
    h('div', { class: 'upload-head' }, h('span', { class: 'upload-name' }, file.name), h('span', { class: 'upload-size' }, formatSize(file.size, lang))),
    progress, h('div', { class: 'upload-foot' }, status, cancel));
  let upload = null;
  let state = 'queued';
  let cancelled = false;

  function setStatus(text, cls = '') {
    status.textContent = text;
    el.className = `upload-item ${cls}`.trim();
  }

  cancel.addEventListener('click', async () => {
    cancelled = true;
    cancel.disabled = true;
    if (upload) await upload.abort();
    if (state === 'queued') { state = 'cancelled'; onFinished(); }
    setStatus(t('documents.upload.cancelled'), 'upload-cancelled');
    cancel.hidden = true;
  });

  async function run() {
    if (cancelled) return;
    state = 'running';
    const key = fingerprint(file, metadata);
    let remembered = false;
    upload = createTusUpload(file, {
      metadata,
      uploadUrl: resumeStore.get(key),
      getCsrfToken: () => ctx.session?.csrfToken ?? null,
      onProgress: (p) => {
        progress.value = p.percent;
        progress.setAttribute('aria-valuetext', t('documents.upload.percent', { percent: p.percent }));
        if (p.state === 'waiting') setStatus(t('documents.upload.waiting'), 'upload-waiting');
        else if (p.state === 'creating') setStatus(t('documents.upload.starting'));
        else if (p.state === 'uploading') {
          if (!remembered && upload?.url) { resumeStore.set(key, upload.url); remembered = true; }
          setStatus(t('documents.upload.progress', { percent: p.percent, sent: formatSize(p.sent, lang), size: formatSize(p.size, lang) }));
        }
      },
    });
    try {
      const res = await upload.start();
      state = 'done';
      progress.value = 100;
      setStatus(t('documents.upload.done'), 'upload-done');
      cancel.hidden = true;
      onDone?.(res, file);
    } catch (err) {
      state = 'failed';
      upload.lastError = err;
      cancel.hidden = true;
      if (err?.name === 'AbortError' || cancelled) setStatus(t('documents.upload.cancelled'), 'upload-cancelled');
      else {
        setStatus(problemText(t, lang, err), 'upload-failed');
        status.setAttribute('role', 'alert');
      }
    } finally {
      // After a lost connection the address is kept: picking the file again resumes it.
      if (state === 'done' || cancelled || upload?.lastError?.status !== 0) resumeStore.remove(key);
      onFinished();
    }
  }
  return { el, run, get state() { return state; } };
}

/**
 * The upload queue of a workspace. `add(files, metadataFor)` queues files (`metadataFor(file)`
 * gives its tus metadata); `attach({ctx, onDone})` hands the queue to the page shown now
 * (`onDone(result, file)` after each finished file). Returns the queue: `{el, add, attach, busy}`.
 */
export function uploadQueue(workspaceId) {
  let queue = queues.get(workspaceId);
  if (queue) return queue;
  guardUnload();
  const list = h('ul', { class: 'upload-list', 'aria-label': '' });
  const heading = h('h3', { class: 'upload-heading' });
  const clearBtn = h('button', { type: 'button', class: 'btn btn-small btn-ghost', hidden: true });
  const el = h('section', { class: 'upload-queue', hidden: true }, h('div', { class: 'row upload-queue-head' }, heading, clearBtn), list);
  const waiting = [];
  let running = 0;
  let current = { ctx: null, onDone: null };
  const rows = [];

  function pump() {
    while (running < PARALLEL && waiting.length) {
      const row = waiting.shift();
      if (row.state !== 'queued') continue;
      running += 1;
      row.run();
    }
    const finished = rows.filter((r) => r.state !== 'queued' && r.state !== 'running').length;
    clearBtn.hidden = finished === 0;
  }

  clearBtn.addEventListener('click', () => {
    for (let i = rows.length - 1; i >= 0; i--) {
      if (rows[i].state !== 'queued' && rows[i].state !== 'running') { rows[i].el.remove(); rows.splice(i, 1); }
    }
    clearBtn.hidden = true;
    el.hidden = rows.length === 0;
  });

  queue = {
    el,
    busy: () => rows.some((r) => r.state === 'queued' || r.state === 'running'),
    attach(ctx, onDone) {
      current = { ctx, onDone };
      heading.textContent = ctx.t('documents.upload.title');
      list.setAttribute('aria-label', ctx.t('documents.upload.title'));
      clearBtn.textContent = ctx.t('documents.upload.clear');
      return el;
    },
    add(files, metadataFor) {
      const ctx = current.ctx;
      for (const file of files) {
        let row;
        // eslint-disable-next-line prefer-const
        row = uploadRow(ctx, file, metadataFor(file), {
          onDone: (res, f) => current.onDone?.(res, f),
          onFinished: () => { if (row.state !== 'cancelled') running = Math.max(0, running - 1); pump(); },
        });
        rows.push(row);
        waiting.push(row);
        list.append(row.el);
      }
      el.hidden = rows.length === 0;
      pump();
    },
  };
  queues.set(workspaceId, queue);
  return queue;
}

/**
 * A single upload (a new version on the document page): `{el, start(file, metadata)}`;
 * `start` resolves with the result, or null when it failed (the row says why).
 */
export function singleUpload(ctx) {
  const el = h('ul', { class: 'upload-list' });
  return {
    el,
    start(file, metadata) {
      return new Promise((resolve) => {
        let result = null;
        const row = uploadRow(ctx, file, metadata, { onDone: (res) => { result = res; }, onFinished: () => resolve(result) });
        replaceChildren(el, row.el);
        row.run();
      });
    },
  };
}
