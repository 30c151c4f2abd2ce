#!/bin/sh
# gcs-put with gcloud's application_default_credentials.json (an
# authorized_user: the refresh-token grant), found under $CLOUDSDK_CONFIG
# or, without it, under ~/.config/gcloud.  A refused refresh token or
# client secret is exit 77; neither secret is ever printed.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_auth_lib.sh"

SECRET=fk-client-secret-Zq81xw
RT=1//fk-refresh-token-Hk3PqLmn90
genkey srv
start_gcs --public-key "$T/srv.pub" --client-secret "$SECRET" \
	--refresh-token "$RT"
mkdir -p "$T/gcloud"
user_json "$SECRET" "$RT" "$u/token" \
	"$T/gcloud/application_default_credentials.json"

# --- CLOUDSDK_CONFIG names gcloud's directory
CLOUDSDK_CONFIG=$T/gcloud put a.csv -v
is "gcloud file via CLOUDSDK_CONFIG: upload succeeds" "$rc" 0
is "one token from the refresh_token grant" \
	"$(stats tokens_issued.refresh_token)" 1
is "no other grant used" \
	"$(stats tokens_issued.jwt-bearer) $(stats tokens_issued.metadata)" "0 0"
is "storage accepted the token" "$(stats auth_rejected)" 0
nosecret "refresh token and client secret not shown with -v" "$T/out" "$T/err"

# --- no CLOUDSDK_CONFIG: ~/.config/gcloud
ctl_reset
mkdir -p "$HOME/.config/gcloud"
cp "$T/gcloud/application_default_credentials.json" "$HOME/.config/gcloud/"
put b.csv
is "gcloud file under HOME: upload succeeds" "$rc" 0
is "gcloud file under HOME: refresh_token grant" \
	"$(stats tokens_issued.refresh_token)" 1

# CLOUDSDK_CONFIG replaces ~/.config/gcloud: an empty one finds nothing.
mkdir -p "$T/emptycfg"
CLOUDSDK_CONFIG=$T/emptycfg put c.csv
is "CLOUDSDK_CONFIG without the file: HOME's file is not used (exit 78)" "$rc" 78
grep -q "$T/emptycfg/application_default_credentials.json" "$T/err" &&
	ok "the message names the file looked for" ||
	notok "the message names the file looked for" "$(cat "$T/err")"
rm -rf "$HOME/.config"

# --- the grant refused
user_json wrong-secret-Vb71 "$RT" "$u/token" "$T/badsecret.json"
ctl_reset
GOOGLE_APPLICATION_CREDENTIALS=$T/badsecret.json put d.csv
is "wrong client secret: exit 77" "$rc" 77
grep -q "invalid_client" "$T/err" && ok "wrong client secret: says invalid_client" ||
	notok "wrong client secret: says invalid_client" "$(cat "$T/err")"
user_json "$SECRET" 1//revoked-token-Tt55 "$u/token" "$T/badrt.json"
GOOGLE_APPLICATION_CREDENTIALS=$T/badrt.json put e.csv
is "revoked refresh token: exit 77" "$rc" 77
grep -q "invalid_grant" "$T/err" && ok "revoked refresh token: says invalid_grant" ||
	notok "revoked refresh token: says invalid_grant" "$(cat "$T/err")"
is "nothing stored with refused credentials" "$(stats objects)" 0

# --- the token endpoint unavailable: retried, then exit 75
ctl_reset
curl -s -o /dev/null -X POST --data-binary '["token:1-:503"]' "$u/_ctl/faults"
CLOUDSDK_CONFIG=$T/gcloud put f.csv --retries 2 --retry-delay 0.05
is "token endpoint down: exit 75" "$rc" 75
is "token endpoint down: 3 attempts" "$(stats requests.token)" 3
curl -s -o /dev/null -X POST --data-binary '["token:1:503"]' "$u/_ctl/faults"
CLOUDSDK_CONFIG=$T/gcloud put g.csv --retries 2 --retry-delay 0.05
is "token endpoint 503 once: retried, upload succeeds" "$rc" 0

nosecret "no secret in any output of this script" "$T/all"
