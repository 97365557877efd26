// Status messages for everyone: one polite live region, also read by screen readers.

const region = () => document.getElementById('status');
let timer = null;

/** Shows and announces `message`; `kind` is 'info', 'success' or 'error' (styled, and prefixed in text). */
export function announce(message, kind = 'info') {
  const element = region();
  if (!element) return;
  clearTimeout(timer);
  element.textContent = '';
  element.className = `status status-${kind}`;
  // Clearing first and writing on the next frame makes a repeated message announced again.
  requestAnimationFrame(() => {
    element.textContent = kind === 'error' ? `Error: ${message}` : message;
  });
  if (kind !== 'error') timer = setTimeout(() => clearStatus(), 15000);
}

export function clearStatus() {
  const element = region();
  if (!element) return;
  element.textContent = '';
  element.className = 'status';
}
