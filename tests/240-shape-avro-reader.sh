#!/bin/sh
# fk-shape -o avro, read back by two independent readers: Debian's
# python3-avro and avro-c's avrocat.  Every value must come back exactly
# as the canonical row said (logical types decoded and compared with the
# text they came from): flat users, nested RECORDs, REPEATED scalars and
# records, every BigQuery type, NULLs, empty input, each codec, 100 000
# rows in several blocks, a pipe, and the error paths.
. "$FK_TESTDIR/lib.sh"

if ! "$PY" -c 'import avro.datafile' 2>/dev/null; then
	notok "python3-avro is installed" "$PY cannot import avro"
	exit 1
fi
command -v avrocat >/dev/null 2>&1 || { notok "avrocat on PATH"; exit 1; }

# ---- the comparer ------------------------------------------------------
cat >"$T/cmp.py" <<'EOF'
# cmp.py LABEL SCHEMA ROWS AVRO python,avrocat,header
#   compare an Avro file with the canonical NDJSON rows it was written
#   from, once per reader; prints one ok/not ok line each.
import base64, binascii, datetime, decimal, io, json, math, struct, sys
import subprocess, zlib
import avro.codecs, avro.datafile, avro.io

decimal.getcontext().prec = 80     # NUMERIC has 38 digits: scale exactly
import warnings, avro.errors       # local-timestamp-micros: read as long
warnings.simplefilter("ignore", avro.errors.IgnoredLogicalType)

def snappy_raw(data):
    """Decompress one raw snappy buffer (format_description.txt)."""
    pos, shift, n = 0, 0, 0
    while True:
        b = data[pos]; pos += 1
        n |= (b & 0x7f) << shift; shift += 7
        if b < 0x80:
            break
    out = bytearray()
    while pos < len(data):
        tag = data[pos]; pos += 1
        kind = tag & 3
        if kind == 0:
            ln = tag >> 2
            if ln >= 60:
                k = ln - 59
                ln = int.from_bytes(data[pos:pos + k], "little"); pos += k
            ln += 1
            out += data[pos:pos + ln]; pos += ln
            continue
        if kind == 1:
            ln = 4 + ((tag >> 2) & 7)
            off = ((tag >> 5) << 8) | data[pos]; pos += 1
        elif kind == 2:
            ln = (tag >> 2) + 1
            off = int.from_bytes(data[pos:pos + 2], "little"); pos += 2
        else:
            ln = (tag >> 2) + 1
            off = int.from_bytes(data[pos:pos + 4], "little"); pos += 4
        if off == 0 or off > len(out):
            raise ValueError("snappy: bad offset")
        for _ in range(ln):
            out.append(out[-off])
    if len(out) != n:
        raise ValueError("snappy: length %d, header says %d" % (len(out), n))
    return bytes(out)

class SnappyCodec(avro.codecs.Codec):
    """python3-snappy is not a dependency: decode (and CRC-check) here."""
    @staticmethod
    def compress(data):
        raise NotImplementedError
    @staticmethod
    def decompress(dec):
        length = dec.read_long()
        data = dec.read(length - 4)
        crc = dec.read(4)
        raw = snappy_raw(data)
        if struct.unpack(">I", crc)[0] != zlib.crc32(raw) & 0xffffffff:
            raise ValueError("snappy block: CRC-32 mismatch")
        return avro.io.BinaryDecoder(io.BytesIO(raw))

if "snappy" not in avro.codecs.KNOWN_CODECS:
    avro.codecs.KNOWN_CODECS["snappy"] = SnappyCodec

EPOCH = datetime.datetime(1970, 1, 1)

def micros(text):
    """TIMESTAMP/DATETIME canonical text to microseconds since 1970."""
    t = text.rstrip("Z").replace(" ", "T")
    day, clock = t.split("T")
    d = datetime.date.fromisoformat(day)
    return (d - EPOCH.date()).days * 86400000000 + time_micros(clock)

def time_micros(text):
    hms, _, frac = text.partition(".")
    h, m, s = (int(x) for x in hms.split(":"))
    return ((h * 60 + m) * 60 + s) * 1000000 + int((frac + "000000")[:6])

def fdouble(v):
    if isinstance(v, str):
        return {"NaN": math.nan, "Infinity": math.inf,
                "-Infinity": -math.inf}[v]
    return float(v)

def same_double(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b

# What python3-avro returns for each type, from the canonical value.
def want_py(f, v):
    t = f["type"]
    if t in ("STRING", "JSON"):
        return v
    if t == "BYTES":
        return base64.b64decode(v, validate=True)
    if t in ("INTEGER", "INT64"):
        return int(v)
    if t in ("FLOAT", "FLOAT64"):
        return fdouble(v)
    if t == "NUMERIC":
        return decimal.Decimal(v)
    if t in ("BOOLEAN", "BOOL"):
        return v
    if t == "DATE":
        return datetime.date.fromisoformat(v)
    if t == "TIME":
        return time_micros(v)
    if t == "DATETIME":
        return micros(v)
    if t == "TIMESTAMP":
        return micros(v)
    raise ValueError(t)

def got_py(f, v):
    """Normalize what python3-avro decoded into want_py's terms."""
    t = f["type"]
    if t == "TIME":
        return ((v.hour * 60 + v.minute) * 60 + v.second) * 1000000 + \
            v.microsecond
    if t == "TIMESTAMP":
        d = v.replace(tzinfo=None) - EPOCH
        return d.days * 86400000000 + d.seconds * 1000000 + d.microseconds
    return v   # DATETIME: python-avro 1.11 reads local-timestamp-micros as long

# What avrocat prints: unions wrapped {"type": v}, ints and longs as
# numbers, logical types as their underlying numbers, bytes as a string
# of code points 0-255 that avro-c cuts at the first NUL byte.
def want_cat(f, v):
    t = f["type"]
    if t in ("BYTES", "NUMERIC"):
        if t == "BYTES":
            raw = base64.b64decode(v)
        else:
            n = int(decimal.Decimal(v).scaleb(9))
            raw = n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big",
                             signed=True)
        return raw.split(b"\0")[0].decode("latin-1")
    if t == "DATE":
        return (datetime.date.fromisoformat(v) - EPOCH.date()).days
    if t == "TIME":
        return time_micros(v)
    if t in ("DATETIME", "TIMESTAMP"):
        return micros(v)
    return want_py(f, v)

def unwrap(v):
    if isinstance(v, dict) and len(v) == 1:
        return next(iter(v.values()))
    return v

def diff(fields, want, got, how, path=""):
    """None if the row matches, else a description of the first mismatch."""
    for f in fields:
        name = f["name"]
        p = path + name
        w = want.get(name)
        g = got.get(name) if isinstance(got, dict) else None
        if name not in got:
            return "%s: missing" % p
        mode = f.get("mode", "NULLABLE")
        if how == "avrocat" and mode == "NULLABLE":
            g = unwrap(g) if g is not None else None
        if mode == "REPEATED":
            w = w or []
            if not isinstance(g, list) or len(g) != len(w):
                return "%s: %r != %r" % (p, g, w)
            for i, (wi, gi) in enumerate(zip(w, g)):
                r = one(f, wi, gi, how, "%s[%d]" % (p, i))
                if r:
                    return r
            continue
        r = one(f, w, g, how, p)
        if r:
            return r
    return None

def one(f, w, g, how, p):
    if w is None:
        return None if g is None else "%s: %r, want null" % (p, g)
    if g is None:
        return "%s: null, want %r" % (p, w)
    if f["type"] in ("RECORD", "STRUCT"):
        return diff(f["fields"], w, g, how, p + ".")
    if how == "avrocat":
        want = want_cat(f, w)
    else:
        want = want_py(f, w)
        g = got_py(f, g)
    if f["type"] in ("FLOAT", "FLOAT64"):
        ok = isinstance(g, float) and same_double(float(g), want)
    elif f["type"] == "NUMERIC" and how != "avrocat":
        ok = g == want and g.as_tuple().exponent == -9
    else:
        ok = g == want and type(g) is type(want)
    return None if ok else "%s: %r (%s), want %r (%s)" % (
        p, g, type(g).__name__, want, type(want).__name__)

def rows_python(path):
    with open(path, "rb") as fh:
        r = avro.datafile.DataFileReader(fh, avro.io.DatumReader())
        meta = dict(r.meta)
        out = list(r)
        r.close()
    return out, meta

def rows_avrocat(path):
    p = subprocess.run(["avrocat", path], capture_output=True, text=True)
    if p.returncode != 0 or p.stderr:
        raise RuntimeError("avrocat failed (%d): %s" % (p.returncode,
                                                         p.stderr.strip()))
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]

def check(fields, want, got, how):
    if len(got) != len(want):
        return "%d rows read, %d written" % (len(got), len(want))
    for i, (w, g) in enumerate(zip(want, got)):
        d = diff(fields, w, g, how)
        if d:
            return "row %d: %s" % (i + 1, d)
    return None

def header(fields, meta):
    """The logical types BigQuery needs must be in the header."""
    text = json.dumps(json.loads(meta["avro.schema"]))
    need = {"DATE": "date", "TIME": "time-micros",
            "TIMESTAMP": "timestamp-micros",
            "DATETIME": "local-timestamp-micros", "NUMERIC": "decimal"}
    for f in fields:
        lt = need.get(f["type"])
        if lt and '"logicalType": "%s"' % lt not in text:
            return "header lacks logicalType %s" % lt
    return None

def report(label, err):
    if err is None:
        print("ok - %s" % label)
    else:
        print("not ok - %s\n#   %s" % (label, err[:400]))

def main():
    # cmp.py LABEL SCHEMA ROWS AVRO MODE,...: one TAP line per MODE.
    label, schema_p, rows_p, avro_p, modes = sys.argv[1:6]
    fields = json.load(open(schema_p))
    want = [json.loads(l) for l in open(rows_p, encoding="utf-8")
            if l.strip()]
    for how in modes.split(","):
        name = {"python": "python3-avro reads back every value",
                "avrocat": "avrocat reads back every value",
                "header": "header holds the logical types"}[how]
        try:
            if how == "avrocat":
                err = check(fields, want, rows_avrocat(avro_p), how)
            else:
                got, meta = rows_python(avro_p)
                err = header(fields, meta) if how == "header" else \
                    check(fields, want, got, how)
                if how == "header":
                    name += ", codec " + meta["avro.codec"].decode()
        except Exception as e:
            err = "%s: %s" % (type(e).__name__, e)
        report("%s: %s" % (label, name), err)

main()
EOF

# ---- the data ----------------------------------------------------------
cat >"$T/gen.py" <<'EOF'
# gen.py KIND N: canonical rows (schema.h) of one kind on stdout.
import json, random, sys
kind, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
first = ["Ana", "Bjørn", "Zoë", "José", "李", "O'Brien", "Ñandú", "Emma"]
def user(i):
    return {"id": i, "firstname": rnd.choice(first),
            "lastname": "Lastname %d" % rnd.randrange(10**6),
            "email": "user%d@example.org" % i,
            "phone": "+47 %08d" % rnd.randrange(10**8),
            "birthday": "%04d-%02d-%02d" % (rnd.randrange(1900, 2024),
                                             rnd.randrange(1, 13),
                                             rnd.randrange(1, 29)),
            "gender": rnd.choice(["male", "female", None]),
            "website": None if i % 7 == 0 else "http://ex.org/%d" % i}
for i in range(n):
    if kind == "users":
        r = user(i)
    elif kind == "nested":
        r = {"id": i, "address": None if i % 5 == 0 else {
                "street": "%d Main St" % i, "city": rnd.choice(first),
                "geo": None if i % 3 == 0 else {
                    "lat": rnd.uniform(-90, 90), "lon": rnd.uniform(-180, 180)}}}
    elif kind == "repeated":
        r = {"id": i,
             "tags": [rnd.choice(first) for _ in range(i % 4)],
             "scores": [rnd.randrange(-10**12, 10**12) for _ in range(i % 3)],
             "kids": [{"name": rnd.choice(first),
                       "born": "20%02d-01-0%d" % (i % 24, 1 + k % 9),
                       "toys": ["t%d" % t for t in range(k)]}
                      for k in range(i % 3)]}
    print(json.dumps(r, ensure_ascii=False))
EOF

cat >"$T/users.json" <<'EOF'
[{"name":"id","type":"INTEGER","mode":"REQUIRED"},
 {"name":"firstname","type":"STRING"},{"name":"lastname","type":"STRING"},
 {"name":"email","type":"STRING"},{"name":"phone","type":"STRING"},
 {"name":"birthday","type":"DATE"},{"name":"gender","type":"STRING"},
 {"name":"website","type":"STRING"}]
EOF
cat >"$T/nested.json" <<'EOF'
[{"name":"id","type":"INTEGER"},
 {"name":"address","type":"RECORD","fields":[
  {"name":"street","type":"STRING"},{"name":"city","type":"STRING"},
  {"name":"geo","type":"RECORD","fields":[
   {"name":"lat","type":"FLOAT","mode":"REQUIRED"},
   {"name":"lon","type":"FLOAT"}]}]}]
EOF
cat >"$T/repeated.json" <<'EOF'
[{"name":"id","type":"INTEGER"},
 {"name":"tags","type":"STRING","mode":"REPEATED"},
 {"name":"scores","type":"INTEGER","mode":"REPEATED"},
 {"name":"kids","type":"RECORD","mode":"REPEATED","fields":[
  {"name":"name","type":"STRING","mode":"REQUIRED"},
  {"name":"born","type":"DATE"},
  {"name":"toys","type":"STRING","mode":"REPEATED"}]}]
EOF
cat >"$T/types.json" <<'EOF'
[{"name":"s","type":"STRING"},{"name":"b","type":"BYTES"},
 {"name":"i","type":"INTEGER"},{"name":"f","type":"FLOAT"},
 {"name":"n","type":"NUMERIC"},{"name":"t","type":"BOOLEAN"},
 {"name":"d","type":"DATE"},{"name":"tm","type":"TIME"},
 {"name":"dt","type":"DATETIME"},{"name":"ts","type":"TIMESTAMP"},
 {"name":"j","type":"JSON"}]
EOF
# Finite values only: avrocat cannot print NaN or the infinities.
cat >"$T/types.ndjson" <<'EOF'
{"s":"h\u00e9 \"q\", \\ \n\r\t\u0001 \u4e2d\ud83d\ude00","b":"AAEC/w==","i":"9223372036854775807","f":1.5,"n":"-12.5","t":true,"d":"2020-01-01","tm":"12:34:56.789","dt":"2020-01-01T00:00:01","ts":"1970-01-01T00:00:00.000001Z","j":"{\"a\":[1,\"x\"]}"}
{"s":null,"b":null,"i":null,"f":null,"n":null,"t":null,"d":null,"tm":null,"dt":null,"ts":null,"j":null}
{"s":"","b":"","i":-5,"f":-0.1,"n":"0","t":false,"d":"0001-01-01","tm":"23:59:59.999999","dt":"9999-12-31T23:59:59.999999","ts":"1969-12-31T23:59:59Z","j":"\"\""}
{"s":"x","b":"/w==","i":"-9223372036854775808","f":1e-300,"n":"99999999999999999999999999999.999999999","t":true,"d":"1969-12-31","tm":"00:00:00","dt":"1970-01-01T00:00:00","ts":"2038-01-19T03:14:08Z","j":"[]"}
{"s":"y","b":"AAE=","i":9007199254740992,"f":1.7976931348623157e308,"n":"-0.000000001","t":false,"d":"9999-12-31","tm":"00:00:00.5","dt":"2000-02-29T12:00:00.25","ts":"9999-12-31T23:59:59.999999Z","j":"{}"}
EOF
cat >"$T/nonfinite.ndjson" <<'EOF'
{"s":"nan","f":"NaN","t":true}
{"s":"inf","f":"Infinity","t":true}
{"s":"-inf","f":"-Infinity","t":true}
EOF
# Absent NULLABLE fields are written as NULL: the comparer reads them so.
for k in users nested repeated; do
	"$PY" "$T/gen.py" "$k" 300 >"$T/$k.ndjson"
done
"$PY" "$T/gen.py" users 100000 >"$T/big.ndjson"
: >"$T/empty.ndjson"

# ---- the writer ----------------------------------------------------------
# fk-shape reads JSON, not canonical rows: a JSON column's value is the
# JSON itself, so raw.py turns the canonical text back into JSON first.
cat >"$T/raw.py" <<'EOF'
import json, sys
def raw(fields, row):
    for f in fields:
        v = row.get(f["name"])
        if v is None:
            continue
        vs = v if f.get("mode") == "REPEATED" else [v]
        if f["type"] == "JSON":
            vs = [json.loads(x) for x in vs]
        elif f["type"] in ("RECORD", "STRUCT"):
            vs = [raw(f["fields"], x) for x in vs]
        row[f["name"]] = vs if f.get("mode") == "REPEATED" else vs[0]
    return row
fields = json.load(open(sys.argv[1]))
for l in sys.stdin:
    print(json.dumps(raw(fields, json.loads(l))))
EOF
# w SCHEMA ROWS OUT CODEC [BLOCK]: fk-shape end to end.
w() {
	"$PY" "$T/raw.py" "$1" <"$2" >"$T/raw.ndjson" &&
	    fk-shape -q --schema "$1" -o avro --codec "$4" \
	    ${5:+--avro-block-size "$5"} -O "$3" . "$T/raw.ndjson"
}

# compare LABEL SCHEMA ROWS AVRO MODES: one result line per reader in MODES.
compare() {
	"$PY" "$T/cmp.py" "$@" >"$T/cmp.out" 2>&1
	rc=$?
	cat "$T/cmp.out"
	[ "$rc" -eq 0 ] || notok "$1: the comparer ran" "$(tail -n 5 "$T/cmp.out")"
}
both() {
	compare "$1" "$2" "$3" "$4" python,avrocat
}

for k in users nested repeated types; do
	for c in deflate snappy null; do
		out=$T/$k-$c.avro
		check "$k, $c: written" w "$T/$k.json" "$T/$k.ndjson" "$out" "$c"
		both "$k, $c" "$T/$k.json" "$T/$k.ndjson" "$out"
	done
done
check "NaN and infinities: written" w "$T/types.json" \
    "$T/nonfinite.ndjson" "$T/nf.avro" deflate
compare "NaN and infinities" "$T/types.json" "$T/nonfinite.ndjson" \
    "$T/nf.avro" python
compare "types, snappy" "$T/types.json" "$T/types.ndjson" \
    "$T/types-snappy.avro" header

for c in deflate snappy null; do
	check "zero rows, $c: written" w "$T/types.json" "$T/empty.ndjson" \
	    "$T/empty-$c.avro" "$c"
	both "zero rows, $c" "$T/types.json" "$T/empty.ndjson" \
	    "$T/empty-$c.avro"
done

# 100 000 rows: several blocks.  Both readers compare every value of one
# file (that takes seconds); the others are counted.
check "100000 rows, deflate: written" w "$T/users.json" "$T/big.ndjson" \
    "$T/big-deflate.avro" deflate
compare "100000 rows, deflate" "$T/users.json" "$T/big.ndjson" \
    "$T/big-deflate.avro" python,avrocat
# count LABEL FILE: avrocat reads 100000 rows from FILE, silently.
count() {
	n=$(avrocat "$2" 2>"$T/err" | wc -l)
	if [ "$n" -eq 100000 ] && [ ! -s "$T/err" ]; then
		ok "$1: avrocat reads all 100000 rows"
	else
		notok "$1: avrocat reads all 100000 rows" \
		    "$n rows: $(head -c 300 "$T/err")"
	fi
}
check "100000 rows, snappy: written" w "$T/users.json" "$T/big.ndjson" \
    "$T/big-snappy.avro" snappy
count "100000 rows, snappy" "$T/big-snappy.avro"
# Blocks = sync markers after the header's; the marker ends the file.
blocks() {
	"$PY" -c '
import sys
d = open(sys.argv[1], "rb").read()
print(d.count(d[-16:]) - 1)' "$1"
}
n=$(blocks "$T/big-deflate.avro")
if [ "$n" -ge 2 ]; then ok "100000 rows make $n blocks"
else notok "100000 rows make several blocks" "got $n"; fi
check "100000 rows in 64 KiB blocks: written" w "$T/users.json" \
    "$T/big.ndjson" "$T/big-small.avro" null 64K
count "100000 rows in 64 KiB blocks" "$T/big-small.avro"
n=$(blocks "$T/big-small.avro")
if [ "$n" -ge 100 ]; then ok "64 KiB blocks: $n blocks"
else notok "64 KiB blocks: more than 100 blocks" "got $n"; fi

# A pipe is fine: the writer never seeks.
"$PY" "$T/raw.py" "$T/nested.json" <"$T/nested.ndjson" |
    fk-shape -q --schema "$T/nested.json" -o avro 2>"$T/err" |
    cat >"$T/piped.avro"
both "written to a pipe" "$T/nested.json" "$T/nested.ndjson" \
    "$T/piped.avro"

# Error paths: the documented code, a message naming the field, and no
# output file at all.
printf '{"d":"2020-01-01"}\n{"d":"2020-02-30"}\n' >"$T/bad.ndjson"
expect_exit 1 "a bad DATE stops the run (--max-bad 0)" \
    fk-shape --schema "$T/types.json" -o avro -O "$T/bad.avro" . \
    "$T/bad.ndjson"
if grep -q "field 'd'" "$T/err"; then ok "the message names field d"
else notok "the message names field d" "$(cat "$T/err")"; fi
if [ -e "$T/bad.avro" ]; then notok "a failed run leaves no Avro file"
else ok "a failed run leaves no Avro file"; fi
expect_exit 64 "an unknown codec is a usage error" \
    fk-shape --schema "$T/types.json" -o avro --codec lzma -O "$T/bad.avro" \
    . "$T/empty.ndjson"
printf '[{"name":"a-b","type":"STRING"}]\n' >"$T/badname.json"
expect_exit 78 "a name Avro cannot hold is refused" \
    fk-shape --schema "$T/badname.json" -o avro -O "$T/bad.avro" . \
    "$T/empty.ndjson"
# A full disk is an I/O error (to stdout: -O would rename over /dev/full).
if [ -c /dev/full ]; then
	expect_exit 74 "a write error is exit 74" sh -c \
	    'fk-shape -q --schema "$1" -o avro . "$2" >/dev/full' sh \
	    "$T/users.json" "$T/users.ndjson"
fi
