#!/bin/sh
# fk-shape -o parquet is byte-for-byte the same file at every -j: the
# rows cross many batches and row groups (a small --row-group-size), and
# whatever thread encodes them, the file is the one -j 1 writes.  Both
# readers read the -j 4 file back as the rows fk-shape gave the writer.
# And the files are the ones fk-shape wrote before its workers shredded
# the rows (golden hashes, at the end).
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

# A run that stops at a bad record deep in a batch ends its file on the
# rows before it, the same bytes at every -j: the workers that build the
# pages must not have put a row past the stop in (nor the batches after).
"$PY" - "$T/in.ndjson" "$T/bad.ndjson" <<'P2'
import sys
lines = open(sys.argv[1]).read().splitlines()
for at in (3001, 9001, 12345, 13333):
    lines[at] = lines[at].replace('"email":', '"email":{"no":1},"x":', 1)
open(sys.argv[2], 'w').write('\n'.join(lines) + '\n')
P2
for j in 1 2 4; do
	fk-shape -q -o parquet --schema "$EX/users.schema.json" -f "$EX/users.jq" \
	    --row-group-size 64K --max-bad 3 -j "$j" <"$T/bad.ndjson" \
	    >"$T/stop$j.parquet" 2>"$T/err"
	echo $? >"$T/stop$j.rc"
done
fk-shape -q -o ndjson --schema "$EX/users.schema.json" -f "$EX/users.jq" \
    --max-bad 3 <"$T/bad.ndjson" >"$T/stop.want" 2>/dev/null
check "stopped at the fourth bad record: exit 1 (-j 4)" \
    test "$(cat "$T/stop4.rc")" = 1
[ "$(wc -l <"$T/stop.want")" -eq 13330 ] &&
	ok "NDJSON stops after 13330 rows" ||
	notok "NDJSON stops after 13330 rows" "$(wc -l <"$T/stop.want")"
same "stopped: -j 2 writes the same bytes as -j 1" "$T/stop1.parquet" \
    "$T/stop2.parquet"
same "stopped: -j 4 writes the same bytes as -j 1" "$T/stop1.parquet" \
    "$T/stop4.parquet"
pq_check "stopped: -j 4 holds the rows before the stop" \
    "$EX/users.schema.json" "$T/stop.want" "$T/stop4.parquet"

# The same bytes as before the workers shredded the rows (fk-shape at
# commit a3f6c8d shredded, encoded and compressed them all on the writer
# thread): page by page and row group by row group, dictionaries and
# statistics included.  Uncompressed, so that no codec library's version
# matters; the hash leaves out the writer's version string.  A change to
# the file on purpose updates these hashes, and says so: the first and
# third changed when mostly distinct values stopped taking a dictionary
# (pq_col.c dict_pays); the second and third when row groups began to
# end by the rows' shredded bytes rather than their columns' encoded
# size, so that the workers can build the pages (parquet/writer.c), and
# again when those bytes stopped counting a dictionary hash.  The first
# and last, one row group each, did not change then.
pqhash() {
	"$PY" - "$1" <<'P'
import hashlib, struct, sys
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<I', b[-8:-4])[0]
data, foot = b[:-8 - n], b[-8 - n:-8]
i = foot.index(b'fk-shape version ')
foot = foot[:i - 1] + foot[i + foot[i - 1]:]
print(hashlib.sha256(data + foot).hexdigest()[:16])
P
}
golden() {
	_d=$1 _want=$2
	shift 2
	fk-shape -q -o parquet --compression none "$@" >"$T/g.parquet" \
	    2>"$T/err" || { notok "$_d: fk-shape ran" "$(cat "$T/err")"; return; }
	_got=$(pqhash "$T/g.parquet")
	if [ "$_got" = "$_want" ]; then ok "$_d: the bytes of before"
	else notok "$_d: the bytes of before" "hash $_got, want $_want"; fi
}
sed -n '/^cat >"$T\/nest.json"/,/^J$/p' "$FK_TESTDIR/250-shape-parquet.sh" |
    sed '1d;$d' >"$T/nest.json"
sed -n '/^cat >"$T\/all.json"/,/^J$/p' "$FK_TESTDIR/250-shape-parquet.sh" |
    sed '1d;$d' >"$T/all.json"
"$PY" "$FK_TESTDIR/shape-gen.py" users 30000 11 >"$T/u30.ndjson"
"$PY" "$PQN/genmixed.py" nest 4000 3 >"$T/nest.ndjson"
"$PY" "$PQN/genmixed.py" types 4000 4 >"$T/types.ndjson"
golden "users, two pages a column" a1fe5ed517e53965 -j 2 \
    --schema "$EX/users.schema.json" -f "$EX/users.jq" "$T/u30.ndjson"
golden "users, row groups of 64K" 7706def7a0925f42 -j 4 \
    --row-group-size 64K --schema "$EX/users.schema.json" \
    -f "$EX/users.jq" "$T/u30.ndjson"
golden "nested and repeated, row groups of 64K" a5c90569ef62995d -j 2 \
    --row-group-size 64K --schema "$T/nest.json" <"$T/nest.ndjson"
golden "every type, with nulls" 963b41676f7b8089 -j 2 \
    --schema "$T/all.json" <"$T/types.ndjson"
