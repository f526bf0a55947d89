-- boot(quarantine_ms) on KEYS[8], KEYS[9] of one slot (KEYS[1..7] unused): (re)writes the slot's marker if it is
-- missing or stale, opening its quarantine. Returns {quarantine_ms_left, marker_was_missing_or_stale 0|1}.
local left, fresh = quarantine(now_ms(), tonumber(ARGV[1]))
return {left, fresh and 1 or 0}
