#!/bin/sh
# Dead letters and reconciliation in the job (examples/job.mk): each part's
# rejects reach the bucket as rejects/part-I-of-N.ndjson, the manifest
# holds read = written + rejected per part and in total, and _SUCCESS is
# written only when the totals reconcile and rejects stay within MAX_BAD.
. "$FK_TESTDIR/lib.sh"
top=$(cd "$FK_TESTDIR/.." && pwd)
start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
start_server gcs "$PY" "$FK_TESTDIR/gcs_server.py"
export FK_BASE_URL=http://127.0.0.1:$faker_PORT/api/v2
export STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT
export FK_HASH_KEY=rejects-test-key-0123456789
faker=http://127.0.0.1:$faker_PORT gcs=http://127.0.0.1:$gcs_PORT
cd "$T" && ln -s "$top/examples" examples
# users.jq, but every user whose id ends in 3 loses its REQUIRED uuid:
# 120 bad rows in 1200 (two requests, one per shard).
{ cat examples/users.jq; echo '| if .id % 10 == 3 then .uuid = null else . end'; } >bad.jq
job="make -s -f examples/job.mk BUCKET=fk-rej COUNT=1200 SHARDS=2 SEED=5 FETCH_FLAGS=--rate=0 FILTER=bad.jq"

hits() { curl -s "$faker/_ctl/stats" | jq .requests; }
code() { curl -s -o /dev/null -w '%{http_code}' "$gcs/storage/v1/b/fk-rej/o/$(jq -rn --arg n "$1" '$n|@uri')"; }
get() { curl -sS "$gcs/download/storage/v1/b/fk-rej/o/$(jq -rn --arg n "$1" '$n|@uri')?alt=media"; }

# 1. Rejects within MAX_BAD: stored, counted, reconciled, _SUCCESS.
$job DATE=2026-04-01 MAX_BAD=120 >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && ok "120 rejects with MAX_BAD=120: the job succeeds" || notok "MAX_BAD=120 succeeds" "exit $rc: $(tail -n 5 "$T/err")"
M=work/users/dt=2026-04-01/manifest.json
fk-fetch -q -n 1200 --seed 5 --rate 0 | jq -r 'select(.id % 10 == 3) | .id' | sort -n >"$T/want.ids"
: >"$T/got.ids"
for i in 1 2; do
	get "users/dt=2026-04-01/rejects/part-$i-of-2.ndjson" >"$T/rej.$i"
	jq -r '.value.id' "$T/rej.$i" >>"$T/got.ids"
	n=$(wc -l <"$T/rej.$i")
	[ "$n" -gt 0 ] && [ "$n" = "$(jq ".parts[$((i - 1))].rejected" "$M")" ] &&
	    [ "$(jq -r ".parts[$((i - 1))].rejects.name" "$M")" = "users/dt=2026-04-01/rejects/part-$i-of-2.ndjson" ] &&
	    ok "part $i: its $n rejects are stored as rejects/part-$i-of-2.ndjson and listed in the manifest" ||
	    notok "part $i rejects stored" "$n lines; manifest: $(jq -c ".parts[$((i - 1))]" "$M")"
done
sort -n "$T/got.ids" -o "$T/got.ids"
same "the stored rejects are exactly the 120 bad records" "$T/want.ids" "$T/got.ids"
! grep -q '@' "$T/rej.1" "$T/rej.2" && grep -q '"email":"[0-9a-f]\{64\}"' "$T/rej.1" &&
    ok "rejects carry the row as protected (hashed email)" || notok "rejects protected" "$(head -n 2 "$T/rej.1")"
jq -e '	.read == 1200 and .written == 1080 and .rejected == 120 and .reconciled
    and all(.parts[]; .read == .written + .rejected)' "$M" >/dev/null &&
    ok "manifest: read 1200 = 1080 written + 120 rejected, per part and in total; reconciled" ||
    notok "manifest counts" "$(jq -c 'del(.parts)' "$M")"
curl -s "$gcs/storage/v1/b/fk-rej/o/users%2Fdt%3D2026-04-01%2F_SUCCESS" | jq -S -c .metadata >"$T/meta"
[ "$(cat "$T/meta")" = '{"fk-max-bad":"120","fk-rejected":"120"}' ] &&
    ok "_SUCCESS written, with the rejected count and MAX_BAD it met" || notok "_SUCCESS written" "$(cat "$T/meta")"
get users/dt=2026-04-01/_MANIFEST.json | jq -c . >"$T/stored"
[ "$(jq -c . "$M")" = "$(cat "$T/stored")" ] && ok "the stored manifest is the local one" || notok "stored manifest"

# 2. More rejects than MAX_BAD: parts and rejects stored, manifest says
# so, no _SUCCESS; raising MAX_BAD then completes with no new fetch.
$job DATE=2026-04-02 MAX_BAD=119 >"$T/out" 2>"$T/err"
rc=$?
[ $rc -ne 0 ] && grep -q 'Error 65' "$T/err" &&
    grep -q 'no _SUCCESS for gs://fk-rej/users/dt=2026-04-02: 120 records rejected, more than MAX_BAD=119' "$T/err" &&
    ok "120 rejects with MAX_BAD=119: fails (65) and says why" || notok "MAX_BAD=119 fails" "exit $rc: $(cat "$T/err")"
[ "$(code users/dt=2026-04-02/_SUCCESS)" = 404 ] && [ "$(code users/dt=2026-04-02/_MANIFEST.json)" = 200 ] &&
    [ "$(code users/dt=2026-04-02/rejects/part-1-of-2.ndjson)" = 200 ] &&
    ok "no _SUCCESS; the manifest and the rejects are stored" || notok "no _SUCCESS, manifest and rejects stored"
h=$(hits)
$job DATE=2026-04-02 MAX_BAD=150 >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ "$(code users/dt=2026-04-02/_SUCCESS)" = 200 ] && [ "$(hits)" = "$h" ] &&
    ok "re-run with MAX_BAD=150: _SUCCESS, no new FakerAPI request" || notok "re-run with MAX_BAD=150" "exit $rc, hits $h -> $(hits): $(tail -n 3 "$T/err")"

# 3. Counts that do not reconcile (a fetch that brings fewer records than
# COUNT): no _SUCCESS.
$job DATE=2026-04-03 MAX_BAD=100 FETCH_FLAGS='--rate=0 -n 900' >"$T/out" 2>"$T/err"
rc=$?
[ $rc -ne 0 ] && grep -q 'the counts do not reconcile: read 900 of 1200 records' "$T/err" &&
    [ "$(code users/dt=2026-04-03/_SUCCESS)" = 404 ] &&
    [ "$(jq .reconciled work/users/dt=2026-04-03/manifest.json)" = false ] &&
    ok "900 of 1200 records read: not reconciled, no _SUCCESS" || notok "short read: no _SUCCESS" "exit $rc: $(cat "$T/err")"

# 4. No rejects: no rejects object, rejects null in the manifest.
make -s -f examples/job.mk BUCKET=fk-rej COUNT=1200 SHARDS=2 SEED=5 FETCH_FLAGS=--rate=0 DATE=2026-04-04 >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ "$(code users/dt=2026-04-04/rejects/part-1-of-2.ndjson)" = 404 ] &&
    [ "$(jq -c '[.parts[].rejects]' work/users/dt=2026-04-04/manifest.json)" = '[null,null]' ] &&
    ok "no rejects: no rejects object, null in the manifest" || notok "no rejects" "exit $rc: $(tail -n 3 "$T/err")"
