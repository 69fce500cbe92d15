-- http_config.lua - wrk script: /ipxe/v1/config for MACs drawn at random
-- from the 10,000 hosts http_seed.c stores (52:54:01:00:HH:LL).
math.randomseed(os.time())
request = function()
	local i = math.random(0, 9999)
	local path = string.format(
		"/ipxe/v1/config?mac=52%%3A54%%3A01%%3A00%%3A%02x%%3A%02x&platform=efi",
		math.floor(i / 256), i % 256)
	return wrk.format("GET", path)
end
