// Shows a new token's value exactly once, in a modal with a Copy button and the warning.
// The value lives only in the read-only field while the dialog is open: it is wiped on close
// and never written to storage, cookies or the URL.
import { byId } from './dom.js';
import { announce } from './status.js';
import { openDialog, setupDialog } from './dialog.js';
import { copyFromInput } from './clipboard.js';

let wired = false;

function wire() {
  if (wired) return;
  wired = true;
  const dialog = byId('value-dialog');
  const input = byId('token-value');
  const copy = byId('copy-button');
  setupDialog(dialog, {
    onClose: () => {
      input.value = '';
      copy.textContent = 'Copy';
    },
  });
  copy.addEventListener('click', async () => {
    if (await copyFromInput(input)) {
      copy.textContent = 'Copied';
      announce('Token value copied to the clipboard.', 'success');
    } else {
      input.focus();
      input.select();
      announce('Copying is blocked here: the value is selected, press Ctrl+C (⌘C) to copy it.', 'error');
    }
  });
  input.addEventListener('focus', () => input.select());
}

/** `created` is the API's token JSON with its one-time `token` value; `verb` is "created" or "rotated". */
export function showValueOnce(created, { verb = 'created', returnFocus } = {}) {
  wire();
  byId('value-title').textContent = `Token “${created.name}” ${verb}`;
  const input = byId('token-value');
  input.value = created.token;
  input.setAttribute('aria-describedby', 'value-warning');
  openDialog(byId('value-dialog'), { initialFocus: byId('copy-button'), returnFocus });
}
