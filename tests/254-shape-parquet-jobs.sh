#!/bin/sh
# fk-shape -o parquet is byte-for-byte the same file at every -j: the
# rows cross many batches and row groups (a small --row-group-size), and
# whatever thread encodes them, the file is the one -j 1 writes.  Both
# readers read the -j 4 file back as the rows fk-shape gave the writer.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/pqnode/pq.sh"

EX=$FK_TESTDIR/../examples
"$PY" "$FK_TESTDIR/shape-gen.py" users 20000 7 >"$T/in.ndjson"
for j in 1 2 4; do
	pq_shape "$EX/users.schema.json" "$T/in.ndjson" "$T/j$j.parquet" \
	    "--row-group-size 64K" -j "$j" -f "$EX/users.jq" 2>"$T/err" ||
		notok "-j $j: fk-shape ran" "$(cat "$T/err")"
done
[ -s "$T/j1.parquet" ] && [ "$(wc -l <"$T/j1.parquet.want")" -eq 20000 ] &&
	ok "-j 1: 20000 rows written" || notok "-j 1: 20000 rows written"
g=$(pq_meta "$T/j1.parquet" 'len(set(r["row_group_id"] for r in m))')
[ "${g:-0}" -gt 2 ] && ok "the file has $g row groups" ||
	notok "more than two row groups" "${g:-none}"
same "-j 2 writes the same bytes as -j 1" "$T/j1.parquet" "$T/j2.parquet"
same "-j 4 writes the same bytes as -j 1" "$T/j1.parquet" "$T/j4.parquet"
pq_check "-j 4: the rows given" "$EX/users.schema.json" \
    "$T/j4.parquet.want" "$T/j4.parquet"
