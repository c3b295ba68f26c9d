// Messages: search by channel, status, time, control id and text; one message with its raw
// content, parsed tree, canonical records, deliveries and event trail; reprocess and replay.

import {api} from './api.js';
import {badge, dataTable, fill, h, jsonBlock, section, when} from './dom.js';

const STATUSES = ['received', 'processed', 'filtered', 'error'];
const PAGE_SIZE = 50;
const FIELDS = ['channel', 'status', 'message_type', 'sender', 'since', 'until', 'control_id', 'text'];

/** A button that puts a dead or held delivery back in its queue (operator role). */
export function replayButton(delivery, ctx, after) {
  const allowed = ctx.can('operator');
  return h('button', {
    type: 'button',
    disabled: !allowed,
    title: allowed ? null : 'Replaying needs the operator role',
    onclick: async () => {
      try {
        await api('POST', `/api/dead-letters/${delivery.id}/replay`);
        ctx.done(`Delivery ${delivery.id} (${delivery.channel}.${delivery.destination}) is back in its queue.`);
        await after();
      } catch (err) { ctx.fail(err); }
    },
  }, 'Replay');
}

/** `datetime-local` text <-> Unix ms, in the browser's time zone. */
const toMillis = (text) => (text ? String(new Date(text).getTime()) : '');
function toLocalInput(ms) {
  if (!ms) return '';
  const d = new Date(Number(ms));
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function field(id, label, control) {
  control.id = id;
  control.name = id;
  return h('div', {class: 'field'}, h('label', {for: id}, label), control);
}

async function renderSearch(view, query, ctx) {
  const {channels} = await api('GET', '/api/channels');
  const select = (options, value) => h('select', {},
    h('option', {value: ''}, 'any'),
    options.map((o) => h('option', {value: o, selected: o === value}, o)));
  const form = h('form', {class: 'filters', role: 'search'},
    field('channel', 'Channel', select(channels.map((c) => c.name), query.get('channel'))),
    field('status', 'Status', select(STATUSES, query.get('status'))),
    field('message_type', 'Type', h('input', {type: 'text', placeholder: 'ADT^A08, 835, Patient', value: query.get('message_type') ?? ''})),
    field('sender', 'Sender', h('input', {type: 'text', placeholder: 'EHR^HOSP, ISA06', value: query.get('sender') ?? ''})),
    field('since', 'Received from', h('input', {type: 'datetime-local', value: toLocalInput(query.get('since'))})),
    field('until', 'Received before', h('input', {type: 'datetime-local', value: toLocalInput(query.get('until'))})),
    field('control_id', 'Control id', h('input', {type: 'text', value: query.get('control_id') ?? ''})),
    field('text', 'Patient or text', h('input', {type: 'search', value: query.get('text') ?? ''})),
    h('button', {type: 'submit', class: 'primary'}, 'Search'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of FIELDS) {
      const raw = form.elements[name].value.trim();
      const value = name === 'since' || name === 'until' ? toMillis(raw) : raw;
      if (value) params.set(name, value);
    }
    ctx.navigate(`#/messages?${params}`);
  });
  const results = h('div');
  view.append(h('h1', {}, 'Messages'), form, results);

  const params = new URLSearchParams();
  for (const name of FIELDS) if (query.get(name)) params.set(name, query.get(name));
  params.set('limit', PAGE_SIZE);
  const rows = [];
  const more = async (before) => {
    if (before) params.set('before', before);
    const {messages} = await api('GET', `/api/messages?${params}`);
    rows.push(...messages.map((m) => [
      h('a', {href: `#/messages/${m.id}`}, `#${m.id}`), when(m.received_at), m.channel,
      m.message_type ?? h('span', {class: 'muted'}, m.content_type), m.sender,
      m.control_id, badge(m.status), m.size_bytes, m.error,
    ]));
    const last = messages.at(-1);
    fill(results,
      h('p', {class: 'muted', 'aria-live': 'polite'}, `${rows.length} message(s), newest first.`),
      dataTable({
        columns: ['Message', 'Received', 'Channel', 'Type', 'Sender', 'Control id', 'Status', 'Bytes', 'Error'],
        rows,
      }, {empty: 'No message matches.'}),
      messages.length === PAGE_SIZE ? h('button', {type: 'button', onclick: () => more(last.id).catch(ctx.fail)}, 'Older messages') : null);
  };
  await more();
}

/** HL7 v2 segments with their fields and components, by name. */
function hl7Tree(segments) {
  return h('div', {class: 'tree'}, segments.map((segment) => h('details', {open: true},
    h('summary', {}, h('strong', {}, segment.id), segment.name ? ` — ${segment.name}` : ''),
    dataTable({
      columns: ['Field', 'Name', 'Value'],
      rows: segment.fields.flatMap((f) => [
        [h('code', {}, f.path), f.name ?? '', f.value],
        ...f.components.map((c) => [h('code', {class: 'sub'}, c.path), c.name ?? '', c.value]),
      ]),
    }, {empty: 'No fields with a value.'}))));
}

/** X12 segments with their elements, numbered as in the implementation guides. */
function x12Tree(segments) {
  return dataTable({
    columns: ['Segment', 'Elements'],
    rows: segments.map((s) => [h('strong', {}, s.segment), h('span', {class: 'elements'},
      s.elements.map((e, i) => h('span', {class: 'element'},
        h('small', {}, `${s.segment}${String(i + 1).padStart(2, '0')}`), ' ', e)))]),
  });
}

function parsedView(parsed) {
  if (parsed === null || parsed === undefined) return h('p', {class: 'empty'}, 'The content could not be parsed.');
  if (Array.isArray(parsed) && parsed.length && 'fields' in parsed[0]) return hl7Tree(parsed);
  if (Array.isArray(parsed) && parsed.length && 'segment' in parsed[0]) return x12Tree(parsed);
  return jsonBlock(parsed);
}

/** A list item as one line: `{system: 'X', value: '1'}` -> `system X, value 1`. */
function itemText(item) {
  if (item === null || typeof item !== 'object') return String(item);
  return Object.entries(item).filter(([, v]) => v !== null && v !== '')
    .map(([key, v]) => `${key} ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
}

/** `{a: {b: 1}, c: [2, 3]}` -> `[['a.b', 1], ['c', '2; 3']]`. */
function flatten(value, prefix) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, v]) => flatten(v, prefix ? `${prefix}.${key}` : key));
  }
  if (Array.isArray(value)) return [[prefix, value.map(itemText).join('; ')]];
  return [[prefix, value]];
}

/** The canonical records: one table per kind (patient, encounter, coverages, charges...); the
 * clinical resources are shown with the FHIR resources the message made. */
function recordsView(records) {
  const kinds = Object.entries(records ?? {})
    .filter(([kind]) => kind !== 'clinical')
    .filter(([, value]) => value !== null && !(Array.isArray(value) && value.length === 0));
  if (!kinds.length) return h('p', {class: 'empty'}, 'No canonical records.');
  return [
    kinds.map(([kind, value]) => {
      const items = (Array.isArray(value) ? value : [value]).map((item) => flatten(item, ''));
      const title = kind.replace(/_/g, ' ');
      if (items.length === 1) {
        const rows = items[0].filter(([, v]) => v !== null && v !== '');
        return dataTable({columns: ['Field', 'Value'], rows}, {caption: title});
      }
      const columns = [...new Set(items.flatMap((fields) => fields.map(([key]) => key)))];
      const rows = items.map((fields) => {
        const byKey = new Map(fields);
        return columns.map((key) => byKey.get(key) ?? null);
      });
      return dataTable({columns, rows}, {caption: `${title} (${items.length})`});
    }),
    h('details', {}, h('summary', {}, 'As JSON'), jsonBlock(records)),
  ];
}

/** The FHIR resources the store kept from the message (its clinical content): each version
 * it made, with the resource as that version holds it. */
function resourcesView(resources) {
  if (!resources?.length) return h('p', {class: 'empty'}, 'No FHIR resources.');
  return [
    dataTable({
      columns: ['Resource', 'Version', 'Code'],
      rows: resources.map((r) => [
        h('code', {class: 'resource-reference'}, r.reference), r.version,
        r.resource?.code?.coding?.[0]?.code ?? r.resource?.vaccineCode?.coding?.[0]?.code ?? '',
      ]),
    }, {caption: `Resources (${resources.length})`}),
    h('details', {}, h('summary', {}, 'As JSON'), jsonBlock(resources.map((r) => r.resource))),
  ];
}

async function renderMessage(view, id, ctx) {
  const detail = await api('GET', `/api/messages/${encodeURIComponent(id)}`);
  const m = detail.message;
  const reload = async () => {
    view.replaceChildren();
    await renderMessage(view, id, ctx);
  };
  const allowed = ctx.can('operator');
  view.append(
    h('p', {}, h('a', {href: `#/messages?channel=${encodeURIComponent(m.channel)}`}, `← Messages of ${m.channel}`)),
    h('h1', {}, `Message #${m.id}`),
    h('dl', {class: 'facts'},
      h('dt', {}, 'Status'), h('dd', {}, badge(m.status)),
      h('dt', {}, 'Channel'), h('dd', {}, h('a', {href: `#/channels/${encodeURIComponent(m.channel)}`}, m.channel)),
      h('dt', {}, 'Control id'), h('dd', {}, m.control_id ?? '—'),
      h('dt', {}, 'Received'), h('dd', {}, when(m.received_at)),
      h('dt', {}, 'Content type'), h('dd', {}, m.content_type),
      h('dt', {}, 'Size'), h('dd', {}, `${m.size_bytes} bytes`),
      m.error ? [h('dt', {}, 'Error'), h('dd', {class: 'error-text'}, m.error)] : null),
    h('div', {class: 'actions'}, h('button', {
      type: 'button', id: 'reprocess', disabled: !allowed,
      title: allowed ? null : 'Reprocessing needs the operator role',
      onclick: async () => {
        try {
          const answer = await api('POST', `/api/messages/${m.id}/reprocess`);
          await reload();
          ctx.done(`Reprocessed message #${m.id}: ${answer.result}.`);
        } catch (err) { ctx.fail(err); }
      },
    }, 'Reprocess')),
    section('Parsed', parsedView(detail.parsed)),
    section('Canonical records', h('div', {class: 'records'}, recordsView(detail.canonical))),
    section('FHIR resources', resourcesView(detail.resources)),
    section('Deliveries', dataTable({
      columns: ['Delivery', 'Destination', 'Status', 'Attempts', 'Next attempt', 'Last error', ''],
      rows: detail.deliveries.map((d) => [
        d.id, d.destination, badge(d.status), d.attempts,
        d.status === 'pending' ? when(d.next_attempt_at) : '', d.last_error,
        d.status === 'dead' || d.status === 'held' ? replayButton(d, ctx, reload) : '',
      ]),
    }, {empty: 'No deliveries.'})),
    section('Event trail', h('ol', {class: 'events'}, detail.events.map((e) => h('li', {},
      h('time', {}, when(e.at)), ' ', h('strong', {}, e.kind), e.detail ? ` — ${e.detail}` : '')))),
    section('Raw content', h('pre', {class: 'code', tabindex: '0'}, detail.raw.replace(/\r\n?/g, '\n'))),
  );
}

export async function render(view, parts, query, ctx) {
  if (parts[0]) await renderMessage(view, parts[0], ctx);
  else await renderSearch(view, query, ctx);
}
