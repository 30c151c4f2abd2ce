#!/bin/sh
# fk-fetch under every fault of the test server, once: each is retried and
# the output is byte for byte that of a run without faults (141 tests the
# faults that last).
. "$FK_TESTDIR/lib.sh"

start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
S=http://127.0.0.1:$faker_PORT
B=$S/api/v2
faults() { curl -s -X POST -d "$1" "$S/_ctl/faults" >/dev/null; }
nreq() { curl -s "$S/_ctl/stats" | jq .requests; }
ff() { fk-fetch --base-url "$B" --rate 0 --stall-timeout 1 "$@"; }
is() {	# DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}

faults '[]'
ff -n 5000 -s 7 >"$T/ref" 2>/dev/null
head -n 3000 "$T/ref" >"$T/ref3000"
is "reference run: 5000 records" "$(wc -l <"$T/ref")" 5000

# survive KIND: the second request fails once, the run is unchanged
survive() {
	faults "[\"2:$1\"]"
	ff -n 3000 -s 7 >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 0 ] && cmp -s "$T/out" "$T/ref3000" &&
	    [ "$(nreq)" -eq "$2" ]; then
		ok "fault $1 once: retried, same 3000 records ($2 requests)"
	else
		notok "fault $1 once: retried, same 3000 records" \
		    "exit $rc, $(wc -l <"$T/out") lines, $(nreq) requests: $(cat "$T/err")"
	fi
}
for k in 429:1 500 502 503 503:1 reset truncate malformed total notarray status stall:3; do
	survive "$k" 4
	grep -q "^fk-fetch: warning: retrying 'http://127.0.0.1:$faker_PORT/api/v2/users?_quantity=1000&_seed=[0-9]*' in [0-9.]*s (attempt 1: " "$T/err" &&
	    ok "fault $k once: one warning naming the URL and the attempt" ||
	    notok "fault $k once: one warning naming the URL and the attempt" "$(cat "$T/err")"
done
survive latency:300 3
faults '["2:429:2"]'
start=$(date +%s)
ff -n 3000 -s 7 >/dev/null 2>&1
end=$(date +%s)
if [ $((end - start)) -ge 2 ]; then ok "429: Retry-After is honoured"; else
	notok "429: Retry-After is honoured" "run took $((end - start)) s"; fi

