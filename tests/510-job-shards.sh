#!/bin/sh
# The Makefile data job (examples/job.mk): 8 shards run through GNU
# parallel give exactly the single-run record set, the manifest lists all
# 8 parts with their checksums, a failing stage leaves no manifest and no
# _SUCCESS, and a re-run only redoes what is missing.
. "$FK_TESTDIR/lib.sh"
command -v parallel >/dev/null || { notok "GNU parallel is not installed"; exit 0; }
top=$(cd "$FK_TESTDIR/.." && pwd)
start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
start_server gcs "$PY" "$FK_TESTDIR/gcs_server.py"
export FK_BASE_URL=http://127.0.0.1:$faker_PORT/api/v2
export STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT
# The job hashes email and masks ip by default (tests/530-job-pii.sh).
export FK_HASH_KEY=shard-test-key-0123456789
gcs=http://127.0.0.1:$gcs_PORT
cd "$T" && ln -s "$top/examples" examples
job="make -s -f examples/job.mk BUCKET=fk-lake COUNT=8000 SHARDS=8 SEED=4242 DATE=2026-01-02 FETCH_FLAGS=--rate=0"
W=work/users/dt=2026-01-02

# Every row of an Avro file, every field, one JSON line each.
avro_rows() {	# FILE
	"$PY" -c 'import json, sys
from avro.datafile import DataFileReader
from avro.io import DatumReader
for r in DataFileReader(open(sys.argv[1], "rb"), DatumReader()):
    print(json.dumps(r, sort_keys=True, default=str))' "$1"
}
# Read Avro objects back from storage: uuid and id of every row, sorted;
# every row whole in $T/rows.
avro_keys() {	# object names on stdin
	: >"$T/rows"
	while read -r name; do
		curl -sS -o "$T/part.avro" "$gcs/download/storage/v1/b/fk-lake/o/$(jq -rn --arg n "$name" '$n|@uri')?alt=media"
		avro_rows "$T/part.avro" >>"$T/rows"
	done
	jq -r '"\(.uuid) \(.id)"' "$T/rows" | sort
}

fk-fetch -q -n 8000 --seed 4242 --rate 0 | jq -r '"\(.uuid) \(.id)"' | sort > single.txt
[ "$(wc -l < single.txt)" -eq 8000 ] && ok "single run: 8000 records" || notok "single run: $(wc -l < single.txt) records"

if seq 1 8 | parallel -j 4 --halt now,fail=1 $job part SHARD={} 2>"$T/par.err"; then
	ok "8 shards through GNU parallel"
else
	notok "8 shards through GNU parallel" "$(tail -5 "$T/par.err")"
fi
check "the job finishes: manifest, _SUCCESS, bq load command" $job
jq . "$W/manifest.json" >/dev/null 2>&1 && ok "manifest is JSON" || notok "manifest is JSON"
[ "$(jq '.parts | length' "$W/manifest.json")" = 8 ] && ok "manifest lists 8 parts" || notok "manifest lists 8 parts"
[ "$(jq '[.parts[].name] | unique | length' "$W/manifest.json")" = 8 ] && ok "8 distinct part names" || notok "8 distinct part names"
[ "$(jq '.rows' "$W/manifest.json")" = 8000 ] && ok "manifest counts 8000 rows" || notok "manifest counts $(jq .rows "$W/manifest.json") rows"
jq -r '.parts[] | "\(.name) \(.crc32c)"' "$W/manifest.json" | while read -r n c; do
	curl -sS "$gcs/storage/v1/b/fk-lake/o/$(jq -rn --arg n "$n" '$n|@uri')" | jq -r .crc32c
done > stored.crc
jq -r '.parts[].crc32c' "$W/manifest.json" > manifest.crc
same "manifest crc32c values match the stored objects" manifest.crc stored.crc
jq -r '.parts[].name' "$W/manifest.json" | avro_keys > sharded.txt
same "the 8 parts hold exactly the single-run records (uuid, id)" single.txt sharded.txt
# users have no field drawn against "now" (fk-fetch(1), CAVEATS): every
# field of every row is identical between the parts and the single run.
fk-fetch -q -n 8000 --seed 4242 --rate 0 |
    fk-shape -o avro -f examples/users.jq --schema examples/users.schema.json \
        --hash email --mask-ip ip >single.avro
avro_rows single.avro | sort >single.rows
sort "$T/rows" >sharded.rows
same "the 8 parts hold the single run's rows, every field identical" single.rows sharded.rows
[ "$(cut -d' ' -f1 sharded.txt | uniq -d | wc -l)" -eq 0 ] && ok "no duplicate uuid across parts" || notok "duplicate uuids across parts"
for o in _MANIFEST.json _SUCCESS; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$gcs/storage/v1/b/fk-lake/o/users%2Fdt%3D2026-01-02%2F$o")
	[ "$code" = 200 ] && ok "$o object exists" || notok "$o object exists (HTTP $code)"
done
grep -q '^bq load --source_format=AVRO --use_avro_logical_types mydataset.users "gs://fk-lake/users/dt=2026-01-02/part-\*"$' "$W/bq-load.sh" &&
    ok "bq load command generated from fk-shape's flags" || notok "bq load command" "$(cat "$W/bq-load.sh")"

# Re-running is idempotent: nothing is redone, no object is rewritten.
jq -r '.parts[].generation' "$W/manifest.json" > gen1
check "re-running the finished job succeeds" $job
jq -r '.parts[].generation' "$W/manifest.json" > gen2
same "re-run rewrote no part" gen1 gen2

# A failing stage: shard 3's fetch cannot reach the API.
job2="make -s -f examples/job.mk BUCKET=fk-lake COUNT=8000 SHARDS=8 SEED=4242 DATE=2026-01-03"
W2=work/users/dt=2026-01-03
seq 1 8 | parallel -j 4 "if [ {} = 3 ]; then $job2 part SHARD={} FETCH_FLAGS='--rate=0 --retries=0 --base-url=http://127.0.0.1:1/api/v2'; else $job2 part SHARD={} FETCH_FLAGS=--rate=0; fi" >/dev/null 2>&1
[ $? -ne 0 ] && ok "a failing shard fails the parallel run" || notok "a failing shard fails the parallel run"
[ ! -e "$W2/part-3-of-8.json" ] && ok "no receipt for the failed part" || notok "no receipt for the failed part"
code=$(curl -s -o /dev/null -w '%{http_code}' "$gcs/storage/v1/b/fk-lake/o/users%2Fdt%3D2026-01-03%2Fpart-3-of-8.avro")
[ "$code" = 404 ] && ok "no object for the failed part" || notok "no object for the failed part (HTTP $code)"
expect_exit 2 "finishing the job with the failing stage fails" $job2 FETCH_FLAGS='--rate=0 --retries=0 --base-url=http://127.0.0.1:1/api/v2'
for o in _MANIFEST.json _SUCCESS; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$gcs/storage/v1/b/fk-lake/o/users%2Fdt%3D2026-01-03%2F$o")
	[ "$code" = 404 ] && ok "no $o after a failure" || notok "no $o after a failure (HTTP $code)"
done
check "the re-run redoes only the missing part and completes" $job2 FETCH_FLAGS=--rate=0
[ "$(jq '.rows' "$W2/manifest.json")" = 8000 ] && ok "after the re-run: 8000 rows in 8 parts" || notok "after the re-run: rows $(jq .rows "$W2/manifest.json")"
