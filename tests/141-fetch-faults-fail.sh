#!/bin/sh
# fk-fetch under faults that last: each fails with the documented exit
# code, one error line naming the URL, and stdout holding only whole pages,
# a prefix of the successful run: no duplicate, missing or partial record.
# Permanent failures are not retried.
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

# fail KIND CODE: from the third request on, every request fails
fail() {
	faults "[\"3-200:$1\"]"
	ff -n 5000 -s 7 --retries 1 >"$T/out" 2>"$T/err"
	rc=$?
	lines=$(wc -l <"$T/out")
	head -n "$lines" "$T/ref" >"$T/prefix"
	if [ "$rc" -eq "$2" ] && [ $((lines % 1000)) -eq 0 ] && [ "$lines" -lt 5000 ] &&
	    cmp -s "$T/out" "$T/prefix"; then
		ok "fault $1 lasting: exit $2, stdout whole pages, a prefix ($lines records)"
	else
		notok "fault $1 lasting: exit $2, stdout whole pages, a prefix" \
		    "exit $rc, $lines lines: $(tail -n 2 "$T/err")"
	fi
	if [ "$(grep -vc '^fk-fetch: warning: ' "$T/err")" -eq 1 ] &&
	    grep -q "^fk-fetch: cannot fetch 'http://127.0.0.1:$faker_PORT/api/v2/users?_quantity=1000&_seed=[0-9]*': $3.* (after 2 attempts)$" "$T/err"; then
		ok "fault $1 lasting: one error line with the URL and the reason"
	else
		notok "fault $1 lasting: one error line with the URL and the reason" "$(cat "$T/err")"
	fi
}
fail 429:1 75 "HTTP 429"
fail 500 75 "HTTP 500: Server Error"
fail 502 75 "HTTP 502"
fail 503 75 "HTTP 503"
fail reset 75 "Recv failure"
fail truncate 75 "transfer closed"
fail stall:3 75 "Operation too slow"
fail malformed 65 "invalid JSON"
fail total 65 "envelope total is 1001 but data has 1000 records"
fail notarray 65 "envelope 'data' is object, not an array"
fail status 65 "envelope status is 'ERROR', not 'OK'"

faults '["3-200:500"]'
ff -n 5000 -s 7 -j 1 --retries 0 >"$T/out" 2>"$T/err"
is "one at a time: exactly the two pages before the failure" \
    "$? $(head -n 2000 "$T/ref" | cmp - "$T/out" >/dev/null && echo prefix) $(nreq)" \
    "75 prefix 3"
faults '["every:500"]'
ff -n 10 -s 7 --retries 3 >"$T/out" 2>"$T/err"
is "--retries 3: four attempts, then exit 75" "$? $(nreq)" "75 4"

# ---- permanent failures: no retry ------------------------------------------------
faults '[]'
ff -n 10 -s 7 nosuch >"$T/out" 2>"$T/err"
is "unknown resource: exit 1, nothing out, one request (not retried)" \
    "$? $(wc -c <"$T/out") $(curl -s "$S/_ctl/requests" | jq '[.[] | select(.path | endswith("/nosuch"))] | length')" "1 0 1"
is "unknown resource: the URL and the server's message" "$(head -n 1 "$T/err")" \
    "fk-fetch: cannot fetch 'http://127.0.0.1:$faker_PORT/api/v2/nosuch?_quantity=10&_seed=7': HTTP 404: Not found"
is "unknown resource: then which versions the server has" "$(sed -n 2p "$T/err")" \
    "fk-fetch: the server has /api/v1 and /api/v2, but no resource 'nosuch' there"
faults '[]'
fk-fetch --base-url "$S/api/v9" --rate 0 -n 10 -s 7 >"$T/out" 2>"$T/err"
is "unknown API version: exit 1" "$?" 1
is "unknown API version: says which exist" "$(sed -n 2p "$T/err")" \
    "fk-fetch: the server has /api/v1 and /api/v2: try --base-url $S/api/v2"
fk-fetch --base-url "http://127.0.0.1:1/api/v2" --rate 0 --retries 1 -n 10 -s 7 >"$T/out" 2>"$T/err"
is "nothing listening: retried, then exit 75" "$? $(grep -c 'retrying' "$T/err")" "75 1"
grep -q "^fk-fetch: cannot fetch 'http://127.0.0.1:1/api/v2/users?_quantity=10&_seed=7': .*onnect" "$T/err" &&
    ok "nothing listening: says so" || notok "nothing listening: says so" "$(cat "$T/err")"

# A server that never completes the TCP handshake: its accept queue is full.
cat >"$T/hang.py" <<'EOF'
import os, socket, sys, time
pf = sys.argv[sys.argv.index("--port-file") + 1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(0)
port = s.getsockname()[1]
fill = []
for _ in range(3):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    fill.append(c)
time.sleep(0.2)
with open(pf + ".tmp", "w") as f:
    f.write(str(port))
os.rename(pf + ".tmp", pf)
time.sleep(60)
EOF
start_server hang "$PY" "$T/hang.py"
start=$(date +%s)
fk-fetch --base-url "http://127.0.0.1:$hang_PORT/api/v2" --rate 0 --retries 0 \
    --connect-timeout 1 -n 10 -s 7 >"$T/out" 2>"$T/err"
rc=$?
end=$(date +%s)
is "--connect-timeout 1: exit 75 within seconds" "$rc $((end - start < 5))" "75 1"
grep -q "^fk-fetch: cannot fetch 'http://127.0.0.1:$hang_PORT/api/v2/users?_quantity=10&_seed=7': .*Timeout was reached (after 1 attempt)$" "$T/err" &&
    ok "--connect-timeout: says it timed out, after 1 attempt" ||
    notok "--connect-timeout: says it timed out" "$(cat "$T/err")"
