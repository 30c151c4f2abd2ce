#!/bin/sh
# Both API versions (issue 9, item 9): the live service's /api/v2 and the
# public source's /api/v1 (no locale or seed in the envelope, /api/v2 a
# 404).  fk-fetch works and validates on both, and a 404 on the base URL
# says which versions the server has.
. "$FK_TESTDIR/lib.sh"

start_server v1 "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off --versions 1
start_server both "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
V1=http://127.0.0.1:$v1_PORT
BOTH=http://127.0.0.1:$both_PORT
is() {	# DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}

check "v1-only server, -b .../api/v1: 2500 persons" fk-fetch -b "$V1/api/v1" -r 0 -s 4 -n 2500 persons
is "v1: 2500 records, ids 1..2500, v1's county_code" \
    "$(wc -l <"$T/out") $(jq -r .id "$T/out" | awk '$1 != NR' | wc -l) $(jq -r '.address | has("county_code")' "$T/out" | sort -u)" \
    "2500 0 true"
check "v1: --raw envelopes" fk-fetch -b "$V1/api/v1" -r 0 -s 4 -n 1500 --raw users
is "v1: envelopes without locale or seed" "$(jq -c keys_unsorted "$T/out" | sort -u)" '["status","code","total","data"]'
curl -s -X POST -d '["1:total"]' "$V1/_ctl/faults" >/dev/null
expect_exit 65 "v1: a page whose total is wrong is refused after the retries" \
    fk-fetch -b "$V1/api/v1" -r 0 -s 4 -n 5 --retries 0
grep -q "total is 6 but data has 5" "$T/err" && ok "v1: says why" || notok "v1: says why" "$(cat "$T/err")"
curl -s -X POST -d '[]' "$V1/_ctl/faults" >/dev/null

expect_exit 1 "v1-only server, -b .../api/v2: the 404 is an error, exit 1" \
    fk-fetch -b "$V1/api/v2" -r 0 -s 4 -n 5
is "the 404 names the versions the server has and the base URL to use" \
    "$(sed -n 2p "$T/err")" "fk-fetch: the server has /api/v1 only: try --base-url $V1/api/v1"
is "the 404: no output, two lines on stderr" "$(wc -c <"$T/out") $(wc -l <"$T/err")" "0 2"
expect_exit 1 "a base URL without /api/vN" fk-fetch -b "$BOTH" -r 0 -s 4 -n 5
is "... names both versions" "$(sed -n 2p "$T/err")" \
    "fk-fetch: the server has /api/v1 and /api/v2: try --base-url $BOTH/api/v2"
expect_exit 1 "an unknown resource on a good version" fk-fetch -b "$BOTH/api/v2" -r 0 -s 4 -n 5 emojis
is "... says the resource is what is missing" "$(sed -n 2p "$T/err")" \
    "fk-fetch: the server has /api/v1 and /api/v2, but no resource 'emojis' there"
expect_exit 1 "no API at all under the base URL" fk-fetch -b "$V1/nothing/api/v1" -r 0 -s 4 -n 5
is "... says so" "$(sed -n 2p "$T/err")" \
    "fk-fetch: no FakerAPI version answers under '$V1/nothing/api' (tried /v1 and /v2): check --base-url"
check "both: v2 works too" fk-fetch -b "$BOTH/api/v2" -r 0 -s 4 -n 5 --raw
is "v2: envelope with locale and seed" "$(jq -c keys_unsorted "$T/out")" '["status","code","locale","seed","total","data"]'
