#!/bin/sh
# gcs-put: options, operands and object names, checked before any request
# (no server: a request would fail to connect, with another exit code).
. "$FK_TESTDIR/lib.sh"
STORAGE_EMULATOR_HOST=127.0.0.1:9
export STORAGE_EMULATOR_HOST
: >"$T/empty"

check "--help prints the synopsis to stdout" gcs-put --help
grep -q '^usage: gcs-put' "$T/out" && grep -q -- '--if-generation-match' "$T/out" &&
    ok "--help names the options" || notok "--help names the options"
check "--version" gcs-put --version
[ "$(cat "$T/out")" = "gcs-put 0.1.0" ] && ok "version string" ||
    notok "version string" "$(cat "$T/out")"

u() {	# DESC ARGS...: usage error, exit 64, one reason line + the hint
	d=$1; shift
	gcs-put "$@" <"$T/empty" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 64 ] && [ "$(wc -l <"$T/err")" -eq 2 ] &&
	    grep -q "^gcs-put: " "$T/err" && grep -q "^Try 'gcs-put --help'" "$T/err" &&
	    [ ! -s "$T/out" ]; then
		ok "$d"
	else
		notok "$d" "exit $rc: $(cat "$T/err")"
	fi
}
u "no operand" 
u "two operands" gs://bkt/a gs://bkt/b
u "unknown option" --frobnicate gs://bkt/a
u "not a gs:// URI" s3://bkt/a
u "no object name" gs://bkt
u "empty object name" gs://bkt/
u "object name ." gs://bkt/.
u "object name .." gs://bkt/..
u "object name with LF" "gs://bkt/a
b"
u "object name with CR" "$(printf 'gs://bkt/a\rb')"
u "object name not UTF-8" "$(printf 'gs://bkt/a\377b')"
u "object name of 1025 bytes" "gs://bkt/$(head -c 1025 /dev/zero | tr '\0' x)"
u "bucket name too short" gs://b/x
u "bucket name with uppercase" gs://Bucket/x
u "chunk size not a multiple of 256KiB" --chunk-size 1000000 gs://bkt/a
u "chunk size 0" --chunk-size 0 gs://bkt/a
u "chunk size above 1GiB" --chunk-size 2G gs://bkt/a
u "chunk size garbage" --chunk-size 8MB gs://bkt/a
u "--overwrite with --if-generation-match" --overwrite --if-generation-match 3 gs://bkt/a
u "negative generation" --if-generation-match -1 gs://bkt/a
u "metadata without =" -m novalue gs://bkt/a
u "metadata with empty key" -m =v gs://bkt/a
u "metadata key twice" -m k=1 -m k=2 gs://bkt/a
u "content type with CR" --content-type "$(printf 'text/plain\rX: y')" gs://bkt/a
u "content type without /" --content-type text gs://bkt/a
u "storage class with a space" --storage-class "near line" gs://bkt/a
u "retries not a number" --retries many gs://bkt/a
u "stall timeout 0" --stall-timeout 0 gs://bkt/a
u "endpoint: http to a remote host" --endpoint http://example.com gs://bkt/a

# A name of exactly 1024 bytes passes the checks: it fails later (exit 75,
# nothing listens on port 9), not with 64.
expect_exit 75 "1024-byte name accepted, then connection refused is retryable" \
    gcs-put --retries 0 "gs://bkt/$(head -c 1024 /dev/zero | tr '\0' x)"

# STORAGE_EMULATOR_HOST is configuration: a bad value is 78, not 64.
STORAGE_EMULATOR_HOST=storage.example.com:80 gcs-put gs://bkt/a <"$T/empty" \
    >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 78 ] && grep -q 'loopback' "$T/err" &&
    ok "STORAGE_EMULATOR_HOST with plain http to a remote host: 78" ||
    notok "STORAGE_EMULATOR_HOST with plain http to a remote host: 78" "exit $rc: $(cat "$T/err")"
STORAGE_EMULATOR_HOST='http://user:hunter2@127.0.0.1:9' gcs-put gs://bkt/a \
    <"$T/empty" >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 78 ] && ! grep -q hunter2 "$T/err" &&
    ok "endpoint with a password refused without echoing it" ||
    notok "endpoint with a password refused without echoing it" "exit $rc: $(cat "$T/err")"
