#!/bin/sh
# Parquet writer error paths: each fails cleanly with the documented exit
# code and a one-line message naming the subject.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/pqnode/pq.sh"

cat >"$T/s.json" <<'J'
[{"name":"id","type":"INTEGER","mode":"REQUIRED"},
 {"name":"r","type":"RECORD","fields":[{"name":"d","type":"DATE"}]}]
J
echo '{"id":1,"r":{"d":"2020-01-01"}}' >"$T/good.ndjson"

expect_exit 64 "unknown compression is a usage error" \
    "$PQ_WRITER" write "$T/s.json" lzo <"$T/good.ndjson"
if grep -q "unknown compression 'lzo'" "$T/err"; then
	ok "unknown compression: the message names it"
else notok "unknown compression: the message names it" "$(cat "$T/err")"; fi

echo '{"id":null,"r":null}' >"$T/bad1.ndjson"
expect_exit 65 "a REQUIRED field missing is a data error" \
    "$PQ_WRITER" write "$T/s.json" <"$T/bad1.ndjson"
if grep -q "field 'id'" "$T/err"; then ok "REQUIRED missing: names the field"
else notok "REQUIRED missing: names the field" "$(cat "$T/err")"; fi

echo '{"id":2,"r":{"d":"yesterday"}}' >"$T/bad2.ndjson"
expect_exit 65 "a non-canonical DATE is a data error" \
    "$PQ_WRITER" write "$T/s.json" <"$T/bad2.ndjson"
if grep -q "field 'r.d'.*DATE" "$T/err"; then
	ok "non-canonical value: names the nested field and type"
else notok "non-canonical value: names the nested field and type" \
    "$(cat "$T/err")"; fi

echo '{"id":3,"r":[1]}' >"$T/bad3.ndjson"
expect_exit 65 "an array for a RECORD is a data error" \
    "$PQ_WRITER" write "$T/s.json" <"$T/bad3.ndjson"

echo '[]' >"$T/none.json"
expect_exit 65 "a schema without fields is refused" \
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
	ok "a full disk is an I/O error (74) with a message"
else notok "a full disk is an I/O error (74) with a message" \
    "exit $rc: $(cat "$T/err")"; fi
