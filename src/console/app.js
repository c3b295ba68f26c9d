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

/** Shows a result or a refusal in the notice area at the top of the page. */
function notify(text, kind = 'error') {
  const notice = $('notice');
  notice.className = `notice notice-${kind}`;
  notice.textContent = text;
  notice.hidden = false;
}

function clearNotice() {
  $('notice').hidden = true;
  $('notice').textContent = '';
}

/** Everything a page needs from the shell. */
function context() {
  return {
    role: principal.role,
    can: (needed) => allows(principal.role, needed),
    notify,
    fail: (err) => notify(describe(err), 'error'),
    done: (text) => notify(text, 'ok'),
    navigate: (hash) => { window.location.hash = hash; },
    onLeave: (fn) => cleanups.push(fn),
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

async function route() {
  if (!principal) return;
  for (const fn of cleanups.splice(0)) fn();
  clearNotice();
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [path, query] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const name = PAGES[parts[0]] ? parts[0] : 'dashboard';
  const page = PAGES[name];
  for (const link of $('nav').querySelectorAll('a')) {
    if (link.getAttribute('href') === `#/${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const view = $('view');
  view.replaceChildren();
  document.title = `${page.title} · Switchboard`;
  try {
    await page.module.render(view, parts.slice(1), new URLSearchParams(query ?? ''), context());
  } catch (err) {
    notify(describe(err));
  }
  $('main').focus({preventScroll: true});
}

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  signIn($('token').value.trim());
  $('token').value = '';
});
$('sign-out').addEventListener('click', () => {
  setToken(null);
  for (const fn of cleanups.splice(0)) fn();
  clearNotice();
  showSignIn('Signed out.');
});
window.addEventListener('hashchange', route);
window.addEventListener('switchboard:unauthorized', () => {
  setToken(null);
  for (const fn of cleanups.splice(0)) fn();
  showSignIn('Your token was refused (revoked or expired). Sign in again.');
});

if (token()) signIn(token());
else showSignIn();
