#!/bin/sh
# fk-shape -o avro: read back by python3-avro and avro-bin's avrocat,
# every type and codec, complete files or a failed run.
. "$FK_TESTDIR/lib.sh"
EX=$FK_TESTDIR/../examples

# Compare an Avro file with NDJSON rows (canonical text, see schema.h).
cat >"$T/cmp.py" <<'G'
import avro.datafile, avro.io, base64, datetime, decimal, json, math, sys, warnings
warnings.simplefilter("ignore")

def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, decimal.Decimal):
        s = format(v, "f")     # normalize() would round to 28 digits
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        return "0" if s in ("-0", "0") else s
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S") + (".%06d" % v.microsecond if v.microsecond else "") + "Z"
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, datetime.time):
        return v.strftime("%H:%M:%S") + (".%06d" % v.microsecond if v.microsecond else "")
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53:
        return str(v)          # INTEGER beyond 2^53 travels as text
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    if isinstance(v, float) and math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v

avro_path, ndjson_path = sys.argv[1], sys.argv[2]
skip = set(sys.argv[3:])       # fields compared separately
r = avro.datafile.DataFileReader(open(avro_path, "rb"), avro.io.DatumReader())
got = [norm(x) for x in r]
exp = [json.loads(l) for l in open(ndjson_path, encoding="utf-8")]
assert len(got) == len(exp), (len(got), len(exp))
for g, e in zip(got, exp):
    for k in skip:
        g.pop(k, None); e.pop(k, None)
    assert g == e, (g, e)
print(r.meta["avro.codec"].decode(), len(got))
G

# 1. FakerAPI persons, inferred schema, every codec.
$PY "$FK_TESTDIR/shape-gen.py" persons 700 4 >"$T/p.json"
fk-shape . "$T/p.json" >"$T/p.ndjson" 2>/dev/null
# (Debian's python3-avro has no snappy: avrocat reads that one.)
for c in deflate null; do
	fk-shape -o avro --codec $c . "$T/p.json" >"$T/p.avro" 2>"$T/err"
	r=$($PY "$T/cmp.py" "$T/p.avro" "$T/p.ndjson" 2>&1)
	[ "$r" = "$c 700" ] && ok "python3-avro reads back 700 persons ($c)" ||
		notok "python3-avro reads back 700 persons ($c)" "$r"
done
cat >"$T/cat.py" <<'G'
import json, sys, datetime
def un(v):
    # avrocat prints a union's value as {"branch name": value}
    if isinstance(v, dict) and len(v) == 1:
        k = list(v)[0]
        if k in ("string", "long", "double", "int", "boolean") or k.startswith("fk_record_"):
            return un(v[k])
    if isinstance(v, dict):
        return {k: un(x) for k, x in v.items()}
    return v
n = 0
for a, b in zip(open(sys.argv[1]), open(sys.argv[2])):
    a, b = un(json.loads(a)), json.loads(b)
    d = datetime.date(1970, 1, 1) + datetime.timedelta(days=a["birthday"])
    a["birthday"] = d.isoformat()
    assert a == b, (a, b)
    n += 1
print(n)
G
for c in snappy deflate; do
	fk-shape -o avro --codec $c . "$T/p.json" >"$T/p.avro" 2>/dev/null
	avrocat "$T/p.avro" >"$T/cat.out" 2>"$T/err" || notok "avrocat ($c)" "$(cat "$T/err")"
	r=$($PY "$T/cat.py" "$T/cat.out" "$T/p.ndjson" 2>&1)
	[ "$r" = 700 ] && ok "avrocat reads back 700 persons ($c)" ||
		notok "avrocat reads back 700 persons ($c)" "$r"
done

# 2. Every BigQuery type, with logical types in the header.
cat >"$T/all.schema" <<'G'
[{"name":"s","type":"STRING","mode":"REQUIRED"},{"name":"b","type":"BYTES"},
 {"name":"i","type":"INTEGER"},{"name":"f","type":"FLOAT"},
 {"name":"n","type":"NUMERIC"},{"name":"ok","type":"BOOLEAN"},
 {"name":"d","type":"DATE"},{"name":"t","type":"TIME"},
 {"name":"dt","type":"DATETIME"},{"name":"ts","type":"TIMESTAMP"},
 {"name":"j","type":"JSON"},{"name":"tags","type":"STRING","mode":"REPEATED"},
 {"name":"kids","type":"RECORD","mode":"REPEATED","fields":[
   {"name":"name","type":"STRING","mode":"REQUIRED"},{"name":"age","type":"INTEGER"}]},
 {"name":"addr","type":"RECORD","fields":[{"name":"city","type":"STRING"},
   {"name":"geo","type":"RECORD","fields":[{"name":"lat","type":"FLOAT"}]}]}]
G
cat >"$T/all.json" <<'G'
{"s":"h\u00e9llo\n\u0000x","b":"aGk=","i":"9223372036854775807","f":"NaN","n":"-12.5","ok":true,"d":"1939-03-20","t":"12:30:00.5","dt":"2024-01-02 03:04:05","ts":"2024-01-02T03:04:05.25+02:00","j":{"a":[1,2]},"tags":["x","y"],"kids":[{"name":"k","age":3}],"addr":{"city":"Paris","geo":{"lat":48.85}}}
{"s":"","i":"-9223372036854775808","f":-1.5e300,"n":"99999999999999999999999999999.999999999","ok":false,"d":"0001-01-01","ts":"9999-12-31T23:59:59.999999Z"}
{"s":"z","b":"","n":"-0.000000001","ts":"1969-12-31T23:59:59Z","d":"1969-12-31"}
G
fk-shape --schema "$T/all.schema" . "$T/all.json" >"$T/all.ndjson" 2>"$T/err" ||
	notok "canonical NDJSON of every type" "$(cat "$T/err")"
fk-shape -o avro --schema "$T/all.schema" . "$T/all.json" >"$T/all.avro" 2>"$T/err"
r=$($PY "$T/cmp.py" "$T/all.avro" "$T/all.ndjson" dt j 2>&1)
[ "$r" = "deflate 3" ] && ok "every type reads back" || notok "every type reads back" "$r"
$PY - "$T/all.avro" <<'G' && ok "logical types, sqlType JSON, decimal(38,9) in the header" || notok "logical types in the header"
import avro.datafile, avro.io, json, sys, warnings
warnings.simplefilter("ignore")
r = avro.datafile.DataFileReader(open(sys.argv[1], "rb"), avro.io.DatumReader())
f = {x["name"]: x["type"] for x in json.loads(r.meta["avro.schema"])["fields"]}
lt = lambda t: t[1] if isinstance(t, list) else t
assert lt(f["d"]) == {"type": "int", "logicalType": "date"}
assert lt(f["ts"]) == {"type": "long", "logicalType": "timestamp-micros"}
assert lt(f["t"]) == {"type": "long", "logicalType": "time-micros"}
assert lt(f["dt"]) == {"type": "long", "logicalType": "local-timestamp-micros"}
assert lt(f["n"]) == {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 9}
assert lt(f["j"]) == {"type": "string", "sqlType": "JSON"}
assert f["s"] == "string" and f["tags"] == {"type": "array", "items": "string"}
rows = list(r)
assert rows[0]["dt"] == 1704164645000000          # micros, local time
assert rows[0]["j"] == '{"a":[1,2]}'
G

# 3. The example filter and schema.
$PY "$FK_TESTDIR/shape-gen.py" users 1000 6 >"$T/u.json"
fk-shape -f "$EX/users.jq" --schema "$EX/users.schema.json" "$T/u.json" >"$T/u.ndjson" 2>/dev/null
fk-shape -o avro -f "$EX/users.jq" --schema "$EX/users.schema.json" "$T/u.json" >"$T/u.avro" 2>/dev/null
r=$($PY "$T/cmp.py" "$T/u.avro" "$T/u.ndjson" 2>&1)
[ "$r" = "deflate 1000" ] && ok "users example reads back" || notok "users example reads back" "$r"

# 4. -O: a complete file or none at all.
fk-shape -o avro -O "$T/ok.avro" . "$T/p.json" 2>/dev/null
r=$($PY "$T/cmp.py" "$T/ok.avro" "$T/p.ndjson" 2>&1)
[ "$r" = "deflate 700" ] && ok "-O writes a complete file" || notok "-O writes a complete file" "$r"
ls "$T" | grep -q 'ok.avro\.' && notok "no temporary file left" || ok "no temporary file left"
{ cat "$T/p.json"; echo '{"id":"not a number"}'; } >"$T/bad.json"
expect_exit 1 "a bad row fails the run" fk-shape -o avro -O "$T/bad.avro" . "$T/bad.json"
[ ! -e "$T/bad.avro" ] && ok "failed run leaves no file" || notok "failed run leaves no file"
ls "$T" | grep -q 'bad.avro' && notok "failed run leaves no temporary" || ok "failed run leaves no temporary"

# On stdout a stopped run still ends on whole blocks: the rows before the
# stop, readable, and the exit status says the run failed.
{ head -n 650 "$T/p.json"; echo '{"id":"bad"}'; tail -n 50 "$T/p.json"; } >"$T/cut.json"
fk-shape -o avro . "$T/cut.json" >"$T/cut.avro" 2>/dev/null
rc=$?
head -n 650 "$T/p.ndjson" >"$T/cut.ndjson"
r=$($PY "$T/cmp.py" "$T/cut.avro" "$T/cut.ndjson" 2>&1)
[ $rc -eq 1 ] && [ "$r" = "deflate 650" ] && ok "stopped run: exit 1, the 650 rows before the stop" ||
	notok "stopped run on stdout" "$rc $r"

# Workers compress the blocks, ending one with each input batch: the
# file is the same bytes at every -j but for its random sync marker.
for j in 1 2 3; do
	for c in deflate snappy; do
		fk-shape -o avro --codec $c -j $j --avro-block-size 4K . \
		    "$T/p.json" 2>/dev/null | $PY -c 'import sys
d = sys.stdin.buffer.read()
sys.stdout.buffer.write(d.replace(d[-16:], b"\0" * 16))' >"$T/j$j.$c"
	done
done
cmp -s "$T/j1.deflate" "$T/j2.deflate" && cmp -s "$T/j1.deflate" "$T/j3.deflate" &&
    cmp -s "$T/j1.snappy" "$T/j2.snappy" && cmp -s "$T/j1.snappy" "$T/j3.snappy" &&
    [ -s "$T/j1.deflate" ] && ok "the same Avro bytes at -j 1, 2 and 3" ||
    notok "the same Avro bytes at -j 1, 2 and 3"

# 5. No rows: a valid empty file with a schema, an error without one.
: | fk-shape -o avro --schema "$EX/users.schema.json" >"$T/e.avro" 2>/dev/null
$PY -c 'import avro.datafile as d, avro.io as i, sys; assert list(d.DataFileReader(open(sys.argv[1],"rb"), i.DatumReader())) == []' "$T/e.avro" &&
	ok "empty Avro file with a schema" || notok "empty Avro file with a schema"
expect_exit 65 "no rows and no schema" sh -c ': | fk-shape -o avro'
grep -q 'no row to infer the Avro schema from' "$T/err" && ok "says why" || notok "says why" "$(cat "$T/err")"

# 6. A row larger than a block gets a block of its own; one larger than
# BigQuery's 16 MB block limit is a bad record, not a broken file.
$PY -c 'print("{\"s\":\"%s\"}" % ("x" * 3000)); print("{\"s\":\"small\"}")' >"$T/big.json"
fk-shape -o avro --avro-block-size 2K . "$T/big.json" >"$T/big.avro" 2>/dev/null
$PY -c 'import avro.datafile as d, avro.io as i, sys; r = list(d.DataFileReader(open(sys.argv[1],"rb"), i.DatumReader())); assert r == [{"s": "x" * 3000}, {"s": "small"}], r' "$T/big.avro" &&
	ok "a row bigger than the block size gets its own block" || notok "a row bigger than the block size"
$PY -c 'print("{\"s\":\"%s\"}" % ("y" * (16 << 20))); print("{\"s\":\"small\"}")' >"$T/huge.json"
fk-shape -o avro --max-record-size 32M --reject "$T/rej" --max-bad 1 . "$T/huge.json" >"$T/huge.avro" 2>/dev/null
grep -q "BigQuery reads no Avro block over 16 MB" "$T/rej" && ok "a 16 MiB row is rejected" ||
	notok "a 16 MiB row is rejected" "$(head -c 300 "$T/rej")"
$PY -c 'import avro.datafile as d, avro.io as i, sys; r = list(d.DataFileReader(open(sys.argv[1],"rb"), i.DatumReader())); assert r == [{"s": "small"}], r' "$T/huge.avro" &&
	ok "the rest is a valid file" || notok "the rest is a valid file"
expect_exit 64 "--avro-block-size over 16M" fk-shape -o avro --avro-block-size 17M . "$T/p.json"

# 7. --emit-schema for Avro prints the logical-types flag.
fk-shape -o avro --emit-schema "$T/s.json" . "$T/p.json" >/dev/null 2>"$T/err"
grep -q 'bq load --source_format=AVRO --use_avro_logical_types' "$T/err" &&
	ok "Avro load flags" || notok "Avro load flags" "$(cat "$T/err")"
