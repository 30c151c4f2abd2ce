#!/bin/sh
# gcs-put: SIGTERM and SIGINT cancel the session (DELETE on its URI) and
# the process dies by the signal; a read error on stdin aborts the
# session with exit 74; nothing is finalised in either case.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_put_lib.sh"
gcs_start
head -c 700000 /dev/urandom >"$T/data"
stat_of() { ctl GET stats | jf /dev/stdin "$1"; }
wait_for() {	# PYTHON-EXPR over the stats dict, true within 10 s
	i=0
	while [ $i -lt 100 ]; do
		ctl GET stats | "$PY" -c 'import json, sys
s = json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
wait_308() {	# a chunk was confirmed (a 308 in the request log), within 10 s
	i=0
	while [ $i -lt 100 ]; do
		requests >"$T/rq"; grep -q ' 308$' "$T/rq" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
cancelled() {	# DESC: the last upload request was a DELETE of the session
	# A chunk cut off by the signal (a PUT the server logs 499 when it
	# sees the connection go) may be logged after the DELETE that
	# followed it: it is not a request made after the cancel.
	requests | grep -v '^PUT .* 499$' | tail -n 1 >"$T/last"
	grep -q '^DELETE session - - 499$' "$T/last" && ok "$1" ||
	    notok "$1" "last request: $(cat "$T/last")"
}

# SIGTERM while gcs-put waits for more input, one chunk already confirmed.
mkfifo "$T/fifo"
gcs-put --chunk-size 256K gs://$BKT/term <"$T/fifo" >"$T/out" 2>"$T/err" &
pid=$!
exec 3>"$T/fifo"
head -c 600000 "$T/data" >&3
wait_for 's["sessions_open"] == 1' && wait_308 ||
    notok "SIGTERM: the upload did not start"
kill -TERM $pid
wait $pid
rc=$?
exec 3>&-
[ $rc -eq 143 ] && ok "SIGTERM while reading stdin: dies by SIGTERM (143)" ||
    notok "SIGTERM while reading stdin: 143" "exit $rc: $(cat "$T/err")"
cancelled "SIGTERM: the session is cancelled"
[ "$(obj_status $BKT term)" = 404 ] && [ ! -s "$T/out" ] &&
    ok "SIGTERM: no object, nothing on stdout" || notok "SIGTERM: no object"

# SIGTERM while a request hangs on the server.
faults '["upload:3:stall:30"]'
gcs-put --chunk-size 256K gs://$BKT/term2 <"$T/data" >"$T/out" 2>"$T/err" &
pid=$!
wait_for 's["faults_fired"].get("stall")' || notok "stall did not fire"
t0=$(date +%s)
kill -TERM $pid
wait $pid
rc=$?
t1=$(date +%s)
[ $rc -eq 143 ] && [ $((t1 - t0)) -le 3 ] &&
    ok "SIGTERM during a hung request: 143 within 3 s" ||
    notok "SIGTERM during a hung request" "exit $rc after $((t1 - t0)) s: $(cat "$T/err")"
cancelled "SIGTERM during a request: the session is cancelled"
[ "$(obj_status $BKT term2)" = 404 ] && ok "SIGTERM during a request: no object" ||
    notok "SIGTERM during a request: no object"
faults '[]'

# SIGINT, from a parent that leaves SIGINT at its default (a background job
# of this script would inherit it ignored, and gcs-put keeps it so).
"$PY" - "$T/data" "$GCS" <<'PYEOF' >"$T/rc"
import json, signal, subprocess, sys, time, urllib.request
data, gcs = open(sys.argv[1], "rb").read(), sys.argv[2]
p = subprocess.Popen(["gcs-put", "--chunk-size", "256K", "gs://fk-test/int"],
                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
p.stdin.write(data[:600000]); p.stdin.flush()
for _ in range(100):
    log = json.load(urllib.request.urlopen(gcs + "/_ctl/requests"))
    if any(r["status"] == 308 for r in log):
        break
    time.sleep(0.1)
p.send_signal(signal.SIGINT)
print(p.wait(timeout=20))
PYEOF
[ "$(cat "$T/rc")" = -2 ] && ok "SIGINT: dies by SIGINT" || notok "SIGINT: dies by SIGINT" "$(cat "$T/rc")"
cancelled "SIGINT: the session is cancelled"
[ "$(obj_status $BKT int)" = 404 ] && ok "SIGINT: no object" || notok "SIGINT: no object"

# A read error before anything was sent: stdin is a directory.
gcs-put gs://$BKT/dir </ >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 74 ] && grep -q "cannot read standard input: Is a directory" "$T/err" &&
    [ "$(obj_status $BKT dir)" = 404 ] &&
    ok "stdin is a directory: 74, no object" || notok "stdin is a directory" "exit $rc: $(cat "$T/err")"

# A read error in mid-stream, after a chunk went up: stdin is a TCP
# connection that the peer resets.
"$PY" - "$GCS" <<'PYEOF' >"$T/rc" 2>"$T/err"
import json, socket, struct, subprocess, sys, time, urllib.request
gcs = sys.argv[1]
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
peer = socket.create_connection(srv.getsockname())
conn, _ = srv.accept()
p = subprocess.Popen(["gcs-put", "--chunk-size", "256K", "gs://fk-test/rst"],
                     stdin=conn, stdout=subprocess.DEVNULL,
                     stderr=None)
conn.close()
peer.sendall(b"x" * 700000)
for _ in range(100):
    log = json.load(urllib.request.urlopen(gcs + "/_ctl/requests"))
    if any(r["status"] == 308 for r in log):
        break
    time.sleep(0.1)
peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
peer.close()
print(p.wait(timeout=20))
PYEOF
[ "$(cat "$T/rc")" = 74 ] && grep -q "cannot read standard input" "$T/err" &&
    ok "stdin reset mid-stream: 74" || notok "stdin reset mid-stream: 74" "$(cat "$T/rc" "$T/err")"
cancelled "stdin reset mid-stream: the session is cancelled"
[ "$(obj_status $BKT rst)" = 404 ] && ok "stdin reset mid-stream: no object" ||
    notok "stdin reset mid-stream: no object"
