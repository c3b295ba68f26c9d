// Drives the web console in headless Chromium against a running engine with real data.
// Run by tests/console.rs, which sets:
//   CONSOLE_URL, ADMIN_TOKEN, VIEWER_TOKEN, SCREENSHOT_DIR, CONTROL_ID (an HL7 v2 message sent
//   over MLLP), MLLP_ADDRESS (where it was sent), CLAIM_NUMBER (a claim the payer rejected),
//   CHROMIUM (the browser binary), TRIAL_MESSAGE_ID (a stored HL7 v2 ADT to try the
//   lab-edits channel's transform on).
// Exits 0 when every step passed; otherwise prints the failed step and exits 1.

import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import {chromium} from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const URL = env('CONSOLE_URL');
const ADMIN = env('ADMIN_TOKEN');
const VIEWER = env('VIEWER_TOKEN');
const SHOTS = env('SCREENSHOT_DIR');
const CONTROL_ID = env('CONTROL_ID');
const MLLP_ADDRESS = env('MLLP_ADDRESS');
const CLAIM = env('CLAIM_NUMBER');
const CHANNEL = 'hl7v2-mllp-inbound';
// The engine's HTTP address as its node lists it.
const ENGINE_ADDRESS = URL.replace(/^https?:\/\//, '').replace(/\/$/, '');

let step = 'start';
const problems = [];

function watch(page) {
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // A refused request is logged by the browser; the console shows it to the user itself.
    if (msg.type() === 'error' && !/status of (401|403|422)/.test(msg.text())) {
      problems.push(`console error: ${msg.text()}`);
    }
  });
}

async function shot(page, name) {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((e) => e.offsetParent !== null && e.labels.length === 0).map((e) => e.outerHTML));
  assert.deepEqual(unlabelled, [], `${name}: every visible input has a label`);
  assert.doesNotMatch(await page.locator('#view').innerText(), /^(null|undefined|\[object Object\])+$/m,
    `${name}: no empty value is printed`);
  await page.screenshot({path: path.join(SHOTS, `${name}.png`), fullPage: true});
}

/** The channel file as the engine has it now. */
async function serverConfig() {
  const response = await fetch(`${URL}/api/channels/${CHANNEL}/config`, {headers: {Authorization: `Bearer ${ADMIN}`}});
  assert.equal(response.status, 200);
  return response.text();
}

/** Sends one HL7 v2 message over MLLP and answers the ACK. */
function sendMllp(message) {
  const [host, port] = MLLP_ADDRESS.split(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host, () => {
      socket.write(Buffer.concat([Buffer.from([0x0b]), Buffer.from(message), Buffer.from([0x1c, 0x0d])]));
    });
    let answer = '';
    socket.on('data', (data) => {
      answer += data.toString();
      if (answer.endsWith('\x1c\r')) {
        socket.end();
        resolve(answer);
      }
    });
    socket.on('error', reject);
    socket.setTimeout(10000, () => {
      socket.destroy();
      reject(new Error('no ACK within 10 s'));
    });
  });
}

async function signIn(page, token) {
  await page.goto(URL);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByRole('navigation', {name: 'Main'}).waitFor();
}

async function asAdmin(browser) {
  const page = await browser.newPage({viewport: {width: 1366, height: 900}});
  watch(page);

  step = 'the page is served with a strict Content-Security-Policy';
  const response = await page.goto(URL);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'/);

  step = 'a wrong token is refused at sign-in';
  await page.getByLabel('API token').fill('sbt_not_a_real_token');
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.locator('#sign-in-error', {hasText: 'Not signed in'}).waitFor();

  step = 'the admin signs in and sees the channels on the dashboard';
  await signIn(page, ADMIN);
  await page.getByRole('heading', {name: 'Dashboard', level: 1}).waitFor();
  await page.locator('#view table').getByRole('link', {name: CHANNEL}).waitFor();
  const row = page.locator('#view table tr', {has: page.getByRole('link', {name: CHANNEL})});
  await row.getByText('started').waitFor();
  assert.equal(await row.locator('svg.chart').count(), 1, 'a throughput chart per channel');
  await page.getByText('received in the last hour').waitFor();
  const errors = page.getByRole('region', {name: 'Recent errors'});
  await errors.getByRole('row', {name: /CONSOLE-BAD/}).waitFor();
  const dead = page.getByRole('region', {name: 'Dead letters'});
  await dead.getByRole('row', {name: /lab-forward/}).waitFor();
  const nodes = page.getByRole('region', {name: 'Nodes'});
  const node = nodes.getByRole('row', {name: ENGINE_ADDRESS});
  await node.getByText('live', {exact: true}).waitFor();
  await node.getByText(/^version \d+$/).waitFor();
  await page.getByText('nodes live').waitFor();
  await shot(page, 'dashboard');

  step = 'the dashboard refreshes by itself when a message arrives';
  const received = row.locator('td').nth(3);
  const count = Number(await received.innerText());
  const ack = await sendMllp(`MSH|^~\\&|EHR|CLINIC|SB|SB|20261125||ADT^A08|${CONTROL_ID}-LIVE|P|2.5\rPID|1||MRN-CONSOLE^^^CLINIC^MR||Hopper^Grace\r`);
  assert.match(ack, /MSA\|AA/);
  await page.waitForFunction(({name, n}) => {
    const link = [...document.querySelectorAll('#view table a')].find((a) => a.textContent === name);
    return link && Number(link.closest('tr').cells[3].textContent) > n;
  }, {name: CHANNEL, n: count}, {timeout: 25000});

  step = 'a dead letter is replayed from the dashboard';
  await dead.getByRole('button', {name: 'Replay'}).first().click();
  await page.locator('#notice', {hasText: 'is back in its queue'}).waitFor();

  step = 'the channels page lists channels and routing rules';
  await page.getByRole('navigation', {name: 'Main'}).getByRole('link', {name: 'Channels'}).click();
  await page.getByRole('heading', {name: 'Routing rules'}).waitFor();
  await page.getByRole('heading', {name: 'hl7v2-known-types'}).waitFor();
  await shot(page, 'channels');

  step = 'a channel is stopped and started again';
  const fhir = page.locator('#view table tr', {has: page.getByRole('link', {name: 'fhir-http-inbound'})});
  await fhir.getByRole('button', {name: 'Stop'}).click();
  await fhir.getByText('stopped').waitFor();
  await fhir.getByRole('button', {name: 'Start'}).click();
  await fhir.getByText('started').waitFor();

  step = 'a channel opens with its TOML file';
  await page.getByRole('link', {name: CHANNEL}).click();
  await page.getByRole('heading', {name: `Channel ${CHANNEL}`}).waitFor();
  const editor = page.getByLabel('Channel file (TOML)');
  await page.waitForFunction(() => document.getElementById('channel-config').value.includes('[source]'));
  const original = await editor.inputValue();
  assert.match(original, new RegExp(`name = "${CHANNEL}"`));

  step = 'an edited description is checked, then deployed';
  const description = `Edited in the console ${Date.now()}`;
  const edited = original.replace(/^description = .*$/m, `description = "${description}"`);
  assert.notEqual(edited, original);
  await editor.fill(edited);
  await page.getByRole('button', {name: 'Check'}).click();
  await page.getByText('The file is valid').waitFor();
  await page.getByRole('button', {name: 'Deploy', exact: true}).click();
  await page.getByText(`Deployed: ${CHANNEL} runs the new file.`).waitFor();
  await page.locator('dl.facts dd', {hasText: description}).waitFor();
  assert.match(await serverConfig(), new RegExp(description));

  step = 'a bad edit is refused with its line and field, and changes nothing';
  const bad = edited.replace(/^(description = .*)$/m, '$1\nretries = 3');
  const badLine = bad.split('\n').findIndex((l) => l === 'retries = 3') + 1;
  await editor.fill(bad);
  await page.getByRole('button', {name: 'Deploy', exact: true}).click();
  const problem = page.locator('.problems li').first();
  await problem.waitFor();
  const text = await problem.innerText();
  assert.match(text, new RegExp(`line ${badLine}`), text);
  assert.match(text, /retries/, text);
  assert.match(text, /unknown field/, text);
  await page.locator('#notice', {hasText: 'Refused (422)'}).waitFor();
  await problem.getByRole('button').click();
  assert.equal(await page.evaluate(() => {
    const e = document.getElementById('channel-config');
    return e.value.slice(e.selectionStart, e.selectionEnd);
  }), 'retries = 3', 'the problem puts the cursor on its line');
  await shot(page, 'channel-edit');
  assert.match(await serverConfig(), new RegExp(description));
  assert.doesNotMatch(await serverConfig(), /retries/);

  step = 'the message sent over MLLP is found by its control id';
  await page.getByRole('navigation', {name: 'Main'}).getByRole('link', {name: 'Messages'}).click();
  await page.getByLabel('Control id').fill(CONTROL_ID);
  await page.getByRole('button', {name: 'Search'}).click();
  await page.getByText('1 message(s), newest first.').waitFor();
  const result = page.locator('#view table tbody tr');
  assert.equal(await result.count(), 1);
  assert.match(await result.innerText(), new RegExp(CONTROL_ID));
  await shot(page, 'messages');

  step = 'messages are found by a patient\'s name';
  await page.getByLabel('Control id').fill('');
  await page.getByLabel('Patient or text').fill('Hopper');
  await page.getByRole('button', {name: 'Search'}).click();
  await page.waitForURL(/text=Hopper/);
  await page.getByText('2 message(s), newest first.').waitFor();

  step = 'messages show their type and sender, and are found by them';
  const hopper = await page.locator('#view table tbody').innerText();
  assert.match(hopper, /ADT\^A04/);
  assert.match(hopper, /ADT\^A08/);
  assert.match(hopper, /EHR\^CLINIC/);
  await page.getByLabel('Type').fill('ADT^A04');
  await page.getByLabel('Sender').fill('EHR^CLINIC');
  await page.getByRole('button', {name: 'Search'}).click();
  await page.waitForURL(/message_type=ADT%5EA04/);
  await page.getByText('1 message(s), newest first.').waitFor();
  assert.match(await result.innerText(), new RegExp(CONTROL_ID));
  await page.getByLabel('Sender').fill('NOBODY');
  await page.getByRole('button', {name: 'Search'}).click();
  await page.getByText('0 message(s), newest first.').waitFor();
  await page.getByLabel('Type').fill('');
  await page.getByLabel('Sender').fill('');
  await page.getByLabel('Patient or text').fill('');
  await page.getByLabel('Control id').fill(CONTROL_ID);
  await page.getByRole('button', {name: 'Search'}).click();
  await page.getByText('1 message(s), newest first.').waitFor();

  step = 'the message opens with its parsed tree, canonical records and events';
  await result.getByRole('link').click();
  await page.getByRole('heading', {name: /^Message #\d+$/}).waitFor();
  await page.getByText('Patient Identification').first().waitFor();
  const tree = page.locator('.tree');
  await tree.getByRole('cell', {name: 'Patient Name'}).first().waitFor();
  await tree.getByRole('cell', {name: 'Hopper^Grace^B'}).waitFor();
  await page.getByRole('heading', {name: 'Canonical records'}).waitFor();
  const records = page.locator('.records');
  await records.locator('caption', {hasText: 'patient'}).waitFor();
  await records.getByRole('cell', {name: 'Hopper', exact: true}).waitFor();
  await records.getByRole('cell', {name: 'V-CONSOLE', exact: true}).waitFor();
  // An admission without allergies made no FHIR resources of its own.
  await page.getByRole('heading', {name: 'FHIR resources'}).waitFor();
  await page.getByText('No FHIR resources.').waitFor();
  await shot(page, 'message-detail');

  step = 'the message is reprocessed';
  const events = page.locator('ol.events li');
  const before = await events.count();
  await page.getByRole('button', {name: 'Reprocess'}).click();
  await page.locator('#notice', {hasText: 'Reprocessed message'}).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('ol.events li').length > n, before);

  step = 'an X12 message shows its segments and elements';
  await page.goto(`${URL}/#/messages?channel=x12-inbox`);
  await page.locator('#view table tbody tr').first().getByRole('link').click();
  await page.getByRole('heading', {name: /^Message #\d+$/}).waitFor();
  await page.getByRole('cell', {name: 'CLP', exact: true}).first().waitFor();
  await page.getByText('CLP01').first().waitFor();
  await shot(page, 'message-x12');

  step = 'the claims worklist shows the claim; the rejection shows its reason';
  await page.getByRole('navigation', {name: 'Main'}).getByRole('link', {name: 'Revenue cycle'}).click();
  await page.getByRole('link', {name: CLAIM}).waitFor();
  await page.getByLabel('Status').selectOption('rejected');
  await page.getByRole('button', {name: 'Show'}).click();
  await page.waitForURL(/status=rejected/);
  await page.getByRole('link', {name: CLAIM}).waitFor();
  await shot(page, 'claims');
  await page.getByRole('link', {name: 'Rejected and denied'}).click();
  // The claims list shows the same claim: wait for the worklist itself before reading its row.
  await page.getByRole('columnheader', {name: 'Reason'}).waitFor();
  const rejected = page.locator('#view table tbody tr', {has: page.getByRole('link', {name: CLAIM})});
  await rejected.waitFor();
  assert.match(await rejected.innerText(), /562|A7/, 'the payer\'s reason is shown');
  await page.getByRole('link', {name: 'Remittances'}).click();
  await page.getByRole('heading', {name: 'Remittances', level: 2}).waitFor();
  const remittance = page.locator('#view table tbody tr', {hasText: '7170066655'});
  await remittance.waitFor();
  assert.match(await remittance.innerText(), /\$945\.00/);
  assert.match(await remittance.innerText(), /balanced/);
  await shot(page, 'remittances');
  step = 'the payments that match no claim wait on their worklist';
  await page.getByRole('link', {name: 'Unmatched payments'}).click();
  await page.locator('#view table tbody tr', {hasText: '7170066655'}).first().waitFor();
  await page.getByRole('button', {name: 'Match'}).first().waitFor();
  await shot(page, 'unmatched');

  step = 'the reports show as tables';
  await page.getByRole('link', {name: 'Reports'}).click();
  await page.getByLabel('Report', {exact: true}).selectOption('financial-summary');
  await page.getByRole('button', {name: 'Show'}).click();
  await page.locator('#view table tbody tr', {hasText: 'TOTAL'}).waitFor();
  await page.getByRole('button', {name: 'Download financial-summary.csv'}).waitFor();
  await page.getByRole('img', {name: 'financial-summary: billed'}).waitFor();
  await shot(page, 'reports');

  await page.getByRole('link', {name: 'Rejected and denied'}).click();
  await page.getByRole('link', {name: CLAIM}).click();
  await page.getByRole('heading', {name: `Claim ${CLAIM}`}).waitFor();
  await page.getByRole('heading', {name: 'History'}).waitFor();
  await shot(page, 'claim-detail');

  step = 'a page left before it has loaded leaves nothing behind';
  await page.evaluate(() => {
    window.location.hash = '#/revenue?view=problems';
    setTimeout(() => { window.location.hash = '#/dashboard'; }, 0);
  });
  await page.getByRole('heading', {name: 'Dashboard', level: 1}).waitFor();
  await page.waitForTimeout(1500);
  assert.deepEqual(await page.locator('#view h1').allInnerTexts(), ['Dashboard']);

  step = 'signing out forgets the token';
  await page.getByRole('button', {name: 'Sign out'}).click();
  await page.getByLabel('API token').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await page.close();
}

async function asViewer(browser) {
  const page = await browser.newPage({viewport: {width: 1366, height: 900}});
  watch(page);

  step = 'a viewer signs in with the keyboard alone';
  await page.goto(URL);
  await page.keyboard.type(VIEWER);
  await page.keyboard.press('Enter');
  await page.getByRole('navigation', {name: 'Main'}).waitFor();

  step = 'a viewer sees no working deploy or control buttons';
  await page.getByText('console-viewer (viewer)').waitFor();
  await page.goto(`${URL}/#/channels/${CHANNEL}`);
  await page.getByRole('heading', {name: `Channel ${CHANNEL}`}).waitFor();
  await page.getByText('Editing needs the admin role').waitFor();
  assert.equal(await page.getByRole('button', {name: 'Deploy', exact: true}).count(), 0);
  assert.equal(await page.getByLabel('Channel file (TOML)').getAttribute('readonly'), '');
  for (const name of ['Stop', 'Pause', 'Redeploy']) {
    assert.ok(await page.getByRole('button', {name, exact: true}).isDisabled(), `${name} is disabled`);
  }
  await shot(page, 'viewer-channel');

  step = 'a viewer cannot reprocess a message';
  await page.goto(`${URL}/#/messages?control_id=${CONTROL_ID}`);
  await page.locator('#view table tbody tr').getByRole('link').click();
  await page.getByRole('heading', {name: /^Message #\d+$/}).waitFor();
  assert.ok(await page.getByRole('button', {name: 'Reprocess'}).isDisabled());
  await page.close();

  step = 'when the page believes the viewer is an admin, the API still refuses and says why';
  const fooled = await browser.newPage({viewport: {width: 1366, height: 900}});
  watch(fooled);
  await fooled.route('**/api/whoami', (route) => route.fulfill({
    json: {name: 'console-viewer', role: 'admin'},
  }));
  await signIn(fooled, VIEWER);
  await fooled.goto(`${URL}/#/channels/${CHANNEL}`);
  await fooled.waitForFunction(() => document.getElementById('channel-config')?.value.includes('[source]'));
  const editor = fooled.getByLabel('Channel file (TOML)');
  await editor.fill((await editor.inputValue()).replace(/^description = .*$/m, 'description = "viewer edit"'));
  await fooled.getByRole('button', {name: 'Deploy', exact: true}).click();
  const notice = fooled.locator('#notice');
  await notice.getByText('403 Forbidden').waitFor();
  assert.match(await notice.innerText(), /needs the admin role/);
  await shot(fooled, 'viewer-refused');
  assert.doesNotMatch(await serverConfig(), /viewer edit/);
  await fooled.close();
}

// ---- Questions to payers: eligibility, prior authorization, a claim's status --------------
// No payer answers in this deployment, so each request shows as sent; the answer, when a payer
// sends one, fills the same rows (tests/payer_inquiries.rs checks the answers end to end).
async function askingPayers(browser) {
  const page = await browser.newPage({viewport: {width: 1366, height: 900}});
  watch(page);
  await signIn(page, ADMIN);

  step = 'an eligibility check is asked from its form and listed';
  await page.goto(`${URL}/#/revenue?view=eligibility`);
  await page.getByRole('heading', {name: 'Eligibility', level: 2}).waitFor();
  await page.getByLabel('Member id').fill('MEM12345');
  await page.getByLabel('Date of service').fill('2026-11-24');
  await page.getByRole('button', {name: 'Ask the payer'}).click();
  await page.waitForURL(/view=eligibility&asked=\d+/);
  const check = page.locator('#view table tbody tr', {hasText: 'MEM12345'}).first();
  await check.waitFor();
  assert.match(await check.innerText(), /HMO1[\s\S]*sent/);
  await shot(page, 'eligibility');

  step = 'a prior authorization is asked from its form and listed';
  await page.getByRole('link', {name: 'Prior authorizations'}).click();
  await page.getByRole('heading', {name: 'Prior authorizations', level: 2}).waitFor();
  await page.getByLabel('Member id').fill('MEM12345');
  await page.getByLabel('Procedure').fill('70553');
  await page.getByLabel('Diagnosis').fill('J06.9');
  await page.getByRole('button', {name: 'Ask the payer'}).click();
  await page.waitForURL(/view=prior-auth&asked=\d+/);
  const authorization = page.locator('#view table tbody tr', {hasText: '70553'}).first();
  await authorization.waitFor();
  assert.match(await authorization.innerText(), /MEM12345[\s\S]*sent/);
  await shot(page, 'prior-auth');

  step = 'a claim\'s status is asked from its page and listed there';
  await page.goto(`${URL}/#/revenue?view=problems`);
  await page.getByRole('link', {name: CLAIM}).click();
  await page.getByRole('heading', {name: 'Claim status'}).waitFor();
  await page.getByText('Not asked yet.').waitFor();
  await page.getByRole('button', {name: 'Ask the payer for its status'}).click();
  const asked = page.getByRole('region', {name: 'Claim status'}).locator('tbody tr', {hasText: 'sent'});
  await asked.waitFor();
  assert.match(await asked.innerText(), /SBS\d{9}/);
  await shot(page, 'claim-status');

  step = 'a patient\'s page checks eligibility of a coverage and shows the requests';
  await page.goto(`${URL}/#/revenue?view=patients`);
  await page.locator('#view table tbody tr a').first().click();
  await page.getByRole('heading', {name: 'Coverages'}).waitFor();
  const coverage = page.getByRole('region', {name: 'Coverages'}).locator('tbody tr').first();
  assert.match(await coverage.innerText(), /HMO1/);
  await page.getByRole('button', {name: /^Check eligibility of /}).first().click();
  await page.waitForURL(/patients\/\d+\?checked=/);
  await page.getByRole('region', {name: 'Authorizations'}).locator('tbody tr', {hasText: '70553'}).waitFor();
  await shot(page, 'patient');
  await page.close();
}
// ---- end of questions to payers -----------------------------------------------------------

// ---- Transform panel: show a channel's transform and test it on a message (begin) ----
const TRIAL_MESSAGE_ID = env('TRIAL_MESSAGE_ID');

async function transformTrial(browser) {
  const page = await browser.newPage({viewport: {width: 1366, height: 900}});
  watch(page);
  await signIn(page, ADMIN);

  step = 'a channel page shows its transform';
  await page.goto(`${URL}/#/channels/lab-edits`);
  const panel = page.getByRole('region', {name: 'Transform'});
  await panel.waitFor();
  const text = panel.getByLabel('Edit list or script');
  await page.waitForFunction(() => document.getElementById('transform-text')?.value.includes('hl7v2-edit'));
  assert.match(await panel.innerText(), /mappings\/adt-to-lab\.toml/);

  step = 'testing the transform on a stored message shows input, output and trail side by side';
  await panel.getByLabel('Stored message id').fill(TRIAL_MESSAGE_ID);
  await panel.getByRole('button', {name: 'Test', exact: true}).click();
  await page.locator('#trial-output').getByText('|LAB|LABFAC|').waitFor();
  assert.match(await page.locator('#trial-input').innerText(), /^MSH\|\^~\\&\|EHR\|CLINIC\|SWITCHBOARD\|SB\|/);
  assert.match(await page.locator('#trial-trail').innerText(), /edit list 'adt-to-lab', edit 1: set MSH-5 = "LAB"/);

  step = 'an edited list is tried on a pasted message without being saved';
  await text.fill((await text.inputValue()).replace('value = "LAB"', 'value = "LAB9"'));
  await panel.getByLabel('Stored message id').fill('');
  await panel.getByLabel('or paste a message').fill(
    'MSH|^~\\&|EHR|GENHOSP|SB|SB|20261125||ADT^A08|TRY-1|P|2.5.1\rPID|1||M1^^^GENHOSP^MR||Doe^Ann\rZPI|1|VIP\r');
  await panel.getByRole('button', {name: 'Test', exact: true}).click();
  await page.locator('#trial-output').getByText('|LAB9|LABFAC|').waitFor();
  const output = await page.locator('#trial-output').innerText();
  assert.match(output, /PID\|1\|\|M1\^\^\^GH\^MR/);
  assert.doesNotMatch(output, /ZPI/);
  await shot(page, 'transform-trial');
  const saved = await (await fetch(`${URL}/api/channels/lab-edits/transform`,
    {headers: {Authorization: `Bearer ${ADMIN}`}})).json();
  assert.match(saved.text, /value = "LAB"\n/);

  step = 'an edited list with a problem is refused with its line';
  await text.fill('kind = "hl7v2-edit"\n[[edit]]\nset = "MSH-5"\n');
  await panel.getByRole('button', {name: 'Test', exact: true}).click();
  await panel.getByText('The edited transform is refused:').waitFor();
  await page.close();

  step = 'a viewer sees the transform but cannot test it';
  const viewer = await browser.newPage({viewport: {width: 1366, height: 900}});
  watch(viewer);
  await signIn(viewer, VIEWER);
  await viewer.goto(`${URL}/#/channels/lab-edits`);
  const seen = viewer.getByRole('region', {name: 'Transform'});
  await seen.getByRole('button', {name: 'Test', exact: true}).waitFor();
  assert.ok(await seen.getByRole('button', {name: 'Test', exact: true}).isDisabled());
  await viewer.close();
}
// ---- Transform panel (end) ----

const browser = await chromium.launch({executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium'});
try {
  await asAdmin(browser);
  await asViewer(browser);
  await askingPayers(browser);
  await transformTrial(browser);
  assert.deepEqual(problems, [], 'no script errors or policy violations in the pages');
  console.log('console browser test: every step passed');
} catch (err) {
  console.error(`console browser test failed at step: ${step}\n${err.stack ?? err}`);
  if (problems.length) console.error(`page problems:\n${problems.join('\n')}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
