#!/bin/sh
# CI extra: valgrind memcheck over a representative run of each tool
# (built without sanitizers).  Any memory error or definite leak fails.
. "$FK_TESTDIR/lib.sh"
command -v valgrind >/dev/null || { notok "valgrind not installed"; exit 0; }
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite"

start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
start_server gcs "$PY" "$FK_TESTDIR/gcs_server.py"
base=http://127.0.0.1:$faker_PORT/api/v2
export STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT

check "fk-fetch: 1500 users over 2 requests, clean under valgrind" \
    $VG fk-fetch -n 1500 --seed 9 --base-url "$base" --rate 0
cp "$T/out" "$T/users.ndjson"
check "fk-shape: NDJSON with a filter and a schema on 2 workers" \
    $VG fk-shape -j 2 -f "$FK_TESTDIR/../examples/users.jq" \
    --schema "$FK_TESTDIR/../examples/users.schema.json" "$T/users.ndjson"
check "fk-shape: CSV" $VG fk-shape -o csv -f "$FK_TESTDIR/../examples/users.jq" "$T/users.ndjson"
check "fk-shape: Avro" $VG fk-shape -o avro -f "$FK_TESTDIR/../examples/users.jq" \
    --schema "$FK_TESTDIR/../examples/users.schema.json" "$T/users.ndjson"
check "fk-shape: Parquet" $VG fk-shape -o parquet -f "$FK_TESTDIR/../examples/users.jq" \
    --schema "$FK_TESTDIR/../examples/users.schema.json" "$T/users.ndjson"
head -c 1100000 /dev/urandom > "$T/blob"
check "gcs-put: resumable upload in 256 KiB chunks" \
    sh -c "$VG gcs-put --chunk-size 262144 gs://fk-vg/vg/blob < '$T/blob'"
check "gcs-put: multipart upload" \
    sh -c "$VG gcs-put gs://fk-vg/vg/small.ndjson < '$T/users.ndjson'"
