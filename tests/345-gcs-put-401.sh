#!/bin/sh
# gcs-put with real credentials: a 401 drops the cached token and the
# request is retried once with a new one; a second 401 is exit 77.  (The
# credentials module itself is tested by 38x-gcs-auth-*.sh.)
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_auth_lib.sh"
genkey k
start_gcs --public-key "$T/k.pub"
sa_json k "$u/token" "$T/sa.json"
GOOGLE_APPLICATION_CREDENTIALS=$T/sa.json
export GOOGLE_APPLICATION_CREDENTIALS
head -c 3000 /dev/urandom >"$T/small"
head -c 600000 /dev/urandom >"$T/big"
jf_crc() { "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["crc32c"])' "$1"; }
crc_of() {
	"$PY" -c 'import sys, struct
sys.path.insert(0, sys.argv[1])
import gcs_server as g
print(g.b64(struct.pack(">I", g.crc32c(open(sys.argv[2], "rb").read()))))' \
	    "$FK_TESTDIR" "$1"
}
setfaults() { curl -s -o /dev/null -X POST --data-binary "$1" "$u/_ctl/faults"; }
fired_stall() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(stats faults_fired.stall)" = 1 ] && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}

for f in small big; do
	ctl_reset
	setfaults '["upload:1:stall:2"]'
	gcs-put -v --endpoint "$u" --stall-timeout 1 --retry-delay 0.01 --chunk-size 256K \
	    gs://bkt/$f <"$T/$f" >"$T/out" 2>"$T/err" &
	pid=$!
	fired_stall || notok "$f: the stall did not fire"
	ctl_reset	# the server forgets the token gcs-put holds
	wait $pid
	rc=$?
	cat "$T/out" "$T/err" >>"$T/all"
	# Reads need a token here: the control API tells what was stored, and
	# exit 0 means the returned crc32c and md5Hash matched ours.
	[ $rc -eq 0 ] && [ "$(stats bytes_stored)" = "$(wc -c <"$T/$f" | tr -d ' ')" ] &&
	    [ "$(jf_crc "$T/out")" = "$(crc_of "$T/$f")" ] &&
	    ok "$f: 401 after the token was forgotten: refreshed, stored intact" ||
	    notok "$f: 401 recovery" "exit $rc: $(tail -n 3 "$T/err")"
	[ "$(stats tokens_issued.jwt-bearer)" = 1 ] && [ "$(stats auth_rejected)" -ge 1 ] &&
	    ok "$f: one new token after the 401" ||
	    notok "$f: one new token after the 401" "$(curl -s "$u/_ctl/stats")"
done
nosecret "no token or key in gcs-put's output, even with -v" "$T/all"

# Credentials the storage side never accepts: another key signs the JWTs.
genkey other
sa_json other "$u/token" "$T/other.json"
GOOGLE_APPLICATION_CREDENTIALS=$T/other.json FK_GCS_SELF_SIGNED_JWT=1 \
    gcs-put --endpoint "$u" gs://bkt/denied <"$T/small" >"$T/out" 2>"$T/err"
rc=$?
# (The one object is "big", stored above.)
[ $rc -eq 77 ] && [ "$(stats objects)" = 1 ] && [ ! -s "$T/out" ] &&
    ok "401 twice (the refreshed credentials are refused too): 77, no object" ||
    notok "401 twice: 77" "exit $rc: $(cat "$T/err")"
nosecret "no JWT in the refusal message" "$T/err"
