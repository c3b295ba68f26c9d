-- wrk script: each request searches the Observations of one patient (a random one of those
-- load-observations.cjs wrote to the file named by PATIENT_IDS), first page of 20, newest first.
--   PATIENT_IDS=/tmp/ids wrk -t2 -c8 -d10s --latency -s benches/peers/fhir-search-observations.lua http://127.0.0.1:8080/fhir
local ids = {}

function init(args)
  token = os.getenv("SWITCHBOARD_TOKEN")
  for line in io.lines(os.getenv("PATIENT_IDS")) do
    if line ~= "" then table.insert(ids, line) end
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local id = ids[math.random(#ids)]
  local headers = { ["Accept"] = "application/fhir+json" }
  if token then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", wrk.path .. "/Observation?patient=Patient/" .. id .. "&_count=20&_sort=-date", headers)
end

function response(status, headers, body)
  if status ~= 200 then
    print("unexpected status " .. status .. ": " .. string.sub(body, 1, 300))
  end
end
