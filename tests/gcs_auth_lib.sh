# tests/gcs_auth_lib.sh: sourced by tests/38x-gcs-auth-*.sh after lib.sh.
#
# A clean credential environment (no ADC source unless a test sets one;
# the metadata address is a closed loopback port, so no test ever reaches
# a real metadata server), throwaway RSA keys made with openssl in $T, the
# GCS test server, and a check that no secret reached the output.
#
#   genkey NAME                  $T/NAME.pem (PKCS#8) and $T/NAME.pub
#   sa_json KEY TOKEN_URI FILE   a service_account key file
#   user_json SECRET RT URI FILE an authorized_user file
#   start_gcs [args]             gcs_server.py; sets $u (its base URL)
#   stats PATH                   a field of /_ctl/stats (a.b)
#   put NAME [gcs-put args]      upload $T/data as gs://bkt/NAME; exit in $rc
#   nosecret DESC FILE...        ok if none of $SECRETS, no access token,
#                                no JWT and no PEM line is in the files
#   is DESC GOT WANT

command -v openssl >/dev/null 2>&1 || {
	echo "not ok - openssl is needed to make test keys"; exit 1; }

unset GOOGLE_APPLICATION_CREDENTIALS CLOUDSDK_CONFIG STORAGE_EMULATOR_HOST \
	FK_GCS_SELF_SIGNED_JWT GCE_METADATA_ROOT GCE_METADATA_TIMEOUT FK_LOG
mkdir -p "$T/home"
HOME=$T/home
GCE_METADATA_HOST=127.0.0.1:1
GCE_METADATA_IP=127.0.0.1:1
export HOME GCE_METADATA_HOST GCE_METADATA_IP
SRV="$FK_TESTDIR/gcs_server.py"
AUTHT="$FK_BIN/tests/unit/test_auth"
SECRETS=
printf 'id,name\n1,alice\n2,bob\n' >"$T/data"

genkey() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$T/$1.pem" 2>/dev/null &&
	openssl pkey -in "$T/$1.pem" -pubout -out "$T/$1.pub" 2>/dev/null || {
		echo "not ok - openssl cannot make an RSA key"; exit 1; }
	# Two lines of the key body: enough to spot it in any output.
	SECRETS="$SECRETS $(sed -n 2p "$T/$1.pem") $(sed -n 10p "$T/$1.pem")"
}

sa_json() {
	"$PY" - "$T/$1.pem" "$2" "$3" <<'EOF'
import json, sys
key, uri, out = sys.argv[1:]
d = {"type": "service_account", "project_id": "fk-test",
     "private_key_id": "0123456789abcdef", "private_key": open(key).read(),
     "client_email": "fk-test@fk-test.iam.gserviceaccount.com",
     "client_id": "1234567890", "token_uri": uri}
if uri == "-":
    del d["token_uri"]
json.dump(d, open(out, "w"), indent=2)
EOF
}

user_json() {
	"$PY" - "$@" <<'EOF'
import json, sys
secret, rt, uri, out = sys.argv[1:]
d = {"type": "authorized_user", "client_id": "764086051850.apps.fk",
     "client_secret": secret, "refresh_token": rt, "token_uri": uri}
json.dump(d, open(out, "w"), indent=2)
EOF
	SECRETS="$SECRETS $1 $2"
}

start_gcs() {
	start_server gcs "$PY" "$SRV" --data-dir "$T/gcsdata" "$@"
	u=http://127.0.0.1:$gcs_PORT
}

stats() {
	curl -s "$u/_ctl/stats" | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d = d.get(k) if isinstance(d, dict) else None
print("" if d is None else d)' "$1"
}

ctl_reset() { curl -s -o /dev/null -X POST "$u/_ctl/reset"; }

put() {
	name=$1; shift
	gcs-put --endpoint "$u" "$@" "gs://bkt/$name" <"$T/data" \
		>"$T/out" 2>"$T/err"
	rc=$?
	cat "$T/out" "$T/err" >>"$T/all"
}

is() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		notok "$1" "got [$2], want [$3]
$(tail -n 5 "$T/err" 2>/dev/null)"; fi
}

nosecret() {
	d=$1; shift
	bad=
	for s in $SECRETS; do
		[ -n "$s" ] && cat "$@" | grep -F -q -e "$s" && bad="$bad secret"
	done
	# Issued tokens start "ya29."; a JWT's header and claims both start
	# with base64url '{"' (eyJ).  Report where, never what.
	for re in 'ya29\.' 'eyJ[A-Za-z0-9_-]{8,}\.eyJ' 'PRIVATE KEY'; do
		at=$(cat "$@" | grep -n -E "$re" | cut -d: -f1 | tr '\n' ' ')
		[ -n "$at" ] && bad="$bad /$re/ at line $at"
	done
	if [ -z "$bad" ]; then ok "$d"; else
		notok "$d" "found:$bad"; fi
}
