// Revenue cycle: claims by status and payer, rejected and denied claims with the payer's
// reasons, remittances, questions to payers (eligibility, prior authorization, a claim's
// status), and one claim's history. Every view is a table
// `{columns: [...], rows: [[...]]}` loaded from the API — the shape the API's reports and
// worklists answer in — so a new one is one entry in VIEWS.

import {api} from './api.js';
import {badge, barChart, dataTable, h, money, section, when} from './dom.js';

const CLAIM_STATUSES = [
  'submitted', 'acknowledged', 'accepted', 'rejected', 'paid', 'partially paid', 'denied',
  'overpaid', 'reversed', 'resubmitted', 'replaced', 'voided',
];
const PROBLEM_STATUSES = ['rejected', 'denied'];

async function payerOptions() {
  const {payers} = await api('GET', '/api/payers');
  return payers.map((p) => [p.payer_id, `${p.payer_id} — ${p.name}`]);
}

function claimLink(claim) {
  return h('a', {href: `#/revenue/claims/${claim.id}`}, claim.claim_number);
}

function claimRow(claim) {
  return [
    claimLink(claim), claim.payer_id, badge(claim.status), money(claim.total_charge_cents),
    claim.payer_claim_number, when(claim.created_at), when(claim.updated_at),
  ];
}

const CLAIM_COLUMNS = ['Claim', 'Payer', 'Status', 'Charge', 'Payer claim no.', 'Created', 'Updated'];

/**
 * A form asking a payer a question (operator): `fields` are `[name, label, attrs]`, the payer
 * is chosen from the configured payers; the answer is waited for a few seconds, then the view
 * `view` shows the requests again, this one first.
 */
async function askForm(title, path, fields, view, ctx) {
  const payers = await payerOptions();
  const input = ([name, label, attrs]) => h('div', {class: 'field'},
    h('label', {for: `ask-${name}`}, label),
    h('input', {id: `ask-${name}`, name, ...attrs}));
  const form = h('form', {class: 'filters', 'aria-label': title},
    h('div', {class: 'field'},
      h('label', {for: 'ask-payer'}, 'Payer'),
      h('select', {id: 'ask-payer', name: 'payer'},
        payers.map(([value, label]) => h('option', {value}, label)))),
    fields.map(input),
    h('button', {type: 'submit', class: 'primary', disabled: ctx.can('operator') ? null : ''}, 'Ask the payer'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {timeout_seconds: 5};
    for (const element of form.elements) if (element.name && element.value) body[element.name] = element.value;
    try {
      const asked = await api('POST', path, {body: JSON.stringify(body)});
      ctx.navigate(`#/revenue?view=${view}&asked=${asked.id}`);
    } catch (err) {
      ctx.fail(err);
    }
  });
  return form;
}

/** Where a request to a payer stands: its answer in a word, or its state while unanswered. */
function answered(request, outcome) {
  return badge(request.state === 'answered' ? (outcome ?? 'answered') : request.state);
}

/**
 * The revenue-cycle views. `filters` become the query string of the API call; `load(params)`
 * answers a table.
 */
const VIEWS = [
  {
    id: 'claims',
    title: 'Claims',
    filters: [
      {name: 'status', label: 'Status', options: async () => CLAIM_STATUSES.map((s) => [s, s])},
      {name: 'payer', label: 'Payer', options: payerOptions},
    ],
    load: async (params) => {
      const {claims} = await api('GET', `/api/claims?${params}`);
      return {columns: CLAIM_COLUMNS, rows: claims.map(claimRow)};
    },
  },
  {
    id: 'problems',
    title: 'Rejected and denied',
    filters: [{name: 'payer', label: 'Payer', options: payerOptions}],
    load: async (params) => {
      const lists = await Promise.all(PROBLEM_STATUSES.map((status) => {
        const query = new URLSearchParams(params);
        query.set('status', status);
        query.set('limit', '50');
        return api('GET', `/api/claims?${query}`).then((r) => r.claims);
      }));
      const claims = lists.flat().sort((a, b) => b.updated_at - a.updated_at);
      const details = await Promise.all(claims.map((c) => api('GET', `/api/claims/${c.id}`)));
      return {
        columns: ['Claim', 'Payer', 'Status', 'Charge', 'Since', 'Reason'],
        rows: details.map(({claim, events}) => {
          const reason = events.filter((e) => e.status === claim.status).at(-1);
          return [claimLink(claim), claim.payer_id, badge(claim.status), money(claim.total_charge_cents),
            when(reason?.at ?? claim.updated_at), reason?.detail ?? ''];
        }),
      };
    },
  },
  {
    id: 'remittances',
    title: 'Remittances',
    filters: [],
    load: async () => {
      const {remittances} = await api('GET', '/api/remittances');
      return {
        columns: ['Remittance', 'Payer', 'Trace number', 'Payment', 'Balanced', 'Notes', 'Imported'],
        rows: remittances.map((r) => [
          r.id, r.payer_identifier, r.trace_number, money(r.payment_cents),
          badge(r.balanced ? 'balanced' : 'unbalanced'), r.balance_notes, when(r.created_at),
        ]),
      };
    },
  },
  {
    id: 'denials',
    title: 'Denials',
    filters: [],
    load: async () => {
      const {denials} = await api('GET', '/api/worklists/denials');
      return {
        columns: ['Claim', 'Payer', 'Procedure', 'Reasons', 'Remarks', 'Trace number', 'Received'],
        rows: denials.map((d) => [
          d.claim_id ? h('a', {href: `#/revenue/claims/${d.claim_id}`}, d.claim_number) : d.patient_control_number,
          d.payer, d.procedure_code ?? '(claim)',
          d.reasons.map((r) => `${r.text} (${money(r.amount_cents)})`).join('; '),
          d.remarks.map((r) => (r.text ? `${r.code}: ${r.text}` : r.code)).join('; '),
          d.trace_number, when(d.received_at),
        ]),
      };
    },
  },
  {
    id: 'unmatched',
    title: 'Unmatched payments',
    filters: [],
    load: async (params, ctx) => {
      const {unmatched} = await api('GET', '/api/worklists/unmatched');
      return {
        columns: ['Payment', 'Payer', 'Trace number', 'Their claim no.', 'Payer claim no.', 'Member',
          'Service date', 'Charge', 'Paid', 'Match to claim'],
        rows: unmatched.map((u) => [
          u.id, u.payer, u.trace_number, u.patient_control_number, u.payer_claim_number, u.member_id,
          u.service_from, money(u.charge_cents), money(u.paid_cents), matchForm(u, ctx),
        ]),
      };
    },
  },
  {
    id: 'patients',
    title: 'Patients',
    filters: [],
    load: async () => {
      const {patients} = await api('GET', '/api/patients?limit=100');
      return {
        columns: ['Patient', 'Birth date', 'Identifiers'],
        rows: patients.map((p) => [
          h('a', {href: `#/revenue/patients/${p.id}`}, [p.family_name, p.given_name].filter(Boolean).join(', ') || `#${p.id}`),
          p.birth_date, p.identifiers.map((i) => i.value).join('; '),
        ]),
      };
    },
  },
  {
    id: 'eligibility',
    title: 'Eligibility',
    filters: [],
    load: async (params, ctx) => {
      const {checks} = await api('GET', '/api/eligibility');
      const form = await askForm('Check eligibility', '/api/eligibility', [
        ['member_id', 'Member id', {required: '', size: '14'}],
        ['date', 'Date of service', {type: 'date'}],
      ], 'eligibility', ctx);
      return {
        actions: form,
        columns: ['Check', 'Payer', 'Member', 'Status', 'Plan', 'Reason', 'Asked', 'Trace number'],
        rows: checks.map((c) => [c.id, c.payer_id, c.member_id, answered(c, c.status), c.plan, c.reason,
          when(c.created_at), c.trace_number]),
      };
    },
  },
  {
    id: 'prior-auth',
    title: 'Prior authorizations',
    filters: [],
    load: async (params, ctx) => {
      const {authorizations} = await api('GET', '/api/prior-auth');
      const form = await askForm('Ask for a prior authorization', '/api/prior-auth', [
        ['member_id', 'Member id', {required: '', size: '14'}],
        ['procedure', 'Procedure', {required: '', size: '6'}],
        ['diagnosis', 'Diagnosis', {required: '', size: '8'}],
        ['date', 'Date of service', {type: 'date'}],
      ], 'prior-auth', ctx);
      return {
        actions: form,
        columns: ['Request', 'Payer', 'Member', 'Procedure', 'Decision', 'Authorization', 'Valid',
          'Estimate covered', 'Asked'],
        rows: authorizations.map((a) => [a.id, a.payer_id, a.member_id, a.request.procedure,
          answered(a, a.decision), a.authorization_number,
          a.valid_from ? `${a.valid_from} to ${a.valid_to}` : '', money(a.request.estimate.covered_cents),
          when(a.created_at)]),
      };
    },
  },
  {
    id: 'reports',
    title: 'Reports',
    filters: [{name: 'report', label: 'Report', options: async () => {
      const {reports} = await api('GET', '/api/reports');
      return reports.map((r) => [r.name, `${r.name} — ${r.description}`]);
    }}],
    load: async (params) => {
      const name = params.get('report') || 'financial-summary';
      const table = await api('GET', `/api/reports/${encodeURIComponent(name)}`);
      const download = h('button', {type: 'button'}, `Download ${name}.csv`);
      download.addEventListener('click', async () => {
        const csv = await api('GET', `/api/reports/${encodeURIComponent(name)}?format=csv`);
        const link = h('a', {href: URL.createObjectURL(new Blob([csv], {type: 'text/csv'})), download: `${name}.csv`});
        link.click();
        URL.revokeObjectURL(link.href);
      });
      return {...table, actions: [h('p', {}, download), reportChart(name, table)]};
    },
  },
];

/**
 * What each report draws: one column over its rows (but the total), or some columns of one row.
 */
const REPORT_CHARTS = {
  'financial-summary': {column: 'billed', unit: '$'},
  'payer-performance': {column: 'average days to pay'},
  'claim-aging': {row: 'TOTAL', columns: ['0-30', '31-60', '61-90', '90+'], unit: '$'},
  'denial-analysis': {column: 'amount', unit: '$', label: (r) => `${r[1].split(':')[0]} ${r[2]}`},
  'payer-mix': {column: 'billed', unit: '$'},
  'receivables-aging': {row: 'patients', columns: ['0-30', '31-60', '61-90', '90+'], unit: '$'},
};

/** The chart of a report table, or null when it has none or nothing to draw. */
function reportChart(name, table) {
  const spec = REPORT_CHARTS[name];
  if (!spec) return null;
  const number = (value) => Number.parseFloat(String(value ?? '').replace(/[%,]/g, '')) || 0;
  let bars;
  if (spec.row) {
    const row = table.rows.find((r) => r[0] === spec.row);
    if (!row) return null;
    bars = spec.columns.map((c) => [c, number(row[table.columns.indexOf(c)])]);
  } else {
    const at = table.columns.indexOf(spec.column);
    const label = spec.label ?? ((r) => r[0]);
    bars = table.rows.filter((r) => r[0] !== 'TOTAL').map((r) => [label(r), number(r[at])]);
  }
  if (!bars.length) return null;
  const what = spec.column ?? `${spec.row} by age`;
  return barChart(bars, {label: `${name}: ${what}`, unit: spec.unit ?? ''});
}

/** A claim id field and a Match button for one unmatched payment (operator). */
function matchForm(payment, ctx) {
  const id = `match-${payment.id}`;
  const form = h('form', {class: 'inline'},
    h('label', {for: id, class: 'visually-hidden'}, `Claim id for payment ${payment.id}`),
    h('input', {id, name: 'claim', type: 'number', min: '1', required: '', size: '6'}),
    h('button', {type: 'submit', disabled: ctx.can('operator') ? null : ''}, 'Match'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const claimId = Number(form.elements.claim.value);
    try {
      await api('POST', `/api/remittances/claims/${payment.id}/match`,
        {body: JSON.stringify({claim_id: claimId})});
      ctx.navigate(`#/revenue/claims/${claimId}`);
    } catch (err) {
      ctx.fail(err);
    }
  });
  return form;
}

async function filterForm(view, query, ctx) {
  const fields = await Promise.all(view.filters.map(async (filter) => {
    const id = `filter-${filter.name}`;
    const options = await filter.options();
    return h('div', {class: 'field'},
      h('label', {for: id}, filter.label),
      h('select', {id, name: filter.name},
        h('option', {value: ''}, 'any'),
        options.map(([value, label]) => h('option', {value, selected: value === query.get(filter.name)}, label))));
  }));
  const form = h('form', {class: 'filters', 'aria-label': `Filter ${view.title}`},
    fields, h('button', {type: 'submit', class: 'primary'}, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams({view: view.id});
    for (const filter of view.filters) {
      const value = form.elements[filter.name].value;
      if (value) params.set(filter.name, value);
    }
    ctx.navigate(`#/revenue?${params}`);
  });
  return form;
}

async function renderViews(page, query, ctx) {
  const current = VIEWS.find((v) => v.id === query.get('view')) ?? VIEWS[0];
  const params = new URLSearchParams();
  for (const filter of current.filters) if (query.get(filter.name)) params.set(filter.name, query.get(filter.name));
  const [form, table] = await Promise.all([filterForm(current, query, ctx), current.load(params, ctx)]);
  page.append(
    h('h1', {}, 'Revenue cycle'),
    h('nav', {class: 'tabs', 'aria-label': 'Revenue-cycle views'}, VIEWS.map((v) => h('a', {
      href: `#/revenue?view=${v.id}`, 'aria-current': v === current ? 'page' : null,
    }, v.title))),
    section(current.title, current.filters.length ? form : null, table.actions ?? null,
      dataTable(table, {empty: 'Nothing here.'})),
  );
}

/** A bill's postings (payments, adjustments, patient responsibility), or null before any. */
async function postings(billId) {
  try {
    const ledger = await api('GET', `/api/bills/${encodeURIComponent(billId)}/ledger`);
    return section('Postings', h('p', {}, `Outstanding ${money(ledger.outstanding_cents)}, `
      + `patient balance ${money(ledger.patient_balance_cents)}.`), dataTable({
      columns: ['When', 'Kind', 'Amount', 'Reason', 'Bill line', 'By', 'Source'],
      rows: ledger.entries.map((e) => [when(e.created_at), e.kind, money(e.amount_cents), e.reason,
        e.bill_line_id, e.actor, e.source]),
    }, {empty: 'Nothing posted yet.'}));
  } catch (err) {
    if (err.status === 404) return null;
    throw err;
  }
}

/** The claim's status requests (276) and the payer's answers (277), with a button to ask. */
async function claimStatus(claim, ctx) {
  const {checks} = await api('GET', `/api/claims/${encodeURIComponent(claim.id)}/status`);
  const ask = h('button', {type: 'button', disabled: ctx.can('operator') ? null : ''}, 'Ask the payer for its status');
  ask.addEventListener('click', async () => {
    ask.disabled = true;
    try {
      await api('POST', `/api/claims/${encodeURIComponent(claim.id)}/status?timeout_seconds=5`);
      ctx.navigate(`#/revenue/claims/${claim.id}?asked=${Date.now()}`);
    } catch (err) {
      ask.disabled = false;
      ctx.fail(err);
    }
  });
  return section('Claim status', h('p', {}, ask), dataTable({
    columns: ['Asked', 'State', 'Status (277)', 'Paid', 'Adjudicated', 'Check number', 'Trace number'],
    rows: checks.map((c) => [when(c.created_at), badge(c.state), c.status, money(c.paid_cents),
      c.adjudicated, c.check_number, c.trace_number]),
  }, {empty: 'Not asked yet.'}));
}

async function renderClaim(page, id, ctx) {
  const {claim, events} = await api('GET', `/api/claims/${encodeURIComponent(id)}`);
  const [posted, status] = await Promise.all([postings(claim.bill_id), claimStatus(claim, ctx)]);
  page.append(
    h('p', {}, h('a', {href: '#/revenue?view=claims'}, '← Claims')),
    h('h1', {}, `Claim ${claim.claim_number}`),
    h('dl', {class: 'facts'},
      h('dt', {}, 'Status'), h('dd', {}, badge(claim.status)),
      h('dt', {}, 'Payer'), h('dd', {}, claim.payer_id),
      h('dt', {}, 'Total charge'), h('dd', {}, money(claim.total_charge_cents)),
      h('dt', {}, 'Payer claim number'), h('dd', {}, claim.payer_claim_number ?? '—'),
      h('dt', {}, 'Bill'), h('dd', {}, claim.bill_id),
      h('dt', {}, 'Batch'), h('dd', {}, claim.batch_id ?? '—'),
      h('dt', {}, 'Created'), h('dd', {}, when(claim.created_at))),
    section('History', dataTable({
      columns: ['When', 'Status', 'Detail'],
      rows: events.map((e) => [when(e.at), badge(e.status), e.detail]),
    }, {empty: 'No history.'})),
    status,
    posted,
  );
}

/** A coverage's eligibility button (operator): asks the payer, then shows the page again. */
function eligibilityButton(patientId, coverage, ctx) {
  const button = h('button', {type: 'button', disabled: ctx.can('operator') ? null : ''},
    `Check eligibility of ${coverage.member_id}`);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api('POST', '/api/eligibility', {body: JSON.stringify({
        payer: coverage.payer_id, member_id: coverage.member_id, timeout_seconds: 5,
      })});
      ctx.navigate(`#/revenue/patients/${patientId}?checked=${Date.now()}`);
    } catch (err) {
      button.disabled = false;
      ctx.fail(err);
    }
  });
  return button;
}

/** One patient's coverages with the payer's last eligibility answer and the authorizations. */
async function renderPatient(page, id, ctx) {
  const record = await api('GET', `/api/patients/${encodeURIComponent(id)}`);
  const name = [record.family_name, record.given_name].filter(Boolean).join(', ') || `#${record.id}`;
  page.append(
    h('p', {}, h('a', {href: '#/revenue?view=patients'}, '← Patients')),
    h('h1', {}, `Patient ${name}`),
    h('dl', {class: 'facts'},
      h('dt', {}, 'Birth date'), h('dd', {}, record.birth_date ?? '—'),
      h('dt', {}, 'Identifiers'), h('dd', {}, record.identifiers.map((i) => i.value).join('; ') || '—')),
    section('Coverages', dataTable({
      columns: ['Payer', 'Member id', 'Plan', 'Priority', 'Eligibility', 'Checked', 'Check'],
      rows: record.coverages.map((c) => [c.payer_id, c.member_id, c.plan_name, c.priority,
        c.eligibility ? badge(c.eligibility.status) : 'not checked',
        c.eligibility ? when(c.eligibility.checked_at) : '', eligibilityButton(record.id, c, ctx)]),
    }, {empty: 'No coverage.'})),
    section('Authorizations', dataTable({
      columns: ['Request', 'Payer', 'Member id', 'Procedure', 'Date of service', 'Decision', 'Authorization', 'Valid'],
      rows: record.coverages.flatMap((c) => c.authorizations.map((a) => [a.id, c.payer_id, c.member_id,
        a.procedure, a.service_date, badge(a.decision), a.authorization_number,
        a.valid_from ? `${a.valid_from} to ${a.valid_to}` : ''])),
    }, {empty: 'No prior authorization asked.'})),
  );
}

export async function render(page, parts, query, ctx) {
  if (parts[0] === 'claims' && parts[1]) await renderClaim(page, parts[1], ctx);
  else if (parts[0] === 'patients' && parts[1]) await renderPatient(page, parts[1], ctx);
  else await renderViews(page, query, ctx);
}
