-- wrk script: each request is a transaction Bundle of 100 new Patients (fresh identifiers)
-- POSTed to [base]. Resources per second = requests per second x 100.
--   wrk -t2 -c4 -d20s --latency -s benches/peers/fhir-post-bundle.lua http://127.0.0.1:8080/fhir
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
  local entries = {}
  for n = 1, 100 do
    entries[n] = string.format(
      '{"fullUrl":"urn:uuid:00000000-0000-4000-8000-%012d","resource":{"resourceType":"Patient",' ..
      '"identifier":[{"system":"urn:bench","value":"B%d-%d-%d-%d"}],"name":[{"family":"Bench","given":["Bea"]}],' ..
      '"gender":"female","birthDate":"1980-02-03"},"request":{"method":"POST","url":"Patient"}}',
      n, os.time(), thread_id, counter, n)
  end
  local body = '{"resourceType":"Bundle","type":"transaction","entry":[' .. table.concat(entries, ",") .. ']}'
  local headers = { ["Content-Type"] = "application/fhir+json" }
  if token then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", wrk.path, headers, body)
end

function response(status, headers, body)
  if status ~= 200 then
    print("unexpected status " .. status .. ": " .. string.sub(body, 1, 300))
  end
end
