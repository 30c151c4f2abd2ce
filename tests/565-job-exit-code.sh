#!/bin/sh
# examples/job exits with the failed step's own code, where make says
# "Error N" and exits 2: 78 with no hash key (before any FakerAPI
# request), 77 when the credentials may not create objects, 1 when the
# part's object exists, 65 over MAX_BAD, 0 on success.  TERM to it (a
# pod's deletion) stops the job's every process.
. "$FK_TESTDIR/lib.sh"
top=$(cd "$FK_TESTDIR/.." && pwd)
start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
start_server gcs "$PY" "$FK_TESTDIR/gcs_server.py"
start_server view "$PY" "$FK_TESTDIR/gcs_server.py" --role viewer
export FK_BASE_URL=http://127.0.0.1:$faker_PORT/api/v2
export STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT
export FK_HASH_KEY=exit-code-test-key-0123456789
faker=http://127.0.0.1:$faker_PORT
cd "$T" && ln -s "$top/examples" examples
{ cat examples/users.jq; echo '| if .id % 10 == 3 then .uuid = null else . end'; } >bad.jq
hits() { curl -s "$faker/_ctl/stats" | jq .requests; }
job="examples/job -s BUCKET=fk-exit COUNT=300 SHARDS=1 SEED=5 FETCH_FLAGS=--rate=0"
code() {	# DESC, CODE, GREP, command...: exit CODE, GREP on stderr
	d=$1 c=$2 g=$3; shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = "$c" ] && { [ -z "$g" ] || grep -qF -- "$g" "$T/err"; } && ok "$d: exit $c" ||
	    notok "$d: exit $c" "exit $rc: $(tail -n 3 "$T/err")"
}

h=$(hits)
code "no hash key" 78 "there is no key" env -u FK_HASH_KEY $job DATE=2026-07-01
[ "$(hits)" = "$h" ] && ok "no hash key: no FakerAPI request" || notok "no hash key: no FakerAPI request" "$h -> $(hits)"
code "a bad CONFIG line" 78 "bad.conf:1: unknown key" sh -c 'echo colour = blue > bad.conf && exec "$@"' sh $job CONFIG=bad.conf DATE=2026-07-01
code "credentials that may not create objects" 77 "storage.objects.create" \
    env STORAGE_EMULATOR_HOST=127.0.0.1:$view_PORT $job DATE=2026-07-02
code "a job that succeeds" 0 "" $job DATE=2026-07-03
code "the same part again under another key" 1 "exists" $job DATE=2026-07-03 FK_HASH_KEY=another-key-0123456789 -B part SHARD=1
code "30 rejects over MAX_BAD=10" 65 "more than MAX_BAD=10" $job DATE=2026-07-04 FILTER=bad.jq MAX_BAD=10
grep -q 'Error 65' "$T/err" && ok "make's own message stays (Error 65)" || notok "make's own message stays" "$(cat "$T/err")"

# TERM while the fetch waits for its next request (1 a minute): the job
# stops at once, and none of its processes is left.
alive() { pgrep -f 'SEED=918273|--seed 918273|dt=2026-07-09'; }
h0=$(hits)
examples/job -s BUCKET=fk-exit COUNT=3000 SEED=918273 DATE=2026-07-09 FETCH_FLAGS=--rate=1 \
    >"$T/out" 2>"$T/err" &
pid=$!
i=0; while [ "$(hits)" = "$h0" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
kill -TERM $pid
i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $pid 2>/dev/null && kill -KILL $pid
wait $pid; rc=$?
i=0; while alive >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ $rc -ne 0 ] && [ $i -lt 50 ] && [ ! -e work/users/dt=2026-07-09/part-1.avro ] &&
    ok "TERM: the job stops (exit $rc), no process of it left, no part" ||
    notok "TERM stops the job and all its processes" "exit $rc, left: $(alive | tr '\n' ' ')"
pkill -KILL -f 'SEED=918273|--seed 918273|dt=2026-07-09' 2>/dev/null
exit 0
