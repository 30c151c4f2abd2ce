#!/bin/sh
# make bench: run every tests/bench/*.sh (FK_BENCH=glob picks some), then
# repeat the table rows they printed ("| ..." lines) as one summary.
# Figures are printed, never asserted.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${FK_BIN:?}"
export FK_BIN FK_TESTDIR="$here/.."
out=$(mktemp); trap 'rm -f "$out"' EXIT
for b in "$here"/*.sh; do
	case ${b##*/} in run.sh) continue ;; ${FK_BENCH:-*}) ;; *) continue ;; esac
	echo "== ${b##*/}"
	sh "$b" 2>&1 | tee -a "$out"
done
echo
echo "== summary (ratio > 1 means fk is better; targets from the issues)"
grep '^|' "$out" | awk '!/^\| *benchmark/ || !seen++' 
