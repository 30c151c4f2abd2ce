#!/bin/sh
# fk-shape's projection fast path (issue 10): a program in its grammar
# gives byte for byte what libjq gives (FK_SHAPE_JQ=1) in every format at
# -j 1 and -j 2; -v names the path; a program just outside the grammar
# and records the fast path cannot rebuild exactly go to libjq.
. "$FK_TESTDIR/lib.sh"
EX=$FK_TESTDIR/../examples

# Avro's sync marker is random: the last 16 bytes of a file; zero it.
unsync() {
	$PY -c 'import sys
d = open(sys.argv[1], "rb").read()
sys.stdout.buffer.write(d.replace(d[-16:], b"\0" * 16))' "$1"
}

# both NAME ARGS...: fk-shape with ARGS on each path; outputs, messages,
# rejects and exit codes must be the same bytes.
both() {
	name=$1
	shift
	for m in 0 1; do
		rm -f "$T/rej"
		FK_SHAPE_JQ=$m fk-shape --reject "$T/rej" "$@" >"$T/out$m" \
		    2>"$T/err$m"
		echo "exit $?" >>"$T/err$m"
		mv "$T/rej" "$T/rej$m" 2>/dev/null || : >"$T/rej$m"
	done
	if [ -s "$T/out0" ] && head -c 4 "$T/out0" | grep -q '^Obj'; then
		unsync "$T/out0" >"$T/o0" && unsync "$T/out1" >"$T/o1"
	else
		cp "$T/out0" "$T/o0" && cp "$T/out1" "$T/o1"
	fi
	if cmp -s "$T/o0" "$T/o1" && cmp -s "$T/err0" "$T/err1" &&
	    cmp -s "$T/rej0" "$T/rej1"; then
		ok "$name"
	else
		notok "$name" "$(diff "$T/err0" "$T/err1"; cmp "$T/o0" \
		    "$T/o1"; diff "$T/rej0" "$T/rej1" | head -n 6)"
	fi
}

# -v names the path.
$PY "$FK_TESTDIR/shape-gen.py" users 3000 5 >"$T/u.json"
fk-shape -v -f "$EX/users.jq" "$T/u.json" >/dev/null 2>"$T/err"
grep -q '^fk-shape: program: projection fast path$' "$T/err" &&
	ok "-v: users.jq takes the fast path" ||
	notok "-v: users.jq takes the fast path" "$(cat "$T/err")"
# ... and really does, for every value (a fast path that quietly handed
# every record to libjq would pass every comparison below).
n=$(grep -c . "$T/u.json")
grep -q "^fk-shape: program: $n of $n values by the projection fast path" "$T/err" &&
	ok "-v: all $n values of users.jq went by the fast path" ||
	notok "-v: all $n values went by the fast path" "$(cat "$T/err")"
FK_SHAPE_JQ=1 fk-shape -v -f "$EX/users.jq" "$T/u.json" >/dev/null 2>"$T/err"
grep -q '^fk-shape: program: libjq$' "$T/err" &&
	ok "-v: FK_SHAPE_JQ=1 forces libjq" ||
	notok "-v: FK_SHAPE_JQ=1 forces libjq" "$(cat "$T/err")"
for p in '{id: .id?}' '{id, n: (.id + 1)}' '{id,}' '.data[] | {id} | {id}' \
    '{(.a): .b}' '{a: .x[0]}' '{a: .x | .y}' '.a .b' '{if: .a}'; do
	fk-shape -v "$p" "$T/u.json" >/dev/null 2>"$T/err"
	grep -q '^fk-shape: program: libjq$' "$T/err" &&
		ok "-v: '$p' is outside the grammar" ||
		notok "-v: '$p' is outside the grammar" "$(cat "$T/err")"
done
for p in '.data[]' '.data[] | {a: {b: .x.y, "c d": ."e"}}' \
    '{id, b: .x}'; do
	fk-shape -v "$p" "$T/u.json" >/dev/null 2>"$T/err"
	grep -q '^fk-shape: program: projection fast path$' "$T/err" &&
		ok "-v: '$p' takes the fast path" ||
		notok "-v: '$p' takes the fast path" "$(cat "$T/err")"
done
fk-shape -v . "$T/u.json" >/dev/null 2>"$T/err"
grep -q '^fk-shape: program: identity, no program run$' "$T/err" &&
	ok "-v: '.' runs no program" || notok "-v: '.' runs no program" "$(cat "$T/err")"
# ... but the fast path still reads its values: no libjq parser.
n=$(grep -c . "$T/u.json")
for p in . ''; do
	fk-shape -v $p <"$T/u.json" >/dev/null 2>"$T/err"
	grep -q "^fk-shape: program: $n of $n values by the projection fast path" "$T/err" &&
		ok "-v: '$p': all $n values rebuilt by the fast path" ||
		notok "-v: '$p': all $n values by the fast path" "$(cat "$T/err")"
done

# users.jq over fetched-like users and an envelope, every format, -j 1 and 2.
$PY "$FK_TESTDIR/shape-gen.py" envelope 300 6 >>"$T/u.json"
for fmt in ndjson csv avro parquet; do
	for j in 1 2; do
		both "users.jq -o $fmt -j $j: both paths agree" -o "$fmt" \
		    -j "$j" -f "$EX/users.jq" "$T/u.json"
	done
	both "users.jq -o $fmt with users.schema.json: both paths agree" \
	    -o "$fmt" -f "$EX/users.jq" --schema "$EX/users.schema.json" \
	    "$T/u.json"
done
jq -c -f "$EX/users.jq" "$T/u.json" >"$T/jq.out"
fk-shape -f "$EX/users.jq" "$T/u.json" >"$T/fk.out" 2>/dev/null
same "the fast path gives jq -c's bytes" "$T/jq.out" "$T/fk.out"

# Records the fast path leaves to libjq, or must rebuild exactly.
cat >"$T/edge.json" <<'G'
{"id":1,"firstname":"A\u00e9\"b\\n\/\t","lastname":"x","email":"a@b","ip":"1.2.3.4"}
{"id":1.0,"firstname":"B","id":2}
{"id":1e2,"firstname":null,"uuid":-0,"ip":"10.1.2.3"}
{"id":12345678901234567890,"firstname":"\ud83d\ude00","email":"x@y"}
{"id":-1.5e-7,"firstname":"ok","website":{"a":1}}
{"data":[{"id":1},{"id":2,"firstname":"z"},null]}
{"data":[1]}
{"data":null}
{"data":{"a":{"id":3}}}
[1,2]
"str"
42
null
{"firstname":"\u0000x"}
{"id":true,"uuid":false,"ip":[1,{"a":"b"}]}
{"\u0069d":7,"id":8}
{"id":8,"i\u0064":9}
{}
{"data":[]}
{"id":1000000000000000000000000000000000000000000000000000000000000000000}
{"website":{"a":{"b":[1,2,{"c":null}]}},"id":"x"}
{"id" : 1 , "firstname" : "spaced" }
G
printf '%s' 'a-test-key-of-decent-length-for-hmac-0001' >"$T/key"
for p in USERS '{id, name: .firstname, geo: .website.a}' \
    '{id, x: {y: .uuid, z: .firstname}, id: .ip}' '.data[] | {id, f: .firstname}' \
    '.data[]' '{"a b": .id, c: ."firstname"}' '{id: .id.x}' '{}' \
    '{id, nope: .nope.deeper}' .; do
	if [ "$p" = USERS ]; then set -- -f "$EX/users.jq"; else set -- "$p"; fi
	for fmt in ndjson csv; do
		both "edge records, -o $fmt '$p'" -j 2 -o "$fmt" --max-bad 100 \
		    "$@" "$T/edge.json"
	done
done
both "edge records with --hash and --mask-ip" --max-bad 100 \
    --hash email --mask-ip ip --hash-key-file "$T/key" \
    -f "$EX/users.jq" "$T/edge.json"
both "edge records stop at the first bad one" -f "$EX/users.jq" "$T/edge.json"

# The identity, typed by a schema, in every format (no program runs;
# each value is rebuilt from its text, or by libjq's parser).
$PY "$FK_TESTDIR/shape-gen.py" users 500 9 >"$T/flat.json"
jq -c '{id, uuid, firstname, email, ip}' "$T/flat.json" >"$T/flat5.json"
cat >"$T/flat.schema" <<'G'
[{"name":"id","type":"INTEGER"},{"name":"uuid","type":"STRING"},
 {"name":"firstname","type":"STRING"},{"name":"email","type":"STRING"},
 {"name":"ip","type":"STRING"}]
G
for fmt in ndjson csv avro parquet; do
	both "'.' -o $fmt with a schema: both paths agree" -j 2 -o "$fmt" \
	    --schema "$T/flat.schema" --max-bad 1000 . "$T/flat5.json"
	both "'.' -o $fmt with a schema, edge records: both paths agree" \
	    -o "$fmt" --schema "$T/flat.schema" --max-bad 1000 . "$T/edge.json"
done

# Rows written straight from their text (a flat schema, no --drop,
# --hash or --mask-ip; flat.h).  Rows the text path must leave to the
# canonical one give the same bytes, rejects and messages: escapes, 16
# digits, -0, fractions and exponents, REQUIRED missing or null, unknown
# fields, keys that map to a column, duplicate keys, strings for numbers
# and numbers for strings.
cat >"$T/typed.schema" <<'G'
[{"name":"id","type":"INTEGER","mode":"REQUIRED"},
 {"name":"name","type":"STRING"},{"name":"ok","type":"BOOLEAN"},
 {"name":"n","type":"INTEGER"}]
G
cat >"$T/typed.json" <<'G'
{"id":1,"name":"plain","ok":true,"n":-5}
{"id":2,"name":null,"ok":false}
{"id":3}
{"n":-999999999999999,"id":999999999999999,"name":"é😀中"}
{"id":1000000000000000,"name":"16 digits"}
{"id":-0,"name":"minus zero"}
{"id":4,"n":1.0}
{"id":5,"n":1e2}
{"id":6,"name":"esc\"aped\\n"}
{"id":7,"name":"nul\u0000"}
{"name":"no id"}
{"id":null}
{"id":8,"extra":1}
{"ID":9}
{"id":10,"id":11}
{"id":"12"}
{"id":13,"ok":"true"}
{"id":14,"name":15}
{"id":16,"name":"a,b"}
{"id":17,"name":""}
{"Id":18,"name":"case"}
G
for fmt in ndjson csv avro parquet; do
	for j in 1 2; do
		both "typed records -o $fmt -j $j: both paths agree" -j "$j" \
		    -o "$fmt" --schema "$T/typed.schema" --max-bad 100 . \
		    "$T/typed.json"
	done
	both "typed records -o $fmt --unknown=drop: both paths agree" \
	    -o "$fmt" --schema "$T/typed.schema" --unknown=drop \
	    --max-bad 100 . "$T/typed.json"
	both "typed records -o $fmt by a program: both paths agree" \
	    -o "$fmt" --schema "$T/typed.schema" --max-bad 100 \
	    '{id, name, ok, n: .n}' "$T/typed.json"
done
# Rows 1-4, 19 and 20 go straight; the others take the canonical path.
fk-shape -v --schema "$T/typed.schema" --max-bad 100 . "$T/typed.json" \
    >/dev/null 2>"$T/err"
grep -q '^fk-shape: program: 6 of those written straight from their text' \
    "$T/err" && ok "-v: 6 of 21 typed records went straight from text" ||
	notok "-v: 6 of 21 typed records went straight from text" "$(cat "$T/err")"

# A program of no members makes rows of nulls, straight from the text
# (and, under the sanitizers, with no arithmetic on a null array).
echo '[{"name":"name","type":"STRING"},{"name":"n","type":"INTEGER"}]' \
    >"$T/nul.schema"
both "'{}' on a flat schema: both paths agree" --schema "$T/nul.schema" \
    '{}' "$T/typed.json"
both "'{}' with --mask-ip: both paths agree" --schema "$T/nul.schema" \
    --mask-ip name '{}' "$T/typed.json"
fk-shape -v --schema "$T/nul.schema" '{}' "$T/typed.json" >"$T/out" \
    2>"$T/err"
grep -q '^fk-shape: program: 21 of those written straight from their text' \
    "$T/err" && [ "$(sort -u "$T/out")" = '{"name":null,"n":null}' ] &&
	ok "'{}': 21 rows of nulls, straight from text" ||
	notok "'{}': 21 rows of nulls, straight from text" \
	    "$(cat "$T/err" "$T/out" | head -n 8)"

# --drop, --mask-ip and --hash on rows that go straight from text: the
# same bytes, rejects, messages and warnings as the canonical path.
printf '%s' 'a-test-key-of-decent-length-for-hmac-0002' >"$T/key2"
cat >"$T/ip.json" <<'G'
{"id":1,"name":"10.1.2.3","n":5}
{"id":2,"name":"2001:db8::1","ok":true}
{"id":3,"name":"not an address"}
{"id":4,"name":null}
{"id":5}
{"id":6,"name":"a\u0041"}
{"id":7,"name":12}
{"id":8,"name":"192.168.7.9","extra":{"a":1}}
{"id":9,"name":"10.0.0.1","name":"10.0.0.2"}
G
for fmt in ndjson csv avro parquet; do
	for pii in "--mask-ip name" "--hash name" "--drop ok,n --hash name" \
	    "--drop extra --mask-ip name" "--hash nosuch,name.deeper"; do
		# shellcheck disable=SC2086
		both "-o $fmt $pii on typed records: both paths agree" \
		    -o "$fmt" --schema "$T/typed.schema" --max-bad 100 \
		    --hash-key-file "$T/key2" $pii . "$T/ip.json"
	done
done
# Rows 1, 2, 4 and 5 go straight with --mask-ip; 3 is no address, 6 has
# an escape, 7 a number, 8 an unknown field, 9 a key twice.
fk-shape -v --schema "$T/typed.schema" --max-bad 100 --mask-ip name \
    . "$T/ip.json" >/dev/null 2>"$T/err"
grep -q '^fk-shape: program: 4 of those written straight' "$T/err" &&
	ok "-v: with --mask-ip, 4 of 9 rows went straight from text" ||
	notok "-v: with --mask-ip, 4 of 9 rows went straight from text" "$(cat "$T/err")"

# A wide flat schema (100 fields, more than the 64 the text path first
# took) goes straight too.
$PY -c '
import json
print(json.dumps([{"name": "f%d" % i, "type": "INTEGER"} for i in range(100)]))
' >"$T/wide.schema"
$PY -c '
import json
for r in range(50):
    print(json.dumps({"f%d" % i: r * i for i in range(100) if (r + i) % 7}))
' >"$T/wide.json"
for fmt in ndjson parquet; do
	both "a 100-field schema -o $fmt: both paths agree" -o "$fmt" \
	    --schema "$T/wide.schema" . "$T/wide.json"
done
fk-shape -v --schema "$T/wide.schema" . "$T/wide.json" >/dev/null 2>"$T/err"
grep -q '^fk-shape: program: 50 of those written straight' "$T/err" &&
	ok "-v: all 50 rows of a 100-field schema went straight from text" ||
	notok "-v: all 50 rows of a 100-field schema went straight from text" "$(cat "$T/err")"
