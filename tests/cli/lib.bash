# tests/cli/lib.bash - sourced by the CLI tests (after tests/lib/common.sh):
# a configuration whose state_dir is inside $TEST_TMP, and helpers.
#
#   by ARGS...        run bootyard with that configuration
#   jpy EXPR          read JSON on stdin as d, print Python's EXPR of it
#   snapshot          `host list --json` + `distro list --json`, for
#                     "nothing was written" comparisons

CONF=$TEST_TMP/bootyard.conf
STATE=$TEST_TMP/state
mkdir -p "$STATE"
printf '[appliance]\nstate_dir = %s\n' "$STATE" >"$CONF"

by() { "$BOOTYARD" -c "$CONF" "$@"; }

jpy() {
	python3 -c 'import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

snapshot() {
	by --json host list && by --json distro list
}
