#!/bin/sh
# fk-shape -o csv, read back by Python's csv module and by a strict RFC
# 4180 tokenizer that also sees quoting (the csv module reads "" and an
# empty field alike, and NULL versus empty string rests on that).  Header
# names, NULLs, empty strings, embedded commas, quotes, CR and LF,
# unicode, flattened records and JSON-text arrays are compared field by
# field with the canonical rows they came from.
. "$FK_TESTDIR/lib.sh"

cat >"$T/cmp.py" <<'EOF'
# cmp.py LABEL SCHEMA ROWS CSV DELIM NULL_MARKER HEADER(1|0)
#   one ok/not ok line: the CSV file holds exactly the rows.
import base64, csv, datetime, decimal, json, math, re, sys

def tokenize(text, delim):
    """RFC 4180 records as lists of (value, quoted); strict."""
    if text and not text.endswith("\n"):
        raise ValueError("no final newline")
    recs, fields, i, n = [], [], 0, len(text)
    while i < n:
        if text[i] == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    raise ValueError("unterminated quote")
                if text[i] == '"':
                    if text[i + 1:i + 2] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(text[i])
                i += 1
            fields.append(("".join(buf), True))
        else:
            j = i
            while j < n and text[j] not in (delim, "\n", "\r"):
                if text[j] == '"':
                    raise ValueError("quote inside an unquoted field at %d" % j)
                j += 1
            fields.append((text[i:j], False))
            i = j
        if text[i] == delim:
            i += 1
            continue
        if text.startswith("\r\n", i):
            i += 2
        elif text[i] == "\n":
            i += 1
        else:
            raise ValueError("stray byte %r after a field at %d" % (text[i], i))
        recs.append(fields)
        fields = []
    return recs

def leaves(fields, prefix=""):
    """Flattened columns: (name, field, path of names)."""
    out = []
    for f in fields:
        name = prefix + f["name"]
        if f["type"] in ("RECORD", "STRUCT") and f.get("mode") != "REPEATED":
            for n, lf, p in leaves(f["fields"], name + "_"):
                out.append((n, lf, [f["name"]] + p))
        else:
            out.append((name, f, [f["name"]]))
    return out

def lookup(row, path):
    for k in path:
        if row is None:
            return None
        row = row.get(k)
    return row

def fval(v):
    if isinstance(v, str):
        return {"NaN": math.nan, "Infinity": math.inf,
                "-Infinity": -math.inf}[v]
    return float(v)

def same_float(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b

def bad_constant(name):
    raise ValueError("%s is not JSON" % name)

def json_want(f, v, element=False):
    """A canonical value as the JSON an array column should hold."""
    if f.get("mode") == "REPEATED" and not element:
        return [json_want(f, x, True) for x in (v or [])]
    if v is None:
        return None
    t = f["type"]
    if t in ("RECORD", "STRUCT"):
        return {g["name"]: json_want(g, v.get(g["name"])) for g in f["fields"]}
    if t == "JSON":
        return json.loads(v)
    if t in ("INTEGER", "INT64"):
        return Int(v)
    if t in ("FLOAT", "FLOAT64"):
        return v if isinstance(v, str) else float(v)
    return v

class Int(int):
    """An INTEGER inside JSON text: a number, or beyond 2^53 maybe the
    digit string (as BigQuery's JSON takes it)."""

def json_same(w, g):
    if isinstance(w, Int):
        if isinstance(g, str) and abs(w) > 2**53:
            return g == str(int(w))
        return type(g) is int and g == w
    if isinstance(w, float):
        return isinstance(g, (int, float)) and same_float(w, float(g))
    if isinstance(w, dict):
        return isinstance(g, dict) and list(g) == list(w) and \
            all(json_same(w[k], g[k]) for k in w)
    if isinstance(w, list):
        return isinstance(g, list) and len(g) == len(w) and \
            all(json_same(a, b) for a, b in zip(w, g))
    return type(g) is type(w) and g == w

def cell_diff(f, v, text, quoted, marker):
    """None if the cell (text, quoted) is the canonical value v."""
    if f.get("mode") == "REPEATED":
        if quoted is False and text == marker and marker != "":
            return "array column is the null marker"
        try:
            got = json.loads(text, parse_constant=bad_constant)
        except ValueError as e:
            return "array column is not JSON (%s): %r" % (e, text)
        want = json_want(f, v)
        return None if json_same(want, got) else "%r != %r" % (got, want)
    if v is None:
        if text == marker and not quoted:
            return None
        return "%r (quoted %s), want NULL" % (text, quoted)
    if not quoted and text == marker:
        return "unquoted %r reads as NULL, want %r" % (text, v)
    t = f["type"]
    if t in ("FLOAT", "FLOAT64"):
        try:
            ok = same_float(float(text), fval(v))
        except ValueError:
            ok = False
        if isinstance(v, str):
            ok = text == v
        return None if ok else "%r, want %r" % (text, v)
    if t in ("INTEGER", "INT64"):
        return None if text == str(int(v)) else "%r, want %r" % (text, v)
    if t in ("BOOLEAN", "BOOL"):
        want = "true" if v else "false"
        return None if text == want else "%r, want %r" % (text, want)
    # Time types, NUMERIC, BYTES and JSON may be written in another
    # spelling of the same value ("12:34:56.789000", "1.50"): the text
    # must be a form BigQuery reads, and the value the same.
    if t in TEXT_FORMS:
        rx, key = TEXT_FORMS[t]
        if not re.fullmatch(rx, text):
            return "%r is not a %s BigQuery reads" % (text, t)
        try:
            same = key(text) == key(v)
        except ValueError as e:
            same = False
        return None if same else "%r, want %r" % (text, v)
    return None if text == v else "%r, want %r" % (text, v)

CLOCK = r"\d\d:\d\d:\d\d(\.\d{1,6})?"
DAY = r"\d{4}-\d\d-\d\d"

def clock_us(text):
    hms, _, frac = text.partition(".")
    h, m, s = (int(x) for x in hms.split(":"))
    return ((h * 60 + m) * 60 + s) * 1000000 + int((frac + "000000")[:6])

def stamp_us(text):
    text = text.replace(" UTC", "").replace("+00:00", "").rstrip("Z")
    day, clock = text.replace(" ", "T").split("T")
    return (datetime.date.fromisoformat(day).toordinal(), clock_us(clock))

TEXT_FORMS = {
    "TIME": (CLOCK, clock_us),
    "DATETIME": (DAY + "[T ]" + CLOCK, stamp_us),
    "TIMESTAMP": (DAY + "[T ]" + CLOCK + "(Z|\\+00:00| UTC)?", stamp_us),
    "NUMERIC": (r"-?\d+(\.\d+)?", decimal.Decimal),
    "BYTES": (r"[A-Za-z0-9+/]*={0,2}",
              lambda x: base64.b64decode(x, validate=True)),
    "JSON": (r"(?s).+", lambda x: json.loads(x, parse_constant=bad_constant)),
}

def main():
    label, schema_p, rows_p, csv_p, delim, marker, header = sys.argv[1:8]
    delim = "\t" if delim == "tab" else delim
    fields = json.load(open(schema_p))
    cols = leaves(fields)
    want = [json.loads(l) for l in open(rows_p, encoding="utf-8")
            if l.strip()]
    text = open(csv_p, encoding="utf-8", newline="").read()
    recs = tokenize(text, delim)
    with open(csv_p, encoding="utf-8", newline="") as fh:
        pyrecs = list(csv.reader(fh, delimiter=delim, strict=True))
    # The csv module reads a lone empty field as an empty record.
    pyrecs = [r if r else [""] for r in pyrecs]
    if [[v for v, q in r] for r in recs] != pyrecs:
        return "the csv module and the tokenizer disagree"
    if header == "1":
        names = [v for v, q in recs.pop(0)]
        if names != [c[0] for c in cols]:
            return "header %r, want %r" % (names, [c[0] for c in cols])
    if len(recs) != len(want):
        return "%d records, %d rows" % (len(recs), len(want))
    for i, (r, w) in enumerate(zip(recs, want)):
        if len(r) != len(cols):
            return "record %d: %d fields, want %d" % (i + 1, len(r), len(cols))
        for (name, f, path), (val, quoted) in zip(cols, r):
            d = cell_diff(f, lookup(w, path), val, quoted, marker)
            if d:
                return "record %d, column %s: %s" % (i + 1, name, d)
    return None

try:
    err = main()
except Exception as e:
    err = "%s: %s" % (type(e).__name__, e)
label = sys.argv[1]
print("ok - %s" % label if err is None else
      "not ok - %s\n#   %s" % (label, err[:500]))
EOF

# ---- the data ----------------------------------------------------------
cat >"$T/gen.py" <<'EOF'
import json, random, sys
kind, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
words = ["Ana", "Bjørn", "Zoë", "李", "O'Brien", "say \"hi\"", "a,b",
         "line\nbreak", "cr\rlf\r\n", "lone\rcr", " padded ", "", None,
         "tab\there",
         "\\N", "NULL", "😀"]
for i in range(n):
    if kind == "users":
        r = {"id": i, "firstname": rnd.choice(words),
             "lastname": rnd.choice(words), "email": "u%d@example.org" % i,
             "birthday": "19%02d-0%d-1%d" % (i % 100, 1 + i % 9, i % 10),
             "score": rnd.choice([None, 0.1, -2.5e-7, 1e21, 3.0,
                                  "NaN", "Infinity", "-Infinity"]),
             "active": rnd.choice([True, False, None])}
    elif kind == "nested":
        r = {"id": i, "address": None if i % 5 == 0 else {
                "street": rnd.choice(words), "city": rnd.choice(words),
                "geo": None if i % 3 == 0 else {
                    "lat": rnd.uniform(-90, 90), "lon": rnd.uniform(-180, 180)}}}
    elif kind == "repeated":
        r = {"id": i,
             "tags": [w for w in (rnd.choice(words) for _ in range(i % 4))
                      if w is not None],
             "scores": [x if abs(x) <= 2**53 else str(x) for x in
                        (rnd.randrange(-10**18, 10**18) for _ in range(i % 3))],
             "big": ["9223372036854775807"] if i % 4 == 0 else [],
             "kids": [{"name": rnd.choice(["x", "y,z", "\"q\""]),
                       "born": None if k else "2020-01-0%d" % (1 + i % 9),
                       "toys": ["t%d" % t for t in range(k)],
                       "meta": None if k else "{\"k\":[1,{\"a\":null}]}"}
                      for k in range(i % 3)]}
    print(json.dumps(r, ensure_ascii=False))
EOF
cat >"$T/users.json" <<'EOF'
[{"name":"id","type":"INTEGER","mode":"REQUIRED"},
 {"name":"firstname","type":"STRING"},{"name":"lastname","type":"STRING"},
 {"name":"email","type":"STRING"},{"name":"birthday","type":"DATE"},
 {"name":"score","type":"FLOAT"},{"name":"active","type":"BOOLEAN"}]
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
 {"name":"big","type":"INTEGER","mode":"REPEATED"},
 {"name":"kids","type":"RECORD","mode":"REPEATED","fields":[
  {"name":"name","type":"STRING","mode":"REQUIRED"},
  {"name":"born","type":"DATE"},
  {"name":"toys","type":"STRING","mode":"REPEATED"},
  {"name":"meta","type":"JSON"}]}]
EOF
cat >"$T/types.json" <<'EOF'
[{"name":"s","type":"STRING"},{"name":"b","type":"BYTES"},
 {"name":"i","type":"INTEGER"},{"name":"f","type":"FLOAT"},
 {"name":"n","type":"NUMERIC"},{"name":"t","type":"BOOLEAN"},
 {"name":"d","type":"DATE"},{"name":"tm","type":"TIME"},
 {"name":"dt","type":"DATETIME"},{"name":"ts","type":"TIMESTAMP"},
 {"name":"j","type":"JSON"}]
EOF
cat >"$T/types.ndjson" <<'EOF'
{"s":"h\u00e9 \"q\", \\ \n\r\t\u0001 \u4e2d\ud83d\ude00","b":"AAEC/w==","i":"9223372036854775807","f":1.5,"n":"-12.5","t":true,"d":"2020-01-01","tm":"12:34:56.789","dt":"2020-01-01T00:00:01","ts":"1970-01-01T00:00:00.000001Z","j":"{\"a\":[1,\"x\"]}"}
{"s":null,"b":null,"i":null,"f":null,"n":null,"t":null,"d":null,"tm":null,"dt":null,"ts":null,"j":null}
{"s":"","b":"","i":-5,"f":-0.1,"n":"0","t":false,"d":"0001-01-01","tm":"23:59:59.999999","dt":"9999-12-31T23:59:59.999999","ts":"1969-12-31T23:59:59Z","j":"\"\""}
{"s":"x","b":"/w==","i":"-9223372036854775808","f":"NaN","n":"99999999999999999999999999999.999999999","t":true,"d":"1969-12-31","tm":"00:00:00","dt":"1970-01-01T00:00:00","ts":"2038-01-19T03:14:08Z","j":"[]"}
{"s":"\\N","b":"AAE=","i":9007199254740992,"f":"-Infinity","n":"-0.000000001","t":false,"d":"9999-12-31","tm":"00:00:00.5","dt":"2000-02-29T12:00:00.25","ts":"9999-12-31T23:59:59.999999Z","j":"{}"}
{"s":"NULL","f":1.7976931348623157e308}
EOF
for k in users nested repeated; do
	"$PY" "$T/gen.py" "$k" 500 >"$T/$k.ndjson"
done
: >"$T/empty.ndjson"

# compare LABEL SCHEMA ROWS CSV DELIM MARKER HEADER
compare() {
	"$PY" "$T/cmp.py" "$@" >"$T/cmp.out" 2>&1
	rc=$?
	cat "$T/cmp.out"
	[ "$rc" -eq 0 ] || notok "$1: the comparer ran" "$(tail -n 5 "$T/cmp.out")"
}

# ---- fk-shape ------------------------------------------------------------
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
# w SCHEMA ROWS OUT: fk-shape end to end.
w() {
	"$PY" "$T/raw.py" "$1" <"$2" >"$T/raw.ndjson" &&
	    fk-shape -q --schema "$1" -o csv -O "$3" . "$T/raw.ndjson"
}

for k in users nested repeated types empty; do
	s=$k
	[ $k = empty ] && s=types
	check "$k: written" w "$T/$s.json" "$T/$k.ndjson" "$T/$k.csv"
	compare "$k: read back" "$T/$s.json" "$T/$k.ndjson" "$T/$k.csv" , "" 1
done

# The exact bytes where NULL and "" differ (CRLF or LF records).
printf '{"s":null}\n{"s":""}\n{"s":" "}\n{"s":"\\"\\""}\n' >"$T/nul.ndjson"
printf '[{"name":"s","type":"STRING"}]\n' >"$T/s.json"
w "$T/s.json" "$T/nul.ndjson" "$T/nul.csv"
tr -d '\r' <"$T/nul.csv" >"$T/nul.lf"
printf 's\n\n""\n \n""""""\n' >"$T/nul.want"
same "NULL is an empty field, \"\" the empty string" "$T/nul.want" \
    "$T/nul.lf"

# Flattened names and collisions.
w "$T/nested.json" "$T/empty.ndjson" "$T/hdr.csv"
tr -d '\r' <"$T/hdr.csv" >"$T/hdr.lf"
printf 'id,address_street,address_city,address_geo_lat,address_geo_lon\n' \
    >"$T/hdr.want"
same "RECORD fields flatten with _" "$T/hdr.want" "$T/hdr.lf"
printf '[{"name":"a","type":"RECORD","fields":[{"name":"b","type":"STRING"}]},{"name":"A_b","type":"STRING"}]\n' \
    >"$T/clash.json"
expect_exit 65 "colliding flattened names are refused" \
    fk-shape --schema "$T/clash.json" -o csv -O "$T/clash.csv" . \
    "$T/empty.ndjson"
if grep -qi "a_b" "$T/err"; then ok "the message names the column"
else notok "the message names the column" "$(cat "$T/err")"; fi
if [ -e "$T/clash.csv" ]; then notok "a refused schema leaves no CSV file"
else ok "a refused schema leaves no CSV file"; fi
