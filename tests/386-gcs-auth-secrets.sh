#!/bin/sh
# No credential ever reaches stdout or stderr: private keys, client
# secrets, refresh tokens, access tokens and JWTs, with -v, with
# FK_LOG=json, on success and on every kind of failure, for each ADC
# source.  The check itself is shown to catch a planted token first.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_auth_lib.sh"

# The detector must be able to fail.
echo "gcs-put: oops ya29.fk-abcdef0123456789" >"$T/planted"
nosecret "planted token" "$T/planted" >"$T/self" 2>&1
grep -q '^not ok' "$T/self" && ok "the secret check catches a planted token" ||
	notok "the secret check catches a planted token"
echo "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln" >"$T/planted"
nosecret "planted JWT" "$T/planted" >"$T/self" 2>&1
grep -q '^not ok' "$T/self" && ok "the secret check catches a planted JWT" ||
	notok "the secret check catches a planted JWT"

SECRET=fk-secret-Lo0k4tM3
RT=1//fk-rt-N3verSh0wn
genkey k
genkey stranger
start_gcs --public-key "$T/k.pub" --client-secret "$SECRET" --refresh-token "$RT"
sa_json k "$u/token" "$T/sa.json"
sa_json stranger "$u/token" "$T/stranger.json"
user_json "$SECRET" "$RT" "$u/token" "$T/user.json"
user_json wrong-Xx9 "$RT" "$u/token" "$T/wrong.json"
: >"$T/all"

run() {	# any gcs-put run, with -v, in text and JSON logging
	put "$@" -v
	FK_LOG=json put "$@" -v
}
for f in sa.json stranger.json user.json wrong.json; do
	GOOGLE_APPLICATION_CREDENTIALS=$T/$f run "s-$f"
	GOOGLE_APPLICATION_CREDENTIALS=$T/$f FK_GCS_SELF_SIGNED_JWT=1 run "j-$f"
done
GCE_METADATA_HOST=127.0.0.1:$gcs_PORT GCE_METADATA_IP=127.0.0.1:$gcs_PORT run meta.csv
# Failing storage, failing token endpoint, a 401 from storage.
curl -s -o /dev/null -X POST --data-binary '["upload:1-:503", "token:1:500"]' \
	"$u/_ctl/faults"
GOOGLE_APPLICATION_CREDENTIALS=$T/user.json run f.csv --retries 1 --retry-delay 0.05
curl -s -o /dev/null -X POST --data-binary '[]' "$u/_ctl/faults"
GOOGLE_APPLICATION_CREDENTIALS=$T/stranger.json FK_GCS_SELF_SIGNED_JWT=1 run g.csv

grep -q '"severity"' "$T/all" && ok "FK_LOG=json runs produced JSON events" ||
	notok "FK_LOG=json runs produced JSON events"
is "tokens were issued (the runs did authenticate)" \
	"$(stats tokens_issued.jwt-bearer) $(stats tokens_issued.refresh_token) $(stats tokens_issued.metadata)" \
	"2 6 2"
nosecret "no key, secret, refresh token, access token or JWT in any output" "$T/all"

# Nor in the messages about refused credentials.
GOOGLE_APPLICATION_CREDENTIALS=$T/wrong.json put w.csv
grep -q -e "wrong-Xx9" -e "$RT" "$T/err" &&
	notok "a refused client secret is not echoed" "$(cat "$T/err")" ||
	ok "a refused client secret is not echoed"
