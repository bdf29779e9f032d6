-- One round trip per request: reads the caller's cached identity and, if it
-- is active, applies the GCRA rate limits of the caller and of its tenant.
--
-- KEYS[1]  cached identity of the caller ('' for callers without credentials)
-- KEYS[2]  the caller's bucket (per user, API key or IP)
-- KEYS[3]  the tenant's bucket ('' for callers without credentials)
-- KEYS[4…] keys of the caller's tenant whose values the caller wants read in
--          the same round trip (the versions a cached response depends on)
-- ARGV[1…7] requests per minute: free caller, free tenant, pro caller, pro tenant,
--          enterprise caller, enterprise tenant, caller without credentials
-- ARGV[8]  for an API key, the hex SHA-256 of the secret presented ('' else):
--          nothing is counted for a key whose secret does not match, so a
--          stranger who knows a key's visible prefix cannot use up its allowance
--
-- The identity is JSON written by the server with its status first
-- ({"s":"active",...,"plan":"free",...}); it is matched as text rather than
-- decoded, which keeps this script cheap enough to run on every request.
--
-- Returns {'miss'} when the identity is not cached (the server loads it from
-- PostgreSQL, caches it and calls again), {'revoked', identity}, {'forged'}
-- when the key's secret does not match, or
-- {'ok', identity, allowed (1/0), limit, remaining, retry_after_ms, reset_ms,
-- then, only when allowed and KEYS[4…] are given, Redis's lifetime (its run
-- id, new on every restart) and the value of each of KEYS[4…] (nil when
-- missing)}.
local identity = ''
local limits = {tonumber(ARGV[7]), 1}
if KEYS[1] ~= '' then
  identity = redis.call('GET', KEYS[1])
  if not identity then
    return {'miss'}
  end
  if string.sub(identity, 1, 14) ~= '{"s":"active",' then
    return {'revoked', identity}
  end
  if ARGV[8] ~= '' and not string.find(identity, '"hash":"' .. ARGV[8] .. '"', 1, true) then
    return {'forged'}
  end
  local plan = string.match(identity, '"plan":"(%a+)"')
  if plan == 'enterprise' then
    limits = {tonumber(ARGV[5]), tonumber(ARGV[6])}
  elseif plan == 'pro' then
    limits = {tonumber(ARGV[3]), tonumber(ARGV[4])}
  else
    limits = {tonumber(ARGV[1]), tonumber(ARGV[2])}
  end
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

-- Generic cell rate algorithm: one request per `interval` ms on average,
-- bursts of up to a sixth of the per-minute limit.
local function check(key, per_minute)
  local interval = 60000 / per_minute
  local burst = math.max(1, math.floor(per_minute / 6))
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then
    tat = now
  end
  local new_tat = tat + interval
  local allow_at = new_tat - burst * interval
  if now < allow_at then
    return {0, 0, math.ceil(allow_at - now), math.ceil(tat - now), new_tat}
  end
  return {1, math.floor((now - allow_at) / interval), 0, math.ceil(new_tat - now), new_tat}
end

local caller = check(KEYS[2], limits[1])
local tenant = {1, 0, 0, 0, 0}
if KEYS[3] ~= '' then
  tenant = check(KEYS[3], limits[2])
end
if caller[1] == 1 and tenant[1] == 1 then
  redis.call('SET', KEYS[2], caller[5], 'PX', math.ceil(caller[5] - now) + 1)
  if KEYS[3] ~= '' then
    redis.call('SET', KEYS[3], tenant[5], 'PX', math.ceil(tenant[5] - now) + 1)
  end
  local reply = {'ok', identity, 1, limits[1], caller[2], 0, caller[4]}
  if #KEYS >= 4 then
    reply[#reply + 1] = lifetime()
  end
  for i = 4, #KEYS do
    reply[#reply + 1] = redis.call('GET', KEYS[i])
  end
  return reply
end
return {'ok', identity, 0, limits[1], 0, math.max(caller[3], tenant[3]), caller[4]}
