#!/bin/sh
# fk-shape on hostile input: invalid UTF-8, huge values, deep nesting,
# binary garbage.  No crash, bounded memory, a clear reason.
. "$FK_TESTDIR/lib.sh"

# Invalid UTF-8 in a string: the record is bad, with the reason.
printf '{"a":"ok"}\n{"a":"\377\376"}\n{"a":"\300\257"}\n{"a":"\355\240\200"}\n{"a":"fine"}\n' >"$T/u.json"
fk-shape --reject "$T/rej" --max-bad 3 . "$T/u.json" >"$T/out" 2>"$T/err"
[ $? -eq 0 ] && [ "$(grep -c 'invalid UTF-8 in string' "$T/rej")" -eq 3 ] &&
	ok "invalid UTF-8 rejected" || notok "invalid UTF-8 rejected" "$(cat "$T/rej" "$T/err")"
printf '{"a":"ok"}\n{"a":"fine"}\n' >"$T/want"
same "valid records kept" "$T/want" "$T/out"
expect_exit 65 "invalid UTF-8 without --reject: 65" fk-shape . "$T/u.json"
printf '{"a":"\\ud800"}\n' | fk-shape >/dev/null 2>"$T/err"
grep -q 'unpaired UTF-16 surrogate' "$T/err" && ok "lone surrogate escape refused" ||
	notok "lone surrogate escape refused" "$(cat "$T/err")"

# A value larger than --max-record-size: rejected, memory stays small.
$PY -c '
import sys
sys.stdout.write("{\"a\":1}\n{\"big\":\"" + "x" * (48 << 20) + "\"}\n{\"a\":2}\n")' >"$T/big.json"
/usr/bin/time -f %M -o "$T/rss" fk-shape --max-record-size 1M --reject "$T/rej" \
    --max-bad 1 . "$T/big.json" >"$T/out" 2>"$T/err"
kib=$(tail -n 1 "$T/rss")
printf '{"a":1}\n{"a":2}\n' >"$T/want"
same "records around a 48 MiB value survive" "$T/want" "$T/out"
grep -q '"record":2,.*value larger than --max-record-size' "$T/rej" &&
	ok "the huge value is a bad record" || notok "the huge value is a bad record" "$(head -c 300 "$T/rej")"
[ "$kib" -lt 40000 ] && ok "memory bounded on a 48 MiB value (${kib} KiB)" ||
	notok "memory bounded on a 48 MiB value" "${kib} KiB"
/usr/bin/time -f %M -o "$T/rss" fk-shape --max-record-size 64M --unknown drop '{big}' "$T/big.json" >"$T/out" 2>&1
[ "$(wc -c <"$T/out")" -gt 50000000 ] && ok "a 48 MiB string within the limit goes through ($(tail -n 1 "$T/rss") KiB)" ||
	notok "a 48 MiB string within the limit goes through"
# An unterminated huge string (no closing quote, no newline).
$PY -c 'import sys; sys.stdout.write("{\"a\":\"" + "y" * (20 << 20))' |
	fk-shape --max-record-size 1M --reject "$T/rej" --max-bad 1 >/dev/null 2>&1
[ $? -eq 0 ] && grep -q 'larger than --max-record-size' "$T/rej" &&
	ok "unterminated huge value" || notok "unterminated huge value" "$(head -c 300 "$T/rej")"

# Deep nesting: 128 levels parse, 129 do not (jq 1.6's limit for
# objects); rows deeper than BigQuery's 15 RECORD levels are refused.
$PY -c 'print("{\"a\":" * 129 + "1" + "}" * 129)' | fk-shape >/dev/null 2>"$T/err"
[ $? -eq 65 ] && grep -q 'nesting deeper than 128 levels' "$T/err" &&
	ok "129 levels refused" || notok "129 levels refused" "$(cat "$T/err")"
$PY -c 'print("{\"a\":" * 100 + "1" + "}" * 100)' | fk-shape >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q 'RECORD nested deeper than 15 levels' "$T/err" &&
	ok "100 object levels: a clear reason" || notok "100 object levels" "$(cat "$T/err")"
echo '[{"name":"j","type":"JSON"}]' >"$T/j.schema"
$PY -c 'print("{\"a\":" * 127 + "1" + "}" * 127)' | fk-shape --schema "$T/j.schema" '{j: .}' >"$T/out" 2>/dev/null
[ $? -eq 0 ] && [ "$(head -c 10 "$T/out")" = '{"j":{"a":' ] && ok "deep value kept whole in a JSON column" ||
	notok "deep value kept whole in a JSON column"
fk-shape 'reduce range(100000) as $i (.; {a: .})' >/dev/null 2>"$T/err" <<'G'
{"x":1}
G
[ $? -eq 1 ] && ok "a filter building 100000 levels: no crash" ||
	notok "a filter building 100000 levels: no crash" "$(tail -2 "$T/err")"

# Binary garbage: every line a bad record, no crash, counts add up.
head -c 200000 /dev/urandom | fold -b -w 100 >"$T/junk"
fk-shape --reject "$T/rej" --max-bad 1000000 . "$T/junk" >"$T/out" 2>"$T/err"
rc=$?
set -- $(sed -n 's/.*read \([0-9]*\) records; \([0-9]*\) rows: \([0-9]*\) written, \([0-9]*\) rejected.*/\1 \2 \3 \4/p' "$T/err")
[ $rc -eq 0 ] && [ ! -s "$T/out" ] && [ "${1:-0}" -ge 2000 ] && [ "$1" = "$4" ] && [ "$3" = 0 ] &&
	[ "$(wc -l <"$T/rej")" -eq "$4" ] &&
	ok "200 KB of random bytes: every record bad ($1), no crash" || notok "garbage" "$rc $(tail -2 "$T/err")"
printf '{"a":"x\000y"}\n' | fk-shape >/dev/null 2>"$T/err"
[ $? -eq 65 ] && grep -q 'control character in string' "$T/err" && ok "raw NUL refused" ||
	notok "raw NUL refused" "$(cat "$T/err")"
printf '{"a":"x\\u0000y"}\n' | fk-shape >"$T/out" 2>/dev/null
[ "$(cat "$T/out")" = '{"a":"x\u0000y"}' ] && ok "escaped NUL kept" || notok "escaped NUL kept" "$(cat "$T/out")"
printf '1\n"s"\ntrue\nnull\n' | fk-shape --reject "$T/rej" --max-bad 4 >/dev/null 2>&1
[ "$(grep -c 'not an object' "$T/rej")" -eq 4 ] && ok "top-level scalars are bad rows" ||
	notok "top-level scalars are bad rows" "$(cat "$T/rej")"
printf 'nan\n01\n1.\n' | fk-shape --reject "$T/rej" --max-bad 3 >/dev/null 2>&1
[ "$(grep -c 'malformed JSON' "$T/rej")" -eq 3 ] && ok "jq's extensions (nan, 01, 1.) refused" ||
	notok "jq's extensions refused" "$(cat "$T/rej")"
