// The console's shell: sign-in with an API token, navigation between pages (hash routes),
// one notice area for results and refusals.

import {api, allows, describe, setToken, token} from './api.js';
import * as dashboard from './dashboard.js';
import * as channels from './channels.js';
import * as messages from './messages.js';
import * as revenue from './revenue.js';

const PAGES = {
  dashboard: {title: 'Dashboard', module: dashboard},
  channels: {title: 'Channels', module: channels},
  messages: {title: 'Messages', module: messages},
  revenue: {title: 'Revenue cycle', module: revenue},
};

const $ = (id) => document.getElementById(id);
let principal = null;
let cleanups = [];
let generation = 0;

/** Shows a result or a refusal in the notice area at the top of the page. */
function notify(text, kind) {
  const notice = $('notice');
  notice.className = `notice notice-${kind}`;
  notice.textContent = text;
  notice.hidden = false;
}

function clearNotice() {
  $('notice').hidden = true;
  $('notice').textContent = '';
}

/** Ends the current page: its timers stop, and its late answers are ignored. */
function leavePage() {
  generation += 1;
  for (const fn of cleanups.splice(0)) fn();
}

/** Everything a page needs from the shell; once the page is left, it does nothing more. */
function context(page) {
  const current = () => page === generation;
  return {
    role: principal.role,
    can: (needed) => allows(principal.role, needed),
    fail: (err) => { if (current()) notify(describe(err), 'error'); },
    done: (text) => { if (current()) notify(text, 'ok'); },
    navigate: (hash) => { window.location.hash = hash; },
    onLeave: (fn) => { if (current()) cleanups.push(fn); else fn(); },
  };
}

function showSignIn(message) {
  principal = null;
  $('nav').hidden = true;
  $('who').hidden = true;
  $('view').replaceChildren();
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message ?? '';
  $('token').focus();
}

async function signIn(value) {
  setToken(value);
  try {
    principal = await api('GET', '/api/whoami');
  } catch (err) {
    setToken(null);
    showSignIn(describe(err));
    return;
  }
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('who').hidden = false;
  $('who-name').textContent = `${principal.name} (${principal.role})`;
  await route();
}

/** `#/messages/12?x=1` -> page name, path parts after it, query. */
function parseHash() {
  const [path, query] = window.location.hash.replace(/^#\/?/, '').split('?');
  let parts;
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    parts = [];
  }
  const name = PAGES[parts[0]] ? parts[0] : 'dashboard';
  return {name, parts: parts.slice(1), query: new URLSearchParams(query ?? '')};
}

async function route() {
  if (!principal) return;
  leavePage();
  clearNotice();
  const {name, parts, query} = parseHash();
  const page = PAGES[name];
  for (const link of $('nav').querySelectorAll('a')) {
    if (link.getAttribute('href') === `#/${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  // Each visit renders into its own element, so a slow earlier page cannot write into this one.
  const container = document.createElement('div');
  $('view').replaceChildren(container);
  document.title = `${page.title} · Switchboard`;
  const visit = generation;
  const ctx = context(visit);
  try {
    await page.module.render(container, parts, query, ctx);
  } catch (err) {
    ctx.fail(err);
  }
  if (visit === generation) $('main').focus({preventScroll: true});
}

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  signIn($('token').value.trim());
  $('token').value = '';
});
$('sign-out').addEventListener('click', () => {
  setToken(null);
  leavePage();
  clearNotice();
  showSignIn('Signed out.');
});
window.addEventListener('hashchange', route);
window.addEventListener('switchboard:unauthorized', () => {
  setToken(null);
  leavePage();
  showSignIn('Your token was refused (revoked or expired). Sign in again.');
});

if (token()) signIn(token());
else showSignIn();
