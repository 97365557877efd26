// A paged table of tokens (the user's own, or everyone's on the admin page): one row per
// token, "Load more" for the next page, a state filter. Rows carry data-token-id and
// data-name so tests and scripts can find them.
import { h, show } from './dom.js';
import { expiryCell, expiryStatus, lastUsedCell, scopesCell, timeElement } from './format.js';

const PAGE_SIZE = 50;

export class TokenTable {
  /**
   * `fetchPage({state, limit, cursor})` → {items, next_cursor}; `actions(token)` → nodes for
   * the Action cell of a token that is not revoked; `showOwner` adds the Owner column.
   */
  constructor({ body, empty, more, filter, fetchPage, actions, showOwner = false, onError }) {
    Object.assign(this, { body, empty, more, filter, fetchPage, actions, showOwner, onError });
    this.cursor = null;
    this.count = 0;
    this.extraParams = {};
    filter.addEventListener('change', () => this.reload());
    more.addEventListener('click', () => this.loadMore());
  }

  /** The API's `state` for the filter; "current" asks for all and hides revoked rows. */
  stateParam() {
    const value = this.filter.value;
    return value === 'current' || value === 'all' ? undefined : value;
  }

  async reload() {
    this.cursor = null;
    this.count = 0;
    this.body.replaceChildren();
    await this.loadMore();
  }

  async loadMore() {
    this.more.disabled = true;
    this.body.closest('table')?.setAttribute('aria-busy', 'true');
    try {
      const page = await this.fetchPage({
        ...this.extraParams, state: this.stateParam(), limit: PAGE_SIZE, cursor: this.cursor ?? undefined,
      });
      const now = Date.now();
      const hideRevoked = this.filter.value === 'current';
      for (const token of page.items || []) {
        if (hideRevoked && expiryStatus(token, now).kind === 'revoked') continue;
        this.body.append(this.row(token, now));
        this.count += 1;
      }
      this.cursor = page.next_cursor || null;
    } catch (error) {
      this.onError?.(error);
    } finally {
      this.body.closest('table')?.removeAttribute('aria-busy');
      this.more.disabled = false;
      show(this.more, Boolean(this.cursor));
      show(this.empty, this.count === 0 && !this.cursor);
    }
  }

  row(token, now) {
    const status = expiryStatus(token, now);
    const row = h('tr', {
      className: `token-row token-${status.kind}`,
      dataset: { tokenId: token.id, name: token.name, state: status.kind },
    });
    if (this.showOwner) row.append(h('td', {}, token.owner));
    row.append(
      h('th', { scope: 'row', className: 'token-name' }, token.name),
      expiryCell(token, now),
      scopesCell(token),
      lastUsedCell(token),
      this.actionCell(token, status),
    );
    return row;
  }

  actionCell(token, status) {
    if (status.kind === 'revoked') {
      const cell = h('td', { className: 'actions' },
        h('span', { className: 'badge badge-revoked' },
          h('span', { className: 'badge-icon', 'aria-hidden': 'true' }, '⊘'), ' Revoked'));
      if (token.revoked_at) cell.append(' ', timeElement(token.revoked_at));
      return cell;
    }
    return h('td', { className: 'actions' }, h('div', { className: 'action-group' }, this.actions(token, status)));
  }

  /** Removes a token's row (after a revocation) and shows the empty message when none is left. */
  removeRow(id) {
    for (const row of this.body.querySelectorAll('tr')) {
      if (row.dataset.tokenId === id) {
        row.remove();
        this.count -= 1;
      }
    }
    show(this.empty, this.count === 0 && !this.cursor);
  }
}
