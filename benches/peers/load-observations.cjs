// Loads the data of the FHIR search benchmark into a FHIR server: PATIENTS patients, each with
// PER_PATIENT Observations (LOINC-coded vital signs and labs, one a day back from 2026-01-01),
// as one transaction Bundle per patient (the Patient and its Observations, linked by urn:uuid).
// Writes the patients' ids, one per line, to OUT for the search script.
//
//   node benches/peers/load-observations.cjs BASE_URL OUT [PATIENTS] [PER_PATIENT]
//   SWITCHBOARD_TOKEN (when set) is sent as a Bearer token.
const [base, out, patientsArg, perPatientArg] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: load-observations.cjs BASE_URL OUT [PATIENTS] [PER_PATIENT]');
  process.exit(2);
}
const patients = Number(patientsArg || 1000);
const perPatient = Number(perPatientArg || 100);
const codes = [
  ['8867-4', 'Heart rate', '/min', 60, 40],
  ['8480-6', 'Systolic blood pressure', 'mm[Hg]', 100, 60],
  ['8310-5', 'Body temperature', 'Cel', 36, 2],
  ['2339-0', 'Glucose [Mass/volume] in Blood', 'mg/dL', 70, 80],
  ['718-7', 'Hemoglobin [Mass/volume] in Blood', 'g/dL', 11, 6],
];
const token = process.env.SWITCHBOARD_TOKEN;
const headers = { 'content-type': 'application/fhir+json' };
if (token) headers.authorization = `Bearer ${token}`;
const fs = require('node:fs');

function bundle(p) {
  const patientUrl = `urn:uuid:00000000-0000-4000-8000-${String(p).padStart(12, '0')}`;
  const entry = [
    {
      fullUrl: patientUrl,
      resource: {
        resourceType: 'Patient',
        identifier: [{ system: 'urn:bench:mrn', value: `OBS-${p}-${Date.now()}` }],
        name: [{ family: `Search${p}`, given: ['Bench'] }],
        gender: p % 2 ? 'female' : 'male',
        birthDate: '1970-01-01',
      },
      request: { method: 'POST', url: 'Patient' },
    },
  ];
  for (let n = 0; n < perPatient; n++) {
    const [code, display, unit, low, span] = codes[n % codes.length];
    const day = new Date(Date.UTC(2026, 0, 1) - n * 86400000).toISOString().slice(0, 10);
    entry.push({
      resource: {
        resourceType: 'Observation',
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
        code: { coding: [{ system: 'http://loinc.org', code, display }] },
        subject: { reference: patientUrl },
        effectiveDateTime: day,
        valueQuantity: { value: low + ((p * 31 + n * 7) % span), unit, system: 'http://unitsofmeasure.org', code: unit },
      },
      request: { method: 'POST', url: 'Observation' },
    });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

async function main() {
  const ids = [];
  const started = Date.now();
  for (let p = 1; p <= patients; p++) {
    const response = await fetch(base, { method: 'POST', headers, body: JSON.stringify(bundle(p)) });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`patient ${p}: ${response.status} ${text.slice(0, 500)}`);
    }
    const answer = JSON.parse(text);
    const location = answer.entry?.[0]?.response?.location ?? '';
    const id = location.split('/')[1];
    if (!id) throw new Error(`patient ${p}: no location in ${text.slice(0, 300)}`);
    ids.push(id);
  }
  fs.writeFileSync(out, ids.join('\n') + '\n');
  const seconds = (Date.now() - started) / 1000;
  console.log(`${patients} patients, ${patients * perPatient} Observations in ${seconds.toFixed(1)} s`);
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
