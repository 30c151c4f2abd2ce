#!/bin/sh
# Personal data in the job (examples/job.mk, make run): email hashed with
# the keyed HMAC, ip masked and no password, by default; no key means no
# start (78, before any FakerAPI request); PII=keep is explicit and
# recorded; the manifest names the key by its id, never by the key.
. "$FK_TESTDIR/lib.sh"
top=$(cd "$FK_TESTDIR/.." && pwd)
start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
start_server gcs "$PY" "$FK_TESTDIR/gcs_server.py"
export FK_BASE_URL=http://127.0.0.1:$faker_PORT/api/v2
export STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT
faker=http://127.0.0.1:$faker_PORT gcs=http://127.0.0.1:$gcs_PORT
unset FK_HASH_KEY FK_HASH_KEY_FILE FK_PII
cd "$T" && ln -s "$top/examples" examples
job="make -s -f examples/job.mk BUCKET=fk-pii COUNT=300 SHARDS=2 SEED=77 FETCH_FLAGS=--rate=0"

hits() { curl -s "$faker/_ctl/stats" | jq .requests; }
objects() { curl -s "$gcs/storage/v1/b/fk-pii/o" | jq '.items // [] | length'; }
rows() {	# OBJECT: every row of a stored Avro object, one JSON line each
	curl -sS -o "$T/obj.avro" "$gcs/download/storage/v1/b/fk-pii/o/$(jq -rn --arg n "$1" '$n|@uri')?alt=media"
	"$PY" -c 'import json, sys
from avro.datafile import DataFileReader
from avro.io import DatumReader
for r in DataFileReader(open(sys.argv[1], "rb"), DatumReader()):
    print(json.dumps(r, sort_keys=True))' "$T/obj.avro"
}
all_rows() {	# DATE: the rows of every part of that day's run
	for i in 1 2; do rows "users/dt=$1/part-$i-of-2.avro"; done
}

# 1. No key: a clear message, 78, no request, no object.
for how in "job.mk" "make run"; do
	if [ "$how" = "make run" ]; then
		make -s -C "$top" run B="$FK_BIN" BUCKET=fk-pii COUNT=300 WORK="$T/w0" \
		    FETCH_FLAGS=--rate=0 >"$T/out" 2>"$T/err"
	else
		$job DATE=2026-03-01 >"$T/out" 2>"$T/err"
	fi
	rc=$?
	[ $rc -ne 0 ] && grep -q 'Error 78' "$T/err" && grep -q 'there is no key: set FK_HASH_KEY_FILE' "$T/err" &&
	    [ "$(hits)" = 0 ] && [ "$(objects)" = 0 ] &&
	    ok "$how with no key: refuses to start (78), no FakerAPI request, no object" ||
	    notok "$how with no key refuses to start" "exit $rc, hits $(hits), objects $(objects): $(cat "$T/err")"
done
printf '' >"$T/empty.key"
printf 'x' >"$T/unreadable.key"; chmod 000 "$T/unreadable.key"
for k in empty.key unreadable.key missing.key; do
	[ "$k" = unreadable.key ] && [ "$(id -u)" = 0 ] && continue	# root reads anything
	FK_HASH_KEY_FILE=$T/$k $job DATE=2026-03-01 >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -ne 0 ] && grep -q 'Error 78' "$T/err" && grep -q "hash key file $T/$k" "$T/err" && [ "$(hits)" = 0 ] &&
	    ok "key file $k: refuses to start (78) naming the file, no request" ||
	    notok "key file $k refuses to start" "exit $rc, hits $(hits): $(cat "$T/err")"
done
$job DATE=2026-03-01 PII=clear >"$T/out" 2>"$T/err"
rc=$?
[ $rc -ne 0 ] && grep -q 'Error 78' "$T/err" && grep -q 'PII=clear: the policy is protect' "$T/err" && [ "$(hits)" = 0 ] &&
    ok "PII=clear (no such policy): 78, no request" || notok "PII=clear: 78" "exit $rc: $(cat "$T/err")"

# 2. With a key file: every email is HMAC-SHA256 of the original under the
# key, every ip its /24, and the manifest holds the key id.
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/hash.key"
echo >>"$T/hash.key"	# one trailing newline, not part of the key
key=$(head -n 1 "$T/hash.key")
FK_HASH_KEY_FILE=$T/hash.key $job DATE=2026-03-02 >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && ok "the job runs with FK_HASH_KEY_FILE" || notok "the job runs with FK_HASH_KEY_FILE" "exit $rc: $(tail -n 5 "$T/err")"
all_rows 2026-03-02 >"$T/rows"
fk-fetch -q -n 300 --seed 77 --rate 0 >"$T/orig"
"$PY" - "$T/orig" "$T/rows" "$key" >"$T/pii.out" 2>&1 <<'PYEOF'
import hashlib, hmac, json, sys
orig = {r["uuid"]: r for r in map(json.loads, open(sys.argv[1]))}
rows = [json.loads(l) for l in open(sys.argv[2])]
key = sys.argv[3].encode()
bad = []
for r in rows:
    o = orig[r["uuid"]]
    want = hmac.new(key, o["email"].encode(), hashlib.sha256).hexdigest()
    ip = o["ip"].rsplit(".", 1)[0] + ".0"
    if r["email"] != want: bad.append(f"email {r['email']} != HMAC of {o['email']}")
    if r["ip"] != ip: bad.append(f"ip {r['ip']} != {ip}")
    if "password" in r: bad.append("password present")
    if any(isinstance(v, str) and ("@" in v and "." in v.split("@")[-1]) for v in r.values()):
        bad.append(f"clear-text email in {r}")
print(f"{len(rows)} rows")
for b in bad[:5]: print(b)
sys.exit(1 if bad or len(rows) != 300 else 0)
PYEOF
[ $? -eq 0 ] && ok "every stored email is HMAC-SHA256 of the original under the key, every ip its /24, no password" ||
    notok "stored rows are pseudonymised" "$(cat "$T/pii.out")"
W=work/users/dt=2026-03-02
kid=$(printf '%s' "$key" | sha256sum | cut -c1-8)
[ "$(jq -c .pii "$W/manifest.json")" = "{\"policy\":\"protect\",\"hashed\":[\"email\"],\"masked\":[\"ip\"],\"key_id\":\"$kid\"}" ] &&
    ok "the manifest records the policy and the key id (SHA-256 of the key without its newline)" ||
    notok "manifest pii" "$(jq -c .pii "$W/manifest.json") want key_id $kid"
curl -sS "$gcs/download/storage/v1/b/fk-pii/o/users%2Fdt%3D2026-03-02%2F_MANIFEST.json?alt=media" | jq -c .pii >"$T/stored.pii"
[ "$(cat "$T/stored.pii")" = "$(jq -c .pii "$W/manifest.json")" ] && ok "the stored _MANIFEST.json carries the same pii record" ||
    notok "stored manifest pii" "$(cat "$T/stored.pii")"
if grep -rqF "$key" "$T/out" "$T/err" work; then notok "the key appears in the job's output or work files"; else
	ok "the key appears nowhere in the job's output, logs or work files"; fi

# 3. The key from the environment: same tokens, same key id.
FK_HASH_KEY=$key $job DATE=2026-03-03 >"$T/out" 2>"$T/err"
rc=$?
all_rows 2026-03-03 >"$T/rows3"
[ $rc -eq 0 ] && cmp -s "$T/rows" "$T/rows3" && [ "$(jq -r .pii.key_id work/users/dt=2026-03-03/manifest.json)" = "$kid" ] &&
    ok "FK_HASH_KEY gives the same tokens and key id as the key file" ||
    notok "FK_HASH_KEY: same tokens and key id" "exit $rc: $(tail -n 3 "$T/err")"
# Another key: other tokens, another id (a rotation is visible).
FK_HASH_KEY=another-key-of-some-length $job DATE=2026-03-04 >"$T/out" 2>"$T/err"
all_rows 2026-03-04 >"$T/rows4"
kid4=$(jq -r .pii.key_id work/users/dt=2026-03-04/manifest.json)
! cmp -s "$T/rows" "$T/rows4" && [ "$kid4" = "$(printf another-key-of-some-length | sha256sum | cut -c1-8)" ] && [ "$kid4" != "$kid" ] &&
    ok "a rotated key gives other tokens and another key id" || notok "rotated key" "key_id $kid4"

# 4. PII=keep: clear text, and the manifest says so.
$job DATE=2026-03-05 PII=keep >"$T/out" 2>"$T/err"
rc=$?
all_rows 2026-03-05 | jq -r '"\(.uuid) \(.email) \(.ip)"' | sort >"$T/kept"
jq -r '"\(.uuid) \(.email) \(.ip)"' "$T/orig" | sort >"$T/want"
[ $rc -eq 0 ] && cmp -s "$T/kept" "$T/want" &&
    [ "$(jq -c .pii work/users/dt=2026-03-05/manifest.json)" = '{"policy":"keep","key_id":null}' ] &&
    ok "PII=keep: clear email and ip, recorded as policy keep with no key id" ||
    notok "PII=keep" "exit $rc: $(jq -c .pii work/users/dt=2026-03-05/manifest.json) $(tail -n 3 "$T/err")"

# 5. make run: the same default.
FK_HASH_KEY_FILE=$T/hash.key make -s -C "$top" run B="$FK_BIN" BUCKET=fk-pii COUNT=300 SEED=77 \
    DATE=2026-03-06 WORK="$T/w6" FETCH_FLAGS=--rate=0 >"$T/out" 2>"$T/err"
rc=$?
rows users/dt=2026-03-06/part-1-of-1.avro | sort >"$T/rows6"
sort "$T/rows" >"$T/rows2s"
[ $rc -eq 0 ] && cmp -s "$T/rows6" "$T/rows2s" && [ "$(jq -r .pii.key_id "$T/w6/manifest.json")" = "$kid" ] &&
    ok "make run hashes and masks by default too" || notok "make run protects by default" "exit $rc: $(tail -n 3 "$T/err")"

# 6. One shard as the README's Kubernetes Indexed Job runs it: the part
# target, its index from JOB_COMPLETION_INDEX, the key from a file.
JOB_COMPLETION_INDEX=2 FK_HASH_KEY_FILE=$T/hash.key make -s -f examples/job.mk part BUCKET=fk-pii \
    SHARDS=8 COUNT=8000 SEED=77 DATE=2026-03-07 FETCH_FLAGS=--rate=0 >"$T/out" 2>"$T/err"
rc=$?
rows users/dt=2026-03-07/part-3-of-8.avro >"$T/rows7"
[ $rc -eq 0 ] && [ "$(wc -l <"$T/rows7")" = 1000 ] &&
    [ "$(jq -r 'select((.email | test("^[0-9a-f]{64}$")) and (.ip | endswith(".0"))) | .uuid' "$T/rows7" | wc -l)" = 1000 ] &&
    ok "JOB_COMPLETION_INDEX=2 ... part: part-3-of-8 holds 1000 rows, every email hashed and ip masked" ||
    notok "Kubernetes-style part" "exit $rc, $(wc -l <"$T/rows7") rows: $(tail -n 3 "$T/err")"
