// Modal dialogs on the native <dialog> element: showModal() makes the page behind inert and
// traps Tab; Escape closes (the "cancel" event). Focus goes into the dialog on open and back
// to the control that opened it on close.

const returnTargets = new WeakMap();
// Each dialog's onClose runs in the same turn as close(): the native "close" event is a queued
// task, and the browser may move focus before it fires (a value would outlive its dialog).
const closeHooks = new WeakMap();

function closeNow(dialog) {
  if (!dialog.open) return;
  closeHooks.get(dialog)?.();
  dialog.close();
}

/**
 * Opens `dialog` modally. `initialFocus`: the element to focus first (default: the first
 * focusable one); `returnFocus`: where focus goes on close (default: the focused element).
 */
export function openDialog(dialog, { initialFocus = null, returnFocus = document.activeElement } = {}) {
  returnTargets.set(dialog, returnFocus);
  if (!dialog.open) dialog.showModal();
  const target = initialFocus || dialog.querySelector('[autofocus], input:not([type=hidden]), select, textarea, button');
  target?.focus();
}

/** Closes without returning focus (when another dialog takes over, say). */
export function closeDialogSilently(dialog) {
  returnTargets.delete(dialog);
  closeNow(dialog);
}

export function closeDialog(dialog) {
  closeNow(dialog);
}

/** Wires the dialog once: [data-close] buttons close it, and focus is restored on close. */
export function setupDialog(dialog, { onClose } = {}) {
  if (onClose) closeHooks.set(dialog, onClose);
  // Escape: "cancel" fires in the keypress's own turn, before the dialog closes.
  dialog.addEventListener('cancel', () => onClose?.());
  for (const button of dialog.querySelectorAll('[data-close]')) {
    button.addEventListener('click', () => closeDialog(dialog));
  }
  dialog.addEventListener('close', () => {
    onClose?.();
    const target = returnTargets.get(dialog);
    returnTargets.delete(dialog);
    const fallback = document.querySelector('main h1:not([hidden])') || document.getElementById('main');
    const focusable = target && target.isConnected && !target.closest('[hidden]') && !target.disabled;
    (focusable ? target : fallback)?.focus();
  });
}

/**
 * Asks a yes/no question in #confirm-dialog; resolves true when confirmed. Focus starts on
 * Cancel, the safe answer; Escape and Cancel resolve false.
 */
export function confirmAction({ title, message, confirmLabel }) {
  const dialog = document.getElementById('confirm-dialog');
  const ok = document.getElementById('confirm-ok');
  const cancel = document.getElementById('confirm-cancel');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-message').textContent = message;
  ok.textContent = confirmLabel;
  return new Promise((resolve) => {
    let answer = false;
    const onOk = () => { answer = true; dialog.close(); };
    const onCancel = () => dialog.close();
    const onClose = () => {
      ok.removeEventListener('click', onOk);
      cancel.removeEventListener('click', onCancel);
      resolve(answer);
    };
    ok.addEventListener('click', onOk);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('close', onClose, { once: true });
    openDialog(dialog, { initialFocus: cancel });
  });
}
