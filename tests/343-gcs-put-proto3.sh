#!/bin/sh
# gcs-put against a server that writes resources the proto3 JSON way
# (gcs_server.py --omit-zero): zero-valued fields are left out, so a
# 0-byte object has no "size" and no "crc32c".  An absent number is 0;
# the empty object is good and must be kept, not deleted as corrupt.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_put_lib.sh"
gcs_start --omit-zero
: >"$T/empty"
head -c 5000 /dev/urandom >"$T/small"
head -c 600000 /dev/urandom >"$T/big"

curl -s "$GCS/upload/storage/v1/b/$BKT/o?uploadType=media&name=probe" \
    --data-binary @"$T/empty" >"$T/probe.json"
[ -z "$(jf "$T/probe.json" size)" ] && [ -z "$(jf "$T/probe.json" crc32c)" ] &&
    [ -n "$(jf "$T/probe.json" md5Hash)" ] &&
    ok "--omit-zero: the server leaves out size and crc32c of an empty object" ||
    notok "--omit-zero resource" "$(cat "$T/probe.json")"

for mode in plain spooled; do
	# --spool makes the empty input a file: the same multipart path as a
	# pipe, checked on both sources.
	A=
	[ $mode = spooled ] && A="--spool $T"
	gcs-put $A "gs://$BKT/e.$mode" <"$T/empty" >"$T/out" 2>"$T/err"
	rc=$?
	st=$(obj_status "$BKT" "e.$mode")
	[ $rc -eq 0 ] && [ "$st" = 200 ] && [ ! -s "$T/err" ] &&
	    [ "$(jf "$T/out" size)" = 0 ] && [ "$(jf "$T/out" crc32c)" = AAAAAA== ] &&
	    ok "$mode: empty object without size/crc32c: exit 0, kept, printed with size 0, crc32c AAAAAA==" ||
	    notok "$mode: empty object" "exit $rc, object $st: $(cat "$T/err")"
done
put_check "multipart: non-empty objects still verify" s "$T/small"
put_check "resumable: non-empty objects still verify" b "$T/big" --chunk-size 256K
# A mismatch is still caught: a corrupted empty upload cannot exist, but
# a corrupted small one must be refused (65) and removed.
faults '["upload:1:badhash"]'
put_fails 65 "a corrupted upload is still refused (65), no object" bad "$T/small"
