#!/bin/sh
# fk-fetch's pacing against the test server's throttle.  The real service
# allows 30 requests per 60 s window per endpoint; the default --rate 25
# (burst 1) stays under it.  Waiting minutes is not a test, so the same
# ratio runs 30x faster: a 30-per-2 s window against --rate 750 (25 per
# 2 s).  The 60 s arithmetic itself is proved in unit/test_fetch.
. "$FK_TESTDIR/lib.sh"

start_server thr "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle on --limit 30 --window 2
start_server real "$PY" "$FK_TESTDIR/fakerapi_server.py"
S=http://127.0.0.1:$thr_PORT
R=http://127.0.0.1:$real_PORT
reset() { curl -s -X POST "$1/_ctl/reset" >/dev/null; }
stat() { curl -s "$1/_ctl/stats" | jq -r "$2"; }
is() {	# DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}
lines() {	# N RESOURCE: N one-record specs
	i=0
	while [ $i -lt "$1" ]; do echo "$2?_quantity=1"; i=$((i + 1)); done
}

lines 40 users >"$T/u40"
reset "$S"
check "--rate 750 (25 per 2 s), 40 requests" \
    fk-fetch -b "$S/api/v2" --rate 750 -s 1 - <"$T/u40"
is "--rate 750: all 40 records" "$(wc -l <"$T/out")" 40
cp "$T/out" "$T/paced"
is "--rate 750: the 30-per-2 s throttle never tripped" \
    "$(stat "$S" '[.requests, .throttled, .served["200"]] | join(" ")')" "40 0 40"
reset "$S"
check "--rate 750 with 16 in flight" \
    fk-fetch -b "$S/api/v2" --rate 750 -j 16 -s 1 - <"$T/u40"
is "--rate 750 -j 16: still never tripped" \
    "$(stat "$S" '[.requests, .throttled] | join(" ")')" "40 0"

# Two endpoints have two budgets: 30 + 30 requests, interleaved, take
# ~2.4 s at 12.5 per second each, not 4.8 s.
i=0
while [ $i -lt 30 ]; do
	printf 'users?_quantity=1\npersons?_quantity=1\n'
	i=$((i + 1))
done >"$T/mixed"
reset "$S"
start=$(date +%s.%N)
check "two endpoints, 30 requests each" \
    fk-fetch -b "$S/api/v2" --rate 750 -j 8 -s 1 - <"$T/mixed"
end=$(date +%s.%N)
is "two endpoints: never tripped" "$(stat "$S" '.throttled')" 0
if [ "$(echo "$end - $start < 4.2" | bc)" = 1 ]; then
	ok "two endpoints are paced separately ($(echo "$end - $start" | bc) s)"
else
	notok "two endpoints are paced separately" "took $(echo "$end - $start" | bc) s"
fi

# The control: unlimited, the same throttle trips, and 429s are survived.
reset "$S"
check "--rate 0 against the throttle" fk-fetch -b "$S/api/v2" --rate 0 -s 1 - <"$T/u40"
is "--rate 0: all 40 records all the same" "$(wc -l <"$T/out")" 40
n=$(stat "$S" '.throttled')
if [ "$n" -gt 0 ]; then ok "--rate 0: the throttle trips ($n 429s), so the test can fail"; else
	notok "--rate 0: the throttle trips" "no 429"; fi
same "--rate 0 after 429s: the same records as paced" "$T/paced" "$T/out"

# The default itself: 25 per minute, so a second request waits 2.4 s,
# and the real 30-per-60 s throttle sees nothing to refuse.
reset "$R"
start=$(date +%s.%N)
check "default rate, 2 requests" fk-fetch -b "$R/api/v2" -n 2000 -s 1
end=$(date +%s.%N)
if [ "$(echo "$end - $start >= 2.3" | bc)" = 1 ]; then
	ok "default rate: the second request waits 60/25 s ($(echo "$end - $start" | bc) s)"
else
	notok "default rate: the second request waits 60/25 s" "took $(echo "$end - $start" | bc) s"
fi
is "default rate: 2000 records, no 429" "$(wc -l <"$T/out") $(stat "$R" '.throttled')" "2000 0"
