// Recordings (docs/protocol.md, "Recording (inspelning)"), the pure parts: the recording of
// a meeting as the page sees it (from the snapshot, the lobby's join ack and the
// meeting.recording* events), texts keys for stop reasons, chapter times, and the shapes the
// knowledge bank and the recordings pages pass around. No DOM, no network.

import { buildHash } from '../lib/router.js';

/** Stop reasons the server names; anything else is shown as the generic "stopped". */
export const STOP_REASONS = ['stopped', 'meeting-ended', 'everyone-left', 'disk-full', 'write-failed'];

/** Chapter titles: 1–200 characters (the server's limit), at most 200 chapters. */
export const CHAPTER_LIMITS = { title: 200, count: 200 };

/** The i18n key of the message shown when a recording stopped for `reason`. */
export function stopReasonKey(reason) {
  return `recording.stopped.${STOP_REASONS.includes(reason) ? reason : 'stopped'}`;
}

/** 65000 → "1:05", 3723000 → "1:02:03" (negative and junk → "0:00"). */
export function formatOffset(ms) {
  const total = Math.max(0, Math.floor(Number(ms) / 1000) || 0);
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600);
  const pad = (n) => String(n).padStart(2, '0');
  return hours ? `${hours}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** Chapters sorted by offset, without duplicates (the ack and the event carry the same one). */
export function mergeChapters(chapters, added = []) {
  const seen = new Set();
  const out = [];
  for (const c of [...(chapters ?? []), ...added]) {
    if (!c || typeof c.title !== 'string' || !Number.isFinite(Number(c.offsetMs))) continue;
    const key = `${Number(c.offsetMs)}\u0000${c.title}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ title: c.title, offsetMs: Number(c.offsetMs) });
  }
  return out.sort((a, b) => a.offsetMs - b.offsetMs);
}

/** A RecordingState from the wire, cleaned (null when there is none). */
export function normaliseRecording(rec) {
  if (!rec || typeof rec !== 'object' || !rec.id) return null;
  return {
    id: String(rec.id),
    title: String(rec.title ?? ''),
    kind: rec.kind === 'guide' ? 'guide' : 'meeting',
    startedAt: rec.startedAt ?? null,
    startedBy: rec.startedBy ?? null,
    chapters: mergeChapters(rec.chapters),
  };
}

/** The recording part of a meeting's state before anything is known. */
export function recordingPart() {
  return { recording: null, recordingStop: null, recordingBehind: null };
}

/**
 * Applies a recording message to the recording part `{recording, recordingStop,
 * recordingBehind}` and returns the new part (the same object when nothing changed).
 * `recordingStop` is `{reason, recordingId}` after a stop; `recordingBehind` is
 * `{recordingId, droppedPackets}` of the last `meeting.recording.behind` (moderators only).
 */
export function applyRecordingEvent(part, { type, data } = {}) {
  switch (type) {
    case 'meeting.recording': {
      const rec = normaliseRecording(data?.recording);
      if (rec) return { recording: rec, recordingStop: null, recordingBehind: null };
      if (!part.recording && part.recordingStop) return part; // told twice
      return { recording: null, recordingStop: { reason: data?.reason ?? 'stopped', recordingId: part.recording?.id ?? null },
        recordingBehind: null };
    }
    case 'meeting.recording.chapter': {
      const rec = part.recording;
      if (!rec || (data?.recordingId && data.recordingId !== rec.id) || !data?.chapter) return part;
      const chapters = mergeChapters(rec.chapters, [data.chapter]);
      if (chapters.length === rec.chapters.length) return part;
      return { ...part, recording: { ...rec, chapters } };
    }
    case 'meeting.recording.behind': {
      if (!part.recording) return part;
      const dropped = Number(data?.droppedPackets) || 0;
      const before = part.recordingBehind?.recordingId === part.recording.id ? part.recordingBehind.droppedPackets : 0;
      return { ...part, recordingBehind: { recordingId: part.recording.id, droppedPackets: before + dropped } };
    }
    default:
      return part;
  }
}

/** Checks a chapter title typed by a moderator; returns an i18n key or null. */
export function chapterTitleError(title, recording = null) {
  const text = String(title ?? '').trim();
  if (!text) return 'recording.chapter.required';
  if ([...text].length > CHAPTER_LIMITS.title) return 'recording.chapter.tooLong';
  if ((recording?.chapters?.length ?? 0) >= CHAPTER_LIMITS.count) return 'recording.chapter.tooMany';
  return null;
}

/** Milliseconds since `startedAt` (ISO) at `now` (ms since the epoch), never negative. */
export function elapsedMs(startedAt, now = Date.now()) {
  const t = Date.parse(startedAt ?? '');
  return Number.isFinite(t) ? Math.max(0, now - t) : 0;
}

// ------------------------------------------------------------------ recordings pages

/** The hash of a recording's page, optionally at a time: "#/recordings/<id>?t=42160". */
export function recordingHash(id, offsetMs = null) {
  const t = Number.isFinite(Number(offsetMs)) && offsetMs !== null && offsetMs !== '' ? Math.max(0, Math.round(Number(offsetMs))) : undefined;
  return buildHash('recording', { id }, { t });
}

/** The `?t=` of a recording page as milliseconds, or null when absent or not a number. */
export function parseSeek(value) {
  if (value === undefined || value === null || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : null;
}

/** Seconds to seek an <audio> to for `offsetMs`, kept inside a known duration. */
export function seekSeconds(offsetMs, duration = Infinity) {
  const s = Math.max(0, (Number(offsetMs) || 0) / 1000);
  return Number.isFinite(duration) && duration > 0 ? Math.min(s, duration) : s;
}

/** The audio URL of a recording (the API's audioUrl when given), `download` for saving. */
export function audioUrl(recording, { download = false } = {}) {
  const id = recording?.recordingId ?? recording?.id;
  const base = recording?.audioUrl || `/api/v1/recordings/${encodeURIComponent(id)}/audio`;
  return download ? `${base}${base.includes('?') ? '&' : '?'}download=1` : base;
}

/** 1234567 bytes → "1,2 MB" (sv) / "1.2 MB" (en). */
export function formatBytes(bytes, lang = 'sv') {
  const n = Number(bytes);
  if (!Number.isFinite(n) || n < 0) return '';
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i += 1; }
  const text = i === 0 ? String(Math.round(v)) : v.toLocaleString(lang === 'en' ? 'en-GB' : 'sv-SE', { maximumFractionDigits: 1 });
  return `${text} ${units[i]}`;
}

/** A search result's link: recording and chapter results go to the recording page (at the chapter). */
export function searchResultUrl(r) {
  if (r?.kind === 'recording' || r?.kind === 'chapter') {
    const id = r.recordingId ?? (r.kind === 'recording' ? r.id : null);
    if (id) return recordingHash(id, r.kind === 'chapter' ? (r.offsetMs ?? null) : null);
  }
  return r?.url || '#/';
}

// ------------------------------------------------------------------ knowledge bank

/** The article's reference to a recording: `{recordingId, title, chapters}` (chapters copied). */
export function recordingRef(recording) {
  return {
    recordingId: String(recording.recordingId ?? recording.id),
    title: String(recording.title ?? ''),
    chapters: mergeChapters(recording.chapters),
  };
}

/** Attaches a recording to an article's list (replacing an earlier copy of the same one). */
export function attachRecording(list, recording) {
  const ref = recordingRef(recording);
  const out = (list ?? []).filter((r) => r.recordingId !== ref.recordingId);
  const at = (list ?? []).findIndex((r) => r.recordingId === ref.recordingId);
  if (at >= 0) out.splice(at, 0, ref); else out.push(ref);
  return out;
}

export function detachRecording(list, recordingId) {
  return (list ?? []).filter((r) => r.recordingId !== recordingId);
}

/** The query of the editor's picker: the article's workspace, or every readable recording. */
export function pickerQuery(workspaceId) {
  return workspaceId ? { workspaceId, limit: 100 } : { limit: 100 };
}
