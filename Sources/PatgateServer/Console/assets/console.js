// Entry point of /console/: the login form when there is no session, else the tokens page.
import { loadSession, signIn } from './api.js';
import { renderAccount, setupSignOut } from './account.js';
import { setupDialog } from './dialog.js';
import { byId, setError, show } from './dom.js';
import { announce } from './status.js';
import { TokensPage } from './tokens.js';

let tokensPage = null;

function showLogin(message) {
  renderAccount(null);
  show(byId('loading'), false);
  show(byId('tokens-view'), false);
  show(byId('login-view'), true);
  document.title = 'Sign in · patgate';
  if (message) announce(message, 'info');
  byId('login-username').focus();
}

async function showTokens(user) {
  renderAccount(user);
  show(byId('loading'), false);
  show(byId('login-view'), false);
  show(byId('tokens-view'), true);
  document.title = 'Personal Access Tokens · patgate';
  tokensPage ??= new TokensPage({ onSessionLost: () => showLogin('Your session has ended: sign in again.') });
  await tokensPage.show();
}

function loginMessage(error) {
  if (error.status === 401) return 'The username or password is incorrect.';
  if (error.status === 429) {
    return error.retryAfter ? `Too many attempts. Try again in ${error.retryAfter} seconds.` : 'Too many attempts. Try again later.';
  }
  if (error.status === 404) return 'This server has no sign-in API (/api/v1/session).';
  return error.message;
}

function setupLogin() {
  const form = byId('login-form');
  const error = byId('login-error');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    setError(error, '');
    const username = byId('login-username').value.trim();
    const password = byId('login-password');
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const user = await signIn(username, password.value);
      password.value = '';
      await showTokens(user);
      announce(`Signed in as ${user.display_name || user.username}.`, 'success');
      byId('tokens-title').focus();
    } catch (failure) {
      password.value = '';
      setError(error, loginMessage(failure));
      password.focus();
    } finally {
      button.disabled = false;
    }
  });
}

async function start() {
  setupDialog(byId('confirm-dialog'));
  setupLogin();
  setupSignOut(() => showLogin('You are signed out.'));
  try {
    const user = await loadSession();
    if (user) await showTokens(user);
    else showLogin();
  } catch (error) {
    showLogin();
    announce(`Cannot reach the server: ${error.message}`, 'error');
  }
}

start();
