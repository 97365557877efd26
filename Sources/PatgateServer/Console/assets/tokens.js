// The "Personal Access Tokens" page: the user's tokens, CREATE, Rotate and DELETE.
import { api } from './api.js';
import { byId, h } from './dom.js';
import { confirmAction } from './dialog.js';
import { CreateTokenDialog } from './create-token.js';
import { announce } from './status.js';
import { showValueOnce } from './value-once.js';
import { TokenTable } from './token-table.js';

export class TokensPage {
  /** `onSessionLost()` when an API call answers 401 (the session expired or was signed out). */
  constructor({ onSessionLost }) {
    this.onSessionLost = onSessionLost;
    this.table = new TokenTableFor(this);
    this.create = new CreateTokenDialog({
      onCreated: () => this.table.reload(),
      onSessionLost,
    });
    byId('create-button').addEventListener('click', () => this.create.open());
  }

  show() {
    return this.table.reload();
  }

  handleError(error, what) {
    if (error.status === 401) return this.onSessionLost();
    announce(`${what}: ${error.message}`, 'error');
  }

  actions(token, status) {
    const buttons = [];
    if (status.kind !== 'expired') {
      buttons.push(h('button', {
        type: 'button', className: 'button button-small', 'aria-label': `Rotate ${token.name}`,
        onclick: (event) => this.rotate(token, event.currentTarget),
      }, 'Rotate'));
    }
    buttons.push(h('button', {
      type: 'button', className: 'button button-small button-danger', 'aria-label': `Delete ${token.name}`,
      onclick: () => this.remove(token),
    }, 'Delete'));
    return buttons;
  }

  async remove(token) {
    const confirmed = await confirmAction({
      title: `Delete “${token.name}”?`,
      message: 'The token stops working at once (gateways notice within their cache time). This cannot be undone.',
      confirmLabel: 'Delete',
    });
    if (!confirmed) return;
    try {
      await api.deleteToken(token.id);
      this.table.removeRow(token.id);
      announce(`Token “${token.name}” deleted.`, 'success');
      byId('tokens-title').focus();
      if (this.table.filter.value !== 'current' && this.table.filter.value !== 'active') await this.table.reload();
    } catch (error) {
      this.handleError(error, `Cannot delete “${token.name}”`);
    }
  }

  async rotate(token, button) {
    const confirmed = await confirmAction({
      title: `Rotate “${token.name}”?`,
      message: 'A new value with the same name and scopes replaces this token, and the current value stops working at once.',
      confirmLabel: 'Rotate',
    });
    if (!confirmed) return;
    try {
      const rotated = await api.rotateToken(token.id);
      await this.table.reload();
      showValueOnce(rotated, { verb: 'rotated', returnFocus: byId('create-button') });
      announce(`Token “${token.name}” rotated. Copy the new value now: it is shown only once.`, 'success');
    } catch (error) {
      button?.focus();
      this.handleError(error, `Cannot rotate “${token.name}”`);
    }
  }
}

/** The page's table: its elements, the user's tokens, this page's actions. */
class TokenTableFor extends TokenTable {
  constructor(page) {
    super({
      body: byId('tokens-body'),
      empty: byId('tokens-empty'),
      more: byId('tokens-more'),
      filter: byId('state-filter'),
      fetchPage: (params) => api.tokens(params),
      actions: (token, status) => page.actions(token, status),
      onError: (error) => page.handleError(error, 'Cannot load your tokens'),
    });
  }
}
