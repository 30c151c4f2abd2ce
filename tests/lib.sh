# tests/lib.sh: sourced by every tests/NNN-*.sh script.
#
#   ok DESC / notok DESC [detail]   report one result
#   check DESC cmd...               ok if cmd exits 0
#   expect_exit CODE DESC cmd...    ok if cmd exits CODE (stderr kept in $T/err)
#   same DESC fileA fileB           ok if the files are byte-identical
#   start_server NAME cmd...        start a server that writes its port to
#                                   the file given as --port-file; sets
#                                   ${NAME}_PORT; stopped when the script ends
# $T is a fresh scratch directory, removed at exit.  Binaries: $FK_BIN.
set -u
: "${FK_BIN:?}" "${FK_TESTDIR:=$(cd "$(dirname "$0")" && pwd)}"
PATH=$FK_BIN:$PATH
export PATH
T=$(mktemp -d "${TMPDIR:-/tmp}/fk-test.XXXXXX")
_pids=
_cleanup() {
	for p in $_pids; do kill "$p" 2>/dev/null; done
	for p in $_pids; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# Debian's python3 (with python3-avro), whatever python3 comes first in PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

ok() { echo "ok - $1"; }
notok() {
	echo "not ok - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | head -n 20 | sed 's/^/#   /'
	return 0
}
check() {
	d=$1; shift
	if "$@" >"$T/out" 2>"$T/err"; then ok "$d"; else
		notok "$d" "exit $?: $(tail -n 5 "$T/err")"; fi
}
expect_exit() {
	want=$1 d=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$d"; else
		notok "$d" "want exit $want, got $got: $(tail -n 5 "$T/err")"; fi
}
same() {
	if cmp -s "$2" "$3"; then ok "$1"; else
		notok "$1" "$(cmp "$2" "$3" 2>&1; diff "$2" "$3" 2>&1 | head -n 10)"; fi
}
start_server() {
	name=$1; shift
	pf="$T/$name.port"
	rm -f "$pf"
	"$@" --port-file "$pf" >"$T/$name.log" 2>&1 &
	_pids="$_pids $!"
	i=0
	while [ ! -s "$pf" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if [ ! -s "$pf" ]; then
		echo "not ok - $name server did not start: $(tail -n 5 "$T/$name.log")"
		exit 1
	fi
	eval "${name}_PORT=\$(cat \"\$pf\")"
}
