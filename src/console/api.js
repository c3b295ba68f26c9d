// The admin API as the console uses it: the token lives in sessionStorage (gone when the tab
// closes) and goes with every request as `Authorization: Bearer`.

const TOKEN_KEY = 'switchboard.token';
const ROLES = ['viewer', 'operator', 'admin'];

/** A refused or failed API request, with what the API said. */
export class ApiError extends Error {
  constructor(status, message, problems = []) {
    super(message);
    this.status = status;
    this.problems = problems;
  }
}

/** The signed-in token, if any. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keeps `value` as the token for this tab; a falsy value forgets it. */
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** True when `role` includes `needed` (admin ⊃ operator ⊃ viewer). */
export function allows(role, needed) {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * Calls the API: `api('GET', '/api/channels')`. JSON answers are parsed, others returned as
 * text. A non-2xx answer throws `ApiError` carrying the API's message and, for a refused
 * configuration, its problems. A 401 also signals the application to sign out.
 */
export async function api(method, path, {body, contentType} = {}) {
  const headers = {Authorization: `Bearer ${token() ?? ''}`};
  if (body !== undefined) headers['Content-Type'] = contentType ?? 'application/json';
  let response;
  try {
    response = await fetch(path, {method, headers, body});
  } catch (err) {
    throw new ApiError(0, `the engine did not answer (${err.message})`);
  }
  const type = response.headers.get('content-type') ?? '';
  const payload = type.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (response.ok) return payload;
  const said = payload && typeof payload === 'object' ? payload.error : payload;
  const error = new ApiError(response.status, said || response.statusText, payload?.problems ?? []);
  if (response.status === 401) window.dispatchEvent(new CustomEvent('switchboard:unauthorized'));
  throw error;
}

/** One sentence for the operator about a failed request. */
export function describe(err) {
  if (!(err instanceof ApiError)) return `Something went wrong: ${err.message}`;
  switch (err.status) {
    case 0: return `Cannot reach the engine: ${err.message}.`;
    case 401: return 'Not signed in: the token is missing, revoked or expired.';
    case 403: return `Refused (403 Forbidden): ${err.message}. Your token does not have that role.`;
    case 422: return `Refused (422): ${err.message}.`;
    default: return `${err.status}: ${err.message}`;
  }
}
