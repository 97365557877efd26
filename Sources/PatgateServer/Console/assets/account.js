// The header's account area and sign-out, shared by the tokens and admin pages.
import { signOut } from './api.js';
import { byId, show } from './dom.js';
import { announce } from './status.js';

/** Shows the navigation for `user` (the Admin link only for admins), or hides it for null. */
export function renderAccount(user) {
  show(byId('nav'), Boolean(user));
  show(byId('account'), Boolean(user));
  show(byId('admin-link'), user?.role === 'admin');
  byId('account-name').textContent = user ? (user.display_name || user.username) : '';
}

/** Wires the Sign out button; `afterSignOut()` runs once the session is gone. */
export function setupSignOut(afterSignOut) {
  byId('logout').addEventListener('click', async () => {
    try {
      await signOut();
    } catch (error) {
      if (error.status !== 401) {
        announce(`Sign-out failed: ${error.message}`, 'error');
        return;
      }
    }
    renderAccount(null);
    afterSignOut();
  });
}
