#!/bin/sh
# Install what fk needs to build, test and benchmark on Debian (bookworm).
# Used by `make deps` and .ci/run.  Node packages come from the lockfile.
set -eu
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
	build-essential clang pkg-config ca-certificates \
	libcurl4-openssl-dev libjq-dev libgcrypt20-dev libavro-dev zlib1g-dev \
	libsnappy-dev libzstd-dev \
	curl jq python3 python3-avro avro-bin parallel valgrind hyperfine >/dev/null
# The machine image ships Node 20; Debian's nodejs only if there is none.
command -v npm >/dev/null 2>&1 || \
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
if [ -f tests/node/package-lock.json ]; then
	(cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
fi
