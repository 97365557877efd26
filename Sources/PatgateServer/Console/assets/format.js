// Dates, durations and a token's expiry status, shown in the reader's locale.
import { h } from './dom.js';

export const DAY = 86400;
export const SOON_SECONDS = 7 * DAY;

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** `<time datetime="RFC 3339">local text</time>`, or `fallback` text when there is no date. */
export function timeElement(iso, fallback = '—') {
  if (!iso) return document.createTextNode(fallback);
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return document.createTextNode(iso);
  return h('time', { datetime: iso, title: date.toISOString() }, dateTime.format(date));
}

/** "3 days", "5 hours", "1 minute": the largest whole unit of `seconds`. */
export function durationText(seconds) {
  const units = [['year', 365 * DAY], ['day', DAY], ['hour', 3600], ['minute', 60]];
  for (const [name, size] of units) {
    if (seconds >= size) {
      const count = Math.floor(seconds / size);
      return `${count} ${name}${count === 1 ? '' : 's'}`;
    }
  }
  return 'less than a minute';
}

/**
 * What to tell about a token's expiry: kind is 'revoked', 'never', 'expired', 'soon'
 * (under 7 days left) or 'ok'; `label` is the visible badge text, when there is one.
 */
export function expiryStatus(token, now = Date.now()) {
  if (token.state === 'revoked' || token.revoked_at) return { kind: 'revoked', label: 'Revoked' };
  if (!token.expires_at) return { kind: 'never', label: null };
  const left = (new Date(token.expires_at).getTime() - now) / 1000;
  if (token.state === 'expired' || left <= 0) return { kind: 'expired', label: 'Expired' };
  if (left < SOON_SECONDS) return { kind: 'soon', label: `Expires soon (in ${durationText(left)})` };
  return { kind: 'ok', label: null };
}

/** The "Expires at" cell: the date and, for expired or soon-expiring tokens, a badge with text. */
export function expiryCell(token, now = Date.now()) {
  const status = expiryStatus(token, now);
  const cell = h('td', { className: `expiry expiry-${status.kind}` });
  cell.append(token.expires_at ? timeElement(token.expires_at) : 'Never');
  if (status.label && status.kind !== 'revoked') {
    cell.append(' ', h('span', { className: `badge badge-${status.kind}` },
      h('span', { className: 'badge-icon', 'aria-hidden': 'true' }, status.kind === 'expired' ? '✕' : '!'),
      ` ${status.label}`));
  }
  return cell;
}

/** The "Last used" cell: when and from where, or "Never used". */
export function lastUsedCell(token) {
  const cell = h('td', { className: 'last-used' });
  if (!token.last_used_at) {
    cell.append(h('span', { className: 'muted' }, 'Never used'));
    return cell;
  }
  cell.append(timeElement(token.last_used_at));
  if (token.last_used_ip) cell.append(h('span', { className: 'muted small' }, ` from ${token.last_used_ip}`));
  return cell;
}

/** The scopes as a list of chips. */
export function scopesCell(token) {
  const scopes = token.scopes || [];
  if (scopes.length === 0) return h('td', {}, h('span', { className: 'muted' }, 'No scopes'));
  return h('td', {}, h('ul', { className: 'chip-list', 'aria-label': 'Scopes' },
    scopes.map((scope) => h('li', { className: 'chip' }, scope))));
}

/** RFC 3339 UTC without milliseconds: "2026-11-29T03:00:00Z". */
export function rfc3339(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "2026-11-29" for a date input, in local time. */
export function dateInputValue(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
