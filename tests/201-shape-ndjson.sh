#!/bin/sh
# fk-shape -o ndjson: golden outputs, jq parity, types, envelopes, args.
. "$FK_TESTDIR/lib.sh"
EX=$FK_TESTDIR/../examples

# Golden: the example filter and schema on three users.
$PY "$FK_TESTDIR/shape-gen.py" users 3 7 >"$T/users.json"
cat >"$T/want" <<'G'
{"id":1,"uuid":"a6a3a450-0c5c-3128-b48f-1818892f902b","first_name":"Ana María","last_name":"D'Amore","username":"damore.anamaría50","email":"damore.anamaría50@example.org","ip":"217.30.63.114","mac_address":"1F:CB:19:71:17:44","website":"http://yahoo.com"}
{"id":2,"uuid":"1e27a1c0-9227-34ef-a3db-ae97d0eda82f","first_name":"Jürgen","last_name":"D'Amore","username":"damore.jürgen69","email":"damore.jürgen69@hotmail.com","ip":"30.105.254.218","mac_address":"A0:EE:E8:B9:99:7F","website":"http://gmail.com"}
{"id":3,"uuid":"4cdd2055-8673-37eb-b802-babc57ee05cd","first_name":"Chesley","last_name":"Jacobson","username":"jacobson.chesley73","email":"jacobson.chesley73@hotmail.com","ip":"160.174.179.254","mac_address":"E9:23:2F:8A:F2:21","website":"http://hotmail.com"}
G
check "users.jq with users.schema.json" fk-shape -f "$EX/users.jq" \
    --schema "$EX/users.schema.json" "$T/users.json"
same "golden NDJSON for users" "$T/want" "$T/out"
grep -q password "$T/out" && notok "no password in the output" ||
	ok "no password in the output"

# Byte for byte what jq -c gives with the same filter (2000 users).
$PY "$FK_TESTDIR/shape-gen.py" users 2000 3 >"$T/u2k.json"
jq -c -f "$EX/users.jq" "$T/u2k.json" >"$T/jq.out"
fk-shape -f "$EX/users.jq" "$T/u2k.json" >"$T/fk.out" 2>/dev/null
same "same bytes as jq -c (inferred schema)" "$T/jq.out" "$T/fk.out"
fk-shape -f "$EX/users.jq" --schema "$EX/users.schema.json" "$T/u2k.json" \
    >"$T/fk2.out" 2>/dev/null
same "same bytes as jq -c (users.schema.json)" "$T/jq.out" "$T/fk2.out"

# FakerAPI envelopes: one input, many rows; and a raw envelope stream.
$PY "$FK_TESTDIR/shape-gen.py" envelope 50 3 >"$T/env.json"
fk-shape -f "$EX/users.jq" "$T/env.json" >"$T/env.out" 2>"$T/err"
[ "$(wc -l <"$T/env.out")" -eq 50 ] && ok "envelope gives 50 rows" ||
	notok "envelope gives 50 rows" "$(wc -l <"$T/env.out")"
grep -q 'read 1 records; 50 rows: 50 written, 0 rejected' "$T/err" &&
	ok "counts for one envelope" || notok "counts for one envelope" "$(cat "$T/err")"
head -n 50 "$T/jq.out" >"$T/jq50"
same "envelope rows equal the same users" "$T/jq50" "$T/env.out"

# Types: the canonical text of each BigQuery type.
cat >"$T/all.schema" <<'G'
[{"name":"s","type":"STRING"},{"name":"b","type":"BYTES"},
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
{"s":"h\u00e9llo, \"world\"\nline2\u0001","b":"aGk","i":"9223372036854775807","f":"-inf","n":"-0012.50","ok":"TRUE","d":"1939-03-20","t":"12:30:00.5","dt":"2024-01-02 03:04:05","ts":"2024-01-02T03:04:05.25+02:00","j":{"a":[1,2]},"tags":["x","y"],"kids":[{"name":"k","age":"3"}],"addr":{"city":"Paris","geo":{"lat":48.85}}}
{"s":42,"i":9007199254740992,"f":1e-7,"ts":1234567890}
{}
G
cat >"$T/want" <<'G'
{"s":"héllo, \"world\"\nline2\u0001","b":"aGk=","i":"9223372036854775807","f":"-Infinity","n":"-12.5","ok":true,"d":"1939-03-20","t":"12:30:00.500000","dt":"2024-01-02T03:04:05","ts":"2024-01-02T01:04:05.250000Z","j":{"a":[1,2]},"tags":["x","y"],"kids":[{"name":"k","age":3}],"addr":{"city":"Paris","geo":{"lat":48.85}}}
{"s":"42","b":null,"i":9007199254740992,"f":1e-07,"n":null,"ok":null,"d":null,"t":null,"dt":null,"ts":"2009-02-13T23:31:30Z","j":null,"tags":[],"kids":[],"addr":null}
{"s":null,"b":null,"i":null,"f":null,"n":null,"ok":null,"d":null,"t":null,"dt":null,"ts":null,"j":null,"tags":[],"kids":[],"addr":null}
G
check "every type" fk-shape --schema "$T/all.schema" . "$T/all.json"
same "golden NDJSON for every type" "$T/want" "$T/out"
$PY -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    assert line.endswith("\n") and "\n" not in line[:-1]
    json.loads(line)
' "$T/out" && ok "every line is one JSON object" || notok "every line is one JSON object"

# Integers beyond 2^53 and non-finite floats from the filter.
echo '{"big":"123456789012345678901","x":1}' >"$T/b.json"
echo '[{"name":"x","type":"FLOAT"},{"name":"y","type":"FLOAT"},{"name":"z","type":"INTEGER"}]' >"$T/f.schema"
fk-shape --schema "$T/f.schema" '{x: nan, y: infinite, z: "-9007199254740993"}' \
    "$T/b.json" >"$T/out" 2>/dev/null
[ "$(cat "$T/out")" = '{"x":"NaN","y":"Infinity","z":"-9007199254740993"}' ] &&
	ok "NaN, Infinity and a big INTEGER as strings" ||
	notok "NaN, Infinity and a big INTEGER as strings" "$(cat "$T/out")"
echo '[{"name":"n","type":"INTEGER"}]' >"$T/i.schema"
echo '{"n":12345678901234567890}' | fk-shape --schema "$T/i.schema" >/dev/null 2>"$T/err"
grep -q 'beyond 2^53' "$T/err" && ok "a JSON number beyond 2^53 is refused" ||
	notok "a JSON number beyond 2^53 is refused" "$(cat "$T/err")"

# --arg and --argjson, $ARGS.named.
echo '{"a":1}' | fk-shape --arg who ann --argjson n '{"k":[1]}' \
    '{a, who: $who, n: $n, named: ($ARGS.named | keys)}' >"$T/out" 2>/dev/null
[ "$(cat "$T/out")" = '{"a":1,"who":"ann","n":{"k":[1]},"named":["n","who"]}' ] &&
	ok "--arg, --argjson, \$ARGS" || notok "--arg, --argjson, \$ARGS" "$(cat "$T/out")"

# Concatenated and pretty-printed JSON, a BOM, empty input.
printf '\357\273\277{"a":1}{"a":2}\n{\n  "a": 3\n}\n' | fk-shape >"$T/out" 2>/dev/null
printf '{"a":1}\n{"a":2}\n{"a":3}\n' >"$T/want"
same "BOM, concatenated and pretty input" "$T/want" "$T/out"
: | fk-shape >"$T/out" 2>"$T/err"
[ $? -eq 0 ] && [ ! -s "$T/out" ] && ok "empty input, empty output" ||
	notok "empty input, empty output"

# Outputs that are not objects are bad records.
echo '{"a":[1,"x",{"k":1}]}' | fk-shape --reject "$T/rej" --max-bad 9 '.a[]' >"$T/out" 2>/dev/null
[ "$(cat "$T/out")" = '{"k":1}' ] && ok "only the object output is a row" ||
	notok "only the object output is a row" "$(cat "$T/out")"
[ "$(grep -c 'not an object' "$T/rej")" -eq 2 ] && ok "non-objects rejected" ||
	notok "non-objects rejected" "$(cat "$T/rej")"
