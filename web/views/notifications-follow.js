// "Följ" / "Följer": a toggle button (aria-pressed) for following a workspace or a person.
// It asks the server what I follow (GET /me/follows; member workspaces count, shown as
// implicit) and changes it with PUT/DELETE /me/follows/{kind}/{target}.
import { h } from '../lib/dom.js';

/** Whether `follows` (the `/me/follows` items) holds kind/target. Pure. */
export function isFollowed(follows, kind, target) {
  return (follows ?? []).some((f) => f.kind === kind && f.target === String(target).toLowerCase());
}

/** The button; `label` is its accessible name ("Följ Eva Ek"). Hidden until the state is known. */
export function followButton(ctx, kind, target, label) {
  const { t, api } = ctx;
  let following = false;
  const text = h('span', {}, t('notif.follow'));
  const button = h('button', { type: 'button', class: 'btn btn-secondary follow-button', 'aria-pressed': 'false', 'aria-label': label, hidden: true }, text);
  function show() {
    button.setAttribute('aria-pressed', following ? 'true' : 'false');
    text.textContent = following ? t('notif.following') : t('notif.follow');
    button.title = t('notif.followHint');
  }
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api.setFollow(kind, target, !following);
      following = !following;
      show();
    } catch {
      // The state stays as it was; the button shows it.
    } finally {
      button.disabled = false;
    }
  });
  api.listFollows().then((list) => {
    following = isFollowed(list?.items, kind, target);
    show();
    button.hidden = false;
  }).catch(() => {});
  return button;
}
