// Entry point of /console/admin: every user and every token, with revoke. Admins only:
// no session sends the reader to the sign-in page, a non-admin sees an explanation.
import { api, loadSession } from './api.js';
import { renderAccount, setupSignOut } from './account.js';
import { confirmAction, setupDialog } from './dialog.js';
import { byId, h, show } from './dom.js';
import { announce } from './status.js';
import { TokenTable } from './token-table.js';

function toSignIn() {
  window.location.replace('/console/');
}

function handleError(error, what) {
  if (error.status === 401) return toSignIn();
  if (error.status === 403) {
    show(byId('admin-view'), false);
    show(byId('forbidden-view'), true);
    return;
  }
  announce(`${what}: ${error.message}`, 'error');
}

async function loadUsers() {
  try {
    const answer = await api.adminUsers();
    const users = Array.isArray(answer) ? answer : answer?.users || answer?.items || [];
    byId('users-body').replaceChildren(...users.map((user) => h('tr', { dataset: { username: user.username } },
      h('th', { scope: 'row' }, user.username),
      h('td', {}, user.display_name || ''),
      h('td', {}, user.role === 'admin' ? 'Administrator' : 'User'),
      h('td', {}, user.disabled
        ? h('span', { className: 'badge badge-expired' }, h('span', { className: 'badge-icon', 'aria-hidden': 'true' }, '⊘'), ' Disabled')
        : 'Active'))));
    const owner = byId('owner-filter');
    owner.replaceChildren(h('option', { value: '' }, 'Everyone'),
      ...users.map((user) => h('option', { value: user.username }, user.username)));
  } catch (error) {
    handleError(error, 'Cannot load the users');
  }
}

function revokeButton(table, token) {
  return h('button', {
    type: 'button', className: 'button button-small button-danger',
    'aria-label': `Revoke ${token.name} of ${token.owner}`,
    onclick: async () => {
      const confirmed = await confirmAction({
        title: `Revoke “${token.name}” of ${token.owner}?`,
        message: 'The token stops working at once (gateways notice within their cache time). Its owner cannot undo this.',
        confirmLabel: 'Revoke',
      });
      if (!confirmed) return;
      try {
        await api.adminDeleteToken(token.id);
        announce(`Token “${token.name}” of ${token.owner} revoked.`, 'success');
        await table.reload();
        byId('all-tokens-title').setAttribute('tabindex', '-1');
        byId('all-tokens-title').focus();
      } catch (error) {
        handleError(error, `Cannot revoke “${token.name}”`);
      }
    },
  }, 'Revoke');
}

async function start() {
  setupDialog(byId('confirm-dialog'));
  setupSignOut(toSignIn);
  let user = null;
  try {
    user = await loadSession();
  } catch (error) {
    announce(`Cannot reach the server: ${error.message}`, 'error');
  }
  show(byId('loading'), false);
  if (!user) return toSignIn();
  renderAccount(user);
  if (user.role !== 'admin') {
    show(byId('forbidden-view'), true);
    byId('forbidden-title').focus();
    return;
  }
  show(byId('admin-view'), true);
  const table = new TokenTable({
    body: byId('admin-tokens-body'),
    empty: byId('admin-tokens-empty'),
    more: byId('admin-tokens-more'),
    filter: byId('admin-state-filter'),
    fetchPage: (params) => api.adminTokens(params),
    actions: (token) => [revokeButton(table, token)],
    showOwner: true,
    onError: (error) => handleError(error, 'Cannot load the tokens'),
  });
  byId('owner-filter').addEventListener('change', (event) => {
    table.extraParams = { owner: event.target.value || undefined };
    table.reload();
  });
  await Promise.all([loadUsers(), table.reload()]);
}

start();
