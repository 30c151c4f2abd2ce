#!/bin/sh
# fk-shape --emit-schema: the schema of every row written (types widened
# over all rows, not a sample) and the bq load flags that go with it.
. "$FK_TESTDIR/lib.sh"

# Widening lattice (inferred schema, text output): INTEGER then FLOAT is
# FLOAT; DATE or TIMESTAMP then another string is STRING; null first is
# STRING.  The widening row may come late, after many batches.
$PY - >"$T/in.json" <<'G'
import json
for i in range(3000):
    r = {"n": i, "d": "2024-01-%02d" % (i % 28 + 1), "at": "2024-01-02T03:04:05Z",
         "z": None, "keep": i}
    if i == 2500:
        r["n"] = 2.5
        r["d"] = "someday"
    if i == 2900:
        r["at"] = "later"
        r["z"] = 7
    print(json.dumps(r))
G
fk-shape --emit-schema "$T/s.json" . "$T/in.json" >"$T/out" 2>"$T/err"
$PY - "$T/s.json" <<'G' && ok "widened over all rows" || notok "widened over all rows" "$(cat "$T/s.json")"
import json, sys
s = {f["name"]: (f["type"], f["mode"]) for f in json.load(open(sys.argv[1]))}
assert s == {"n": ("FLOAT", "NULLABLE"), "d": ("STRING", "NULLABLE"),
             "at": ("STRING", "NULLABLE"), "z": ("STRING", "NULLABLE"),
             "keep": ("INTEGER", "NULLABLE")}, s
G
grep -q 'load with: bq load --source_format=NEWLINE_DELIMITED_JSON --schema=' "$T/err" &&
	ok "NDJSON load flags" || notok "NDJSON load flags" "$(cat "$T/err")"
sed -n '2901p' "$T/out" | grep -q '"z":"7"' && ok "a number in a STRING column is written as text" ||
	notok "a number in a STRING column" "$(sed -n '2901p' "$T/out")"
# Every written row fits the emitted schema: load it back as the schema.
fk-shape --schema "$T/s.json" . "$T/out" >"$T/again" 2>/dev/null
same "output re-checks against its own schema" "$T/out" "$T/again"

# Avro cannot widen after its header: the late row is a bad record.
fk-shape -o avro --reject "$T/rej" --max-bad 5 --emit-schema "$T/a.json" . "$T/in.json" >"$T/o.avro" 2>/dev/null
grep -q '"record":2501,"path":"n"' "$T/rej" && ok "Avro rejects what it cannot widen" ||
	notok "Avro rejects what it cannot widen" "$(cat "$T/rej")"
$PY -c 'import json,sys; s={f["name"]:f["type"] for f in json.load(open(sys.argv[1]))}; assert s["n"]=="INTEGER" and s["d"]=="DATE", s' "$T/a.json" &&
	ok "Avro's emitted schema is its header's" || notok "Avro's emitted schema" "$(cat "$T/a.json")"

# A given schema is emitted as given (normalised), and loads its output.
cat >"$T/given.json" <<'G'
{"fields":[{"name":"id","type":"INT64","mode":"required","description":"x"},
 {"name":"tags","type":"STRING","mode":"REPEATED"},
 {"name":"r","type":"STRUCT","fields":[{"name":"b","type":"BOOL"}]}]}
G
echo '{"id":1,"tags":["a"],"r":{"b":true}}' | fk-shape --schema "$T/given.json" --emit-schema "$T/e.json" >/dev/null 2>&1
$PY - "$T/e.json" <<'G' && ok "given schema normalised" || notok "given schema normalised" "$(cat "$T/e.json")"
import json, sys
assert json.load(open(sys.argv[1])) == [
    {"name": "id", "type": "INTEGER", "mode": "REQUIRED"},
    {"name": "tags", "type": "STRING", "mode": "REPEATED"},
    {"name": "r", "type": "RECORD", "mode": "NULLABLE",
     "fields": [{"name": "b", "type": "BOOLEAN", "mode": "NULLABLE"}]}]
G

# No rows, no schema: nothing to emit, an error; a failed run emits nothing.
expect_exit 65 "nothing to infer from" sh -c ": | fk-shape --emit-schema '$T/n.json'"
[ ! -e "$T/n.json" ] && ok "no schema file then" || notok "no schema file then"
printf '{"a":1}\n{"a":"x"}\n' >"$T/two.json"
echo '[{"name":"a","type":"INTEGER"}]' >"$T/i.json"
fk-shape --schema "$T/i.json" --emit-schema "$T/f.json" . "$T/two.json" >/dev/null 2>&1
[ ! -e "$T/f.json" ] && ok "a failed run writes no schema" || notok "a failed run writes no schema"
