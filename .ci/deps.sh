#!/bin/sh
# Install what fk needs to build, test and benchmark on Debian (bookworm).
# Used by `make deps` and .ci/run.  Node packages come from the lockfile.
set -eu
# --if-missing: do nothing when everything is already there (make demo/check).
if [ "${1:-}" = --if-missing ]; then
	missing=
	for c in cc pkg-config curl jq python3 node npm avrocat parallel; do
		command -v $c >/dev/null 2>&1 || missing="$missing $c"
	done
	for h in curl/curl.h jq.h gcrypt.h avro.h zlib.h snappy-c.h zstd.h; do
		[ -f /usr/include/$h ] || [ -f /usr/include/x86_64-linux-gnu/$h ] ||
		    missing="$missing $h"
	done
	/usr/bin/python3 -c 'import avro' 2>/dev/null || missing="$missing python3-avro"
	for d in tests/node tests/pqnode; do
		[ ! -f $d/package-lock.json ] || [ -d $d/node_modules ] ||
		    missing="$missing $d/node_modules"
	done
	[ -z "$missing" ] && exit 0
	echo "deps: installing what is missing:$missing" >&2
fi
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
# --ci-extras: what only .ci/run's extra steps need (tests/ci/): podman
# with runc and mmdebstrap for the image; iproute2, iptables, sshd and
# rsync for the network-namespace hosts of tests/600-netns-hosts.sh.
if [ "${1:-}" = --ci-extras ]; then
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		podman runc netavark mmdebstrap uidmap iproute2 iptables openssh-server \
		openssh-client rsync >/dev/null
	exit
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
	build-essential clang pkg-config ca-certificates \
	libcurl4-openssl-dev libjq-dev libgcrypt20-dev libavro-dev zlib1g-dev \
	libsnappy-dev libzstd-dev \
	curl jq python3 python3-avro avro-bin parallel valgrind hyperfine time bc >/dev/null
# The machine image ships Node 20; Debian's nodejs only if there is none.
command -v npm >/dev/null 2>&1 || \
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
for d in tests/node tests/pqnode; do
	if [ -f $d/package-lock.json ]; then
		(cd $d && npm ci --no-audit --no-fund --loglevel=error)
	fi
done
