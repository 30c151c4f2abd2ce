#!/bin/sh
# Credential errors: nothing found (exit 78, listing what was tried),
# unsupported credential types, broken keys, token endpoints that answer
# nonsense (exit 65), and TLS verification that cannot be skipped: an
# https token_uri with a self-signed certificate gets no secret.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_auth_lib.sh"

genkey k
start_gcs --public-key "$T/k.pub"
has() {	# DESC TEXT: ok if $T/err contains TEXT
	if grep -F -q -e "$2" "$T/err"; then ok "$1"; else
		notok "$1" "no [$2] in: $(cat "$T/err")"; fi
}

# --- nothing anywhere
put a.csv
is "no credentials anywhere: exit 78" "$rc" 78
has "the message says none were found" "no credentials found"
has "it names GOOGLE_APPLICATION_CREDENTIALS" "GOOGLE_APPLICATION_CREDENTIALS not set"
has "it names the gcloud file looked for" \
	"$HOME/.config/gcloud/application_default_credentials.json"
has "it names the metadata server tried" "127.0.0.1:1"
is "the message is one line" "$(wc -l <"$T/err" | tr -d ' ')" 1
is "nothing on stdout" "$(wc -c <"$T/out" | tr -d ' ')" 0
put a.csv --anonymous
is "--anonymous needs no credentials (the server then wants them: 77)" "$rc" 77
STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT gcs-put gs://bkt/b.csv <"$T/data" \
	>"$T/out" 2>"$T/err"
is "STORAGE_EMULATOR_HOST: no credential lookup (server wants them: 77)" "$?" 77
grep -q "no credentials found" "$T/err" &&
	notok "STORAGE_EMULATOR_HOST: no ADC error" "$(cat "$T/err")" ||
	ok "STORAGE_EMULATOR_HOST: no ADC error"

# --- files gcs-put cannot use
for t in external_account external_account_authorized_user \
	impersonated_service_account; do
	echo "{\"type\": \"$t\", \"audience\": \"//iam.googleapis.com/x\"}" >"$T/$t.json"
	GOOGLE_APPLICATION_CREDENTIALS=$T/$t.json put c.csv
	is "$t: exit 78" "$rc" 78
	has "$t: 'unsupported credential type'" "unsupported credential type '$t'"
done
"$PY" - "$T/k.pem" "$T/noemail.json" <<'EOF'
import json, sys
json.dump({"type": "service_account", "private_key": open(sys.argv[1]).read()},
          open(sys.argv[2], "w"))
EOF
GOOGLE_APPLICATION_CREDENTIALS=$T/noemail.json put d.csv
is "service_account without client_email: exit 78" "$rc" 78
has "without client_email: says so" 'no "client_email"'
# A key with a damaged body: base64 still valid, DER or maths not.
sa_json k "$u/token" "$T/sa.json"
"$PY" - "$T/sa.json" "$T/damaged.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
lines = d["private_key"].split("\n")
body = list(lines[8])
body[10] = "A" if body[10] != "A" else "B"
lines[8] = "".join(body)
d["private_key"] = "\n".join(lines)
json.dump(d, open(sys.argv[2], "w"))
EOF
GOOGLE_APPLICATION_CREDENTIALS=$T/damaged.json put e.csv
is "damaged private key: exit 78" "$rc" 78
has "damaged private key: names the file" "$T/damaged.json"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-out "$T/ec.pem" 2>/dev/null
sa_json ec "$u/token" "$T/ec.json"
GOOGLE_APPLICATION_CREDENTIALS=$T/ec.json put f.csv
is "an EC key: exit 78" "$rc" 78
has "an EC key: not an RSA key" "not an RSA key"
is "no token request for unusable files" "$(stats requests.token)" 0

# --- token endpoints answering nonsense
cat >"$T/fake.py" <<'EOF'
import http.server, json, os, ssl, sys
mode, hits = sys.argv[1], sys.argv[2]
pf = sys.argv[sys.argv.index("--port-file") + 1]
BODIES = {
    "garbage": b"<html>not json</html>",
    "crlf": json.dumps({"access_token": "abc\r\nX-Evil: 1",
                        "expires_in": 3600}).encode(),
    "mac": json.dumps({"access_token": "abc", "token_type": "MAC"}).encode(),
    "noexp": json.dumps({"access_token": "abc", "expires_in": -5}).encode(),
    "tls": json.dumps({"access_token": "abc", "expires_in": 3600}).encode(),
}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        with open(hits, "a") as f:
            f.write(self.path + "\n")
        body = BODIES[mode]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
if mode == "tls":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    s.socket = ctx.wrap_socket(s.socket, server_side=True)
open(pf + ".tmp", "w").write(str(s.server_port))
os.rename(pf + ".tmp", pf)
s.serve_forever()
EOF
for m in garbage crlf mac noexp; do
	start_server "f$m" "$PY" "$T/fake.py" "$m" "$T/$m.hits"
	eval "port=\$f${m}_PORT"
	sa_json k "http://127.0.0.1:$port/token" "$T/$m.json"
	GOOGLE_APPLICATION_CREDENTIALS=$T/$m.json put g.csv
	is "token endpoint answers $m: exit 65" "$rc" 65
	has "token endpoint answers $m: invalid token response" "invalid token response"
done
grep -q "X-Evil" "$T/all" && notok "a CR/LF token is not echoed" || ok "a CR/LF token is not echoed"

# --- TLS: verification always on, even on loopback
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-keyout "$T/tls.key" -out "$T/tls.crt" >/dev/null 2>&1
start_server ftls "$PY" "$T/fake.py" tls "$T/tls.hits" "$T/tls.crt" "$T/tls.key"
sa_json k "https://127.0.0.1:$ftls_PORT/token" "$T/tls.json"
GOOGLE_APPLICATION_CREDENTIALS=$T/tls.json put h.csv --retries 0
if [ "$rc" -eq 1 ] && [ ! -s "$T/tls.hits" ]; then
	ok "self-signed https token endpoint: exit 1 before any request"
else
	notok "self-signed https token endpoint: exit 1 before any request" \
		"exit $rc, hits: $(cat "$T/tls.hits" 2>/dev/null)"
fi
has "the TLS failure is reported" "certificate"

nosecret "no secret in any output of this script" "$T/all"
