-- wrk script: each request creates a new Patient (a fresh identifier) with POST [base]/Patient.
-- Use it against both servers with the same settings, e.g.
--   wrk -t2 -c8 -d20s --latency -s benches/peers/fhir-post-patient.lua http://127.0.0.1:8080/fhir
local counter = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("SWITCHBOARD_TOKEN")
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"resourceType":"Patient","identifier":[{"system":"urn:bench","value":"W%d-%d-%d"}],' ..
    '"name":[{"family":"Bench","given":["Wendy"]}],"gender":"female","birthDate":"1980-02-03"}',
    os.time(), thread_id, counter)
  local headers = { ["Content-Type"] = "application/fhir+json" }
  if token then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", wrk.path .. "/Patient", headers, body)
end

function response(status, headers, body)
  if status ~= 201 and status ~= 200 then
    print("unexpected status " .. status .. ": " .. body)
  end
end
