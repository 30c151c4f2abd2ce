#!/bin/sh
# make bench: run every tests/bench/*.sh (FK_BENCH=glob picks some; lib.sh
# is their helpers), then repeat the table rows they printed ("| ..."
# lines) as one table: fk-shape's rows first in issue 10's order
# (Parquet, NDJSON, CSV, Avro, peak RSS), then the others as printed,
# every row padded to the eight columns.  Figures are printed, never
# asserted.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${FK_BIN:?}"
export FK_BIN FK_TESTDIR="$here/.."
out=$(mktemp); trap 'rm -f "$out"' EXIT
rev=$(git -C "$here" describe --always --dirty 2>/dev/null || echo unknown)
echo "make bench at $rev, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
echo "start: $(uptime)"
for b in "$here"/*.sh; do
	case ${b##*/} in run.sh|lib.sh) continue ;; ${FK_BENCH:-*}) ;; *) continue ;; esac
	echo "== ${b##*/}"
	sh "$b" 2>&1 | tee -a "$out"
done
echo
echo "== summary (ratio > 1 means fk is better; targets from the issues; met? is"
echo "   worked out only where the row's own script says; callgrind counts beside)"
echo "| mode | fk | peer | ratio | target | met? | instr/record fk (callgrind) | instr/record peer |"
echo "|---|---|---|---|---|---|---|---|"
# "\|" inside a cell (a pipe in a command) is kept whole while splitting.
grep '^|' "$out" | grep -v -E '^\| *(benchmark|mode) \||^\|[-|]*$' | awk '
	function rank(m) {
		if (m ~ /^ *peak RSS, (parquet|ndjson|csv|avro)/) return 5
		if (m ~ /^ *Parquet/) return 1
		if (m ~ /^ *NDJSON/) return 2
		if (m ~ /^ *CSV/) return 3
		if (m ~ /^ *Avro/) return 4
		return 6
	}
	{
		row = $0
		gsub(/\\\|/, "\001")
		nf = split($0, c, "|")
		for (i = nf; i < 10; i++) row = row " - |"
		r = rank(c[2]); n[r]++; rows[r, n[r]] = row
	}
	END { for (r = 1; r <= 6; r++) for (i = 1; i <= n[r]; i++) print rows[r, i] }'
echo "end: $(uptime)"
