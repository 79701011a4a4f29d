#!/usr/bin/env bash
# Runs every test program of one or more build folders, and every script test, then prints the
# total as `N passed, N failed[, N skipped]`. Exits non-zero if anything failed or crashed.
set -u
cd "$(dirname "$0")/.."
export VECTORS="${VECTORS:-$(cd .. && pwd)/shared/vectors}"
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() { # label, command...
	local label=$1
	shift
	"$@" >"$log" 2>&1
	local rc=$?
	local line
	line=$(grep '^T-RESULT ' "$log" | tail -n 1)
	grep -v '^T-RESULT ' "$log" | grep -E '^(FAIL|NOT COVERED)|ERROR|runtime error' | head -n 40
	if [ -z "$line" ]; then
		echo "CRASH $label (exit $rc, no result line):"
		tail -n 20 "$log"
		failed=$((failed + 1))
		return
	fi
	set -- $line
	local p=$3 f=$4 s=$5
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "CRASH $label exited $rc after reporting no failure:"
		tail -n 20 "$log"
		f=1
	fi
	printf '  %-36s %4d ok %3d failed %3d not covered\n' "$label" "$p" "$f" "$s"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

for build in "$@"; do
	for t in "$build"/tests/unit/* "$build"/tests/vectors/* "$build"/tests/sim/*; do
		[ -x "$t" ] || continue
		run_one "$build:${t#"$build"/tests/}" "$t"
	done
done
# Script tests (real processes) run once, against the first build.
for t in tests/cli/*.sh tests/net/*.sh; do
	[ -f "$t" ] && [ "${t##*/}" != lib.sh ] || continue
	run_one "${t#tests/}" env WEFT_BUILD="$1" bash "$t"
done

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
