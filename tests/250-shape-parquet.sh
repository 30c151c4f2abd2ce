#!/bin/sh
# fk-shape -o parquet read back by two readers nobody here wrote (DuckDB
# and hyparquet): every BigQuery type, nulls, nesting, empty input,
# codecs.  Each must return exactly the rows fk-shape was given (its
# canonical rows, as -o ndjson prints them).
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/pqnode/pq.sh"

# --- every type, with nulls and edge values -------------------------------
cat >"$T/all.json" <<'J'
[
 {"name":"s","type":"STRING","mode":"NULLABLE"},
 {"name":"b","type":"BYTES"},
 {"name":"i","type":"INTEGER","mode":"REQUIRED"},
 {"name":"f","type":"FLOAT"},
 {"name":"n","type":"NUMERIC"},
 {"name":"t","type":"BOOLEAN"},
 {"name":"d","type":"DATE"},
 {"name":"tm","type":"TIME"},
 {"name":"dt","type":"DATETIME"},
 {"name":"ts","type":"TIMESTAMP"},
 {"name":"j","type":"JSON"}
]
J
cat >"$T/all.ndjson" <<'J'
{"s":"héllo \"q\" \\ \u0001 ✓ 😀","b":"AP8=","i":1,"f":1.5,"n":"-12.5","t":true,"d":"2020-01-02","tm":"12:34:56.123456","dt":"2020-01-02T03:04:05.000006","ts":"1900-01-01T00:00:00Z","j":{"a":[1,2]}}
{"s":null,"b":null,"i":"9223372036854775807","f":"NaN","n":"99999999999999999999999999999.999999999","t":false,"d":"0001-01-01","tm":"00:00:00","dt":"9999-12-31T23:59:59.999999","ts":"2262-04-11T23:47:16.854775Z","j":"null"}
{"s":"","b":"","i":"-9223372036854775808","f":"-Infinity","n":"-99999999999999999999999999999.999999999","t":null,"d":null,"tm":null,"dt":null,"ts":null,"j":null}
{"s":"x","b":"//79/A==","i":-3,"f":-0.0,"n":"0","t":true,"d":"1969-12-31","tm":"23:59:59.999999","dt":"1970-01-01T00:00:00","ts":"1969-12-31T23:59:59.999999Z","j":"s"}
{"s":"y","b":null,"i":9007199254740992,"f":1.7976931348623157e308,"n":"0.000000001","t":false,"d":"9999-12-31","tm":"00:00:00.000001","dt":"0001-01-01T00:00:00","ts":"0001-01-01T00:00:00Z","j":{}}
{"s":"z","b":"AA==","i":0,"f":5e-324,"n":"-0.000000001","t":true,"d":"1970-01-01","tm":"01:02:03.5","dt":"2000-02-29T12:00:00.5","ts":"9999-12-31T23:59:59.999999Z","j":[1,"two",3.5,true]}
{"s":"Infinity","b":null,"i":-1,"f":"Infinity","n":"1","t":null,"d":"2000-02-29","tm":null,"dt":null,"ts":"2020-06-30T12:00:00.1Z","j":null}
J
pq_shape "$T/all.json" "$T/all.ndjson" "$T/all.parquet" 2>"$T/err"
check "all types: fk-shape succeeds" test -s "$T/all.parquet"
check "all types: fk-shape gave the writer every row" \
    test "$(wc -l <"$T/all.parquet.want")" -eq 7
pq_check "all types and nulls read back exactly" "$T/all.json" \
    "$T/all.parquet.want" "$T/all.parquet"

want='{"s":"VARCHAR","b":"BLOB","i":"BIGINT","f":"DOUBLE","n":"DECIMAL(38,9)","t":"BOOLEAN","d":"DATE","tm":"TIME","dt":"TIMESTAMP","ts":"TIMESTAMP WITH TIME ZONE","j":"JSON"}'
got=$(pq_duck --schema "$T/all.parquet" 2>&1)
if [ "$got" = "$want" ]; then ok "all types: DuckDB sees the right SQL types"
else notok "all types: DuckDB sees the right SQL types" "got $got"; fi

# The annotations as hyparquet parses them from the footer.
pq_hyp --schema "$T/all.parquet" >"$T/hs" 2>&1
"$PY" - "$T/hs" >"$T/hs.out" 2>&1 <<'P'
import json, sys
el = {e['name']: e for e in map(json.loads, open(sys.argv[1]))}
def lt(n): return el[n].get('logical_type', {})
want = [
    (el['schema']['num_children'], 11),
    (el['s']['converted_type'], 'UTF8'), (lt('s')['type'], 'STRING'),
    ('logical_type' in el['b'], False), (el['b']['type'], 'BYTE_ARRAY'),
    (el['i']['type'], 'INT64'), (el['i']['repetition_type'], 'REQUIRED'),
    (el['f']['type'], 'DOUBLE'), (el['f']['repetition_type'], 'OPTIONAL'),
    (el['n']['type'], 'FIXED_LEN_BYTE_ARRAY'), (el['n']['type_length'], 16),
    (el['n']['converted_type'], 'DECIMAL'), (el['n']['scale'], 9),
    (el['n']['precision'], 38), (lt('n'), {'type': 'DECIMAL', 'scale': 9, 'precision': 38}),
    (el['t']['type'], 'BOOLEAN'),
    (el['d']['type'], 'INT32'), (lt('d')['type'], 'DATE'),
    (el['tm']['type'], 'INT64'), (el['tm']['converted_type'], 'TIME_MICROS'),
    (lt('tm'), {'type': 'TIME', 'isAdjustedToUTC': False, 'unit': 'MICROS'}),
    (el['dt']['converted_type'], 'TIMESTAMP_MICROS'),
    (lt('dt'), {'type': 'TIMESTAMP', 'isAdjustedToUTC': False, 'unit': 'MICROS'}),
    (lt('ts'), {'type': 'TIMESTAMP', 'isAdjustedToUTC': True, 'unit': 'MICROS'}),
    (el['j']['converted_type'], 'JSON'), (lt('j')['type'], 'JSON'),
]
bad = [(i, g, w) for i, (g, w) in enumerate(want) if g != w]
print(bad or 'ok')
P
if [ "$(cat "$T/hs.out")" = ok ]; then
	ok "all types: hyparquet sees the physical and logical types"
else
	notok "all types: hyparquet sees the physical and logical types" \
	    "$(cat "$T/hs.out")"
fi

# --- nesting: RECORD, REPEATED scalars, REPEATED RECORDs, deep mixes ------
cat >"$T/nest.json" <<'J'
[
 {"name":"id","type":"INTEGER","mode":"REQUIRED"},
 {"name":"tags","type":"STRING","mode":"REPEATED"},
 {"name":"addr","type":"RECORD","mode":"NULLABLE","fields":[
   {"name":"city","type":"STRING"},
   {"name":"geo","type":"RECORD","mode":"NULLABLE","fields":[
     {"name":"lat","type":"FLOAT"},{"name":"lon","type":"FLOAT","mode":"REQUIRED"}]},
   {"name":"zips","type":"INTEGER","mode":"REPEATED"}]},
 {"name":"items","type":"RECORD","mode":"REPEATED","fields":[
   {"name":"sku","type":"STRING","mode":"REQUIRED"},
   {"name":"qty","type":"INTEGER"},
   {"name":"opts","type":"RECORD","mode":"REPEATED","fields":[
      {"name":"k","type":"STRING"},{"name":"v","type":"NUMERIC","mode":"REPEATED"}]}]},
 {"name":"req","type":"RECORD","mode":"REQUIRED","fields":[
   {"name":"x","type":"BOOLEAN"},{"name":"when","type":"TIMESTAMP","mode":"REPEATED"}]}
]
J
cat >"$T/nest.ndjson" <<'J'
{"id":1,"tags":["a","b","c"],"addr":{"city":"X","geo":{"lat":1.5,"lon":2.5},"zips":[1,2]},"items":[{"sku":"s1","qty":2,"opts":[{"k":"c","v":["1.5","2"]},{"k":null,"v":[]}]},{"sku":"s2","qty":null,"opts":[]}],"req":{"x":true,"when":["2020-01-01T00:00:00Z"]}}
{"id":2,"tags":[],"addr":null,"items":[],"req":{"x":null,"when":[]}}
{"id":3,"tags":["z"],"addr":{"city":null,"geo":null,"zips":[]},"items":[{"sku":"s3","qty":1,"opts":[{"k":"a","v":["-0.000000001"]}]}],"req":{"x":false,"when":[]}}
{"id":4,"tags":[],"addr":{"city":"Y","geo":{"lat":null,"lon":-1},"zips":[7]},"items":[{"sku":"s4","qty":null,"opts":[]},{"sku":"s5","qty":5,"opts":[{"k":"q","v":[]},{"k":"r","v":["3","4","5"]}]}],"req":{"x":true,"when":["1970-01-01T00:00:00Z","2038-01-19T03:14:08Z"]}}
{"id":5,"tags":["","",""],"addr":{"city":"","geo":{"lat":0,"lon":0},"zips":[0,0,0,0,0,0,0,0,0,0]},"items":[{"sku":"","qty":0,"opts":[{"k":"","v":["0"]}]}],"req":{"x":null,"when":[]}}
J
pq_shape "$T/nest.json" "$T/nest.ndjson" "$T/nest.parquet" 2>"$T/err"
check "nested: fk-shape gave the writer every row" \
    test "$(wc -l <"$T/nest.parquet.want")" -eq 5
pq_check "nested records and arrays read back exactly" "$T/nest.json" \
    "$T/nest.parquet.want" "$T/nest.parquet"
want='{"id":"BIGINT","tags":"VARCHAR[]","addr":"STRUCT(city VARCHAR, geo STRUCT(lat DOUBLE, lon DOUBLE), zips BIGINT[])","items":"STRUCT(sku VARCHAR, qty BIGINT, opts STRUCT(k VARCHAR, v DECIMAL(38,9)[])[])[]","req":"STRUCT(x BOOLEAN, \"when\" TIMESTAMP WITH TIME ZONE[])"}'
got=$(pq_duck --schema "$T/nest.parquet" 2>&1)
if [ "$got" = "$want" ]; then ok "nested: DuckDB sees STRUCTs and LISTs"
else notok "nested: DuckDB sees STRUCTs and LISTs" "got $got"; fi
# The standard 3-level LIST: required group (LIST) / repeated group list /
# required element.
got=$(pq_hyp --schema "$T/nest.parquet" | "$PY" -c '
import json, sys
els = [e for e in map(json.loads, sys.stdin)
       if e["name"] in ("tags", "list", "element")][:3]
print(" ".join("%s %s %s" % (e["name"], e["repetition_type"],
    e.get("converted_type", "-")) for e in els))
')
want='tags REQUIRED LIST list REPEATED - element REQUIRED UTF8'
if [ "$got" = "$want" ]; then ok "nested: REPEATED is a 3-level LIST"
else notok "nested: REPEATED is a 3-level LIST" "got '$got'"; fi

# --- BigQuery's deepest nesting: 15 levels, arrays and nulls alternating --
"$PY" - "$T/deep.json" "$T/deep.ndjson" <<'P'
import json, random, sys
def schema(d):
    f = [{"name": "v", "type": "INTEGER"},
         {"name": "s", "type": "STRING", "mode": "REPEATED"}]
    if d < 14:
        f.append({"name": "r", "type": "RECORD", "fields": schema(d + 1),
                  "mode": "REPEATED" if d % 2 == 0 else "NULLABLE"})
    return f
json.dump([{"name": "id", "type": "INTEGER", "mode": "REQUIRED"},
           {"name": "r", "type": "RECORD", "mode": "REPEATED",
            "fields": schema(1)}], open(sys.argv[1], "w"))
r = random.Random(5)
def val(d):
    o = {"v": r.choice([None, r.randrange(-9, 99)]),
         "s": [r.choice("abc") for _ in range(r.randrange(3))]}
    if d < 14 and d % 2 == 0:
        o["r"] = [val(d + 1) for _ in range(r.choice([0, 1, 1, 2]))]
    elif d < 14:
        o["r"] = None if r.random() < 0.2 else val(d + 1)
    return o
with open(sys.argv[2], "w") as f:
    for i in range(300):
        f.write(json.dumps({"id": i,
            "r": [val(1) for _ in range(r.randrange(3))]}) + "\n")
P
pq_shape "$T/deep.json" "$T/deep.ndjson" "$T/deep.parquet" 2>"$T/err"
check "15 levels deep: fk-shape gave the writer every row" \
    test "$(wc -l <"$T/deep.parquet.want")" -eq 300
pq_check "15 levels deep read back exactly" "$T/deep.json" \
    "$T/deep.parquet.want" "$T/deep.parquet"

# --- nulls everywhere ----------------------------------------------------
cat >"$T/nul.json" <<'J'
[
 {"name":"a","type":"STRING"},{"name":"b","type":"INTEGER"},
 {"name":"c","type":"FLOAT"},{"name":"d","type":"NUMERIC"},
 {"name":"e","type":"BOOLEAN"},{"name":"f","type":"DATE"},
 {"name":"g","type":"BYTES"},{"name":"h","type":"JSON"},
 {"name":"r","type":"RECORD","fields":[{"name":"x","type":"STRING"},
   {"name":"y","type":"INTEGER","mode":"REPEATED"}]},
 {"name":"l","type":"STRING","mode":"REPEATED"}
]
J
"$PY" -c '
import json
for i in range(3000):
    print(json.dumps({"a": None, "b": None, "c": None, "d": None, "e": None,
        "f": None, "g": None, "h": None,
        "r": None if i % 3 else {"x": None, "y": []}, "l": []}))
' >"$T/nul.ndjson"
pq_shape "$T/nul.json" "$T/nul.ndjson" "$T/nul.parquet" 2>"$T/err"
pq_check "all-null columns read back as nulls" "$T/nul.json" \
    "$T/nul.parquet.want" "$T/nul.parquet"
got=$(pq_meta "$T/nul.parquet" \
    '[r["stats_null_count"] for r in m] == ["3000"] * 11 and all(r["stats_min_value"] is None for r in m)')
if [ "$got" = True ]; then ok "all-null columns: null counts, no min/max"
else notok "all-null columns: null counts, no min/max" "$got"; fi

# --- empty input: a valid file with the schema and zero rows -------------
pq_shape "$T/all.json" /dev/null "$T/empty.parquet" 2>"$T/err"
check "empty input: fk-shape succeeds" test -s "$T/empty.parquet"
pq_check "empty input is a valid zero-row file" "$T/all.json" \
    "$T/empty.parquet.want" "$T/empty.parquet"
got=$(pq_duck --schema "$T/empty.parquet" 2>&1)
want='{"s":"VARCHAR","b":"BLOB","i":"BIGINT","f":"DOUBLE","n":"DECIMAL(38,9)","t":"BOOLEAN","d":"DATE","tm":"TIME","dt":"TIMESTAMP","ts":"TIMESTAMP WITH TIME ZONE","j":"JSON"}'
if [ "$got" = "$want" ]; then ok "empty input keeps the schema"
else notok "empty input keeps the schema" "got $got"; fi

# --- every codec ---------------------------------------------------------
"$PY" -c '
import json
for i in range(5000):
    print(json.dumps({"id": i, "tags": ["t%d" % (i % 7)] * (i % 4),
        "addr": None if i % 5 == 0 else {"city": "city %d" % (i % 50),
            "geo": {"lat": i / 7, "lon": -i / 3}, "zips": list(range(i % 3))},
        "items": [{"sku": "sku-%d-%d" % (i, k), "qty": k or None,
            "opts": [{"k": "k%d" % k, "v": ["%d.5" % i]}]} for k in range(i % 3)],
        "req": {"x": i % 2 == 0, "when": []}}))
' >"$T/codec.ndjson"
for c in snappy zstd gzip none; do
	pq_shape "$T/nest.json" "$T/codec.ndjson" "$T/$c.parquet" \
	    "--compression $c" 2>"$T/err"
	pq_check "codec $c: rows read back exactly" "$T/nest.json" \
	    "$T/$c.parquet.want" "$T/$c.parquet"
	want=$(echo "$c" | sed 's/none/UNCOMPRESSED/' | tr a-z A-Z)
	got=$(pq_meta "$T/$c.parquet" 'sorted({r["compression"] for r in m})')
	if [ "$got" = "['$want']" ]; then ok "codec $c: chunks say $want"
	else notok "codec $c: chunks say $want" "got $got"; fi
done
