#!/bin/sh
# gcs-put on "Google Cloud": no credential file anywhere (HOME is an empty
# directory), the metadata server named by GCE_METADATA_HOST (and
# GCE_METADATA_IP for the detection ping).  Requests carry
# Metadata-Flavor: Google and the answer must too; 5xx are retried; a web
# server that is not a metadata server is not taken for one.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_auth_lib.sh"

genkey srv
start_gcs --public-key "$T/srv.pub"
meta=127.0.0.1:$gcs_PORT
faults() { curl -s -o /dev/null -X POST --data-binary "$1" "$u/_ctl/faults"; }

# --- GCE_METADATA_HOST alone: pinged and asked for the token there
unset GCE_METADATA_IP
GCE_METADATA_HOST=$meta put a.csv -v
is "metadata server: upload succeeds" "$rc" 0
is "one token from the metadata server" "$(stats tokens_issued.metadata)" 1
is "no other grant" \
	"$(stats tokens_issued.jwt-bearer) $(stats tokens_issued.refresh_token)" "0 0"
is "the ping and the token request, nothing more" "$(stats requests.meta)" 2
is "storage accepted the token" "$(stats auth_rejected)" 0
"$PY" - "$u" >"$T/flavor" <<'EOF'
import json, sys, urllib.request
log = json.load(urllib.request.urlopen(sys.argv[1] + "/_ctl/requests"))
print(all(e["headers"].get("Metadata-Flavor") == "Google"
          for e in log if e["class"] == "meta"))
EOF
is "every metadata request sent Metadata-Flavor: Google" "$(cat "$T/flavor")" True
nosecret "metadata: no token in the output with -v" "$T/out" "$T/err"

# --- GCE_METADATA_IP for the ping, GCE_METADATA_HOST for the token
ctl_reset
GCE_METADATA_IP=$meta GCE_METADATA_HOST=$meta put b.csv
is "GCE_METADATA_IP and _HOST: upload succeeds" "$rc" 0
GCE_METADATA_IP=127.0.0.1:1 GCE_METADATA_HOST=$meta put c.csv
is "the ping goes to GCE_METADATA_IP: nothing there, exit 78" "$rc" 78

# --- transient metadata failures are retried
ctl_reset
faults '["meta:1:503"]'
GCE_METADATA_HOST=$meta put d.csv
is "a 503 to the detection ping: tried again, upload succeeds" "$rc" 0
ctl_reset
faults '["meta:2-3:503"]'
GCE_METADATA_HOST=$meta put e.csv --retry-delay 0.05
is "two 503s to the token request: retried, upload succeeds" "$rc" 0
is "token fetched on the third attempt" "$(stats tokens_issued.metadata)" 1
ctl_reset
faults '["meta:2-:503"]'
GCE_METADATA_HOST=$meta put f.csv --retries 1 --retry-delay 0.05
is "metadata token request keeps failing: exit 75" "$rc" 75
ctl_reset
faults '["meta:1-:503"]'
GCE_METADATA_HOST=$meta put g.csv
is "metadata server answering only 503: not found, exit 78" "$rc" 78
is "the detection ping is tried 3 times" "$(stats requests.meta)" 3
faults '[]'

# --- a web server at the metadata address is not a metadata server
mkdir -p "$T/www/computeMetadata/v1"
echo hi >"$T/www/computeMetadata/v1/index.html"
cat >"$T/plain.py" <<'EOF'
import http.server, functools, os, sys
pf = sys.argv[sys.argv.index("--port-file") + 1]
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
s = http.server.HTTPServer(("127.0.0.1", 0), h)
open(pf + ".tmp", "w").write(str(s.server_port))
os.rename(pf + ".tmp", pf)
s.serve_forever()
EOF
start_server www "$PY" "$T/plain.py" "$T/www"
GCE_METADATA_HOST=127.0.0.1:$www_PORT put h.csv
is "an answer without Metadata-Flavor: exit 78" "$rc" 78
grep -q "without Metadata-Flavor" "$T/err" &&
	ok "the message says the flavor header was missing" ||
	notok "the message says the flavor header was missing" "$(cat "$T/err")"

nosecret "no token in any output of this script" "$T/all"
