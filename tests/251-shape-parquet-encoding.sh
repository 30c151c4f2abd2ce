#!/bin/sh
# fk-shape -o parquet encodings and statistics: dictionary pages when
# they pay, PLAIN when they don't, the fallback in mid-chunk, and
# min/max/null counts in each column's sort order, as DuckDB's
# parquet_metadata() reads them.  The writer's own knobs that fk-shape
# does not expose (no dictionary, small pages) go through its test driver.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/pqnode/pq.sh"

# meta DESC FILE EXPR WANT: one check over parquet_metadata() rows (m).
meta() {
	got=$(pq_meta "$2" "$3" 2>&1)
	if [ "$got" = "$4" ]; then ok "$1"; else notok "$1" "got: $got"; fi
}

# --- statistics ----------------------------------------------------------
cat >"$T/st.json" <<'J'
[{"name":"i","type":"INTEGER"},{"name":"s","type":"STRING"},
 {"name":"d","type":"DATE"},{"name":"n","type":"NUMERIC"},
 {"name":"f","type":"FLOAT"},{"name":"z","type":"FLOAT"},
 {"name":"b","type":"BOOLEAN"},{"name":"ts","type":"TIMESTAMP"},
 {"name":"tm","type":"TIME"},{"name":"by","type":"BYTES"},
 {"name":"l","type":"INTEGER","mode":"REPEATED"}]
J
cat >"$T/st.ndjson" <<'J'
{"i":7,"s":"zoo","d":"2020-01-02","n":"3","f":1.5,"z":0.0,"b":true,"ts":"2020-01-01T00:00:00Z","tm":"10:00:00","by":"/w==","l":[3,-4]}
{"i":-5,"s":"éa","d":"1969-12-31","n":"-12.5","f":"NaN","z":-0.0,"b":true,"ts":"1960-01-01T00:00:00.5Z","tm":"00:00:01","by":"AA==","l":[]}
{"i":null,"s":"Zed","d":null,"n":"-0.000000001","f":-2,"z":0.0,"b":null,"ts":null,"tm":null,"by":"fw==","l":[9]}
J
pq_shape "$T/st.json" "$T/st.ndjson" "$T/st.parquet" 2>"$T/err"
pq_check "statistics file reads back" "$T/st.json" "$T/st.parquet.want" \
    "$T/st.parquet"
S='[(r["path_in_schema"], r["stats_min_value"], r["stats_max_value"], r["stats_null_count"]) for r in m if r["path_in_schema"] == '
meta "stats: INTEGER min/max signed, nulls counted" "$T/st.parquet" \
    "${S}'i']" "[('i', '-5', '7', '1')]"
meta "stats: STRING compared as unsigned bytes (é > z > Z)" "$T/st.parquet" \
    "${S}'s']" "[('s', 'Zed', 'éa', '0')]"
meta "stats: DATE before the epoch" "$T/st.parquet" \
    "${S}'d']" "[('d', '1969-12-31', '2020-01-02', '1')]"
meta "stats: NUMERIC signed (two's complement)" "$T/st.parquet" \
    "${S}'n']" "[('n', '-12.500000000', '3.000000000', '0')]"
meta "stats: FLOAT with a NaN has no min/max" "$T/st.parquet" \
    "${S}'f']" "[('f', None, None, '0')]"
meta "stats: FLOAT zero bounds are -0.0 and +0.0" "$T/st.parquet" \
    "${S}'z']" "[('z', '-0.0', '0.0', '0')]"
meta "stats: BOOLEAN" "$T/st.parquet" \
    "${S}'b']" "[('b', 'true', 'true', '1')]"
meta "stats: TIMESTAMP" "$T/st.parquet" "${S}'ts']" \
    "[('ts', '1960-01-01 00:00:00.5+00', '2020-01-01 00:00:00+00', '1')]"
meta "stats: TIME" "$T/st.parquet" \
    "${S}'tm']" "[('tm', '00:00:01', '10:00:00', '1')]"
meta "stats: BYTES unsigned" "$T/st.parquet" \
    "${S}'by']" "[('by', '\\\\x00', '\\\\xFF', '0')]"
meta "stats: REPEATED element (an empty list counts as a null)" \
    "$T/st.parquet" "${S}'l, list, element']" \
    "[('l, list, element', '-4', '9', '1')]"
meta "stats: deprecated min/max only for signed-order types" \
    "$T/st.parquet" \
    '[r["path_in_schema"] for r in m if r["stats_min"] is not None]' \
    "['i', 'd', 'z', 'b', 'ts', 'tm', 'l, list, element']"

# --- dictionary encoding -------------------------------------------------
cat >"$T/d.json" <<'J'
[{"name":"id","type":"INTEGER","mode":"REQUIRED"},
 {"name":"country","type":"STRING"},{"name":"uuid","type":"STRING"},
 {"name":"day","type":"DATE"},{"name":"tags","type":"STRING","mode":"REPEATED"},
 {"name":"mostly","type":"STRING"},{"name":"half","type":"STRING"}]
J
"$PY" -c '
import json, uuid, random
r = random.Random(7)
cs = ["Cameroon", "Maldives", "Italy", "Japan", None]
for i in range(30000):
    print(json.dumps({"id": i, "country": cs[i % 5],
        "uuid": str(uuid.UUID(int=r.getrandbits(128))),
        "day": "2024-01-%02d" % (1 + i % 28),
        "tags": ["red", "green", "blue"][: i % 4],
        "mostly": ("%08d" % (i * 4 // 5)) * 5,
        "half": ("%08d" % (i // 2)) * 5}))
' >"$T/d.ndjson"
pq_shape "$T/d.json" "$T/d.ndjson" "$T/d.parquet" 2>"$T/err"
pq_check "dictionary file reads back" "$T/d.json" "$T/d.parquet.want" \
    "$T/d.parquet"
E='[(r["path_in_schema"], r["encodings"], r["dictionary_page_offset"] is not None) for r in m]'
# mostly: 4 in 5 values distinct, which a dictionary would shrink before
# compression; PLAIN all the same (pq_col.c dict_pays).  half: 1 in 2.
meta "dictionary for low-cardinality columns, PLAIN for unique or mostly distinct ones" \
    "$T/d.parquet" "$E" "[('id', 'PLAIN', False), ('country', 'PLAIN, RLE, RLE_DICTIONARY', True), ('uuid', 'PLAIN, RLE', False), ('day', 'PLAIN, RLE, RLE_DICTIONARY', True), ('tags, list, element', 'PLAIN, RLE, RLE_DICTIONARY', True), ('mostly', 'PLAIN, RLE', False), ('half', 'PLAIN, RLE, RLE_DICTIONARY', True)]"

pq_write "$T/d.json" "$T/nd.parquet" snappy 0 0 nodict <"$T/d.ndjson" \
    2>"$T/err"
pq_check "without dictionaries: reads back" "$T/d.json" "$T/d.ndjson" \
    "$T/nd.parquet"
meta "without dictionaries: PLAIN only" "$T/nd.parquet" \
    'sorted({r["encodings"] for r in m})' "['PLAIN', 'PLAIN, RLE']"

# Small pages: many dictionary-encoded pages sharing one dictionary.
pq_write "$T/d.json" "$T/small.parquet" zstd 0 2048 <"$T/d.ndjson" \
    2>"$T/err"
pq_check "small pages: reads back" "$T/d.json" "$T/d.ndjson" \
    "$T/small.parquet"

# The dictionary overflows in mid-chunk (over 1 MiB of distinct values
# after a low-cardinality start): dictionary pages, then PLAIN pages.
cat >"$T/o.json" <<'J'
[{"name":"v","type":"STRING"}]
J
"$PY" -c '
import json
for i in range(30000):
    print(json.dumps({"v": "v%d" % (i % 10)}))
for i in range(16000):
    print(json.dumps({"v": ("%08d" % i) * 10}))
for i in range(30000):
    print(json.dumps({"v": None if i % 2 else "v%d" % (i % 10)}))
' >"$T/o.ndjson"
pq_shape "$T/o.json" "$T/o.ndjson" "$T/o.parquet" 2>"$T/err"
pq_check "dictionary overflow in mid-chunk: reads back" "$T/o.json" \
    "$T/o.parquet.want" "$T/o.parquet"
meta "dictionary overflow: one chunk with both encodings" "$T/o.parquet" \
    "$E" "[('v', 'PLAIN, RLE, RLE_DICTIONARY', True)]"

# A first page of nulls only, then dictionary-encoded values.
"$PY" -c '
import json
for i in range(45000):
    print(json.dumps({"v": None if i < 25000 else "v%d" % (i % 3)}))
' >"$T/n.ndjson"
pq_shape "$T/o.json" "$T/n.ndjson" "$T/n.parquet" 2>"$T/err"
pq_check "null pages before dictionary pages: reads back" "$T/o.json" \
    "$T/n.parquet.want" "$T/n.parquet"
meta "null pages before dictionary pages: stats" "$T/n.parquet" \
    "${S}'v']" "[('v', 'v0', 'v2', '25000')]"
