// Channels: the list with start/stop/pause/redeploy, the routing rules in force, one
// channel's TOML file with checking (file:line: field: reason) before it is deployed, and its
// transform with a test on a stored or pasted message (nothing stored or sent).

import {api} from './api.js';
import {badge, dataTable, fill, h, section} from './dom.js';

const ACTIONS = [
  ['start', 'Start'],
  ['stop', 'Stop'],
  ['pause', 'Pause'],
  ['deploy', 'Redeploy'],
];

function actionButtons(channel, ctx, after) {
  const allowed = ctx.can('operator');
  return h('div', {class: 'actions', role: 'group', 'aria-label': `Control ${channel.name}`},
    ACTIONS.map(([action, label]) => h('button', {
      type: 'button',
      disabled: !allowed || (action === 'start' && channel.state === 'started') ||
        (action === 'stop' && channel.state === 'stopped'),
      title: allowed ? null : 'Controlling channels needs the operator role',
      'data-action': action,
      onclick: async () => {
        try {
          await api('POST', `/api/channels/${encodeURIComponent(channel.name)}/${action}`);
          ctx.done(`${label}: ${channel.name} done.`);
          await after();
        } catch (err) { ctx.fail(err); }
      },
    }, label)));
}

/** A rule's conditions as `key = value` text, leaving out the unset ones. */
function conditions(when) {
  const parts = [];
  for (const [key, value] of Object.entries(when ?? {})) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') {
      for (const [path, expected] of Object.entries(value)) parts.push(`${path} = ${expected}`);
    } else {
      parts.push(`${key} = ${value}`);
    }
  }
  return parts.join(', ') || 'always';
}

function routesSection(routes) {
  const sets = routes.rule_set ?? [];
  if (!sets.length) return section('Routing rules', h('p', {class: 'empty'}, 'No rule sets: every channel sends each message to all its destinations.'));
  return section('Routing rules', sets.map((set) => h('div', {class: 'rule-set'},
    h('h3', {}, set.name),
    h('p', {class: 'muted'},
      `Channels: ${set.channels.length ? set.channels.join(', ') : 'all'} · mode: ${set.mode} · ` +
      `when no rule matches: ${set.default.length ? set.default.join(', ') : 'nowhere'}`),
    dataTable({
      columns: ['Rule', 'When', 'Then'],
      rows: set.rule.map((r) => [r.name, conditions(r.when), r.then.join(', ') || 'nowhere']),
    }, {empty: 'No rules: the default applies.'}))));
}

async function renderList(view, ctx) {
  const body = h('div');
  view.append(h('h1', {}, 'Channels'), body);
  const load = async () => {
    const [{channels}, {routes}] = await Promise.all([api('GET', '/api/channels'), api('GET', '/api/routes')]);
    fill(body,
      section('Deployed channels', dataTable({
        columns: ['Channel', 'Description', 'State', 'Source', 'Destinations', 'Actions'],
        rows: channels.map((c) => [
          h('a', {href: `#/channels/${encodeURIComponent(c.name)}`}, c.name),
          c.description,
          badge(c.source_error ? 'failed' : c.state),
          c.source,
          c.destinations.join(', '),
          actionButtons(c, ctx, load),
        ]),
      }, {empty: 'No channels are deployed.'})),
      routesSection(routes),
    );
  };
  await load();
}

/** The problems of a refused file, each a button that puts the cursor on its line. */
function problemList(problems, editor) {
  return h('ul', {class: 'problems'}, problems.map((p) => h('li', {},
    h('button', {
      type: 'button',
      class: 'link',
      onclick: () => selectLine(editor, p.line),
    }, `line ${p.line ?? '?'}`),
    ` ${p.field ? `${p.field}: ` : ''}${p.reason}`,
    h('div', {class: 'muted'}, p.text))));
}

function selectLine(editor, line) {
  if (!line) return;
  const lines = editor.value.split('\n');
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  editor.focus();
  editor.setSelectionRange(start, start + (lines[line - 1] ?? '').length);
}

/** HL7 v2 segments end with a carriage return: one line each on screen. */
function lines(text) {
  return (text ?? '').replace(/\r\n?/g, '\n');
}

/**
 * The channel's transform and a form that tries it (as shown, edits included) on a stored
 * message or a pasted one: input, output and trail side by side. Trying needs an operator.
 */
async function transformSection(path, ctx) {
  const transform = await api('GET', `${path}/transform`);
  if (!transform.kind) {
    return section('Transform', h('p', {class: 'empty'}, 'This channel has no transform: its destinations receive each message as it came.'));
  }
  const editable = transform.kind === 'edit' || transform.kind === 'script';
  const text = h('textarea', {
    id: 'transform-text', class: 'code', rows: 14, spellcheck: 'false', readonly: !editable,
    'aria-describedby': 'transform-help',
  });
  text.value = transform.text ?? '';
  const messageId = h('input', {id: 'trial-message-id', type: 'number', min: '1', inputmode: 'numeric'});
  const pasted = h('textarea', {id: 'trial-message', class: 'code', rows: 6, spellcheck: 'false'});
  const result = h('div', {id: 'trial-result', 'aria-live': 'polite'});
  const operator = ctx.can('operator');
  const run = async () => {
    const body = messageId.value ? {message_id: Number(messageId.value)} : {message: pasted.value};
    if (editable && text.value !== (transform.text ?? '')) body.transform = text.value;
    fill(result, h('p', {class: 'muted'}, 'Testing…'));
    try {
      const trial = await api('POST', `${path}/transform/test`, {body: JSON.stringify(body)});
      fill(result,
        trial.error ? h('p', {class: 'error-text', id: 'trial-error'}, `The message fails: ${trial.error}`) : null,
        h('div', {class: 'trial'},
          h('div', {}, h('h3', {}, 'Input'), h('pre', {class: 'code', id: 'trial-input'}, lines(trial.input))),
          h('div', {}, h('h3', {}, 'Output'), h('pre', {class: 'code', id: 'trial-output'}, trial.output === null ? '—' : lines(trial.output))),
          h('div', {}, h('h3', {}, 'Trail'), h('ul', {id: 'trial-trail'}, trial.trail.map((line) => h('li', {}, line))))));
    } catch (err) {
      fill(result,
        h('p', {class: 'error-text'}, err.problems?.length ? 'The edited transform is refused:' : err.message),
        err.problems?.length ? problemList(err.problems, text) : null);
      ctx.fail(err);
    }
  };
  return section('Transform',
    h('dl', {class: 'facts'},
      h('dt', {}, 'Kind'), h('dd', {}, transform.kind),
      h('dt', {}, 'File'), h('dd', {}, transform.file ? h('code', {}, transform.file) : '—')),
    h('label', {for: 'transform-text'}, editable ? 'Edit list or script' : 'Mapping'),
    h('p', {id: 'transform-help', class: 'hint'}, editable
      ? 'Changes here are only tried on the message below, never saved; the channel keeps running its file.'
      : 'Shown as deployed.'),
    text,
    h('h3', {}, 'Test on message'),
    h('label', {for: 'trial-message-id'}, 'Stored message id'), messageId,
    h('label', {for: 'trial-message'}, 'or paste a message'), pasted,
    h('div', {class: 'actions'},
      h('button', {
        type: 'button', id: 'run-trial', class: 'primary', disabled: !operator,
        title: operator ? null : 'Testing a transform needs the operator role', onclick: run,
      }, 'Test')),
    result);
}

async function renderChannel(view, name, ctx) {
  const path = `/api/channels/${encodeURIComponent(name)}`;
  const header = h('div');
  const admin = ctx.can('admin');
  const editor = h('textarea', {
    id: 'channel-config', class: 'code', rows: 24, spellcheck: 'false', readonly: !admin,
    'aria-describedby': 'config-help',
  });
  const feedback = h('div', {id: 'config-feedback', 'aria-live': 'polite'});
  const submit = async (check) => {
    fill(feedback, h('p', {class: 'muted'}, check ? 'Checking…' : 'Deploying…'));
    try {
      await api(check ? 'POST' : 'PUT', `${path}/config${check ? '/check' : ''}`,
        {body: editor.value, contentType: 'application/toml'});
      fill(feedback, h('p', {class: 'ok-text'},
        check ? 'The file is valid. Deploy it to apply the change.' : `Deployed: ${name} runs the new file.`));
      if (!check) await loadHeader();
    } catch (err) {
      fill(feedback,
        h('p', {class: 'error-text'}, err.problems?.length
          ? `Refused: ${err.problems.length} problem(s); the running version stays.`
          : err.message),
        err.problems?.length ? problemList(err.problems, editor) : null);
      ctx.fail(err);
    }
  };
  const loadHeader = async () => {
    const {channel} = await api('GET', path);
    fill(header,
      h('dl', {class: 'facts'},
        h('dt', {}, 'State'), h('dd', {}, badge(channel.source_error ? 'failed' : channel.state)),
        h('dt', {}, 'Description'), h('dd', {}, channel.description || '—'),
        h('dt', {}, 'Source'), h('dd', {}, channel.source),
        h('dt', {}, 'Destinations'), h('dd', {}, channel.destinations.join(', ')),
        h('dt', {}, 'File'), h('dd', {}, h('code', {}, channel.file)),
        h('dt', {}, 'Messages'), h('dd', {}, h('a', {href: `#/messages?channel=${encodeURIComponent(name)}`}, 'Search this channel\'s messages')),
      ),
      channel.source_error ? h('p', {class: 'error-text'}, `Source failed: ${channel.source_error}`) : null,
      channel.refused_edit.length ? h('div', {class: 'error-text'},
        h('p', {}, 'The last edit of the file was refused; the running version stays:'),
        h('ul', {}, channel.refused_edit.map((p) => h('li', {}, p)))) : null,
      actionButtons(channel, ctx, loadHeader),
    );
  };
  view.append(
    h('p', {}, h('a', {href: '#/channels'}, '← All channels')),
    h('h1', {}, `Channel ${name}`),
    header,
    section('Configuration',
      h('label', {for: 'channel-config'}, 'Channel file (TOML)'),
      h('p', {id: 'config-help', class: 'hint'}, admin
        ? 'Check validates the file without changing anything; Deploy validates, saves and redeploys only this channel. A refused file changes nothing.'
        : `Editing needs the admin role; you are signed in as ${ctx.role}.`),
      editor,
      admin ? h('div', {class: 'actions'},
        h('button', {type: 'button', id: 'check-config', onclick: () => submit(true)}, 'Check'),
        h('button', {type: 'button', id: 'deploy-config', class: 'primary', onclick: () => submit(false)}, 'Deploy')) : null,
      feedback),
  );
  const [config, transform] = await Promise.all([api('GET', `${path}/config`), transformSection(path, ctx), loadHeader()]);
  editor.value = config;
  view.append(transform);
}

export async function render(view, parts, _query, ctx) {
  if (parts[0]) await renderChannel(view, parts[0], ctx);
  else await renderList(view, ctx);
}
