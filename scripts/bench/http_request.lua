-- wrk script: one request shape per run, chosen by env BENCH_KIND.
--   group_query | bind | bind_unbind | face_add | recognize
-- BENCH_GROUP, BENCH_TOKEN and BENCH_IMAGE (a file path) fill the bodies.
local kind = os.getenv("BENCH_KIND")
local group = os.getenv("BENCH_GROUP") or "bench_group"
local token = os.getenv("BENCH_TOKEN") or ""
local image_path = os.getenv("BENCH_IMAGE")
local boundary = "----facepassbench7d9a"

local function read_file(p)
  local f = assert(io.open(p, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

local function part(name, value, filename)
  local head = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\""
  if filename then head = head .. "; filename=\"" .. filename .. "\"\r\nContent-Type: image/jpeg" end
  return head .. "\r\n\r\n" .. value .. "\r\n"
end

local json_headers = { ["Content-Type"] = "application/json" }
local form_headers = { ["Content-Type"] = "multipart/form-data; boundary=" .. boundary }
local toggle = false
local bodies = {}

function init(args)
  local binding = '{"group_name":"' .. group .. '","face_token":"' .. token .. '"}'
  bodies.query = '{"group_name":"' .. group .. '"}'
  bodies.binding = binding
  if image_path then
    local img = read_file(image_path)
    bodies.add = part("image", img, "face.jpg") .. "--" .. boundary .. "--\r\n"
    bodies.recognize = part("group_name", group) .. part("face_data", '{"faces":[{"track_id":1}]}')
      .. part("image_1", img, "capture.jpg") .. "--" .. boundary .. "--\r\n"
  end
end

function request()
  if kind == "group_query" then
    return wrk.format("POST", "/api/group/v1/query", json_headers, bodies.query)
  elseif kind == "bind" then
    return wrk.format("POST", "/api/group/v1/bind", json_headers, bodies.binding)
  elseif kind == "bind_unbind" then
    toggle = not toggle
    return wrk.format("POST", toggle and "/api/group/v1/bind" or "/api/group/v1/unbind", json_headers, bodies.binding)
  elseif kind == "face_add" then
    return wrk.format("POST", "/api/face/v1/add", form_headers, bodies.add)
  elseif kind == "recognize" then
    return wrk.format("POST", "/api/service/recognize/v1", form_headers, bodies.recognize)
  end
  return wrk.format("GET", "/api/version/v1")
end

local non2xx = 0
function response(status, headers, body)
  if status ~= 200 and kind ~= "bind_unbind" then non2xx = non2xx + 1 end
end
