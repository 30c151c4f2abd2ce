#!/bin/sh
# examples/job-keyid.sh POLICY [KEYFILE]: examples/job.mk's check of its
# personal-data policy, run before the first request.
#
# POLICY keep: nothing to check, prints nothing.
# POLICY protect: prints the key id, the first 8 hex digits of SHA-256 of
# the HMAC key fk-shape --hash will use: the bytes of KEYFILE less one
# trailing newline (as fk-shape --hash-key-file reads it), or else
# $FK_HASH_KEY.  The id tells analysts which tokens can be joined and makes
# a key rotation visible; the key itself is never printed and never put on
# a command line.  No key: a clear message and exit 78 (configuration).
set -eu
die() { echo "job.mk: $*" >&2; exit 78; }
case ${1:-} in
keep) exit 0 ;;
protect) ;;
*) die "PII=${1:-}: the policy is protect (the default: hash email, mask ip) or keep" ;;
esac
file=${2:-}
if [ -n "$file" ]; then
	[ -f "$file" ] && [ -r "$file" ] || die "cannot read the hash key file $file (FK_HASH_KEY_FILE)"
	n=$(wc -c <"$file")
	[ "$(tail -c 1 "$file" | od -An -tx1 | tr -d ' \n')" = 0a ] && n=$((n - 1))
	[ "$n" -gt 0 ] || die "the hash key file $file is empty"
	head -c "$n" "$file" | sha256sum | cut -c1-8
elif [ -n "${FK_HASH_KEY:-}" ]; then
	printf '%s' "$FK_HASH_KEY" | sha256sum | cut -c1-8
else
	die "PII=protect (the default) hashes email with a keyed HMAC and masks ip, and there is no key: set FK_HASH_KEY_FILE (or hash_key_file in the CONFIG file) to a file holding one, or FK_HASH_KEY; PII=keep writes email and ip in clear text instead"
fi
