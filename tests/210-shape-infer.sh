#!/bin/sh
# fk-shape with no --schema infers it from a sample of rows (BigQuery's
# autodetect rules): fields that come and go, nulls, widening, RECORDs
# merged, the sample's size options, what happens after the sample, and
# NDJSON that equals jq -c's on the same input and program (a null field
# and a missing one being the same row, as BigQuery loads them).  Then
# the same input as CSV, Avro (python3-avro) and Parquet (DuckDB and
# hyparquet), and the same bytes at every -j.
. "$FK_TESTDIR/lib.sh"

# ---- the comparer ------------------------------------------------------
# eq.py A B: same rows, line by line, once null fields (and the [] BigQuery
# loads for a null REPEATED field) are left out; numbers compared as text.
cat >"$T/eq.py" <<'P'
import json, sys
class Num(str):
    pass
def load(line):
    return json.loads(line, parse_float=Num, parse_int=Num,
                      parse_constant=Num)
def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items() if x is not None and x != []}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, Num):
        return ("num", str(v))
    return v
a = open(sys.argv[1], encoding="utf-8").read().rstrip("\n").split("\n")
b = open(sys.argv[2], encoding="utf-8").read().rstrip("\n").split("\n")
if len(a) != len(b):
    sys.exit("%d rows against %d" % (len(a), len(b)))
for i, (x, y) in enumerate(zip(a, b)):
    if norm(load(x)) != norm(load(y)):
        sys.exit("row %d:\n  %s\n  %s" % (i + 1, x, y))
P
# jqsame DESC PROGRAM INPUT [fk-shape options]: fk-shape's NDJSON equals jq's.
jqsame() {
	d=$1 prog=$2 in=$3
	shift 3
	jq -c "$prog" "$in" >"$T/jq.out"
	if ! fk-shape -q "$@" "$prog" "$in" >"$T/fk.out" 2>"$T/err"; then
		notok "$d" "fk-shape failed: $(cat "$T/err")"
	elif "$PY" "$T/eq.py" "$T/jq.out" "$T/fk.out" >"$T/why" 2>&1; then
		ok "$d"
	else
		notok "$d" "$(cat "$T/why")"
	fi
}
# fieldis DESC SCHEMA-FILE JQ-PATH TYPE MODE
fieldis() {
	got=$(jq -r "$3 | \"\\(.type) \\(.mode)\"" "$2" 2>&1)
	[ "$got" = "$4 $5" ] && ok "$1" || notok "$1" "got '$got', want '$4 $5'"
}

# ---- the issue's case: a field null in the first row -------------------
cat >"$T/geo.json" <<'J'
{"id":1,"name":"Ann","address":{"city":"Oslo","geo":null},"tags":[]}
{"id":2,"address":{"city":"Rome","geo":{"lat":41.9,"lng":12}},"tags":["x"],"score":3}
{"id":3,"name":null,"address":{"geo":{"lat":-33.8,"lng":151.2}},"score":4.5,"vip":true}
J
jqsame "'.' over a field null in row 1, object in row 2" . "$T/geo.json"
jqsame "'{id, geo: .address.geo}' likewise" '{id, geo: .address.geo}' "$T/geo.json"
fk-shape -q --emit-schema "$T/geo.schema" . "$T/geo.json" >/dev/null
fieldis "null first, RECORD later: a RECORD" "$T/geo.schema" \
    '.[] | select(.name=="address") | .fields[] | select(.name=="geo")' RECORD NULLABLE
fieldis "its fields merge: lat FLOAT" "$T/geo.schema" \
    '.[2].fields[1].fields[] | select(.name=="lat")' FLOAT NULLABLE
fieldis "INTEGER 12 then 151.2: FLOAT" "$T/geo.schema" \
    '.[2].fields[1].fields[] | select(.name=="lng")' FLOAT NULLABLE
fieldis "a field only in row 2 is a column" "$T/geo.schema" \
    '.[] | select(.name=="score")' FLOAT NULLABLE
fieldis "a field only in the last row is a column" "$T/geo.schema" \
    '.[] | select(.name=="vip")' BOOLEAN NULLABLE
fieldis "[] then [\"x\"]: REPEATED STRING" "$T/geo.schema" \
    '.[] | select(.name=="tags")' STRING REPEATED
[ "$(jq -r 'map(.name) | join(",")' "$T/geo.schema")" = "id,name,address,tags,score,vip" ] &&
	ok "columns in first-seen order" ||
	notok "columns in first-seen order" "$(jq -c 'map(.name)' "$T/geo.schema")"

# ---- types over the sample ----------------------------------------------
cat >"$T/mix.json" <<'J'
{"n":null,"i":1,"s":"a","d":"2024-01-02","m":1,"b":true,"o":{"x":1},"r":[{"p":1}]}
{"n":null,"i":2,"s":3,"d":"soon","m":"two","b":false,"o":"flat","r":[{"q":"z"}]}
J
fk-shape -q --emit-schema "$T/mix.schema" . "$T/mix.json" >/dev/null
fieldis "null throughout the sample: STRING" "$T/mix.schema" '.[0]' STRING NULLABLE
fieldis "INTEGER throughout: INTEGER" "$T/mix.schema" '.[1]' INTEGER NULLABLE
fieldis "string and number: STRING" "$T/mix.schema" '.[2]' STRING NULLABLE
fieldis "DATE and another string: STRING" "$T/mix.schema" '.[3]' STRING NULLABLE
fieldis "number and string: STRING" "$T/mix.schema" '.[4]' STRING NULLABLE
fieldis "BOOLEAN throughout: BOOLEAN" "$T/mix.schema" '.[5]' BOOLEAN NULLABLE
fieldis "object and string: JSON" "$T/mix.schema" '.[6]' JSON NULLABLE
fieldis "REPEATED RECORD elements merge" "$T/mix.schema" '.[7]' RECORD REPEATED
[ "$(jq -r '.[7].fields | map(.name) | join(",")' "$T/mix.schema")" = "p,q" ] &&
	ok "... with the fields of every element" ||
	notok "... with the fields of every element" "$(jq -c '.[7]' "$T/mix.schema")"
# A number in a STRING column is written as its text, as BigQuery loads it.
jqsame "mixed types: NDJSON equals jq's, STRING columns as text" \
    '.s |= (if type == "number" then tostring else . end) | .m |= (if type == "number" then tostring else . end)' "$T/mix.json"

# ---- jq parity: escapes, unicode, odd numbers, fields that come and go --
"$PY" - >"$T/odd.json" <<'G'
import json, random
random.seed(10)
nums = ["0", "-0", "-17", "1e16", "1.5e17", "12345678901234567890",
        "-9007199254740993", "1E5", "2.5e-7", "-0.000123", "1e-5",
        "123.456e-10", "1.7976931348623157e308", "5e-324", "100e-2", "0.1"]
strs = ["plain", "quote \" and \\ back", "tab\tnew\nline", "\u0001\u001f\u007f",
        "caf\u00e9 \u65e5\u672c", "emoji \U0001F600", "\u2028 sep", "</script>", ""]
keys = ["id", "name", "score", "note", "geo", "tags", "flag"]
for i in range(700):
    r = {}
    for k in keys:
        if random.random() < 0.35:
            continue
        if k == "id":
            r[k] = "%d" % i
        elif k == "score":
            r[k] = random.choice(nums + ["null"])
        elif k == "geo":
            r[k] = random.choice(['null', '{"lat":%s,"lng":%s}' % (random.choice(nums), random.choice(nums)), '{"lat":1}'])
        elif k == "tags":
            r[k] = json.dumps(random.sample(strs, random.randint(0, 3)), ensure_ascii=random.random() < 0.5)
        elif k == "flag":
            r[k] = random.choice(["true", "false", "null"])
        else:
            r[k] = json.dumps(random.choice(strs + [None]), ensure_ascii=random.random() < 0.5)
    print("{" + ",".join('"%s":%s' % kv for kv in r.items()) + "}")
G
jqsame "'.': escapes, unicode, odd numbers, fields that come and go" . "$T/odd.json"
jqsame "'{id, geo: .geo}'" '{id, geo: .geo}' "$T/odd.json"
jqsame "'{id, lat: .geo.lat, t: .tags}'" '{id, lat: .geo.lat, t: .tags}' "$T/odd.json"
jqsame "a sample of 10 rows, --unknown drop" . "$T/odd.json" --sample-rows 10 --unknown drop
jqsame "with -j 1" . "$T/odd.json" -j 1
# Byte for byte where the columns keep jq's order and no field is null.
jq -c 'select(.id != null and .score != null) | {id, score}' "$T/odd.json" >"$T/jq.b"
fk-shape -q 'select(.id != null and .score != null) | {id, score}' "$T/odd.json" >"$T/fk.b" 2>/dev/null
same "same bytes as jq -c (numbers, no nulls)" "$T/jq.b" "$T/fk.b"
jq -c 'select(.name != null) | {name}' "$T/odd.json" >"$T/jq.b"
fk-shape -q 'select(.name != null) | {name}' "$T/odd.json" >"$T/fk.b" 2>/dev/null
same "same bytes as jq -c (escapes and unicode)" "$T/jq.b" "$T/fk.b"

# ---- the same bytes at every -j -----------------------------------------
for f in ndjson csv; do
	fk-shape -q -j 1 -o $f . "$T/odd.json" >"$T/j1.$f" 2>/dev/null
	fk-shape -q -j 4 -o $f . "$T/odd.json" >"$T/j4.$f" 2>/dev/null
	same "-o $f: -j 4 writes what -j 1 writes" "$T/j1.$f" "$T/j4.$f"
done
cat "$T/odd.json" "$T/odd.json" "$T/odd.json" >"$T/odd3.json"
fk-shape -q -j 1 --sample-rows 2000 . "$T/odd3.json" >"$T/a" 2>/dev/null
fk-shape -q -j 3 --sample-rows 2000 . "$T/odd3.json" >"$T/b" 2>/dev/null
same "a sample over several batches' worth: -j 3 as -j 1" "$T/a" "$T/b"
[ "$(wc -l <"$T/a")" -eq 2100 ] && ok "... every row, in input order" ||
	notok "... every row" "$(wc -l <"$T/a")"

# ---- after the sample -------------------------------------------------------
printf '{"a":1,"b":"x"}\n{"a":2}\n{"a":3,"c":true}\n{"a":"four"}\n{"a":5.5}\n' >"$T/late.json"
fk-shape -o avro --sample-rows 2 --reject "$T/rej" --max-bad 5 . "$T/late.json" >"$T/late.avro" 2>"$T/err"
grep -q '"record":3,"path":"c","reason":"field not in the schema"' "$T/rej" &&
	ok "a field new after the sample is a reject naming it" ||
	notok "a field new after the sample is a reject naming it" "$(cat "$T/rej")"
grep -q '"record":4,"path":"a","reason":"expected INTEGER' "$T/rej" &&
	ok "a value that breaks the inferred type is a reject naming it" ||
	notok "a value that breaks the inferred type" "$(cat "$T/rej")"
grep -q '"record":5,"path":"a"' "$T/rej" && ok "... 5.5 in an INTEGER Avro column too" ||
	notok "... 5.5 in an INTEGER Avro column" "$(cat "$T/rej")"
fk-shape -q --sample-rows 2 --unknown drop . "$T/late.json" >"$T/out" 2>/dev/null
[ "$(sed -n 3p "$T/out")" = '{"a":3,"b":null}' ] &&
	ok "--unknown drop after the sample drops the new field" ||
	notok "--unknown drop after the sample" "$(cat "$T/out")"
fk-shape -q --sample-rows 1 --sample-bytes 1K '{a}' "$T/late.json" >/dev/null 2>&1
[ $? -eq 1 ] && ok "... 'four' in an INTEGER NDJSON column is still bad" ||
	notok "'four' in an INTEGER NDJSON column is bad"
# The sample's byte budget: a row beyond it is after the sample.
"$PY" -c '
for i in range(40): print("{\"pad\":\"%s\",\"i\":%d}" % ("x" * 100, i))
print("{\"pad\":\"y\",\"i\":40,\"late\":1}")' >"$T/big.json"
expect_exit 1 "--sample-bytes 1K: a field past the first 1K is new" \
    fk-shape --sample-bytes 1K . "$T/big.json"
check "the default sample takes it in" fk-shape . "$T/big.json"

# ---- options ----------------------------------------------------------------
expect_exit 64 "--sample-rows 0 is a usage error" fk-shape --sample-rows 0 .
expect_exit 64 "--sample-bytes over 32M is a usage error" fk-shape --sample-bytes 64M .
grep -q "32M" "$T/err" && ok "... and says the limit" || notok "says the limit" "$(cat "$T/err")"
echo '[{"name":"a","type":"INTEGER"}]' >"$T/a.schema"
expect_exit 64 "--sample-rows with --schema is a usage error" \
    fk-shape --schema "$T/a.schema" --sample-rows 5 .

# ---- the other formats over an inferred schema ------------------------------
fk-shape -q -o csv . "$T/geo.json" >"$T/geo.csv" 2>/dev/null
printf 'id,name,address_city,address_geo_lat,address_geo_lng,tags,score,vip\r\n1,Ann,Oslo,,,[],,\r\n2,,Rome,41.9,12,"[""x""]",3,\r\n3,,,-33.8,151.2,[],4.5,true\r\n' >"$T/want"
same "CSV: every column of the sample, empty when missing" "$T/want" "$T/geo.csv"

if "$PY" -c 'import avro.datafile' 2>/dev/null; then
	fk-shape -q -o avro --emit-schema "$T/av.schema" . "$T/odd.json" >"$T/odd.avro" 2>/dev/null
	fk-shape -q --schema "$T/av.schema" . "$T/odd.json" >"$T/av.want" 2>/dev/null
	"$PY" - "$T/odd.avro" >"$T/av.got" <<'P'
import json, sys, avro.datafile, avro.io
for r in avro.datafile.DataFileReader(open(sys.argv[1], "rb"), avro.io.DatumReader()):
    print(json.dumps(r, ensure_ascii=False, separators=(",", ":")))
P
	"$PY" -c 'import json, sys
ld = lambda f: [json.loads(l, parse_int=float) for l in open(f)]
sys.exit(ld(sys.argv[1]) != ld(sys.argv[2]))' "$T/av.want" "$T/av.got" &&
		ok "Avro: python3-avro reads back the canonical rows" ||
		notok "Avro: python3-avro reads back the canonical rows" "$(diff "$T/av.want" "$T/av.got" | head -5)"
else
	notok "python3-avro is installed" "$PY cannot import avro"
fi

. "$FK_TESTDIR/pqnode/pq.sh"
fk-shape -q -o parquet --emit-schema "$T/pq.schema" . "$T/odd.json" >"$T/odd.parquet" 2>"$T/err" &&
	ok "Parquet from an inferred schema" || notok "Parquet from an inferred schema" "$(cat "$T/err")"
fk-shape -q -o ndjson --schema "$T/pq.schema" . "$T/odd.json" >"$T/odd.want" 2>/dev/null
pq_check "Parquet (inferred schema)" "$T/pq.schema" "$T/odd.want" "$T/odd.parquet"
fk-shape -q -j 1 -o parquet . "$T/odd.json" >"$T/p1" 2>/dev/null
fk-shape -q -j 4 -o parquet . "$T/odd.json" >"$T/p4" 2>/dev/null
same "-o parquet: -j 4 writes what -j 1 writes" "$T/p1" "$T/p4"
