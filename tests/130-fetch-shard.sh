#!/bin/sh
# fk-fetch --shard I/N and its environment fallbacks: the shards together
# make exactly the single run, no overlap, no gap.
. "$FK_TESTDIR/lib.sh"

start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
S=http://127.0.0.1:$faker_PORT
B=$S/api/v2
faults() { curl -s -X POST -d "$1" "$S/_ctl/faults" >/dev/null; }
nreq() { curl -s "$S/_ctl/stats" | jq .requests; }
ff() { fk-fetch --base-url "$B" --rate 0 "$@"; }
is() {	# DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}
# whole DESC FILES...: the files together hold exactly the single run
whole() {
	d=$1; shift
	cat "$@" | sort >"$T/union"
	sort "$T/single" >"$T/single.sorted"
	same "$d" "$T/single.sorted" "$T/union"
}

check "the single run" ff -n 7500 -s 77
cp "$T/out" "$T/single"
for i in 1 2 3; do
	check "--shard $i/3" ff -n 7500 -s 77 --shard $i/3
	cp "$T/out" "$T/s$i"
done
is "shards 1/3, 2/3, 3/3: requests 0,3,6 / 1,4,7 (the 500) / 2,5" \
    "$(wc -l <"$T/s1") $(wc -l <"$T/s2") $(wc -l <"$T/s3")" "3000 2500 2000"
whole "shards 1/3 + 2/3 + 3/3 = the single run" "$T/s1" "$T/s2" "$T/s3"
is "no record in two shards" "$(cat "$T/s1" "$T/s2" "$T/s3" | jq -r .uuid | sort | uniq -d | wc -l)" 0
is "shard 2/3 holds requests 1, 4, 7 (ids 1001.., 4001.., 7001..)" \
    "$(jq -r .id "$T/s2" | sed -n '1p;1001p;2001p' | tr '\n' ' ')" "1001 4001 7001 "
check "--shard 1/1" ff -n 7500 -s 77 --shard 1/1
same "--shard 1/1 is the single run" "$T/single" "$T/out"
faults '[]'
check "a shard with no request" ff -n 500 -s 77 --shard 2/3
is "a shard with no request: no output, no request" "$(wc -c <"$T/out") $(nreq)" "0 0"

# ---- the environment of batch systems ----------------------------------------------
for i in 0 1 2; do
	JOB_COMPLETION_INDEX=$i FK_SHARD_COUNT=3 ff -n 7500 -s 77 >"$T/k$i" 2>"$T/err"
done
whole "Kubernetes Indexed Job: JOB_COMPLETION_INDEX 0..2 + FK_SHARD_COUNT=3" \
    "$T/k0" "$T/k1" "$T/k2"
same "Kubernetes index 1 is shard 2/3" "$T/s2" "$T/k1"
for i in 0 1 2; do
	CLOUD_RUN_TASK_INDEX=$i CLOUD_RUN_TASK_COUNT=3 ff -n 7500 -s 77 >"$T/c$i" 2>"$T/err"
done
whole "Cloud Run Job: CLOUD_RUN_TASK_INDEX 0..2 of CLOUD_RUN_TASK_COUNT=3" \
    "$T/c0" "$T/c1" "$T/c2"
for i in 1 2 3; do
	PARALLEL_SEQ=$i FK_SHARD_COUNT=3 ff -n 7500 -s 77 >"$T/p$i" 2>"$T/err"
done
whole "GNU parallel: PARALLEL_SEQ 1..3 + FK_SHARD_COUNT=3" "$T/p1" "$T/p2" "$T/p3"
for i in 1 2 3; do
	FK_SHARD=$i/3 FK_SEED=77 ff -n 7500 >"$T/f$i" 2>"$T/err"
done
whole "FK_SHARD=i/3 and FK_SEED" "$T/f1" "$T/f2" "$T/f3"
FK_SHARD=1/3 ff -n 7500 -s 77 --shard 2/3 >"$T/out" 2>"$T/err"
same "--shard wins over the environment" "$T/s2" "$T/out"
if command -v parallel >/dev/null 2>&1; then
	parallel -j 3 --will-cite "fk-fetch --base-url $B --rate 0 -n 7500 -s 77 --shard {#}/3 > $T/gp{#}" ::: a b c
	whole "real GNU parallel: --shard {#}/3" "$T/gp1" "$T/gp2" "$T/gp3"
	parallel -j 3 --will-cite "FK_SHARD_COUNT=3 fk-fetch --base-url $B --rate 0 -n 7500 -s 77 > $T/ge{#}" ::: a b c
	whole "real GNU parallel: PARALLEL_SEQ from its environment" "$T/ge1" "$T/ge2" "$T/ge3"
else
	ok "# SKIP GNU parallel not installed"
fi

# ---- never a silent whole run ------------------------------------------------------
bad_env() {	# DESC PATTERN VAR=VALUE...
	d=$1 pat=$2; shift 2
	faults '[]'
	env "$@" fk-fetch --base-url "$B" --rate 0 -n 7500 -s 77 >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 64 ] && [ ! -s "$T/out" ] && [ "$(nreq)" -eq 0 ] &&
	    grep -q "^fk-fetch: .*$pat" "$T/err"; then ok "$d"; else
		notok "$d" "exit $rc, $(nreq) requests: $(cat "$T/err")"; fi
}
bad_env "JOB_COMPLETION_INDEX without FK_SHARD_COUNT: usage error" \
    "FK_SHARD_COUNT is not" JOB_COMPLETION_INDEX=1
bad_env "CLOUD_RUN_TASK_INDEX without its count: usage error" \
    "CLOUD_RUN_TASK_COUNT is not" CLOUD_RUN_TASK_INDEX=0
bad_env "PARALLEL_SEQ without FK_SHARD_COUNT: usage error" \
    "FK_SHARD_COUNT is not" PARALLEL_SEQ=2
bad_env "FK_SHARD_COUNT without an index: usage error" "no shard index" FK_SHARD_COUNT=3
bad_env "index out of range: usage error" "too large" JOB_COMPLETION_INDEX=3 FK_SHARD_COUNT=3
bad_env "bad FK_SHARD: usage error" "FK_SHARD" FK_SHARD=0/3
faults '[]'
ff -n 7500 --shard 1/3 >"$T/out" 2>"$T/err"
is "sharding without a seed: usage error, no request" "$? $(nreq)" "64 0"
grep -q "needs --seed" "$T/err" && ok "sharding without a seed: says why" ||
	notok "sharding without a seed: says why" "$(cat "$T/err")"

# ---- what is identical, exactly (issue 9, item 8) ------------------------------------
# The service draws persons' birthdays against "now" even with a seed; the
# shards run "a day later" here (the server's clock moved).  Everything
# else is identical; with _birthday_start and _birthday_end, all of it.
faults '[]'
check "persons, the single run" ff -n 2500 -s 78 persons
cp "$T/out" "$T/psingle"
check "persons pinned, the single run" ff -n 2500 -s 78 -p _birthday_start=1940-01-01 -p _birthday_end=2005-12-31 persons
cp "$T/out" "$T/qsingle"
curl -s -X POST -d 86400 "$S/_ctl/clock" >/dev/null
for i in 1 2; do
	ff -n 2500 -s 78 --shard $i/2 persons >"$T/ps$i" 2>"$T/err"
	ff -n 2500 -s 78 --shard $i/2 -p _birthday_start=1940-01-01 -p _birthday_end=2005-12-31 persons >"$T/qs$i" 2>"$T/err"
done
curl -s -X POST -d 0 "$S/_ctl/clock" >/dev/null
cat "$T/ps1" "$T/ps2" | jq -c 'del(.birthday)' | sort >"$T/pu"
jq -c 'del(.birthday)' "$T/psingle" | sort >"$T/pw"
same "persons a day later: the shards' union is the single run but for birthdays" "$T/pw" "$T/pu"
cat "$T/ps1" "$T/ps2" | sort >"$T/pall"
sort "$T/psingle" >"$T/pone"
is "persons a day later: the birthdays did move (so the check above can fail)" \
    "$(cmp -s "$T/pone" "$T/pall" && echo same || echo differ)" differ
cat "$T/qs1" "$T/qs2" | sort >"$T/qu"
sort "$T/qsingle" >"$T/qw"
same "birthdays pinned: the shards' union is the single run, every field" "$T/qw" "$T/qu"
