// The CREATE dialog: Name*, scope chips from GET /api/v1/scopes, an expiry that respects the
// issuer's policy (never / 7, 30, 90 days / a custom date), SAVE.
import { api } from './api.js';
import { byId, h, setError } from './dom.js';
import { closeDialogSilently, openDialog, setupDialog } from './dialog.js';
import { DAY, dateInputValue, durationText, rfc3339 } from './format.js';
import { announce } from './status.js';
import { showValueOnce } from './value-once.js';

const PRESET_DAYS = [7, 30, 90];
/** Custom dates stop this much short of the policy's maximum, for the clocks' difference. */
const CLOCK_MARGIN_SECONDS = 120;

/**
 * The expiry choices the policy allows: `{value, label, seconds}`; `value` is 'never',
 * 'custom' or a number of seconds. Exported for reading, not only for this dialog.
 */
export function expiryChoices(policy) {
  const max = policy?.max_lifetime_seconds ?? null;
  const fallback = policy?.default_lifetime_seconds ?? null;
  const required = Boolean(policy?.expiry_required);
  const choices = [];
  // Leaving expiry out means "the policy's default" to the server, so "never" exists only
  // when there is neither a default nor a maximum and expiry is optional.
  if (!required && max === null && fallback === null) choices.push({ value: 'never', label: 'Never' });
  const lifetimes = new Set(PRESET_DAYS.map((days) => days * DAY));
  if (fallback !== null) lifetimes.add(fallback);
  if (max !== null) lifetimes.add(max);
  for (const seconds of [...lifetimes].sort((a, b) => a - b)) {
    if (max !== null && seconds > max) continue;
    const notes = [];
    if (seconds === fallback) notes.push('default');
    if (seconds === max) notes.push('maximum');
    const label = durationText(seconds) + (notes.length ? ` (${notes.join(', ')})` : '');
    choices.push({ value: String(seconds), label, seconds });
  }
  choices.push({ value: 'custom', label: 'Custom date…' });
  return choices;
}

function initialChoice(policy, choices) {
  const fallback = policy?.default_lifetime_seconds ?? null;
  if (fallback !== null) return String(fallback);
  if (choices.some((c) => c.value === 'never')) return 'never';
  const thirty = choices.find((c) => c.seconds === 30 * DAY);
  return (thirty || choices[0]).value;
}

function policyHint(policy) {
  const max = policy?.max_lifetime_seconds ?? null;
  if (max !== null) return `Tokens must expire within ${durationText(max)} (issuer policy).`;
  if (policy?.expiry_required) return 'Tokens must have an expiry date (issuer policy).';
  return 'A token without expiry stays valid until you delete it.';
}

export class CreateTokenDialog {
  /** `onCreated(token)` after a successful save; `onSessionLost()` on 401. */
  constructor({ onCreated, onSessionLost }) {
    this.onCreated = onCreated;
    this.onSessionLost = onSessionLost;
    this.catalogue = null;
    this.dialog = byId('create-dialog');
    this.form = byId('create-form');
    this.name = byId('token-name');
    this.scopeList = byId('scope-list');
    this.expiry = byId('token-expiry');
    this.dateField = byId('custom-date-field');
    this.date = byId('token-expiry-date');
    this.error = byId('create-error');
    this.save = byId('create-save');
    this.opener = byId('create-button');
    setupDialog(this.dialog);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.expiry.addEventListener('change', () => this.syncCustomDate());
    this.name.addEventListener('input', () => this.markInvalid(this.name, false));
  }

  async open() {
    try {
      this.catalogue ??= await api.scopes();
    } catch (error) {
      if (error.status === 401) return this.onSessionLost();
      announce(`Cannot load the scopes: ${error.message}`, 'error');
      return;
    }
    this.reset();
    openDialog(this.dialog, { initialFocus: this.name, returnFocus: this.opener });
  }

  reset() {
    this.form.reset();
    setError(this.error, '');
    this.markInvalid(this.name, false);
    this.save.disabled = false;
    const scopes = this.catalogue.scopes || [];
    this.scopeList.replaceChildren(...scopes.map((scope, index) => {
      const id = `scope-${index}`;
      return h('span', { className: 'chip-option' },
        h('input', { type: 'checkbox', id, name: 'scope', value: scope }),
        h('label', { for: id }, scope));
    }));
    const policy = this.catalogue.policy || {};
    const choices = expiryChoices(policy);
    this.expiry.replaceChildren(...choices.map((c) => h('option', { value: c.value }, c.label)));
    this.expiry.value = initialChoice(policy, choices);
    byId('expiry-hint').textContent = policyHint(policy);
    const now = new Date();
    this.date.min = dateInputValue(new Date(now.getTime() + DAY * 1000));
    const max = policy.max_lifetime_seconds;
    if (max) this.date.max = dateInputValue(new Date(now.getTime() + (max - CLOCK_MARGIN_SECONDS) * 1000));
    else this.date.removeAttribute('max');
    this.syncCustomDate();
  }

  syncCustomDate() {
    const custom = this.expiry.value === 'custom';
    this.dateField.hidden = !custom;
    this.date.required = custom;
  }

  markInvalid(element, invalid) {
    if (invalid) element.setAttribute('aria-invalid', 'true');
    else element.removeAttribute('aria-invalid');
  }

  /** The request body, or null after pointing at the field to fix. */
  body() {
    const name = this.name.value.trim();
    if (name.length < 1 || name.length > 100) {
      return this.fail(this.name, 'Give the token a name of 1 to 100 characters.');
    }
    const scopes = [...this.scopeList.querySelectorAll('input:checked')].map((box) => box.value);
    if (scopes.length === 0) {
      return this.fail(this.scopeList.querySelector('input') || this.expiry, 'Choose at least one scope.');
    }
    const body = { name, scopes };
    const choice = this.expiry.value;
    if (choice === 'custom') {
      if (!this.date.value) return this.fail(this.date, 'Choose the expiry date.');
      const [year, month, day] = this.date.value.split('-').map(Number);
      let end = new Date(year, month - 1, day, 23, 59, 59);
      const max = this.catalogue.policy?.max_lifetime_seconds;
      if (max) {
        const limit = new Date(Date.now() + (max - CLOCK_MARGIN_SECONDS) * 1000);
        if (end > limit) end = limit;
      }
      if (end.getTime() <= Date.now()) return this.fail(this.date, 'Choose a date in the future.');
      body.expires_at = rfc3339(end);
    } else if (choice !== 'never') {
      body.expires_in = Number(choice);
    }
    return body;
  }

  fail(element, message) {
    setError(this.error, message);
    this.markInvalid(element, true);
    element.focus();
    return null;
  }

  async submit() {
    setError(this.error, '');
    const body = this.body();
    if (!body) return;
    this.save.disabled = true;
    try {
      const created = await api.createToken(body);
      closeDialogSilently(this.dialog);
      showValueOnce(created, { verb: 'created', returnFocus: this.opener });
      announce(`Token “${created.name}” created. Copy its value now: it is shown only once.`, 'success');
      this.onCreated(created);
    } catch (error) {
      this.save.disabled = false;
      if (error.status === 401) {
        closeDialogSilently(this.dialog);
        return this.onSessionLost();
      }
      const field = {
        invalid_name: this.name, duplicate_name: this.name,
        invalid_scope: this.scopeList.querySelector('input') || this.expiry,
        invalid_expiry: this.expiry.value === 'custom' ? this.date : this.expiry,
        policy_violation: this.expiry.value === 'custom' ? this.date : this.expiry,
      }[error.code] || this.name;
      this.fail(field, error.message);
    }
  }
}
