#!/bin/sh
# gcs-put against a misbehaving server (a small fake in this script): a
# returned object whose hashes differ from what was sent is deleted (that
# generation only) and exit 65; offsets outside the chunk in hand and an
# early completion are protocol errors, exit 65; a Location that is not
# https (nor loopback) is refused.
. "$FK_TESTDIR/lib.sh"
cat >"$T/fake.py" <<'PYEOF'
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
mode, portfile, logfile = sys.argv[1:4]
log = open(logfile, "a")

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n)
    def send(self, code, doc=None, headers=()):
        data = json.dumps(doc).encode() if doc is not None else b""
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_POST(self):
        b = self.body()
        log.write("POST %s\n" % self.path); log.flush()
        if "uploadType=multipart" in self.path:
            return self.send(200, {"bucket": "bkt", "name": "x",
                                   "generation": "7", "size": "5",
                                   "crc32c": "AAAAAA==",
                                   "md5Hash": "1B2M2Y8AsgTpgAmY7PhCfg=="})
        port = self.server.server_address[1]
        loc = ("http://10.1.2.3/up?upload_id=abc" if mode == "plainloc" else
               "http://127.0.0.1:%d/up?upload_id=abcdefghijklmnop" % port)
        self.send(200, None, [("Location", loc)])
    def do_PUT(self):
        b = self.body()
        rng = self.headers.get("Content-Range", "")
        log.write("PUT %s\n" % rng); log.flush()
        if mode == "beyond":
            return self.send(308, None, [("Range", "bytes=0-99999999")])
        if mode == "early":
            return self.send(200, {"size": "1"})
        if mode == "forgot":
            if rng.startswith("bytes 0-"):
                return self.send(308, None, [("Range", "bytes=0-262143")])
            return self.send(308, None, [])
        self.send(500, {"error": "no"})
    def do_GET(self):
        # the existence check before an upload: no object yet, as GCS
        # answers it (without this the check fails 501 and gcs-put
        # rightly takes the cautious resumable path)
        log.write("GET %s\n" % self.path); log.flush()
        self.send(404, {"error": {"code": 404, "message": "No such object"}})
    def do_DELETE(self):
        log.write("DELETE %s\n" % self.path); log.flush()
        self.send(204)

s = HTTPServer(("127.0.0.1", 0), H)
open(portfile + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PYEOF
fake() {	# MODE: start the fake; point STORAGE_EMULATOR_HOST at it
	: >"$T/log.$1"
	"$PY" "$T/fake.py" "$1" "$T/port.$1" "$T/log.$1" >"$T/fake.$1.out" 2>&1 &
	_pids="$_pids $!"
	i=0
	while [ ! -s "$T/port.$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	STORAGE_EMULATOR_HOST=127.0.0.1:$(cat "$T/port.$1")
	export STORAGE_EMULATOR_HOST
}
head -c 600000 /dev/urandom >"$T/big"

fake mismatch
printf hello | gcs-put gs://bkt/x >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 65 ] && grep -q "crc32c mismatch" "$T/err" &&
    grep -q "the corrupt object was deleted" "$T/err" && [ ! -s "$T/out" ] &&
    ok "returned crc32c differs: 65, says so, nothing printed" ||
    notok "returned crc32c differs: 65" "exit $rc: $(cat "$T/err")"
grep -q '^DELETE /storage/v1/b/bkt/o/x?ifGenerationMatch=7$' "$T/log.mismatch" &&
    ok "the mismatching generation (only) is deleted" ||
    notok "the mismatching generation is deleted" "$(cat "$T/log.mismatch")"

fake beyond
gcs-put --chunk-size 256K gs://bkt/x <"$T/big" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 65 ] && grep -q "protocol error: the server reports 100000000 bytes persisted" "$T/err" &&
    ok "308 Range beyond the chunk in hand: 65" || notok "Range beyond the chunk: 65" "exit $rc: $(cat "$T/err")"
tail -n 1 "$T/log.beyond" | grep -q '^DELETE ' && ok "... and the session is cancelled" ||
    notok "... and the session is cancelled" "$(cat "$T/log.beyond")"

fake forgot
gcs-put --chunk-size 256K gs://bkt/x <"$T/big" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 65 ] && grep -q "reports 0 bytes persisted, outside the chunk in hand \[262144, 524288\]" "$T/err" &&
    ok "server forgets confirmed bytes (no Range): 65, not a silent resend" ||
    notok "server forgets confirmed bytes: 65" "exit $rc: $(cat "$T/err")"

fake early
gcs-put --chunk-size 256K gs://bkt/x <"$T/big" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 65 ] && grep -q "completed the upload before its last chunk" "$T/err" &&
    ok "200 to a non-final chunk: 65" || notok "early completion: 65" "exit $rc: $(cat "$T/err")"

fake plainloc
gcs-put --chunk-size 256K gs://bkt/x <"$T/big" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 65 ] && grep -q "unusable upload session URI" "$T/err" &&
    ! grep -q "^PUT" "$T/log.plainloc" &&
    ok "session URI in clear text to a remote host: refused before any byte" ||
    notok "plain http session URI refused" "exit $rc: $(cat "$T/err") $(cat "$T/log.plainloc")"
