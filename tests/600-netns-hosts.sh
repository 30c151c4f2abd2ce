#!/bin/sh
# Scale-out across hosts (issue 13): 4 hosts, each a network namespace
# with its own address, its own disk (a private bind mount) and an sshd,
# joined by a bridge in a hub namespace.  The hub runs the FakerAPI and
# GCS test servers on its loopback, reached from the bridge through DNAT
# (which keeps each host's source address: the FakerAPI server throttles
# every host alone), and is the controller: GNU parallel --sshlogin runs
# `make -f examples/job.mk part SHARD=I SHARDS=4` on the hosts with the
# installed tools; each host uploads its part to the GCS server itself,
# and its receipt, log and schema come back with --return.  The manifest
# and _SUCCESS follow on the controller, as in the README.
#
# Needs root, iproute2, iptables, openssh-server, rsync and GNU parallel
# (.ci/deps.sh --ci-extras); skipped with a message otherwise.  Everything
# it makes (namespaces, sshds, keys, processes) goes at exit.
#
# The parts are NDJSON, not the job's default Avro: an Avro file's sync
# marker is random by design (fk-shape(1)), so only NDJSON lets the test
# demand that a re-run's objects equal an uninterrupted run byte for byte.
. "$FK_TESTDIR/lib.sh"
start=$(date +%s)
mark() { echo "# $(($(date +%s) - start)) s: $1"; }
skip() { echo "ok - 4 hosts in network namespaces # SKIP $1"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
for c in ip iptables parallel rsync ssh ssh-keygen unshare /usr/sbin/sshd bc; do
	command -v $c >/dev/null || skip "$c is not installed (.ci/deps.sh --ci-extras)"
done
top=$(cd "$FK_TESTDIR/.." && pwd)
id=fk$$ NET=10.213.0
HUB=${id}hub HOSTS="${id}h1 ${id}h2 ${id}h3 ${id}h4"
ip netns add "$HUB" 2>/dev/null || skip "cannot create network namespaces here"

# Everything this test made goes at exit, also on failure or interrupt:
# the processes in its namespaces (servers, sshds, jobs, parallel), then
# the namespaces, then lib.sh's cleanup.
made_run_sshd= bgpid=
teardown() {
	[ -n "$bgpid" ] && kill $bgpid 2>/dev/null
	for ns in $HOSTS "$HUB"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$made_run_sshd" ] && rmdir /run/sshd 2>/dev/null
	_cleanup
}
trap teardown EXIT
hx() { ip netns exec "$HUB" "$@"; }	# in the hub
hx ip link set lo up
hx ip link add br0 type bridge
hx ip addr add "$NET.1/24" dev br0
hx ip link set br0 up
for i in 1 2 3 4; do
	ip netns add ${id}h$i
	hx ip link add v$i type veth peer name eth0 netns ${id}h$i
	hx ip link set v$i master br0 up
	ip -n ${id}h$i addr add "$NET.1$i/24" dev eth0
	ip -n ${id}h$i link set eth0 up
	ip -n ${id}h$i link set lo up
done

# The throttle: 5 requests per 6 s per client address, the service's
# fixed window (30 a minute) made short.  fk-fetch runs unpaced (-r 0), so
# the throttle alone sets the pace.  COUNT=40000 is 40 requests of 1000
# users: 8 windows for one host (7 waits), 2 for each of 4 hosts (1 wait),
# so every host is throttled and must recover, and the waits outweigh
# what does not shrink with more hosts (ssh, parallel, make, uploads, the
# manifest).  A request costs the machine ~0.1 CPU-second in all (server,
# fk-fetch, fk-shape): 4 hosts at 5 per 6 s need a fraction of its cores.
COUNT=40000 SEED=613 THROTTLE=5/6s PER_HOST=10
hx sysctl -qw net.ipv4.conf.all.route_localnet=1
start_server faker hx "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle $THROTTLE --log "$T/faker.req"
start_server gcs hx "$PY" "$FK_TESTDIR/gcs_server.py"
for p in $faker_PORT $gcs_PORT; do
	hx iptables -t nat -A PREROUTING -i br0 -p tcp -d "$NET.1" --dport $p \
	    -j DNAT --to-destination 127.0.0.1:$p
done
# gcs-put speaks plain http only to a loopback emulator (and the GCS
# server's session URIs name 127.0.0.1): each host sends its
# 127.0.0.1:PORT on to the hub, from its own address.
for i in 1 2 3 4; do
	nx="ip netns exec ${id}h$i"
	$nx sysctl -qw net.ipv4.conf.all.route_localnet=1
	$nx iptables -t nat -A OUTPUT -p tcp -d 127.0.0.1 --dport $gcs_PORT \
	    -j DNAT --to-destination $NET.1:$gcs_PORT
	$nx iptables -t nat -A POSTROUTING -s 127.0.0.0/8 -d $NET.1 -j MASQUERADE
done
gcs=http://127.0.0.1:$gcs_PORT faker_ctl=http://127.0.0.1:$faker_PORT/_ctl
curl() { hx /usr/bin/curl "$@"; }	# the servers live in the hub
mark "namespaces and servers up"
ok "hub, bridge, 4 hosts ($NET.11-14), servers on the hub"

# The installed tools, a throwaway ssh key, a disk and an sshd per host.
mkdir -p "$T/prefix/bin" "$T/disk" "$T/home" "$T/ctlhome"
cp "$FK_BIN/fk-fetch" "$FK_BIN/fk-shape" "$FK_BIN/gcs-put" "$T/prefix/bin/"
ssh-keygen -q -t ed25519 -N '' -C fk-test -f "$T/id" &&
    ssh-keygen -q -t ed25519 -N '' -C fk-test -f "$T/hostkey" &&
    cp "$T/id.pub" "$T/authorized_keys" || { notok "ssh-keygen"; exit 1; }
[ -d /run/sshd ] || { mkdir -m 755 /run/sshd && made_run_sshd=1; }
cat > "$T/sshd_config" <<EOF
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
MaxStartups 40
EOF
# Each sshd sees its host's own disk at $T/disk and an empty /root: no
# shell start-up files of this machine's root (they may be slow or wait
# on locks) run in the jobs.
sshd_start() {	# host number
	mkdir -p "$T/disk$1"
	ip netns exec ${id}h$1 unshare --mount --propagation private sh -c \
	    'mount --bind "$1" "$2" && mount --bind "$3" /root && shift 3 && exec "$@"' \
	    sh "$T/disk$1" "$T/disk" "$T/home" \
	    /usr/sbin/sshd -D -e -f "$T/sshd_config" -o ListenAddress=$NET.1$1 \
	    2>>"$T/sshd$1.log" &
	_pids="$_pids $!"
}
# One connection per host carries a job's ssh sessions (the job, then
# its --return transfers): ControlPersist keeps it 5 s after the last.
SSH="ssh -F /dev/null -i $T/id -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -o ConnectTimeout=5 -o ServerAliveInterval=2 -o ServerAliveCountMax=3 -o ControlMaster=auto -o ControlPath=$T/cm-%C -o ControlPersist=5"
sshd_wait() {	# host number...: wait (10 s at most each) until their sshds answer
	for i; do
		n=0
		until hx $SSH root@$NET.1$i true 2>/dev/null; do
			n=$((n + 1))
			[ $n -lt 50 ] || return 1
			sleep 0.2
		done
	done
}
for i in 1 2 3 4; do sshd_start $i; done
sshd_wait 1 2 3 4 && ok "an sshd answers on each of the 4 hosts" ||
    { notok "sshd on the 4 hosts" "$(tail -n 5 "$T"/sshd*.log)"; exit 1; }
echo host1 > "$T/disk1/mine"
[ "$(hx $SSH root@$NET.11 cat "$T/disk/mine")" = host1 ] &&
    [ "$(hx $SSH root@$NET.12 cat "$T/disk/mine" 2>/dev/null)" != host1 ] &&
    ok "each host has its own disk" || notok "each host has its own disk"
t=$(date +%s.%N); hx $SSH root@$NET.12 true
printf '# one ssh login: %.2f s\n' "$(echo "$(date +%s.%N) - $t" | bc)"

# The README's recipe for real machines: an ssh login file, one job slot
# per host; each host has the tools installed, examples/ in its working
# directory and its credentials.  Only the parts whose receipt the
# controller lacks go out; each comes back with its log and schema (one
# --return per file); then the manifest and _SUCCESS on the controller.
printf '1/root@%s.1%s\n' $NET 1 $NET 2 $NET 3 $NET 4 > "$T/hosts4"
printf '1/root@%s.11\n' $NET > "$T/hosts1"
env="PATH=$T/prefix/bin:\$PATH FK_BASE_URL=http://$NET.1:$faker_PORT/api/v2 STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT"
D=2026-02-03 W=work/users/dt=2026-02-03
job() {	# bucket shards: the job's make command
	echo "make -s -f examples/job.mk BUCKET=$1 COUNT=$COUNT SHARDS=$2 SEED=$SEED DATE=$D FORMAT=ndjson FETCH_FLAGS=-r0 PII=keep"
}
for d in one four cut; do
	for i in 1 2 3 4; do mkdir -p "$T/disk$i/$d" && ln -s "$top/examples" "$T/disk$i/$d/examples"; done
	mkdir -p "$T/$d" && ln -s "$top/examples" "$T/$d/examples"
done
dispatch() {	# run shards: the job of $T/RUN on the hosts of $T/hostsSHARDS
	(cd "$T/$1" &&
	for i in $(seq 1 $2); do [ -e $W/part-$i-of-$2.json ] || echo $i; done |
	hx env HOME="$T/ctlhome" parallel --will-cite --joblog "$T/$1.joblog" --ssh "$SSH" --sshloginfile "$T/hosts$2" \
	    --workdir "$T/disk/$1" --return "$W/part-{}-of-$2.json" \
	    --return "$W/part-{}.log" --return "$W/schema.{}.json" \
	    "$env $(job fk-$1 $2) part SHARD={}" &&
	hx sh -c "$env $(job fk-$1 $2)") >>"$T/$1.log" 2>&1
}
# A dispatch runs in the background and is waited for, so that a signal
# to the test interrupts the wait and the teardown runs at once.
run() {	# run shards
	dispatch "$@" & bgpid=$!
	wait $bgpid; rc=$?; bgpid=
	return $rc
}
now() { date +%s.%N; }
requests() {	# address: its requests in the FakerAPI log, "STATUS SEED" each
	sed -n "s/.* $1 GET [^ ]*_seed=\([0-9]*\)[^ ]* -> \([0-9]*\).*/\2 \1/p" "$T/faker.req"
}
fresh() {	# a new FakerAPI log and throttle windows for the next run
	curl -s -X POST "$faker_ctl/reset" >/dev/null; : > "$T/faker.req"
}
reqlines() { grep -c ' GET /api/' "$T/faker.req"; }

# One host, the whole count; then 4 hosts, the same job in 4 parts.
mark "sshds up"
fresh
t0=$(now)
run one 1 && ok "one host: the job, $COUNT users" ||
    notok "one host: the job" "$(tail -n 5 "$T/one.log")"
t1=$(now)
requests $NET.11 > "$T/req.one"
[ "$(grep -c '^200 ' "$T/req.one")" = $((4 * PER_HOST)) ] && [ "$(grep -c '^429 ' "$T/req.one")" -ge 7 ] &&
    [ "$(reqlines)" = "$(wc -l < "$T/req.one")" ] &&
    ok "one host: $((4 * PER_HOST)) requests served, all from its address, throttled 7+ times" ||
    notok "one host: $((4 * PER_HOST)) requests from $NET.11, throttled" "$(sort "$T/req.one" | uniq -c | head -n 5)"
fresh
t2=$(now)
run four 4 && ok "4 hosts: the parts over ssh, then manifest and _SUCCESS" ||
    notok "4 hosts: the parts over ssh" "$(tail -n 5 "$T/four.log")"
t3=$(now)
cp "$T/faker.req" "$T/faker.four"
ratio=$(echo "($t3 - $t2) / ($t1 - $t0)" | bc -l)
printf '# throttle %s per address, %s users: one host %.1f s, 4 hosts %.1f s: %.2fx\n' \
    $THROTTLE $COUNT "$(echo "$t1 - $t0" | bc)" "$(echo "$t3 - $t2" | bc)" "$ratio"
[ "$(echo "$ratio <= 0.35" | bc)" = 1 ] &&
    ok "4 hosts take at most 0.35x one host's time ($(printf %.2f "$ratio")x)" ||
    notok "4 hosts take at most 0.35x one host's time ($(printf %.2f "$ratio")x)"
bad= all=0
for i in 1 2 3 4; do
	requests $NET.1$i > "$T/req$i"
	all=$((all + $(wc -l < "$T/req$i")))
	[ "$(grep -c '^200 ' "$T/req$i")" = $PER_HOST ] && [ "$(grep -c '^429 ' "$T/req$i")" -ge 1 ] &&
	    [ "$(grep -vc '^200 \|^429 ' "$T/req$i")" = 0 ] || bad="$bad $NET.1$i"
done
[ -z "$bad" ] && [ $all -gt 0 ] && [ "$(reqlines)" = $all ] &&
    ok "4 hosts: each from its own address, throttled (429) and recovered, $PER_HOST requests served each" ||
    notok "4 hosts: each throttled and recovered, $PER_HOST each" "$bad: $(cut -d' ' -f3,6- "$T/faker.req" | sort | uniq -c)"
cat "$T"/req[1-4] | sed -n 's/^200 //p' | sort > "$T/seeds.four"
sed -n 's/^200 //p' "$T/req.one" | sort > "$T/seeds.one"
[ -s "$T/seeds.one" ] && same "4 hosts made the one host's requests, each once (same seeds)" \
    "$T/seeds.one" "$T/seeds.four" || notok "one host's requests: none logged"

mark "one host and 4 hosts done"
obj() {	# bucket name: the object's bytes on stdout
	curl -sS "$gcs/download/storage/v1/b/$1/o/$(jq -rn --arg n "$2" '$n|@uri')?alt=media"
}
objs() {	# run: every part its manifest lists, in manifest order
	for n in $(jq -r '.parts[].name' "$T/$1/$W/manifest.json"); do obj fk-$1 "$n"; done
}
code() {	# bucket object: HTTP status of the object's metadata
	curl -s -o /dev/null -w '%{http_code}' "$gcs/storage/v1/b/$1/o/$(jq -rn --arg n "$2" '$n|@uri')"
}
objs one | sort > "$T/one.rows"
objs four | sort > "$T/four.rows"
[ "$(wc -l < "$T/one.rows")" = $COUNT ] && ok "one host: $COUNT rows in the bucket" ||
    notok "one host: $(wc -l < "$T/one.rows") rows in the bucket, want $COUNT"
# users have no field drawn against "now" (fk-fetch(1), CAVEATS): every
# field of every row is identical.
same "the 4 parts together equal the one-host run, every field of every row" "$T/one.rows" "$T/four.rows"
jq -r .id "$T/four.rows" | sort -n > "$T/ids"
seq 1 $COUNT > "$T/ids.want"
same "ids 1..$COUNT, none missing, none twice" "$T/ids.want" "$T/ids"
jq -r .uuid "$T/four.rows" | sort | uniq -d > "$T/uuid.dup"
[ -s "$T/four.rows" ] && [ ! -s "$T/uuid.dup" ] && ok "no uuid twice" ||
    notok "no uuid twice" "$(head -n 3 "$T/uuid.dup")"
[ "$(code fk-four users/dt=$D/_SUCCESS)" = 200 ] && [ "$(jq .rows "$T/four/$W/manifest.json")" = $COUNT ] &&
    ok "4 hosts: _SUCCESS, the manifest counts $COUNT rows" || notok "4 hosts: _SUCCESS and manifest"

mark "compared"
# A host lost mid-run: the one fetching shard 2 has its processes killed,
# sshd and all, once it has fetched part of its share (the first window)
# and waits for the next.
fresh
dispatch cut 4 & bgpid=$!
n=0 lost=
while [ $n -lt 300 ] && [ -z "$lost" ]; do
	for i in 1 2 3 4; do
		for p in $(ip netns pids ${id}h$i); do
			tr '\0' ' ' 2>/dev/null < /proc/$p/cmdline | grep -q '^fk-fetch .*--shard 2/4' && lost=$i
		done
	done
	[ -n "$lost" ] || sleep 0.1
	n=$((n + 1))
done
n=0
while [ -n "$lost" ] && [ $n -lt 100 ] && ! requests $NET.1$lost | grep -q '^429 '; do
	sleep 0.1; n=$((n + 1))
done
[ -n "$lost" ] && kill -9 $(ip netns pids ${id}h$lost) 2>/dev/null
wait $bgpid; rc=$?; bgpid=
got=$(requests $NET.1${lost:-0} | grep -c '^200 ')
[ -n "$lost" ] && [ $rc -ne 0 ] && [ "$got" -ge 1 ] && [ "$got" -lt $PER_HOST ] &&
    ok "host $lost killed mid-run on shard 2 ($got of $PER_HOST requests done): the run fails" ||
    notok "a host killed mid-run fails the run" "shard 2 on host ${lost:-none}, $got requests done, rc $rc"
ls "$T/cut/$W"/part-*-of-4.json 2>/dev/null | sed 's|.*/||' > "$T/got"
printf 'part-%s-of-4.json\n' 1 3 4 > "$T/got.want"
same "the 3 other parts finished, their receipts returned" "$T/got.want" "$T/got"
c=
for o in part-1-of-4 part-2-of-4 part-3-of-4 part-4-of-4; do c="$c$(code fk-cut users/dt=$D/$o.ndjson) "; done
[ "$c" = "200 404 200 200 " ] && [ "$(code fk-cut users/dt=$D/_SUCCESS)" = 404 ] &&
    [ "$(code fk-cut users/dt=$D/_MANIFEST.json)" = 404 ] &&
    ok "only part 2 is missing; no manifest and no _SUCCESS" ||
    notok "only part 2 missing, no manifest, no _SUCCESS" "parts: $c"
cat "$T/cut/$W"/part-[134]-of-4.json | jq -c '{name, generation}' > "$T/gen1"

mark "cut run done"
# The host comes back; the same commands redo only the missing part.
sshd_start $lost
sshd_wait $lost || notok "sshd on host $lost again" "$(tail -n 5 "$T/sshd$lost.log")"
fresh
run cut 4 && ok "the re-run completes" || notok "the re-run completes" "$(tail -n 5 "$T/cut.log")"
sed -n 's/.*_seed=\([0-9]*\).* -> 200.*/\1/p' "$T/faker.req" | sort > "$T/seeds.rerun"
# Shard 2's requests: those of the host that ran it in the 4-host run.
h2=$(awk -F'\t' '$NF ~ /SHARD=2$/ { sub(/.*@/, "", $2); print $2 }' "$T/four.joblog")
sed -n 's/^200 //p' "$T/req${h2#$NET.1}" 2>/dev/null | sort > "$T/seeds.2"
[ "$(wc -l < "$T/seeds.2")" = $PER_HOST ] &&
    same "the re-run fetched only shard 2's $PER_HOST requests" "$T/seeds.2" "$T/seeds.rerun" ||
    notok "shard 2's requests: $(wc -l < "$T/seeds.2") logged for host ${h2:-none} in the 4-host run"
jq -c '.parts[] | select(.name | test("part-2-") | not) | {name, generation}' \
    "$T/cut/$W/manifest.json" > "$T/gen2"
[ -s "$T/gen1" ] && same "finished parts were not rewritten (same generations)" "$T/gen1" "$T/gen2" ||
    notok "finished parts: no receipts"
jq -S 'del(.parts[].generation)' "$T/four/$W/manifest.json" > "$T/m4"
jq -S 'del(.parts[].generation)' "$T/cut/$W/manifest.json" > "$T/mc"
[ -s "$T/m4" ] && same "the manifest equals the uninterrupted run's (names, sizes, checksums, rows)" \
    "$T/m4" "$T/mc" || notok "the uninterrupted run's manifest is missing"
objs four > "$T/four.bytes"; objs cut > "$T/cut.bytes"
[ -s "$T/four.bytes" ] && same "the objects equal the uninterrupted run's, byte for byte" \
    "$T/four.bytes" "$T/cut.bytes" || notok "the uninterrupted run's objects are empty"
[ "$(code fk-cut users/dt=$D/_SUCCESS)" = 200 ] && ok "_SUCCESS after the re-run" ||
    notok "_SUCCESS after the re-run"
mark "re-run done and compared"
