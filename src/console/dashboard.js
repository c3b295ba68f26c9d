// Dashboard: every channel with its state, counters and last hour, recent errors, queue depths
// and dead letters, and the engine nodes sharing the store; refreshed every few seconds while
// it is open.

import {api} from './api.js';
import {badge, chartLegend, dataTable, fill, h, hourChart, section, when} from './dom.js';
import {replayButton} from './messages.js';

// Every refresh is four audited API reads: often enough to watch, not so often that an open
// dashboard floods the audit log.
const REFRESH_MS = 10000;

/** Received, errored and the error rate of a channel over its last hour. */
function hourTotals(hour) {
  const received = hour.reduce((n, m) => n + m[1], 0);
  const errored = hour.reduce((n, m) => n + m[3], 0);
  const rate = received === 0 ? 0 : (100 * errored) / received;
  return {received, errored, rate};
}

function queueText(queues) {
  if (!queues.length) return 'none';
  return queues.map((q) => `${q.destination}: ${q.depth.pending} pending, ${q.depth.held} held, ${q.depth.dead} dead`).join('; ');
}

/** Sums the per-minute counters of all channels into one hour. */
function mergeHours(channels) {
  const byMinute = new Map();
  for (const channel of channels) {
    for (const [minute, received, sent, errored] of channel.counters.hour) {
      const m = byMinute.get(minute) ?? [minute, 0, 0, 0];
      byMinute.set(minute, [minute, m[1] + received, m[2] + sent, m[3] + errored]);
    }
  }
  return [...byMinute.values()];
}

/** The configuration a node runs: the last change it applied, and how far behind it is. */
function configCell(node) {
  const applied = `version ${node.config_applied}`;
  if (node.config_behind <= 0) return applied;
  return h('span', {}, `${applied} `, badge('behind'), ` by ${node.config_behind}`);
}

/** One row a node: who it is, whether it runs, what it runs and holds. */
function nodeRow(node) {
  return [
    node.id, badge(node.state), node.host, node.http_address, node.version, configCell(node),
    node.leased_deliveries, when(node.heartbeat_at),
  ];
}

async function load(body, ctx) {
  const [{channels}, {dead_letters: dead}, {messages: errors}, {nodes}] = await Promise.all([
    api('GET', '/api/channels'),
    api('GET', '/api/dead-letters?limit=20'),
    api('GET', '/api/messages?status=error&limit=10'),
    api('GET', '/api/nodes'),
  ]);
  const live = nodes.filter((n) => n.state === 'live').length;
  const all = hourTotals(mergeHours(channels));
  const rows = channels.map((c) => {
    const hour = hourTotals(c.counters.hour);
    return [
      h('a', {href: `#/channels/${encodeURIComponent(c.name)}`}, c.name),
      badge(c.source_error ? 'failed' : c.state),
      c.source,
      c.counters.totals.received ?? 0,
      c.counters.totals.sent ?? 0,
      c.counters.totals.errored ?? 0,
      c.counters.last_minute.received ?? 0,
      `${hour.rate.toFixed(1)} %`,
      hourChart(c.counters.hour, {
        label: `${c.name}: ${hour.received} received, ${hour.errored} errored in the last hour`,
      }),
      queueText(c.queues),
    ];
  });
  const problems = channels.filter((c) => c.source_error || c.refused_edit.length);
  fill(body,
    h('div', {class: 'summary'},
      h('div', {class: 'stat'}, h('span', {class: 'stat-value'}, channels.length), ' channels'),
      h('div', {class: 'stat'}, h('span', {class: 'stat-value'}, all.received), ' received in the last hour'),
      h('div', {class: 'stat'}, h('span', {class: 'stat-value'}, `${all.rate.toFixed(1)} %`), ' errors in the last hour'),
      h('div', {class: 'stat'}, h('span', {class: 'stat-value'}, dead.length), ' dead or held deliveries'),
      h('div', {class: 'stat'}, h('span', {class: 'stat-value'}, `${live} of ${nodes.length}`), ' nodes live'),
      h('figure', {class: 'stat'},
        hourChart(mergeHours(channels), {width: 360, height: 64, label: `All channels: ${all.received} received, ${all.errored} errored in the last hour`}),
        h('figcaption', {}, 'All channels, per minute over the last hour')),
    ),
    chartLegend(),
    section('Channels', dataTable({
      columns: ['Channel', 'State', 'Source', 'Received', 'Sent', 'Errored', 'Last minute', 'Error rate (1 h)', 'Last hour', 'Queues'],
      rows,
    }, {empty: 'No channels are deployed.'})),
    section('Nodes', dataTable({
      columns: ['Node', 'State', 'Host', 'HTTP address', 'Version', 'Configuration', 'Leased deliveries', 'Last heartbeat'],
      rows: nodes.map(nodeRow),
    }, {empty: 'No node has registered yet.'})),
    problems.length ? section('Channel problems', h('ul', {}, problems.map((c) => h('li', {},
      h('a', {href: `#/channels/${encodeURIComponent(c.name)}`}, c.name), ': ',
      [c.source_error, ...c.refused_edit].filter(Boolean).join('; '))))) : null,
    section('Recent errors', dataTable({
      columns: ['Message', 'Received', 'Channel', 'Control id', 'Error'],
      rows: errors.map((m) => [
        h('a', {href: `#/messages/${m.id}`}, `#${m.id}`), when(m.received_at), m.channel, m.control_id, m.error,
      ]),
    }, {empty: 'No errors.'})),
    section('Dead letters', dataTable({
      columns: ['Delivery', 'Message', 'Channel', 'Destination', 'Status', 'Attempts', 'Last error', ''],
      rows: dead.map((d) => [
        d.id, h('a', {href: `#/messages/${d.message_id}`}, `#${d.message_id}`), d.channel, d.destination,
        badge(d.status), d.attempts, d.last_error, replayButton(d, ctx, () => load(body, ctx)),
      ]),
    }, {empty: 'No dead or held deliveries.'})),
  );
}

export async function render(view, _parts, _query, ctx) {
  const status = h('p', {class: 'muted'});
  const body = h('div');
  view.append(h('h1', {}, 'Dashboard'), status, body);
  const refresh = async () => {
    // Nothing while the tab is hidden; and keep what a keyboard user is on: no redraw while
    // the focus is inside the tables.
    if (document.hidden || body.contains(document.activeElement)) return;
    try {
      await load(body, ctx);
      status.textContent = `Updated ${when(Date.now())}; refreshes every ${REFRESH_MS / 1000} s.`;
    } catch (err) {
      ctx.fail(err);
    }
  };
  await refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  ctx.onLeave(() => clearInterval(timer));
}
