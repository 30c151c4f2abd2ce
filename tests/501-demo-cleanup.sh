#!/bin/sh
# make demo leaves no process behind: after a clean run, after a failure
# half-way (a curl that fails once the servers are up) and after SIGINT
# and SIGTERM sent to its process group as a terminal would, no process
# started by the demo is alive.  The demo's scratch directory lives under
# our own TMPDIR, and every server it starts names a file in it on its
# command line: those are the processes we look for.
. "$FK_TESTDIR/lib.sh"
top=$(cd "$FK_TESTDIR/.." && pwd)
mkdir -p "$T/fake"

alive() {	# processes whose command line names our demo TMPDIR
	for f in /proc/[0-9]*/cmdline; do
		tr '\0' ' ' <"$f" 2>/dev/null | grep -q "$T/dtmp/" && echo "${f%/cmdline}"
	done
}
settle() {	# wait up to 10 s for the demo's processes to go
	i=0
	while [ -n "$(alive)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
servers_up() {	# wait up to 20 s for both port files
	i=0
	while [ "$(ls "$T"/dtmp/*/*.port 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1)); done
}
# A command in a new session with SIGINT at its default (a background job
# of this shell starts with SIGINT ignored): its pid is the group id.
session() {
	"$PY" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}
demo() { make -s -C "$top" demo B="$FK_BIN"; }

rm -rf "$T/dtmp"; mkdir "$T/dtmp"
TMPDIR=$T/dtmp demo >"$T/d.out" 2>&1
rc=$?
settle
[ $rc -eq 0 ] && [ -z "$(alive)" ] && ok "make demo: succeeds and leaves no process" ||
    notok "make demo: succeeds and leaves no process" "exit $rc, alive: $(alive) $(tail -n 3 "$T/d.out")"
[ -z "$(ls -A "$T/dtmp")" ] && ok "make demo removes its scratch directory" || notok "make demo removes its scratch directory"

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

# A signal while the demo waits in a long step (a curl that sleeps).
printf '#!/bin/sh\nexec sleep 60\n' >"$T/fake/curl"
for sig in INT TERM; do
	rm -rf "$T/dtmp"; mkdir "$T/dtmp"
	PATH=$T/fake:$PATH TMPDIR=$T/dtmp session make -s -C "$top" demo B="$FK_BIN" >"$T/d.out" 2>&1 &
	pid=$!
	servers_up
	before=$(alive | wc -l)
	sleep 1
	kill -"$sig" -- "-$pid"
	wait "$pid"
	rc=$?
	settle
	[ "$before" -ge 2 ] && [ $rc -ne 0 ] && [ -z "$(alive)" ] &&
	    ok "SIG$sig to make demo: it stops and leaves no process ($before were running)" ||
	    notok "SIG$sig to make demo leaves no process" "exit $rc, before $before, alive: $(alive) $(tail -n 3 "$T/d.out")"
	for p in $(alive); do kill "${p#/proc/}" 2>/dev/null; done
done

# The bug this guards against: the old demo started servers inside $(...).
! grep -q '=\$(serve ' "$top/examples/demo.sh" && ok "demo.sh records server pids in its own shell" ||
    notok "demo.sh records server pids in its own shell"
