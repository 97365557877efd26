// Copies a field's text: the async Clipboard API where the page may use it, else the
// selection and execCommand('copy'); if both fail the text stays selected for Ctrl+C.

/** Resolves true when the text reached the clipboard. */
export async function copyFromInput(input) {
  const text = input.value;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused or no focus: fall through to the selection.
    }
  }
  input.focus();
  input.select();
  input.setSelectionRange(0, text.length);
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}
