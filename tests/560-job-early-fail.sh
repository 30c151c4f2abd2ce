#!/bin/sh
# The job fails before the long part and never redoes finished work
# (examples/job.mk): without credentials, without permission to create
# objects, or with the part's object already there, it stops before its
# first FakerAPI request (gcs-put --check); after an upload failure a
# re-run only uploads.  The test servers' hit counts prove both.
. "$FK_TESTDIR/lib.sh"
top=$(cd "$FK_TESTDIR/.." && pwd)
start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
start_server gcs "$PY" "$FK_TESTDIR/gcs_server.py"
start_server view "$PY" "$FK_TESTDIR/gcs_server.py" --role viewer
export FK_BASE_URL=http://127.0.0.1:$faker_PORT/api/v2
export STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT
export FK_HASH_KEY=early-fail-test-key-0123456789
faker=http://127.0.0.1:$faker_PORT gcs=http://127.0.0.1:$gcs_PORT
cd "$T" && ln -s "$top/examples" examples
job="make -s -f examples/job.mk BUCKET=fk-early COUNT=1200 SHARDS=2 SEED=3 FETCH_FLAGS=--rate=0"

hits() { curl -s "$faker/_ctl/stats" | jq .requests; }
gstat() { curl -s "$gcs/_ctl/stats" | jq -c "$1"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$gcs/storage/v1/b/fk-early/o/$(jq -rn --arg n "$1" '$n|@uri')"; }
refused() {	# DESC, CODE, GREP, make args...: the job stops with CODE, no request
	d=$1 c=$2 g=$3; shift 3
	h=$(hits)
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -ne 0 ] && grep -q "Error $c" "$T/err" && grep -qF "$g" "$T/err" && [ "$(hits)" = "$h" ] &&
	    ok "$d: stops ($c) before any FakerAPI request" ||
	    notok "$d: stops ($c) before any FakerAPI request" "exit $rc, hits $h -> $(hits): $(cat "$T/err")"
}

# 1. No credentials (no emulator, no ADC source, no metadata server).
mkdir -p "$T/home"
refused "no credentials" 78 "no credentials" env -u STORAGE_EMULATOR_HOST -u GOOGLE_APPLICATION_CREDENTIALS \
    -u CLOUDSDK_CONFIG HOME="$T/home" GCE_METADATA_HOST=127.0.0.1:1 GCE_METADATA_IP=127.0.0.1:1 \
    $job DATE=2026-06-01 PUT_FLAGS="--endpoint $gcs"
[ ! -e work/users/dt=2026-06-01/part-1.avro ] && ok "no credentials: no shaped part" || notok "no credentials: no shaped part"

# 2. Credentials that may read but not create (roles/storage.objectViewer).
refused "no permission to create objects" 77 "storage.objects.create" \
    env STORAGE_EMULATOR_HOST=127.0.0.1:$view_PORT $job DATE=2026-06-02
[ "$(curl -s "http://127.0.0.1:$view_PORT/_ctl/stats" | jq -c '[.objects, (.requests.upload // 0)]')" = '[0,0]' ] &&
    ok "no permission: the check sent no upload and created nothing" ||
    notok "no permission: no upload" "$(curl -s "http://127.0.0.1:$view_PORT/_ctl/stats")"

# 3. The part's object is already there (create-only would fail at the end).
printf 'x' | gcs-put -q gs://fk-early/users/dt=2026-06-03/part-1-of-2.avro >/dev/null
refused "the part's object exists" 1 "exists" $job DATE=2026-06-03

# 4. The check creates nothing: with everything in order the job runs, and
# the only objects are the job's own.
before=$(gstat .objects)
$job DATE=2026-06-04 >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ "$(gstat .objects)" = $((before + 4)) ] &&
    ok "with access the job runs, and stores only its 2 parts, manifest and _SUCCESS" ||
    notok "the job runs with access" "exit $rc, objects $before -> $(gstat .objects): $(tail -n 3 "$T/err")"

# 5. An upload failure, then a re-run: only the upload is redone.
curl -s -X POST -H 'Content-Type: application/json' --data-binary '["upload:1-:403"]' "$gcs/_ctl/faults" >/dev/null
h0=$(hits)
$job -k DATE=2026-06-05 >"$T/out" 2>"$T/err"	# -k: both parts get shaped
rc=$?
h1=$(hits)
[ $rc -ne 0 ] && grep -q 'Error 77' "$T/err" && [ "$h1" = $((h0 + 2)) ] &&
    [ -s work/users/dt=2026-06-05/part-1.avro ] && [ -s work/users/dt=2026-06-05/part-2.avro ] &&
    ok "uploads refused (403): the job fails, the shaped parts stay" ||
    notok "upload refused: part stays" "exit $rc, hits $h0 -> $h1: $(tail -n 3 "$T/err"); $(ls work/users/dt=2026-06-05 2>&1)"
curl -s -X POST -H 'Content-Type: application/json' --data-binary '[]' "$gcs/_ctl/faults" >/dev/null
$job DATE=2026-06-05 >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ "$(hits)" = "$h1" ] && [ "$(jq .rows work/users/dt=2026-06-05/manifest.json)" = 1200 ] &&
    [ "$(code users/dt=2026-06-05/_SUCCESS)" = 200 ] &&
    ok "the re-run only uploads: no second fetch, 1200 rows, _SUCCESS" ||
    notok "the re-run only uploads" "exit $rc, hits $h1 -> $(hits): $(tail -n 3 "$T/err")"
[ ! -e work/users/dt=2026-06-05/part-1.avro ] && [ ! -e work/users/dt=2026-06-05/part-2.avro ] &&
    ok "the local parts go once stored" || notok "the local parts go once stored" "$(ls work/users/dt=2026-06-05)"

# 6. A fetch that fails leaves no shaped part behind (nothing to upload
# that looks complete).
$job DATE=2026-06-06 SHARDS=1 FETCH_FLAGS='--rate=0 --retries=0 --base-url=http://127.0.0.1:1/api/v2' >"$T/out" 2>"$T/err"
rc=$?
[ $rc -ne 0 ] && [ ! -e work/users/dt=2026-06-06/part-1.avro ] && [ "$(code users/dt=2026-06-06/part-1-of-1.avro)" = 404 ] &&
    ok "a failed fetch leaves no shaped part and no object" || notok "a failed fetch leaves no part" "exit $rc: $(ls work/users/dt=2026-06-06 2>&1)"
