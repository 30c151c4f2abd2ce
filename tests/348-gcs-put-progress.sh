#!/bin/sh
# gcs-put's progress: drawn on a terminal (a pty made by python3), never
# into a file or a pipe, left to the upstream stage when stdin is a pipe,
# and a JSON progress event under FK_LOG=json.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_put_lib.sh"
gcs_start --fault 'upload:2-5:stall:0.4'
head -c $((5 * 262144)) /dev/urandom >"$T/big"
pty() {	# NAME [env...]: gcs-put with stderr on a pty, stdin from $T/big
	_n=$1; shift
	timeout 60 "$PY" - "$T/big" "$T/pty.out" "$@" -- gcs-put --chunk-size 256K \
	    "gs://$BKT/$_n" <<'PYEOF'
import os, pty, sys
args = sys.argv[1:]
big, out = args[0], args[1]
sep = args.index("--")
env = dict(os.environ)
for kv in args[2:sep]:
    k, _, v = kv.partition("=")
    env[k] = v
cmd = args[sep + 1:]
master, slave = pty.openpty()
pid = os.fork()
if pid == 0:
    fd = os.open(big, os.O_RDONLY)
    os.dup2(fd, 0)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.dup2(slave, 2)
    os.execvpe(cmd[0], cmd, env)
os.close(slave)
data = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
_, status = os.waitpid(pid, 0)
open(out, "wb").write(data)
sys.exit(os.waitstatus_to_exitcode(status))
PYEOF
}
pty p1
rc=$?
[ $rc -eq 0 ] && grep -q 'sent, .*/s, 0 retries' "$T/pty.out" &&
    ok "on a terminal: bytes sent and the rate are drawn" ||
    notok "progress on a pty" "exit $rc: $(cat -v "$T/pty.out" | head -c 300)"
pty p2 FK_PROGRESS=0
[ $? -eq 0 ] && ! grep -q 'sent, ' "$T/pty.out" &&
    ok "FK_PROGRESS=0: nothing drawn on the terminal" || notok "FK_PROGRESS=0" "$(cat -v "$T/pty.out")"
gcs-put --chunk-size 256K "gs://$BKT/p3" <"$T/big" >/dev/null 2>"$T/err"
[ $? -eq 0 ] && [ ! -s "$T/err" ] && ok "stderr a file: nothing written to it" ||
    notok "no progress into a file" "$(cat -v "$T/err")"
gcs-put --chunk-size 256K "gs://$BKT/p4" <"$T/big" 2>&1 >/dev/null | cat >"$T/err"
[ ! -s "$T/err" ] && ok "stderr a pipe: nothing written to it" ||
    notok "no progress into a pipe" "$(cat -v "$T/err")"
# The stall rule counts upload requests since it was set: set it again so
# this upload, too, lasts long enough (>= 1.6 s) for events 0.2 s apart.
curl -s -X POST "$STORAGE_EMULATOR_HOST/_ctl/faults" -d '["upload:2-5:stall:0.4"]' >/dev/null
FK_LOG=json FK_PROGRESS_INTERVAL=0.2 gcs-put --chunk-size 256K "gs://$BKT/p5" \
    <"$T/big" >/dev/null 2>"$T/err"
[ $? -eq 0 ] && grep -q '"event":"progress"' "$T/err" && grep -q '"sent":' "$T/err" &&
    ! grep -q 'retr.*/s' "$T/err" &&
    ok "FK_LOG=json: progress events with the bytes sent, nothing drawn" ||
    notok "JSON progress events" "$(cat "$T/err")"
