#!/bin/sh
# gcs-put with a service_account key named by GOOGLE_APPLICATION_CREDENTIALS:
# the RS256 JWT is checked by the test server (signature against the public
# key, iss, aud = its token URL, iat/exp, scope) and by openssl; the
# exchanged token is then accepted by storage.  Also the self-signed JWT
# mode, a PKCS#1 key, and a key the server does not know (exit 77).
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_auth_lib.sh"

genkey good
genkey other
start_gcs --public-key "$T/good.pub"
sa_json good "$u/token" "$T/sa.json"
GOOGLE_APPLICATION_CREDENTIALS=$T/sa.json
export GOOGLE_APPLICATION_CREDENTIALS

# --- the JWT-bearer exchange, verified by the server
put a.csv -v
is "service account: upload succeeds" "$rc" 0
is "one token from the JWT-bearer grant" "$(stats tokens_issued.jwt-bearer)" 1
is "storage accepted the token at once" "$(stats auth_rejected)" 0
is "the object is stored" "$(stats objects)" 1
is "stdout is the object resource" \
	"$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["size"])' <"$T/out")" \
	"$(wc -c <"$T/data" | tr -d ' ')"
nosecret "service account: nothing secret in stdout or -v stderr" "$T/out" "$T/err"

# --- the same JWT code, checked independently by openssl
if "$AUTHT" jwt "$T/sa.json" "$T/jwt" 2>"$T/err"; then
	cut -d. -f1,2 "$T/jwt" | tr -d '\n' >"$T/signed"
	cut -d. -f3 "$T/jwt" | tr -- '-_' '+/' | "$PY" -c 'import base64, sys
s = sys.stdin.read().strip()
sys.stdout.buffer.write(base64.b64decode(s + "=" * (-len(s) % 4)))' >"$T/sig"
	is "signature is 256 bytes" "$(wc -c <"$T/sig" | tr -d ' ')" 256
	check "openssl verifies the RS256 signature" openssl dgst -sha256 \
		-verify "$T/good.pub" -signature "$T/sig" "$T/signed"
	if openssl dgst -sha256 -verify "$T/other.pub" -signature "$T/sig" \
		"$T/signed" >/dev/null 2>&1; then
		notok "openssl rejects it under another key"
	else
		ok "openssl rejects it under another key"
	fi
else
	notok "test_auth jwt signs" "$(cat "$T/err")"
fi

# --- a traditional PKCS#1 key ("BEGIN RSA PRIVATE KEY") works too
openssl pkey -in "$T/good.pem" -traditional -out "$T/pkcs1.pem" 2>/dev/null
if head -n 1 "$T/pkcs1.pem" | grep -q 'BEGIN RSA PRIVATE KEY'; then
	sa_json pkcs1 "$u/token" "$T/sa1.json"
	GOOGLE_APPLICATION_CREDENTIALS=$T/sa1.json put b.csv
	is "PKCS#1 key: upload succeeds" "$rc" 0
else
	ok "# SKIP openssl cannot write PKCS#1"
fi

# --- self-signed JWT (aud https://storage.googleapis.com/): no token request
ctl_reset
FK_GCS_SELF_SIGNED_JWT=1 put c.csv -v
is "self-signed JWT: upload succeeds" "$rc" 0
is "self-signed JWT: no token request" "$(stats requests.token)" 0
is "self-signed JWT: accepted by storage" "$(stats auth_rejected)" 0
nosecret "self-signed JWT: not shown with -v" "$T/out" "$T/err"

# --- a key the server does not trust
sa_json other "$u/token" "$T/bad.json"
ctl_reset
GOOGLE_APPLICATION_CREDENTIALS=$T/bad.json put d.csv
is "unknown key: exit 77" "$rc" 77
if grep -q "credentials refused" "$T/err" && grep -q "invalid_grant" "$T/err"
then ok "unknown key: the token endpoint's refusal is reported"
else notok "unknown key: the token endpoint's refusal is reported" "$(cat "$T/err")"; fi
is "unknown key: one token request, not retried" "$(stats requests.token)" 1
is "unknown key: nothing stored" "$(stats objects)" 0

# Self-signed with that key: storage says 401, one fresh JWT, then give up.
ctl_reset
GOOGLE_APPLICATION_CREDENTIALS=$T/bad.json FK_GCS_SELF_SIGNED_JWT=1 put e.csv
is "unknown key, self-signed: exit 77" "$rc" 77
is "unknown key, self-signed: exactly one retry after the 401" \
	"$(stats auth_rejected)" 2

# --- a token_uri without a scheme that may carry secrets
sa_json good "http://192.0.2.1/token" "$T/far.json"
GOOGLE_APPLICATION_CREDENTIALS=$T/far.json put f.csv
is "plain http token_uri off loopback: exit 78" "$rc" 78
grep -q "not an https URL" "$T/err" && ok "plain http token_uri: says why" ||
	notok "plain http token_uri: says why" "$(cat "$T/err")"

nosecret "no secret in any output of this script" "$T/all"
