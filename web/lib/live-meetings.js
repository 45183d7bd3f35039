// Meetings in daily use, pure (node --test): the start page's "Pågår nu" list kept live from
// `meeting.roster` events, the title suggested for a meeting started now, and the sentence a
// generated post ("meeting-created") says in the reader's language. No DOM, no network.
import { formatDateTime } from './format.js';

const LOCALES = { sv: 'sv-SE', en: 'en-GB' };

/** From `GET /api/v1/meetings?state=live` items: `{byId}` of live meetings with workspace and participants. */
export function liveMeetingsState(items = []) {
  const byId = {};
  for (const m of items ?? []) {
    if (m?.id && (m.state ?? 'live') === 'live') byId[m.id] = { ...m, participants: [...(m.participants ?? [])] };
  }
  return { byId };
}

/**
 * Applies a `meeting.roster` event of workspace `workspace` ({id, name}): a live meeting is
 * added or its participants replaced; an ended (or only scheduled) one leaves the list.
 */
export function applyLiveRoster(state, workspace, data) {
  if (!data?.meetingId) return state;
  const byId = { ...state.byId };
  if (data.state !== 'live') {
    if (!(data.meetingId in byId)) return state;
    delete byId[data.meetingId];
    return { byId };
  }
  const before = byId[data.meetingId] ?? { id: data.meetingId };
  byId[data.meetingId] = {
    ...before,
    title: data.title ?? before.title ?? '',
    state: 'live',
    workspace: before.workspace ?? (workspace?.id ? { id: workspace.id, name: workspace.name ?? '' } : null),
    participants: [...(data.participants ?? [])],
  };
  return { byId };
}

/** The live meetings to show: the busiest first, then by title. */
export function liveMeetingList(state, lang = 'sv') {
  return Object.values(state.byId).sort((a, b) => (b.participants?.length ?? 0) - (a.participants?.length ?? 0)
    || String(a.title ?? '').localeCompare(String(b.title ?? ''), LOCALES[lang] ?? 'sv-SE'));
}

/** "Möte 7 dec. 10:15" / "Meeting 7 Dec 10:15": a title for a meeting started now, to edit. */
export function suggestedMeetingTitle(t, lang = 'sv', now = new Date(), timeZone = 'Europe/Stockholm') {
  const when = new Intl.DateTimeFormat(LOCALES[lang] ?? 'sv-SE', {
    day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone,
  }).format(now).replace(/,/g, '');
  return t('meeting.suggestedTitle', { when });
}

/**
 * The text of a post: a generated one (`generated.kind` "meeting-created") is said from the
 * dictionary in the reader's language; anything else (and unknown kinds) is the stored body,
 * which for generated posts is the Swedish fallback for older clients.
 */
export function postText(t, post, lang = 'sv') {
  const g = post?.generated;
  if (g?.kind === 'meeting-created' && t.has?.('meeting.generated.created')) {
    const when = g.scheduledFor ? t('meeting.generated.when', { time: formatDateTime(g.scheduledFor, lang) }) : '';
    return t('meeting.generated.created', { name: g.by?.name ?? '', title: g.title ?? '', when }).replace(/\s+\./g, '.').replace(/\s{2,}/g, ' ');
  }
  return post?.body ?? '';
}

/**
 * A `meeting.chat` message (for admitted guests, who do not follow the workspace) as the
 * post event the chat applies (`{type, data: {post}}`), or null for anything else.
 */
export function meetingChatEvent(type, data) {
  const kinds = ['post.created', 'post.edited', 'post.deleted'];
  if (type !== 'meeting.chat' || !kinds.includes(data?.event) || !data?.post?.id) return null;
  return { type: data.event, data: { post: data.post } };
}
