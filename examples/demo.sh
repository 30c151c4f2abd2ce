#!/bin/sh
# examples/demo.sh (make demo): the whole job, offline.  Starts the local
# FakerAPI and Cloud Storage test servers, runs
#   fk-fetch | fk-shape -o avro | gcs-put
# for 100 users, with email hashed under a throwaway key and ip masked as
# the job does by default, shows the object's metadata and checksums, the
# schema and the first rows read back from storage by an independent Avro
# reader (python3-avro), then stops the servers.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${FK_BIN:-$top/build}
PATH=$bin:$PATH
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
tmp=$(mktemp -d)
pids=
# Stop every server this script started, on any exit: success, failure
# (set -e) or a signal.  Servers run in the background of a non-interactive
# shell, which starts them with SIGINT ignored, so a Ctrl-C reaches only
# this script: without this they would live on.
stop() {
	trap - EXIT INT TERM HUP
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	for p in $pids; do wait "$p" 2>/dev/null || :; done
	rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# name, script, args...: start a test server and set ${name}_port.  Called
# directly, never inside $(...): a command substitution is a subshell,
# and a pid recorded there is lost to the trap above.
serve() {
	name=$1 script=$2; shift 2
	"$PY" "$top/tests/$script" --port 0 --port-file "$tmp/$name.port" "$@" \
	    >"$tmp/$name.log" 2>&1 &
	pids="$pids $!"
	i=0
	while [ ! -s "$tmp/$name.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$tmp/$name.port" ] || { echo "demo: $name server did not start" >&2; exit 1; }
	eval "${name}_port=\$(cat \"\$tmp/\$name.port\")"
}

serve faker fakerapi_server.py --throttle off
serve gcs gcs_server.py --data-dir "$tmp/gcs"
faker=$faker_port gcs=$gcs_port
export FK_BASE_URL=http://127.0.0.1:$faker/api/v2
export STORAGE_EMULATOR_HOST=127.0.0.1:$gcs
obj=users/dt=$(date -u +%F)/part-1-of-1.avro

# A throwaway HMAC key, in a file (never on a command line), gone with $tmp.
unset FK_HASH_KEY
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tmp/hash.key"
keyid=$(sha256sum < "$tmp/hash.key" | cut -c1-8)

echo "== FakerAPI test server on 127.0.0.1:$faker, Cloud Storage test server on 127.0.0.1:$gcs"
echo "== personal data: the users look like real people, so, as the job (examples/job.mk) does by"
echo "   default, email becomes its HMAC-SHA256 under a key (here a throwaway one, key id $keyid:"
echo "   the same email gives the same token, so joins still work, and nobody without the key can"
echo "   reverse it), ip keeps only its /24, and users.jq never passes the password on"
echo "== fk-fetch -n 100 --seed 42 | fk-shape -o avro -f examples/users.jq --schema examples/users.schema.json --hash email --mask-ip ip --hash-key-file KEYFILE | gcs-put gs://demo/$obj"
fk-fetch -n 100 --seed 42 --rate 0 \
    | fk-shape -o avro -f "$top/examples/users.jq" \
        --schema "$top/examples/users.schema.json" --emit-schema "$tmp/schema.json" \
        --hash email --mask-ip ip --hash-key-file "$tmp/hash.key" \
    | gcs-put "gs://demo/$obj" > "$tmp/object.json"

echo
echo "== the object, as gcs-put printed it"
jq . "$tmp/object.json"

echo
echo "== read back from storage and checked: size, CRC32C and MD5 of the downloaded bytes"
curl -sS -o "$tmp/back.avro" \
    "http://127.0.0.1:$gcs/download/storage/v1/b/demo/o/$(jq -rn --arg n "$obj" '$n|@uri')?alt=media"
"$PY" - "$tmp/back.avro" "$tmp/object.json" "$top/tests" <<'PYEOF'
import base64, hashlib, json, sys
sys.path.insert(0, sys.argv[3])
from gcs_server import crc32c
data = open(sys.argv[1], "rb").read()
meta = json.load(open(sys.argv[2]))
crc = base64.b64encode(crc32c(data).to_bytes(4, "big")).decode()
md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
for k, mine in (("size", str(len(data))), ("crc32c", crc), ("md5Hash", md5)):
    print(f"  {k:8} {meta[k]:>26}  {'matches' if meta[k] == mine else 'MISMATCH ' + mine}")
PYEOF

echo
echo "== the BigQuery schema (examples/users.schema.json)"
jq -c '.[]' "$top/examples/users.schema.json"

echo
echo "== the first 3 rows, decoded by python3-avro from the downloaded object: email hashed, ip masked"
"$PY" - "$tmp/back.avro" <<'PYEOF'
import sys
from avro.datafile import DataFileReader
from avro.io import DatumReader
with DataFileReader(open(sys.argv[1], "rb"), DatumReader()) as r:
    print(f"  codec {r.get_meta('avro.codec').decode()}, schema fields:",
          ", ".join(f["name"] for f in r.datum_reader.writers_schema.to_json()["fields"]))
    for i, row in enumerate(r):
        if i < 3:
            print("  " + repr(row))
    print(f"  {i + 1} rows in all")
PYEOF

echo
echo "== load it into BigQuery with"
echo "  bq load --source_format=AVRO --use_avro_logical_types mydataset.users gs://BUCKET/$obj"
