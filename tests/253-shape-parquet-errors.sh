#!/bin/sh
# fk-shape -o parquet options and error paths: each fails cleanly with
# the documented exit code and a one-line message naming the subject, and
# leaves no half-written file behind.  Then the writer's own checks on
# rows that are not canonical (through its test driver: fk-shape never
# hands it such rows).
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/pqnode/pq.sh"

# msg DESC PATTERN: the last command's stderr ($T/err) matches PATTERN.
msg() {
	if grep -q -- "$2" "$T/err"; then ok "$1"
	else notok "$1" "$(cat "$T/err")"; fi
}

cat >"$T/n.json" <<'J'
[{"name":"id","type":"INTEGER"},{"name":"tags","type":"STRING","mode":"REPEATED"}]
J
printf '{"id":1,"tags":["a"]}\n{"id":2,"tags":[]}\n' >"$T/n.ndjson"

expect_exit 64 "--compression with an unknown codec is a usage error" \
    fk-shape -o parquet --compression lzo --schema "$T/n.json"
msg "--compression lzo: names the codec, points at --help" \
    "unknown codec 'lzo'"
msg "--compression lzo: 'Try' line" "Try 'fk-shape --help'"
expect_exit 64 "--row-group-size below 64K is a usage error" \
    fk-shape -o parquet --row-group-size 1K --schema "$T/n.json"
msg "--row-group-size 1K: says why" "too small"
expect_exit 64 "--row-group-size that is not a size is a usage error" \
    fk-shape -o parquet --row-group-size lots --schema "$T/n.json"
expect_exit 64 "--compression without -o parquet is a usage error" \
    fk-shape --compression zstd --schema "$T/n.json"
msg "--compression without -o parquet: says so" "is for -o parquet"
expect_exit 64 "--row-group-size without -o parquet is a usage error" \
    fk-shape -o avro --row-group-size 1M --schema "$T/n.json"

# No rows and no schema: nothing to build a Parquet schema from.
expect_exit 65 "no rows and no --schema is a data error" \
    fk-shape -o parquet </dev/null
msg "no rows and no --schema: says to give --schema" "give --schema"

# An inferred schema (no --schema) works, and --emit-schema tells how to
# load the file.
fk-shape -o parquet --emit-schema "$T/em.json" <"$T/n.ndjson" \
    >"$T/inf.parquet" 2>"$T/err"
msg "--emit-schema prints the bq load flags for Parquet" \
    "source_format=PARQUET --parquet_enable_list_inference"
check "inferred schema: fk-shape succeeds" test -s "$T/inf.parquet"
got=$(pq_duck --schema "$T/inf.parquet" 2>&1)
if [ "$got" = '{"id":"BIGINT","tags":"VARCHAR[]"}' ]; then
	ok "inferred schema: the file has the inferred types"
else notok "inferred schema: the file has the inferred types" "$got"; fi

# A full disk: exit 74, and with -O no file left behind.
fk-shape -o parquet --schema "$T/n.json" <"$T/n.ndjson" >/dev/full \
    2>"$T/err"
rc=$?
if [ "$rc" -eq 74 ]; then ok "stdout on a full disk: exit 74"
else notok "stdout on a full disk: exit 74" "exit $rc: $(cat "$T/err")"; fi
"$PY" -c '
import json
for i in range(100000):
    print(json.dumps({"id": i, "tags": ["t%d" % i] * (i % 3)}))
' >"$T/many.ndjson"
fk-shape -o parquet --schema "$T/n.json" --compression none \
    <"$T/many.ndjson" >/dev/full 2>"$T/err"
rc=$?
if [ "$rc" -eq 74 ]; then ok "a full disk in mid-file: exit 74"
else notok "a full disk in mid-file: exit 74" "exit $rc: $(cat "$T/err")"; fi
msg "a full disk in mid-file: the message says what failed" "cannot write"

expect_exit 1 "a bad row past --max-bad stops the run" \
    fk-shape -o parquet --schema "$T/n.json" -O "$T/out.parquet" \
    '.id |= "x"' "$T/n.ndjson"
check "a failed run leaves no output file" test ! -e "$T/out.parquet"

# Bad rows rejected under --max-bad are left out, the rest written.
printf '{"id":1,"tags":[]}\n{"id":"no","tags":[]}\n{"id":3,"tags":["c"]}\n' \
    >"$T/mixed.ndjson"
pq_shape "$T/n.json" "$T/mixed.ndjson" "$T/mixed.parquet" "" \
    --max-bad 1 2>"$T/err"
pq_check "rejected rows are left out, the others written" "$T/n.json" \
    "$T/mixed.parquet.want" "$T/mixed.parquet"
check "rejected rows: two rows written" \
    test "$(wc -l <"$T/mixed.parquet.want")" -eq 2

# Rows built by a jq program (its constants) on two workers cross to the
# writer thread: no shared jv, no crash, every row right.
"$PY" -c '
import json
for i in range(60000):
    print(json.dumps({"id": i}))
' >"$T/ids.ndjson"
pq_shape "$T/n.json" "$T/ids.ndjson" "$T/jq.parquet" "" -j 2 \
    '. + {tags: ["const", "tag"]}' 2>"$T/err"
check "jq constants on two workers: fk-shape succeeds" \
    test "$(wc -l <"$T/jq.parquet.want")" -eq 60000
pq_check "jq constants on two workers: rows read back" "$T/n.json" \
    "$T/jq.parquet.want" "$T/jq.parquet"

# --- the writer itself, on rows that are not canonical -------------------

cat >"$T/s.json" <<'J'
[{"name":"id","type":"INTEGER","mode":"REQUIRED"},
 {"name":"r","type":"RECORD","fields":[{"name":"d","type":"DATE"}]}]
J
echo '{"id":1,"r":{"d":"2020-01-01"}}' >"$T/good.ndjson"

expect_exit 64 "writer: unknown compression is a usage error" \
    "$PQ_WRITER" write "$T/s.json" lzo <"$T/good.ndjson"
msg "writer: unknown compression: the message names it" \
    "unknown compression 'lzo'"

echo '{"id":null,"r":null}' >"$T/bad1.ndjson"
expect_exit 65 "writer: a REQUIRED field missing is a data error" \
    "$PQ_WRITER" write "$T/s.json" <"$T/bad1.ndjson"
if grep -q "field 'id'" "$T/err"; then ok "REQUIRED missing: names the field"
else notok "REQUIRED missing: names the field" "$(cat "$T/err")"; fi

echo '{"id":2,"r":{"d":"yesterday"}}' >"$T/bad2.ndjson"
expect_exit 65 "writer: a non-canonical DATE is a data error" \
    "$PQ_WRITER" write "$T/s.json" <"$T/bad2.ndjson"
if grep -q "field 'r.d'.*DATE" "$T/err"; then
	ok "non-canonical value: names the nested field and type"
else notok "non-canonical value: names the nested field and type" \
    "$(cat "$T/err")"; fi

echo '{"id":3,"r":[1]}' >"$T/bad3.ndjson"
expect_exit 65 "writer: an array for a RECORD is a data error" \
    "$PQ_WRITER" write "$T/s.json" <"$T/bad3.ndjson"

echo '[]' >"$T/none.json"
expect_exit 65 "writer: a schema without fields is refused" \
    "$PQ_WRITER" write "$T/none.json" </dev/null

# A full disk in mid-file: the writer reports the write error (IOERR).
"$PY" -c '
import json
for i in range(200000):
    print(json.dumps({"id": i, "r": {"d": "2020-01-%02d" % (1 + i % 28)}}))
' >"$T/many.ndjson"
"$PQ_WRITER" write "$T/s.json" none 65536 <"$T/many.ndjson" >/dev/full \
    2>"$T/err"
rc=$?
if [ "$rc" -eq 74 ] && grep -q "cannot write parquet output" "$T/err"; then
	ok "writer: a full disk is an I/O error (74) with a message"
else notok "writer: a full disk is an I/O error (74) with a message" \
    "exit $rc: $(cat "$T/err")"; fi

# No rows and no schema: nothing to type the columns with.  The writer
# table's rule (a binary file needs a schema) holds for Parquet as for
# Avro: a data error, nothing on stdout; with a schema, a valid empty file.
expect_exit 65 "no rows and no schema: a data error" \
    sh -c ': | fk-shape -o parquet'
msg "no rows and no schema: says why" \
    'no row to infer the Parquet schema from; give --schema'
[ ! -s "$T/out" ] && ok "no rows and no schema: nothing written" ||
	notok "no rows and no schema: nothing written" "$(wc -c <"$T/out")"
: | fk-shape -o parquet --schema "$T/n.json" >"$T/e.parquet" 2>"$T/err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(head -c 4 "$T/e.parquet")" = PAR1 ] &&
    [ "$(tail -c 4 "$T/e.parquet")" = PAR1 ]; then
	ok "no rows with a schema: an empty Parquet file"
else notok "no rows with a schema: an empty Parquet file" \
    "exit $rc: $(cat "$T/err")"; fi
