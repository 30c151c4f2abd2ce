#!/bin/sh
# The ADC lookup order with every source present: GOOGLE_APPLICATION_
# CREDENTIALS beats gcloud's file, which beats the metadata server; the
# server's count of tokens per grant shows which one was used.  A
# GOOGLE_APPLICATION_CREDENTIALS that is set but unusable is an error,
# never a fall-through to the sources after it.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_auth_lib.sh"

genkey sa
start_gcs --public-key "$T/sa.pub" --client-secret cs-Pq19 --refresh-token rt-Wm27
sa_json sa "$u/token" "$T/sa.json"
mkdir -p "$T/gcloud"
user_json cs-Pq19 rt-Wm27 "$u/token" "$T/gcloud/application_default_credentials.json"
GCE_METADATA_HOST=127.0.0.1:$gcs_PORT GCE_METADATA_IP=127.0.0.1:$gcs_PORT
CLOUDSDK_CONFIG=$T/gcloud GOOGLE_APPLICATION_CREDENTIALS=$T/sa.json
export GCE_METADATA_HOST GCE_METADATA_IP CLOUDSDK_CONFIG GOOGLE_APPLICATION_CREDENTIALS

grants() {
	echo "$(stats tokens_issued.jwt-bearer) $(stats tokens_issued.refresh_token) $(stats tokens_issued.metadata)"
}

put a.csv
is "all three present: upload succeeds" "$rc" 0
is "all three present: the key file wins (jwt-bearer refresh metadata)" \
	"$(grants)" "1 0 0"
is "all three present: the metadata server is not even pinged" \
	"$(stats requests.meta)" 0

ctl_reset
GOOGLE_APPLICATION_CREDENTIALS= put b.csv
is "GOOGLE_APPLICATION_CREDENTIALS empty counts as unset" "$rc" 0
is "gcloud file and metadata: the gcloud file wins" "$(grants)" "0 1 0"
is "gcloud file and metadata: no ping" "$(stats requests.meta)" 0

ctl_reset
unset GOOGLE_APPLICATION_CREDENTIALS
CLOUDSDK_CONFIG=$T/nowhere put c.csv
is "metadata alone: upload succeeds" "$rc" 0
is "metadata alone: the metadata server is used" "$(grants)" "0 0 1"

# --- set but unusable: an error, not a fall-through
ctl_reset
GOOGLE_APPLICATION_CREDENTIALS=$T/missing.json put d.csv
is "GOOGLE_APPLICATION_CREDENTIALS missing: exit 78" "$rc" 78
grep -q "cannot read credentials '$T/missing.json' from GOOGLE_APPLICATION_CREDENTIALS: No such file" "$T/err" &&
	ok "missing: the message names the file and the variable" ||
	notok "missing: the message names the file and the variable" "$(cat "$T/err")"
is "missing: no fall-through to gcloud or metadata" \
	"$(grants) $(stats requests.meta)" "0 0 0 0"
echo '{"type": "service_account", "client_email": "x@y"' >"$T/trunc.json"
GOOGLE_APPLICATION_CREDENTIALS=$T/trunc.json put e.csv
is "GOOGLE_APPLICATION_CREDENTIALS not JSON: exit 78" "$rc" 78
chmod 000 "$T/sa.json"
if [ "$(id -u)" -ne 0 ]; then
	GOOGLE_APPLICATION_CREDENTIALS=$T/sa.json put f.csv
	is "GOOGLE_APPLICATION_CREDENTIALS unreadable: exit 78" "$rc" 78
else
	ok "# SKIP unreadable file: running as root"
fi
chmod 600 "$T/sa.json"
is "unusable files: still no fall-through" "$(grants) $(stats requests.meta)" \
	"0 0 0 0"
is "nothing stored" "$(stats objects)" 0

# An unusable gcloud file stops the lookup too.
echo '{"type": "impersonated_service_account"}' >"$T/gcloud/application_default_credentials.json"
put g.csv
is "unusable gcloud file: exit 78" "$rc" 78
grep -q "unsupported credential type 'impersonated_service_account'" "$T/err" &&
	ok "unusable gcloud file: says why" ||
	notok "unusable gcloud file: says why" "$(cat "$T/err")"
is "unusable gcloud file: no fall-through to metadata" "$(stats requests.meta)" 0

nosecret "no secret in any output of this script" "$T/all"
