#!/bin/sh
# The byte path (cmd/fetch/split.c) against the libjq path (FK_FETCH_JV=1)
# through the real binary: on every resource of both API versions, in
# locales with escapes, the output is byte for byte the same, and every
# page really went the byte way (-v's summary counts them).  Custom is not
# reproducible (no _seed), so there the counter rule is checked directly.
. "$FK_TESTDIR/lib.sh"

# "now" held still: two runs that a second's tick fell between would
# draw birthdays and dateTimes apart (the real service slides with its
# clock; this test compares runs, not clocks).
start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off \
    --clock-at "$(date +%s)"
S=http://127.0.0.1:$faker_PORT
is() {	# DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}

for v in v2 v1; do
	for r in users persons addresses books companies products \
	    'products?_taxes=7' texts images credit_cards places \
	    'persons?_locale=ja_JP' 'users?_locale=ru_RU'; do
		FK_FETCH_JV=1 fk-fetch -b "$S/api/$v" -r 0 -s 7 -n 1100 "$r" \
		    >"$T/jv" 2>"$T/jverr"
		check "$v $r: byte path" fk-fetch -v -b "$S/api/$v" -r 0 -s 7 -n 1100 "$r"
		same "$v $r: same bytes as the libjq path" "$T/jv" "$T/out"
		is "$v $r: 1100 records, both pages split on their bytes" \
		    "$(wc -l <"$T/out") $(tail -1 "$T/err")" \
		    "1100 fk-fetch: 1100 records in 2 requests, 0 retries, 2 pages split on their bytes"
	done
done
is "FK_FETCH_JV=1: no page split on its bytes" \
    "$(FK_FETCH_JV=1 fk-fetch -v -b "$S/api/v2" -r 0 -s 7 -n 5 2>&1 >/dev/null | tail -1)" \
    "fk-fetch: 5 records in 1 requests, 0 retries, 0 pages split on their bytes"

check "custom: counters and a user's id" fk-fetch -v -b "$S/api/v2" -r 0 -n 2100 \
    'custom?a=counter&id=uuid&n=number&la=latitude&b=boolean&nl=null'
is "custom: the counter is run-wide, the user's uuid id untouched" \
    "$(jq -r '[.a == input_line_number, (.id | test("^[0-9a-f-]{36}$"))] | @text' "$T/out" | sort | uniq -c | tr -s ' ')" \
    " 2100 [true,true]"
is "custom: three pages split on their bytes" "$(tail -1 "$T/err")" \
    "fk-fetch: 2100 records in 3 requests, 0 retries, 3 pages split on their bytes"
