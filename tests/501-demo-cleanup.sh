#!/bin/sh
# make demo leaves no process behind: after a clean run, after a failure
# half-way (a curl that fails once the servers are up) and after SIGINT
# and SIGTERM sent to its process group, as a terminal or a supervisor
# sends them.  The demo's scratch directory lives under our own TMPDIR and
# every server it starts names a file in it on its command line: those are
# the processes we look for.  Every wait here is bounded.
. "$FK_TESTDIR/lib.sh"
top=$(cd "$FK_TESTDIR/.." && pwd)
mkdir -p "$T/fake" "$T/dtmp"

alive() {	# pids of processes whose command line names the demo's TMPDIR
	pgrep -f "$T/dtmp/"
}
settle() {	# wait up to 10 s for the demo's processes to go
	i=0
	while alive >/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
reap() {	# kill whatever a failed case left, so no process outlives us
	pkill -KILL -f "$T/dtmp/"
}
servers_up() {	# wait up to 30 s for both servers' port files
	i=0
	while [ "$(ls "$T"/dtmp/*/*.port 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 300 ]; do
		sleep 0.1; i=$((i + 1)); done
	[ "$(ls "$T"/dtmp/*/*.port 2>/dev/null | wc -l)" -ge 2 ]
}
# make demo in a session of its own, SIGINT at its default (a background
# job of this shell would start with SIGINT ignored): its pid is the
# process group a terminal would signal.  Run only as a background job:
# it execs, so $! is the group leader, not a subshell around it.  Signals
# go through python3: dash's kill takes no "--" before a negative pid.
session() {
	exec "$PY" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}
killpg() {	# SIG PGID
	"$PY" -c 'import os, signal, sys
os.killpg(int(sys.argv[2]), getattr(signal, "SIG" + sys.argv[1]))' "$1" "$2" 2>/dev/null
}
waitfor() {	# PID: its exit status, or 124 after 30 s (then it is killed)
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 300 ]; do
		# a zombie still answers kill -0: stop at "Z"
		[ "$(awk '{print $3}' /proc/"$1"/stat 2>/dev/null)" = Z ] && break
		sleep 0.1; i=$((i + 1))
	done
	if [ $i -ge 300 ]; then killpg KILL "$1"; wait "$1"; return 124; fi
	wait "$1"
}
demo() { make -s -C "$top" demo B="$FK_BIN"; }

TMPDIR=$T/dtmp demo >"$T/d.out" 2>&1
rc=$?
settle
[ $rc -eq 0 ] && [ -z "$(alive)" ] && ok "make demo: succeeds and leaves no process" ||
    notok "make demo: succeeds and leaves no process" "exit $rc, alive: $(alive) $(tail -n 3 "$T/d.out")"
[ -z "$(ls -A "$T/dtmp")" ] && ok "make demo removes its scratch directory" ||
    notok "make demo removes its scratch directory" "$(ls -A "$T/dtmp")"
reap

# Failure half-way: curl (the read-back) fails after the upload.
printf '#!/bin/sh\necho "curl: (7) forced failure" >&2\nexit 7\n' >"$T/fake/curl"
chmod +x "$T/fake/curl"
rm -rf "$T/dtmp"; mkdir "$T/dtmp"
PATH=$T/fake:$PATH TMPDIR=$T/dtmp demo >"$T/d.out" 2>&1
rc=$?
settle
[ $rc -ne 0 ] && grep -q "forced failure" "$T/d.out" && [ -z "$(alive)" ] &&
    ok "make demo failing half-way: fails and leaves no process" ||
    notok "make demo failing half-way: fails and leaves no process" "exit $rc, alive: $(alive) $(tail -n 3 "$T/d.out")"
reap

# A signal while the demo waits in a long step (a curl that sleeps).
printf '#!/bin/sh\nexec sleep 30\n' >"$T/fake/curl"
for sig in INT TERM; do
	rm -rf "$T/dtmp"; mkdir "$T/dtmp"
	PATH=$T/fake:$PATH TMPDIR=$T/dtmp session make -s -C "$top" demo B="$FK_BIN" >"$T/d.out" 2>&1 &
	pid=$!
	if servers_up; then before=$(alive | wc -l); else before=0; fi
	# the servers are up; wait for the read-back (the sleeping curl)
	i=0
	while ! grep -q 'read back' "$T/d.out" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	killpg "$sig" "$pid"
	waitfor "$pid"
	rc=$?
	settle
	[ "$before" -ge 2 ] && [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ -z "$(alive)" ] &&
	    ok "SIG$sig to make demo: it stops and leaves no process ($before were running)" ||
	    notok "SIG$sig to make demo leaves no process" "exit $rc, before $before, alive: $(alive) $(tail -n 3 "$T/d.out")"
	reap
done

# The mistake this guards against: a server started inside $(...), whose
# pid is recorded in the command substitution's subshell and lost to the
# caller's cleanup.  No script that starts servers does that.
bad=$(grep -n '\$( *\(serve\|start_server\|gcs_start\|start_gcs\|fake\) ' \
    "$top"/examples/*.sh "$top"/tests/*.sh "$top"/tests/*lib.sh "$top"/tests/bench/*.sh "$top"/tests/ci/*.sh "$top"/.ci/run 2>/dev/null)
[ -z "$bad" ] && ok "no script starts a server inside \$(...)" || notok "no script starts a server inside \$(...)" "$bad"
