#!/bin/sh
# fk-shape: options, usage errors, files and keys, exit codes.
. "$FK_TESTDIR/lib.sh"

echo '{"a":1}' >"$T/in.json"

check "--help exits 0" fk-shape --help
grep -q '^usage: fk-shape' "$T/out" && ok "--help prints the usage on stdout" ||
	notok "--help prints the usage on stdout"
check "--version" fk-shape --version
[ "$(cat "$T/out")" = "fk-shape 0.1.0" ] && ok "--version text" ||
	notok "--version text" "$(cat "$T/out")"

expect_exit 64 "unknown option" fk-shape --frobnicate
grep -q "Try 'fk-shape --help'" "$T/err" && ok "usage error says Try --help" ||
	notok "usage error says Try --help"
expect_exit 64 "unknown format" fk-shape -o parquetish . "$T/in.json"
expect_exit 64 "-j 0" fk-shape -j 0 . "$T/in.json"
expect_exit 64 "--max-bad -1" fk-shape --max-bad -1 . "$T/in.json"
expect_exit 64 "--codec without -o avro" fk-shape --codec snappy . "$T/in.json"
expect_exit 64 "unknown codec" fk-shape -o avro --codec lz4 . "$T/in.json"
expect_exit 64 "--unknown other" fk-shape --unknown keep . "$T/in.json"
expect_exit 64 "--arg without a value" fk-shape --arg x
expect_exit 64 "--argjson not JSON" fk-shape --argjson x '{' . "$T/in.json"
expect_exit 64 "too many operands" fk-shape . "$T/in.json" extra
expect_exit 64 "bad field path" fk-shape --drop 'a..b' . "$T/in.json"
expect_exit 64 "--max-record-size too small" fk-shape --max-record-size 10 . "$T/in.json"

# jq compile errors: 64, with jq's message on one line, no output file.
expect_exit 64 "jq compile error" fk-shape -O "$T/o.json" '.a |||' "$T/in.json"
grep -q 'jq program does not compile: .*syntax error' "$T/err" &&
	ok "compile error carries jq's message" ||
	notok "compile error carries jq's message" "$(cat "$T/err")"
[ "$(grep -c . "$T/err")" -eq 2 ] && ok "compile error is one line (+ Try)" ||
	notok "compile error is one line (+ Try)" "$(cat "$T/err")"
[ ! -e "$T/o.json" ] && ok "no output file after a compile error" ||
	notok "no output file after a compile error"

# Missing files: 66.
expect_exit 66 "missing input" fk-shape . "$T/nope.json"
grep -q "cannot open '.*nope.json'" "$T/err" && ok "names the missing input" ||
	notok "names the missing input" "$(cat "$T/err")"
expect_exit 66 "missing -f file" fk-shape -f "$T/nope.jq" "$T/in.json"
expect_exit 66 "missing schema" fk-shape --schema "$T/nope.schema" . "$T/in.json"

# Unusable schema files: 78.
echo '[{"name":"a","type":"GEOGRAPHY"}]' >"$T/geo.schema"
expect_exit 78 "unsupported type" fk-shape --schema "$T/geo.schema" . "$T/in.json"
grep -q "type 'GEOGRAPHY' is not supported" "$T/err" && ok "says which type" ||
	notok "says which type" "$(cat "$T/err")"
echo '[{"name":"a.b","type":"STRING"}]' >"$T/dot.schema"
expect_exit 78 "illegal column name in schema" fk-shape --schema "$T/dot.schema" . "$T/in.json"
echo '[{"name":' >"$T/broken.schema"
expect_exit 78 "schema not JSON" fk-shape --schema "$T/broken.schema" . "$T/in.json"

# --hash needs a key, never a silent no-op; the key never shows.
unset FK_HASH_KEY
expect_exit 78 "--hash without a key" fk-shape --hash a . "$T/in.json"
grep -q 'FK_HASH_KEY' "$T/err" && ok "says where the key comes from" ||
	notok "says where the key comes from"
FK_HASH_KEY= expect_exit 78 "--hash with an empty key" fk-shape --hash a . "$T/in.json"
: >"$T/empty.key"
expect_exit 78 "--hash with an empty key file" fk-shape --hash a --hash-key-file "$T/empty.key" . "$T/in.json"
expect_exit 78 "--hash with a missing key file" fk-shape --hash a --hash-key-file "$T/none.key" . "$T/in.json"
expect_exit 64 "--hash-key-file without --hash" fk-shape --hash-key-file "$T/empty.key" . "$T/in.json"
printf 'sekrit-key-0123456789abcdef\n' >"$T/k"
FK_HASH_KEY=sekrit-key-0123456789abcdef fk-shape -v --hash a . "$T/in.json" >"$T/out" 2>"$T/err"
grep -q sekrit "$T/err" "$T/out" && notok "the key never shows" || ok "the key never shows"

# Input from stdin, '-' and a file give the same bytes.
fk-shape . <"$T/in.json" >"$T/a" 2>/dev/null
fk-shape . - <"$T/in.json" >"$T/b" 2>/dev/null
fk-shape . "$T/in.json" >"$T/c" 2>/dev/null
same "stdin and '-'" "$T/a" "$T/b"
same "stdin and a file" "$T/a" "$T/c"
fk-shape <"$T/in.json" >"$T/d" 2>/dev/null
same "no program is identity" "$T/a" "$T/d"

# -q silences the summary, not errors; the summary counts add up.
fk-shape . "$T/in.json" >/dev/null 2>"$T/err"
grep -q 'read 1 records; 1 rows: 1 written, 0 rejected' "$T/err" &&
	ok "summary on stderr" || notok "summary on stderr" "$(cat "$T/err")"
fk-shape -q . "$T/in.json" >/dev/null 2>"$T/err"
[ ! -s "$T/err" ] && ok "-q is quiet" || notok "-q is quiet" "$(cat "$T/err")"
FK_LOG=json fk-shape . "$T/in.json" 2>"$T/err" >/dev/null
$PY -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
s = [e for e in ev if e.get("event") == "summary"][0]
assert s["read"] == 1 and s["written"] + s["rejected"] == s["rows"] == 1
' "$T/err" && ok "FK_LOG=json summary event" || notok "FK_LOG=json summary event" "$(cat "$T/err")"

# Write errors: 74.
if [ -w /dev/full ]; then
	expect_exit 74 "stdout on a full disk" \
	    sh -c 'fk-shape . "$1" >/dev/full' sh "$T/in.json"
	grep -q 'cannot write' "$T/err" && ok "says it cannot write" ||
		notok "says it cannot write" "$(cat "$T/err")"
fi
expect_exit 74 "-O in a missing directory" fk-shape -O "$T/no/dir/x.json" . "$T/in.json"
expect_exit 74 "--reject in a missing directory" fk-shape --reject "$T/no/dir/r.json" . "$T/in.json"

# SIGPIPE keeps its default: a closed reader stops fk-shape quietly.
$PY "$FK_TESTDIR/shape-gen.py" users 20000 >"$T/many.json"
fk-shape . "$T/many.json" 2>"$T/err" | head -c 10 >/dev/null
[ ! -s "$T/err" ] && ok "closed pipe: no error message" ||
	notok "closed pipe: no error message" "$(cat "$T/err")"
