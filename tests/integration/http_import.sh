#!/usr/bin/env bash
# POST /api/v1/distros/import and GET /api/v1/imports against a real
# `bootyard serve`: a netboot tree under files_dir is imported in the
# background and becomes a distribution with the Debian command line and
# stock preseed; sources outside files_dir (a path, a "..", a symlink out)
# are refused (422), a taken name is 409, and a source that is no
# installer ends "failed" with nothing left under files_dir.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"

http_start
src=$STATE/files/incoming/netboot
mkdir -p "$src/debian-installer/amd64"
head -c 200000 /dev/urandom >"$src/debian-installer/amd64/linux"
head -c 300000 /dev/urandom >"$src/debian-installer/amd64/initrd.gz"
printf 'Debian version:  12 (bookworm)\n' >"$src/version.info"

# wait_import: poll GET /api/v1/imports until the job is not running
wait_import() {
	local i
	for i in $(seq 1 100); do
		api GET /api/v1/imports
		[[ $body == *'"state":"running"'* ]] || return 0
		sleep 0.1
	done
	fail "the import did not end: $body"
}

api_expect 200 "import status before any import" GET /api/v1/imports
expect_contains "$body" '"state":"idle"' "idle at start"
api_expect 202 "import accepted" POST /api/v1/distros/import "{\"name\":\"deb12\",\"from\":\"$src\"}"
wait_import
expect_contains "$body" '"state":"done"' "import done"
expect_contains "$body" '"family":"debian"' "recognised as Debian"
check "kernel under files_dir/deb12" cmp "$src/debian-installer/amd64/linux" "$STATE/files/deb12/amd64/linux"
api_expect 200 "the distro exists" GET /api/v1/distros/deb12
expect_contains "$body" '"cmdline":"auto=true priority=critical url={{install_url}}' "Debian command line"
expect_contains "$body" '"template_name":"preseed.cfg"' "stock preseed"

snap() { (cd "$STATE/files" && find . | sort); }
# refused STATUS BODY WHAT: an import request answered STATUS.
refused() {
	api_expect "$1" "$3" POST /api/v1/distros/import "$2"
}
# import_fails JSON ACCEPTED FAILED WHY: the import JSON is accepted, then
# fails saying WHY, and leaves nothing under files_dir.
import_fails() {
	local before
	before=$(snap)
	api_expect 202 "$2" POST /api/v1/distros/import "$1"
	wait_import
	expect_contains "$body" '"state":"failed"' "$3"
	expect_contains "$body" "$4" "says why"
	expect_eq "$(snap)" "$before" "nothing left under files_dir"
}
import_fails "{\"name\":\"deb12\",\"from\":\"$src\"}" \
	"an existing distribution: accepted" "nothing new to add: failed" \
	"nothing to add"
# the arm64 tree of the same release adds its arm64 kernel
src64=$STATE/files/incoming/netboot64
mkdir -p "$src64/debian-installer/arm64"
head -c 100000 /dev/urandom >"$src64/debian-installer/arm64/linux"
head -c 100000 /dev/urandom >"$src64/debian-installer/arm64/initrd.gz"
cp "$src/version.info" "$src64/"
api_expect 202 "arm64 tree accepted" POST /api/v1/distros/import "{\"name\":\"deb12\",\"from\":\"$src64\"}"
wait_import
expect_contains "$body" '"state":"done"' "arm64 added"
expect_contains "$body" '"arches":"amd64 arm64","added":true' "the result names both"
api GET /api/v1/distros/deb12
expect_contains "$body" '"kernel":"deb12/amd64/linux"' "amd64 kernel kept (the compatible field)"
expect_contains "$body" '"arm64":{"kernel":"deb12/arm64/linux","initrd":"deb12/arm64/initrd.gz"}' "arm64 kernel in kernels"
check "arm64 kernel under files_dir/deb12/arm64" cmp "$src64/debian-installer/arm64/linux" "$STATE/files/deb12/arm64/linux"
refused 422 '{"name":"etc","from":"/etc"}' "a path outside files_dir is refused"
refused 422 "{\"name\":\"up\",\"from\":\"$STATE/files/../..\"}" \
	"a path climbing out of files_dir is refused"
ln -s /usr "$STATE/files/incoming/out"
before=$(snap)
refused 422 "{\"name\":\"out\",\"from\":\"$STATE/files/incoming/out\"}" \
	"a symlink out of files_dir is refused"
refused 422 '{"name":"x","from":"ftp://198.18.0.1/x.iso"}' "only http(s) URLs"
refused 422 '{"name":"Bad Name","from":"http://198.18.0.1/x.iso"}' "a bad name is refused"
refused 422 '{"name":"x","from":"http://198.18.0.1/x.iso","extra":1}' \
	"unknown members are refused"
refused 400 'nope' "malformed JSON"
mkdir -p "$STATE/files/incoming/junk"
echo hi >"$STATE/files/incoming/junk/readme.txt"
import_fails "{\"name\":\"junk\",\"from\":\"$STATE/files/incoming/junk\"}" \
	"a local tree is accepted" "no installer: failed" "not an installer we know"
api_expect 404 "no distro made" GET /api/v1/distros/junk
expect_eq "$(code "$ADMIN/api/v1/imports")" 401 "the API needs the token"
http_stop_checked
done_checks
