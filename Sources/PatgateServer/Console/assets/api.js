// The console's only door to the server: JSON over fetch, same origin, session cookie.
// The CSRF token lives in this module's memory only (never storage, cookies or the URL);
// a page load gets it again from GET /api/v1/session.

let csrfToken = null;

/** A failed API call, built from the RFC 9457 problem body when there is one. */
export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `The server answered ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code || null;
    this.title = problem.title || null;
    this.retryAfter = null;
  }
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Sends one request; resolves to the parsed JSON body (null for 204), throws ApiError. */
export async function request(method, path, body) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (unsafeMethods.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch {
    throw new ApiError(0, { detail: 'The server cannot be reached. Check your connection and try again.' });
  }
  const data = await readJSON(response);
  if (!response.ok) {
    const error = new ApiError(response.status, data || {});
    error.retryAfter = Number.parseInt(response.headers.get('Retry-After') || '', 10) || null;
    throw error;
  }
  return data;
}

async function readJSON(response) {
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  if (!/json/i.test(type)) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** The signed-in user, or null when there is no session (401) or no session API. */
export async function loadSession() {
  try {
    const session = await request('GET', '/api/v1/session');
    csrfToken = session.csrf_token;
    return session.user;
  } catch (error) {
    csrfToken = null;
    if (error.status === 401 || error.status === 404) return null;
    throw error;
  }
}

export async function signIn(username, password) {
  const session = await request('POST', '/api/v1/session', { username, password });
  csrfToken = session.csrf_token;
  return session.user;
}

export async function signOut() {
  try {
    await request('DELETE', '/api/v1/session');
  } finally {
    csrfToken = null;
  }
}

/** `?key=value&…` for the defined, non-empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const api = {
  scopes: () => request('GET', '/api/v1/scopes'),
  tokens: (params) => request('GET', `/api/v1/tokens${query(params)}`),
  createToken: (body) => request('POST', '/api/v1/tokens', body),
  deleteToken: (id) => request('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`),
  rotateToken: (id) => request('POST', `/api/v1/tokens/${encodeURIComponent(id)}/rotate`),
  adminTokens: (params) => request('GET', `/api/v1/admin/tokens${query(params)}`),
  adminDeleteToken: (id) => request('DELETE', `/api/v1/admin/tokens/${encodeURIComponent(id)}`),
  adminUsers: () => request('GET', '/api/v1/admin/users'),
};
