#!/bin/sh
# Test runner: every C unit test in $FK_BIN/tests/unit/ and every
# tests/NNN-*.sh script.  Each prints TAP-style "ok - ..." and
# "not ok - ..." lines; a script that dies without reporting counts as one
# failure.  Ends with "N passed, N failed" and exits non-zero on any
# failure.  FK_TESTS=glob limits the scripts (e.g. FK_TESTS='1*').
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${FK_BIN:?FK_BIN must name the build directory}"
export FK_BIN FK_TESTDIR="$here"
pass=0 fail=0
log=$(mktemp); trap 'rm -f "$log"' EXIT

run_one() {	# name, command...
	name=$1; shift
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited $rc without reporting a failure" >>"$log"
		f=1
	fi
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		echo "FAIL $name ($p passed, $f failed)"
		grep -v '^ok ' "$log" | tail -n 40 | sed 's/^/    /'
	else
		echo "ok   $name ($p passed)"
	fi
}

if [ -z "${FK_TESTS:-}" ] || [ "${FK_TESTS}" = unit ]; then
	for t in "$FK_BIN"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		run_one "unit/${t##*/}" "$t"
	done
fi
for t in "$here"/[0-9][0-9][0-9]-*.sh; do
	[ -f "$t" ] || continue
	case ${t##*/} in ${FK_TESTS:-*}) ;; *) continue ;; esac
	run_one "${t##*/}" sh "$t"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
