#!/bin/sh
# CI extra: the container image (Dockerfile) built and run as a user would.
# Base images come from the Debian archive apt already uses (mmdebstrap,
# then `podman import` under the names the Dockerfile names); the build
# never pulls.  The image then runs the pipeline 100 users long against the
# local test servers on the host network, and one shard the way the
# README's Kubernetes Indexed Job does.  Skipped where podman or mmdebstrap
# is missing (.ci/run installs both).
. "$FK_TESTDIR/lib.sh"
for c in podman mmdebstrap runc; do
	command -v $c >/dev/null || { echo "ok - container image # SKIP $c not installed"; exit 0; }
done
top=$(cd "$FK_TESTDIR/.." && pwd)
# Base tarballs are kept between runs (same archive, same day).
cache=${FK_IMAGE_CACHE:-/var/cache/fk-ci}
mkdir -p "$cache"

# Podman on CI machines: runc, and ulimits within the host's hard limits.
cat > "$T/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF="$T/containers.conf"

# The archive apt already uses: every configured bookworm* suite.
sources=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' |
    awk '$2 ~ /^bookworm(-updates|-security)?$/ {print "deb " $1 " " $2 " main"}' | sort -u)
[ -n "$sources" ] && ok "apt sources: $(echo "$sources" | wc -l) bookworm suites" ||
    { notok "no bookworm suite in the apt sources"; exit 0; }

# debian:bookworm as Debian's own images are made: minbase, merged /usr,
# apt cleaning after itself (no .deb, no pkgcache); debian:bookworm-slim is
# the same without documentation, manuals and locales.
base() {	# tarball
	printf '%s\n' "$sources" | tr '\n' '\0' | xargs -0 mmdebstrap --quiet \
	    --variant=minbase --mode=root --format=tar \
	    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
	    --dpkgopt=force-unsafe-io --aptopt='Acquire::Languages "none"' \
	    --customize-hook='echo force-unsafe-io > "$1/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"' \
	    --customize-hook='printf "%s\n" "DPkg::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true\"; };" "APT::Update::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true\"; };" "Dir::Cache::pkgcache \"\"; Dir::Cache::srcpkgcache \"\";" > "$1/etc/apt/apt.conf.d/docker-clean"' \
	    --customize-hook='echo "Acquire::Languages \"none\";" > "$1/etc/apt/apt.conf.d/docker-no-languages"' \
	    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
	    bookworm "$1"
}
key=$(printf '%s %s' "$sources" "$(date -u +%F)" | md5sum | cut -c1-12)
full=$cache/bookworm-$key.tar slim=$cache/bookworm-slim-$key.tar
t0=$(date +%s)
if [ ! -s "$full" ]; then
	rm -f "$cache"/bookworm-*.tar
	base "$full.tmp" >"$T/mmdebstrap.log" 2>&1 && mv "$full.tmp" "$full"
fi
if [ -s "$full" ] && [ ! -s "$slim" ]; then
	cp "$full" "$slim.tmp" &&
	tar --delete -f "$slim.tmp" --wildcards './usr/share/doc/*' './usr/share/man/*' \
	    './usr/share/info/*' './usr/share/locale/*' &&
	mkdir -p "$T/slim/etc/dpkg/dpkg.cfg.d" &&
	printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-exclude /usr/share/man/*' \
	    'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
	    > "$T/slim/etc/dpkg/dpkg.cfg.d/docker" &&
	tar --append -f "$slim.tmp" -C "$T/slim" ./etc/dpkg/dpkg.cfg.d/docker &&
	mv "$slim.tmp" "$slim"
fi
if [ -s "$full" ] && [ -s "$slim" ]; then
	ok "base images from the Debian archive with mmdebstrap ($(( $(date +%s) - t0 )) s)"
else
	notok "mmdebstrap" "$(tail -n 5 "$T/mmdebstrap.log" 2>/dev/null)"; exit 0
fi
check "podman import debian:bookworm" podman import -q "$full" docker.io/library/debian:bookworm
check "podman import debian:bookworm-slim" podman import -q "$slim" docker.io/library/debian:bookworm-slim

t0=$(date +%s)
if podman build --pull=never -t fk:latest "$top" >"$T/build.log" 2>&1; then
	ok "podman build --pull=never ($(( $(date +%s) - t0 )) s)"
else
	notok "podman build --pull=never" "$(tail -n 10 "$T/build.log")"; exit 0
fi
size=$(podman image inspect --format '{{.Size}}' fk:latest)
mb=$((size / 1000000))
[ "$mb" -le 120 ] && ok "runtime image is $mb MB uncompressed (target 120)" ||
    notok "runtime image is $mb MB uncompressed (target 120)"

run() { podman run --rm --network host "$@"; }
run fk:latest > "$T/versions" 2>&1
v=$(sed -n 's/^VERSION *= *//p' "$top/Makefile")
printf 'fk-fetch %s\nfk-shape %s\ngcs-put %s\n' "$v" "$v" "$v" > "$T/versions.want"
same "the default command prints the three tools' versions" "$T/versions.want" "$T/versions"
[ "$(run fk:latest id -u)" != 0 ] && ok "runs as a non-root user" || notok "runs as a non-root user"
check "man pages, examples/ and make are in the image" run fk:latest sh -c \
    'for m in man1/fk-fetch.1 man1/fk-shape.1 man1/gcs-put.1 man7/fk.7; do test -f /usr/local/share/man/$m || exit 1; done
     test -f examples/job.mk && test -f examples/users.jq && make --version >/dev/null'

start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
start_server gcs "$PY" "$FK_TESTDIR/gcs_server.py"
env="-e FK_BASE_URL=http://127.0.0.1:$faker_PORT/api/v2 -e STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT"
gcs=http://127.0.0.1:$gcs_PORT

avro_rows() {	# object name: "uuid id" per row, as stored
	curl -sS -o "$T/obj.avro" "$gcs/download/storage/v1/b/fk-ci/o/$(jq -rn --arg n "$1" '$n|@uri')?alt=media" &&
	"$PY" -c 'import sys
from avro.datafile import DataFileReader
from avro.io import DatumReader
for r in DataFileReader(open(sys.argv[1], "rb"), DatumReader()):
    print(r["uuid"], r["id"])' "$T/obj.avro" 2>/dev/null
}

# Three containers joined by pipes on the host, as a user would run them.
if run -i $env fk:latest fk-fetch -n 100 --seed 7 |
   run -i fk:latest fk-shape -o avro -f examples/users.jq --schema examples/users.schema.json |
   run -i $env fk:latest gcs-put gs://fk-ci/users/part-1.avro > "$T/receipt" 2>"$T/err"; then
	ok "containerised fk-fetch | fk-shape | gcs-put"
else
	notok "containerised fk-fetch | fk-shape | gcs-put" "$(tail -n 5 "$T/err")"
fi
FK_BASE_URL=http://127.0.0.1:$faker_PORT/api/v2 fk-fetch -q -n 100 --seed 7 |
    jq -r '"\(.uuid) \(.id)"' > "$T/want"
avro_rows users/part-1.avro > "$T/got"
[ "$(wc -l < "$T/got")" -eq 100 ] && ok "the object reads back: 100 Avro rows" ||
    notok "the object reads back: $(wc -l < "$T/got") Avro rows"
same "its rows are the users the host's fk-fetch gets (uuid, id)" "$T/want" "$T/got"

# One shard the way the README's Kubernetes Indexed Job runs it: the
# job's part target through examples/job, the hash key mounted as a file.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/hash.key"
chmod 644 "$T/hash.key"
if run $env -e JOB_COMPLETION_INDEX=2 -e FK_HASH_KEY_FILE=/var/run/fk/hash.key \
    -v "$T/hash.key:/var/run/fk/hash.key:ro" fk:latest \
    examples/job part BUCKET=fk-ci SHARDS=8 COUNT=8000 SEED=20261125 DATE=2026-11-25 \
    FETCH_FLAGS=--rate=0 >/dev/null 2>"$T/err"; then
	ok "Kubernetes-style shard (JOB_COMPLETION_INDEX=2, examples/job part) in the container"
else
	notok "Kubernetes-style shard (JOB_COMPLETION_INDEX=2, examples/job part) in the container" "$(tail -n 5 "$T/err")"
fi
# The same shard with no key mounted: exit 78 (what a podFailurePolicy
# reads), before any request to FakerAPI.
h=$(curl -s "http://127.0.0.1:$faker_PORT/_ctl/stats" | jq .requests)
run $env -e JOB_COMPLETION_INDEX=3 fk:latest \
    examples/job part BUCKET=fk-ci SHARDS=8 COUNT=8000 SEED=20261125 DATE=2026-11-25 >/dev/null 2>"$T/err"
rc=$?
[ $rc = 78 ] && [ "$(curl -s "http://127.0.0.1:$faker_PORT/_ctl/stats" | jq .requests)" = "$h" ] &&
    ok "no key mounted: the shard exits 78 before any request" ||
    notok "no key mounted: the shard exits 78 before any request" "exit $rc: $(tail -n 3 "$T/err")"
FK_BASE_URL=http://127.0.0.1:$faker_PORT/api/v2 fk-fetch -q -n 8000 --seed 20261125 --shard 3/8 |
    jq -r '"\(.uuid) \(.id)"' > "$T/want3"
avro_rows users/dt=2026-11-25/part-3-of-8.avro > "$T/got3"
[ -s "$T/want3" ] && same "part-3-of-8 holds exactly shard 3/8 of the run" "$T/want3" "$T/got3" ||
    notok "shard 3/8 is empty"
"$PY" -c 'import re, sys
from avro.datafile import DataFileReader
from avro.io import DatumReader
rows = list(DataFileReader(open(sys.argv[1], "rb"), DatumReader()))
sys.exit(0 if rows and all(re.fullmatch("[0-9a-f]{64}", r["email"]) and
                           r["ip"].endswith(".0") for r in rows) else 1)' "$T/obj.avro" &&
    ok "the shard's emails are hashed and its ips masked" || notok "the shard's emails are hashed and its ips masked"
