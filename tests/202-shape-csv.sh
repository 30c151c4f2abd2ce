#!/bin/sh
# fk-shape -o csv: RFC 4180, header, flattening, the column policy, and a
# read-back by Python's csv module compared with the input rows.
. "$FK_TESTDIR/lib.sh"

cat >"$T/in.json" <<'G'
{"id":1,"name":"Ann, \"the\" first","note":"two\nlines","addr":{"city":"Paris","geo":{"lat":48.85}},"tags":["a","b,c"],"empty":""}
{"id":2,"name":"Bo","note":null,"addr":null,"tags":[],"empty":"x"}
{"id":3,"name":"Cy","addr":{"city":"Oslo"}}
G
printf 'id,name,note,addr_city,addr_geo_lat,tags,empty\r\n1,"Ann, ""the"" first","two\nlines",Paris,48.85,"[""a"",""b,c""]",""\r\n2,Bo,,,,[],x\r\n3,Cy,,Oslo,,[],\r\n' >"$T/want"
check "CSV from inferred schema" fk-shape -o csv . "$T/in.json"
same "golden CSV (quotes, CRLF, nulls, arrays, nesting)" "$T/want" "$T/out"

# Python's csv module reads back exactly the input values.
cat >"$T/readback.py" <<'G'
import csv, json, sys

def flat(prefix, obj, out):
    for k, v in obj.items():
        name = prefix + k
        if isinstance(v, dict):
            flat(name + "_", v, out)
        elif isinstance(v, list):
            out[name] = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
        elif v is None:
            out[name] = ""
        elif isinstance(v, bool):
            out[name] = "true" if v else "false"
        else:
            out[name] = str(v)
    return out

rows = list(csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8")))
src = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == len(src), (len(rows), len(src))
for r, s in zip(rows, src):
    want = flat("", s, {})
    for k, v in want.items():
        if k not in r and v == "":
            # a null RECORD: all its flattened columns are empty
            assert all(r[c] == "" for c in r if c.startswith(k + "_")), k
            continue
        assert r[k] == v, (k, r[k], v)
print(len(rows))
G
$PY "$FK_TESTDIR/shape-gen.py" persons 500 11 >"$T/p.json"
fk-shape -o csv . "$T/p.json" >"$T/p.csv" 2>/dev/null
[ "$($PY "$T/readback.py" "$T/p.json" "$T/p.csv")" = 500 ] &&
	ok "csv module reads back 500 persons" ||
	notok "csv module reads back 500 persons" "$($PY "$T/readback.py" "$T/p.json" "$T/p.csv" 2>&1 | tail -3)"
$PY "$T/readback.py" "$T/in.json" "$T/out" >/dev/null 2>&1 &&
	ok "csv module reads back the tricky rows" ||
	notok "csv module reads back the tricky rows" "$($PY "$T/readback.py" "$T/in.json" "$T/out" 2>&1 | tail -3)"

# Same rows as jq's @csv for a flat filter (values, not the header).
$PY "$FK_TESTDIR/shape-gen.py" users 300 5 >"$T/u.json"
jq -r '[.id, .firstname, .email] | @csv' "$T/u.json" >"$T/jq.csv"
fk-shape -o csv '{id, firstname, email}' "$T/u.json" 2>/dev/null | tail -n +2 |
	tr -d '\r' >"$T/fk.csv"
$PY - "$T/jq.csv" "$T/fk.csv" <<'G' && ok "same values as jq @csv" || notok "same values as jq @csv"
import csv, sys
a = list(csv.reader(open(sys.argv[1], newline="")))
b = list(csv.reader(open(sys.argv[2], newline="")))
assert a == b and len(a) == 300
G

# The column set: the schema's, or the sample's; a field new after the
# sample is a bad record unless --unknown=drop; missing fields are empty.
printf '{"a":1,"b":"x"}\n{"a":2,"b":"y","c":3}\n{"a":3}\n' >"$T/h.json"
fk-shape -o csv . "$T/h.json" >"$T/out" 2>/dev/null
printf 'a,b,c\r\n1,x,\r\n2,y,3\r\n3,,\r\n' >"$T/want"
same "every field of the sample is a column" "$T/want" "$T/out"
fk-shape -o csv --sample-rows 1 --reject "$T/rej" --max-bad 1 . "$T/h.json" >"$T/out" 2>/dev/null
printf 'a,b\r\n1,x\r\n3,\r\n' >"$T/want"
same "a new field is a bad record" "$T/want" "$T/out"
grep -q '"path":"c","reason":"field not in the schema"' "$T/rej" &&
	ok "reject names the new field" || notok "reject names the new field" "$(cat "$T/rej")"
fk-shape -o csv --sample-rows 1 --unknown drop . "$T/h.json" >"$T/out" 2>/dev/null
printf 'a,b\r\n1,x\r\n2,y\r\n3,\r\n' >"$T/want"
same "--unknown drop" "$T/want" "$T/out"

# Header with a schema even with no rows; nothing without one.
echo '[{"name":"x","type":"STRING"},{"name":"r","type":"RECORD","fields":[{"name":"y","type":"INTEGER"}]}]' >"$T/s.json"
: | fk-shape -o csv --schema "$T/s.json" >"$T/out" 2>/dev/null
printf 'x,r_y\r\n' >"$T/want"
same "header only for no rows with a schema" "$T/want" "$T/out"
: | fk-shape -o csv >"$T/out" 2>/dev/null
[ ! -s "$T/out" ] && ok "no rows, no schema: empty" || notok "no rows, no schema: empty"

# Flattening never merges columns.
echo '{"a_b":1,"a":{"b":2}}' | fk-shape -o csv >"$T/out" 2>"$T/err"
[ $? -eq 1 ] && grep -q "two fields flatten to the same CSV column 'a_b'" "$T/err" &&
	ok "flattening collision is an error" || notok "flattening collision is an error" "$(cat "$T/err")"
echo '[{"name":"a_b","type":"STRING"},{"name":"a","type":"RECORD","fields":[{"name":"b","type":"STRING"}]}]' >"$T/c.json"
expect_exit 65 "flattening collision in a schema" fk-shape -o csv --schema "$T/c.json" . "$T/h.json"

# --emit-schema for CSV is the flat schema, with the bq flags.
fk-shape -o csv --emit-schema "$T/e.json" . "$T/in.json" >/dev/null 2>"$T/err"
$PY - "$T/e.json" <<'G' && ok "flat emitted schema" || notok "flat emitted schema" "$(cat "$T/e.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert [f["name"] for f in s] == ["id", "name", "note", "addr_city", "addr_geo_lat", "tags", "empty"]
assert [f["type"] for f in s] == ["INTEGER", "STRING", "STRING", "STRING", "FLOAT", "STRING", "STRING"]
assert all(f["mode"] == "NULLABLE" for f in s)
G
grep -q 'bq load --source_format=CSV --skip_leading_rows=1 --allow_quoted_newlines --schema=' "$T/err" &&
	ok "bq flags for CSV with newlines" || notok "bq flags for CSV with newlines" "$(cat "$T/err")"
