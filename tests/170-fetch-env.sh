#!/bin/sh
# fk-fetch and its surroundings: FK_BASE_URL and FK_SEED, libcurl's proxy
# variables, local I/O errors (exit 74), progress only on a terminal.
. "$FK_TESTDIR/lib.sh"

start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
S=http://127.0.0.1:$faker_PORT
B=$S/api/v2
is() {	# DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}

# ---- FK_BASE_URL, FK_SEED: flags first, then the environment ---------------------
fk-fetch --base-url "$B" --rate 0 -n 1500 -s 42 >"$T/ref" 2>/dev/null
FK_BASE_URL=$B fk-fetch --rate 0 -n 1500 -s 42 >"$T/out" 2>"$T/err"
same "FK_BASE_URL sets the base URL" "$T/ref" "$T/out"
FK_BASE_URL=http://127.0.0.1:1/api/v2 fk-fetch -b "$B" --rate 0 -n 1500 -s 42 >"$T/out" 2>"$T/err"
same "--base-url wins over FK_BASE_URL" "$T/ref" "$T/out"
FK_SEED=42 fk-fetch -b "$B" --rate 0 -n 1500 >"$T/out" 2>"$T/err"
same "FK_SEED sets the base seed" "$T/ref" "$T/out"
is "FK_SEED: no seed line (it is not random)" "$(cat "$T/err")" ""
FK_SEED=7 fk-fetch -b "$B" --rate 0 -n 1500 -s 42 >"$T/out" 2>"$T/err"
same "--seed wins over FK_SEED" "$T/ref" "$T/out"

# ---- libcurl's proxy variables -----------------------------------------------------
cat >"$T/proxy.py" <<'EOF'
# A forward HTTP proxy for one origin: GET http://any.host/path -> origin.
import http.server, os, sys, urllib.parse, urllib.request
origin, log, pf = sys.argv[1], sys.argv[2], sys.argv[sys.argv.index("--port-file") + 1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        with open(log, "a") as f:
            f.write(u.netloc + "\n")
        req = urllib.request.Request(origin + u.path + "?" + u.query,
                                     headers={"Accept": self.headers.get("Accept", "")})
        with urllib.request.urlopen(req) as r:
            body = r.read()
            self.send_response(r.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(pf + ".tmp", "w") as f:
    f.write(str(s.server_port))
os.rename(pf + ".tmp", pf)
s.serve_forever()
EOF
start_server proxy "$PY" "$T/proxy.py" "$S" "$T/proxy.log"
http_proxy=http://127.0.0.1:$proxy_PORT fk-fetch -b http://fakerapi.invalid/api/v2 \
    --rate 0 -n 1500 -s 42 >"$T/out" 2>"$T/err"
is "http_proxy: a host only the proxy knows" "$?" 0
same "http_proxy: the same records through the proxy" "$T/ref" "$T/out"
is "http_proxy: both requests went through it" "$(sort -u "$T/proxy.log")" "fakerapi.invalid"
http_proxy=http://127.0.0.1:$proxy_PORT no_proxy=fakerapi.invalid fk-fetch \
    -b http://fakerapi.invalid/api/v2 --rate 0 --retries 0 -n 10 -s 1 >"$T/out" 2>"$T/err"
is "no_proxy: bypasses the proxy (and the host does not resolve: 75)" "$?" 75
grep -q "resolve" "$T/err" && ok "no_proxy: the error says the host did not resolve" ||
	notok "no_proxy: the error says the host did not resolve" "$(cat "$T/err")"

# ---- redirects (an http:// base sent to https://, say) are followed -----------
cat >"$T/redir.py" <<'EOF'
import http.server, os, sys
origin, pf = sys.argv[1], sys.argv[sys.argv.index("--port-file") + 1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        to = self.path if self.path.startswith("/loop") else origin + self.path
        self.send_response(301)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(pf + ".tmp", "w") as f:
    f.write(str(s.server_port))
os.rename(pf + ".tmp", pf)
s.serve_forever()
EOF
start_server redir "$PY" "$T/redir.py" "$S"
fk-fetch -b "http://127.0.0.1:$redir_PORT/api/v2" --rate 0 -n 1500 -s 42 >"$T/out" 2>"$T/err"
is "a 301 to the real server is followed" "$?" 0
same "a 301: the same records" "$T/ref" "$T/out"
fk-fetch -b "http://127.0.0.1:$redir_PORT/loop" --rate 0 -n 10 -s 1 >"$T/out" 2>"$T/err"
is "a redirect loop: exit 1, no output" "$? $(wc -c <"$T/out")" "1 0"
grep -q "^fk-fetch: cannot fetch '.*': Maximum (5) redirects followed$" "$T/err" &&
    ok "a redirect loop: says so" || notok "a redirect loop: says so" "$(cat "$T/err")"

# ---- local I/O errors ------------------------------------------------------------
if [ -w /dev/full ]; then
	fk-fetch -b "$B" --rate 0 -n 1500 -s 1 >/dev/full 2>"$T/err"
	is "stdout on a full disk: exit 74" "$?" 74
	is "stdout on a full disk: says so" "$(cat "$T/err")" \
	    "fk-fetch: cannot write output: No space left on device"
else
	ok "# SKIP no /dev/full"
fi
fk-fetch -b "$B" --rate 0 -n 10 -s 1 >&- 2>"$T/err"
is "stdout closed: exit 74" "$?" 74
fk-fetch -b "$B" --rate 0 -s 1 - <&- >"$T/out" 2>"$T/err"
is "stdin closed with '-': exit 74" "$? $(cat "$T/err")" \
    "74 fk-fetch: cannot read standard input: Bad file descriptor"

# ---- progress: only when stderr is a terminal, never with -q ------------------------
fk-fetch -b "$B" --rate 0 -n 3000 -s 1 >/dev/null 2>"$T/err"
is "no terminal: no progress line" "$(cat "$T/err")" ""
if command -v script >/dev/null 2>&1; then
	script -qec "fk-fetch -b $B --rate 0 -n 3000 -s 1 >/dev/null" /dev/null >"$T/tty" 2>&1
	grep -q "fk-fetch: 3000/3000 records (100%), [0-9]*/s, ETA 0s" "$T/tty" && ok "terminal: a progress line" ||
		notok "terminal: a progress line" "$(od -c "$T/tty" | head -n 5)"
	script -qec "fk-fetch -q -b $B --rate 0 -n 3000 -s 1 >/dev/null" /dev/null >"$T/tty" 2>&1
	is "terminal with -q: nothing" "$(wc -c <"$T/tty")" 0
else
	ok "# SKIP no script(1)"
fi
