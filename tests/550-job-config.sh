#!/bin/sh
# The job's config file (examples/job.mk CONFIG=FILE, make run CONFIG=...):
# its settings apply; the command line beats the environment, which beats
# the file, which beats the defaults; a bad line stops the job (78, before
# any request) naming the line; no secret goes in it.
. "$FK_TESTDIR/lib.sh"
top=$(cd "$FK_TESTDIR/.." && pwd)
start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
start_server gcs "$PY" "$FK_TESTDIR/gcs_server.py"
export STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT
unset FK_BASE_URL FK_HASH_KEY FK_HASH_KEY_FILE FK_COUNT FK_PII FK_BUCKET
faker=http://127.0.0.1:$faker_PORT gcs=http://127.0.0.1:$gcs_PORT
cd "$T" && ln -s "$top/examples" examples
printf 'config-test-key-0123456789\n' >"$T/hash.key"
kid=$(printf 'config-test-key-0123456789' | sha256sum | cut -c1-8)
hits() { curl -s "$faker/_ctl/stats" | jq .requests; }
code() { curl -s -o /dev/null -w '%{http_code}' "$gcs/storage/v1/b/$1/o/$(jq -rn --arg n "$2" '$n|@uri')"; }

cat >job.conf <<EOF
# every key the job knows
bucket        = fk-conf
prefix        = lake/people/
resource      = users
count         = 300
shards        = 2
seed          = 31
format        = ndjson
dataset       = analytics

pii           = protect
hash_key_file = $T/hash.key
base_url      = $faker/api/v2
rate          = 0
max_bad       = 3
EOF
job="make -s -f examples/job.mk CONFIG=job.conf"

# 1. The file's settings apply.
$job DATE=2026-05-01 >"$T/out" 2>"$T/err"
rc=$?
M=work/users/dt=2026-05-01/manifest.json
[ $rc -eq 0 ] && jq -e --arg kid "$kid" '.count == 300 and .shards == 2 and .seed == 31 and .format == "ndjson"
    and .pii.policy == "protect" and .pii.key_id == $kid and .rows == 300' "$M" >/dev/null &&
    ok "the config file sets count, shards, seed, format, the policy and the key file" ||
    notok "config file settings" "exit $rc: $(tail -n 3 "$T/err") $(jq -c 'del(.parts)' "$M" 2>&1)"
[ "$(code fk-conf lake/people/part-1-of-2.ndjson)" = 200 ] && [ "$(code fk-conf lake/people/_SUCCESS)" = 200 ] &&
    ok "bucket and prefix from the file: gs://fk-conf/lake/people/part-1-of-2.ndjson" ||
    notok "bucket and prefix from the file"
grep -q '^bq load .* analytics.users "gs://fk-conf/lake/people/part-\*"$' "$T/out" &&
    ok "the dataset from the file is in the bq load command" || notok "dataset from the file" "$(cat "$T/out")"
[ "$(hits)" -gt 0 ] && ok "base_url from the file: the records came from the test server" || notok "base_url from the file"
expect_exit 0 "examples/job.conf parses" awk -v keys="bucket prefix resource count shards seed format dataset pii hash_key_file base_url rate max_bad" \
    -f examples/job-config.awk examples/job.conf
grep -q '^conf_count:=1000$' "$T/out" && ! grep -q ERROR "$T/out" && ok "examples/job.conf gives its settings" ||
    notok "examples/job.conf gives its settings" "$(cat "$T/out")"

# 2. Precedence: command line, then environment, then file, then default.
FK_COUNT=400 $job DATE=2026-05-02 PREFIX=p2 >"$T/out" 2>"$T/err"
c_env=$(jq .count work/users/dt=2026-05-02/manifest.json 2>&1)
FK_COUNT=400 $job DATE=2026-05-03 PREFIX=p3 COUNT=500 >"$T/out" 2>"$T/err"
c_cli=$(jq .count work/users/dt=2026-05-03/manifest.json 2>&1)
r_cli=$(jq .rows work/users/dt=2026-05-03/manifest.json 2>&1)
[ "$c_env" = 400 ] && [ "$c_cli" = 500 ] && [ "$r_cli" = 500 ] &&
    ok "count: the environment beats the file (400), the command line beats both (500)" ||
    notok "precedence" "env gave $c_env, command line gave $c_cli ($r_cli rows)"
grep -v '^\(count\|seed\|shards\|format\|dataset\|prefix\|max_bad\)' job.conf >min.conf
make -s -f examples/job.mk CONFIG=min.conf DATE=2026-05-04 >"$T/out" 2>"$T/err"
[ "$(jq -c '[.count, .shards, .seed, .format]' work/users/dt=2026-05-04/manifest.json 2>&1)" = '[1000,1,20260504,"avro"]' ] &&
    [ "$(code fk-conf users/dt=2026-05-04/part-1-of-1.avro)" = 200 ] &&
    ok "keys left out take the defaults (1000 users, 1 shard, seed from the date, Avro, users/dt=DATE)" ||
    notok "defaults" "$(jq -c 'del(.parts)' work/users/dt=2026-05-04/manifest.json 2>&1) $(tail -n 3 "$T/err")"
FK_PII=keep $job DATE=2026-05-05 PREFIX=p5 COUNT=50 >"$T/out" 2>"$T/err"
[ "$(jq -r .pii.policy work/users/dt=2026-05-05/manifest.json 2>&1)" = keep ] &&
    ok "FK_PII=keep in the environment beats pii = protect in the file" || notok "FK_PII beats the file"

# 3. Bad files: 78 before any request, naming the line.
bad() {	# DESC, GREP, file lines...
	d=$1 g=$2; shift 2
	printf '%s\n' "$@" >bad.conf
	h=$(hits)
	make -s -f examples/job.mk CONFIG=bad.conf DATE=2026-05-09 >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -ne 0 ] && grep -q 'Error 78' "$T/err" && grep -qF "$g" "$T/err" && [ "$(hits)" = "$h" ] &&
	    ok "$d: 78, no request" || notok "$d: 78, no request" "exit $rc, hits $h -> $(hits): $(cat "$T/err")"
}
bad "an unknown key" 'bad.conf:3: unknown key "buckett"' "count = 5" "# comment" "buckett = x"
bad "a key given twice" 'bad.conf:2: "count" set again (first on line 1)' "count = 5" "count = 6" "bucket = fk-conf"
bad "a line without =" 'bad.conf:2: expected key = value' "bucket = fk-conf" "count 5"
bad "a value of two words" 'bad.conf:1: the value of "prefix" must be one word' "prefix = a b" "bucket = fk-conf"
bad "a secret in the file" 'bad.conf:2: "hash_key": no secret in a config file' "bucket = fk-conf" "hash_key = s3cr3t-value"
grep -q 's3cr3t-value' "$T/err" && notok "the refused secret is echoed" || ok "the refused secret is not echoed"
bad "a count that is not a number" 'COUNT=ten: a number is needed' "bucket = fk-conf" "count = ten"
bad "no bucket anywhere" 'no bucket: set BUCKET=name' "count = 5"
h=$(hits)
make -s -f examples/job.mk CONFIG=nowhere.conf DATE=2026-05-09 >"$T/out" 2>"$T/err"
rc=$?
[ $rc -ne 0 ] && grep -q 'Error 78' "$T/err" && grep -q 'CONFIG=nowhere.conf: no such file' "$T/err" && [ "$(hits)" = "$h" ] &&
    ok "a missing config file: 78, no request" || notok "a missing config file" "exit $rc: $(cat "$T/err")"

# 4. make run CONFIG=...
make -s -C "$top" run B="$FK_BIN" CONFIG="$T/job.conf" DATE=2026-05-06 PREFIX=p6 WORK="$T/w6" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ "$(code fk-conf p6/part-2-of-2.ndjson)" = 200 ] &&
    [ "$(jq .count "$T/w6/manifest.json" 2>&1)" = 300 ] &&
    ok "make run CONFIG=FILE runs the job with the file's settings" || notok "make run CONFIG" "exit $rc: $(tail -n 3 "$T/err")"
