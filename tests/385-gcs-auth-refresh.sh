#!/bin/sh
# Token lifetime: a token is fetched before it expires (the server's
# --token-ttl is short, so an upload of a few seconds needs several), never
# used after; a 401 from storage drops the cached token and fetches one
# new token, once.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_auth_lib.sh"

genkey k
start_gcs --public-key "$T/k.pub" --token-ttl 2
sa_json k "$u/token" "$T/sa.json"
GOOGLE_APPLICATION_CREDENTIALS=$T/sa.json
export GOOGLE_APPLICATION_CREDENTIALS
faults() { curl -s -o /dev/null -X POST --data-binary "$1" "$u/_ctl/faults"; }

# --- a long resumable upload: 6 chunks of 256 KiB, each request slowed
head -c 1500000 /dev/urandom >"$T/big"
faults '["upload:2-:stall:0.4"]'
gcs-put -v --endpoint "$u" --chunk-size 256K gs://bkt/big.bin <"$T/big" \
	>"$T/out" 2>"$T/err"
rc=$?
cat "$T/out" "$T/err" >>"$T/all"
is "long upload with 2 s tokens: succeeds" "$rc" 0
n=$(stats tokens_issued.jwt-bearer)
if [ "${n:-0}" -ge 2 ]; then ok "tokens refreshed during the upload ($n issued)"
else notok "tokens refreshed during the upload" "$n issued"; fi
is "no request carried an expired token" "$(stats auth_rejected)" 0
is "the object is whole" "$(stats bytes_stored)" 1500000
faults '[]'

# --- the same, with every request checked: the driver's authorised GETs
ctl_reset
"$AUTHT" get "$u/storage/v1/b/bkt" 5 0.5 >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out" "$T/err" >>"$T/all"
is "5 GETs over 2 s with 2 s tokens: all succeed" "$rc" 0
is "every GET answered 200" "$(grep -c ': 200$' "$T/out")" 5
n=$(stats tokens_issued.jwt-bearer)
if [ "${n:-0}" -ge 2 ] && [ "${n:-0}" -le 4 ]; then
	ok "refreshed ahead of expiry, not per request ($n tokens for 5 GETs)"
else
	notok "refreshed ahead of expiry, not per request" "$n tokens for 5 GETs"
fi
is "no GET was refused" "$(stats auth_rejected)" 0

# --- a 401: the token is dropped and fetched again, once
ctl_reset
mkdir -p "$T/hs"
"$AUTHT" get "$u/storage/v1/b/bkt" 2 0 "$T/hs" >"$T/out" 2>"$T/err" &
drv=$!
i=0
while [ ! -f "$T/hs/ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ctl_reset	# the server forgets every token it issued
touch "$T/hs/go"
wait $drv
rc=$?
cat "$T/out" "$T/err" >>"$T/all"
is "401 after the server forgot the token: the driver recovers" "$rc" 0
is "the second GET saw one 401" "$(grep -c '401, token invalidated' "$T/out")" 1
is "one new token after the 401" "$(stats tokens_issued.jwt-bearer)" 1
is "one refused request" "$(stats auth_rejected)" 1
is "then 200" "$(tail -n 1 "$T/out")" "request 2: 200"

nosecret "no token in any output of this script" "$T/all"
