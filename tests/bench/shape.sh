#!/bin/sh
# tests/bench/shape.sh: fk-shape against its peers on FakerAPI users
# (issue 10's targets), in one run, each peer beside fk:
#
#   NDJSON  fk-shape -f examples/users.jq       vs  jq -c -f examples/users.jq
#           (wall >= 3x jq's, CPU <= 0.5x jq's)
#   CSV     fk-shape -o csv -f users.jq         vs  jq -r '(users.jq) | [...] | @csv'
#           (wall >= 3x)
#   Avro    fk-shape -o avro --codec deflate on the shaped rows  vs  a
#           python3-avro writer of the same rows, same schema, deflate
#           (wall >= 20x)
#   peak RSS of fk-shape at 100 000 rows and at FK_BENCH_ROWS, each mode
#           (<= 64 MiB, flat)
#
# Beside each wall time: instructions per record from valgrind
# --tool=callgrind on FK_BENCH_CG_ROWS users (50000), fk-shape at the
# same -j as the wall run (FK_BENCH_JOBS, default the CPU count), all
# threads counted.  Prints; asserts nothing.
#
# The input (FK_BENCH_ROWS users, default 1000000; BENCH_N is the old
# name) is generated once into $BENCH_DIR (default a directory under
# ${TMPDIR:-/tmp}) and kept.  BENCH_PY_N (100000) rows go through the
# Python writer, whose time is scaled to FK_BENCH_ROWS (it is linear) so
# the run stays short; its callgrind count is taken on
# FK_BENCH_CG_PY_ROWS (10000) rows, less a one-row run (the interpreter's
# start).  FK_BENCH_CG=0 skips callgrind, FK_BENCH_CG_PEERS=0 only the
# peers' (a re-run after a change to fk alone).
set -u
: "${FK_BIN:?FK_BIN must name the build directory}"
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
. "$here/bench/lib.sh"
N=${FK_BENCH_ROWS:-${BENCH_N:-1000000}}
CGN=${FK_BENCH_CG_ROWS:-50000}
PYN=${BENCH_PY_N:-100000}
PYCGN=${FK_BENCH_CG_PY_ROWS:-10000}
J=${FK_BENCH_JOBS:-$(nproc)}
D=${BENCH_DIR:-${TMPDIR:-/tmp}/fk-bench-shape}
BT=$D
PY=/usr/bin/python3
FK=$FK_BIN/fk-shape
JQ=$top/examples/users.jq
SCHEMA=$top/examples/users.schema.json
mkdir -p "$D"

if [ ! -x /usr/bin/time ]; then
	echo "shape bench: /usr/bin/time is missing (Debian package 'time')"
	exit 1
fi
if [ ! -s "$D/users-$N.json" ]; then
	echo "generating $N users into $D ..."
	$PY "$here/shape-gen.py" users "$N" 1 >"$D/users-$N.json.tmp" &&
		mv "$D/users-$N.json.tmp" "$D/users-$N.json"
fi
IN=$D/users-$N.json
: >"$D/rows"
head -n 100000 "$IN" >"$D/users-100k.json"
K=$(wc -l <"$D/users-100k.json")
head -n "$CGN" "$IN" >"$D/users-cg.json"

# The same rows for the Avro writers: the filter's output, once.
jq -c -f "$JQ" "$IN" >"$D/rows.json"
head -n "$PYN" "$D/rows.json" >"$D/rows-py.json"
head -n 100000 "$D/rows.json" >"$D/rows-100k.json"
head -n "$CGN" "$D/rows.json" >"$D/rows-cg.json"
head -n "$PYCGN" "$D/rows.json" >"$D/rows-pycg.json"
head -n 1 "$D/rows.json" >"$D/rows-1.json"
"$FK" -q -o avro --schema "$SCHEMA" . "$D/rows-py.json" >"$D/schema-src.avro"
# jq's CSV: users.jq, then the columns fk-shape writes, through @csv.
{ cat "$JQ"; echo '| [.id, .uuid, .first_name, .last_name, .username, .email, .ip, .mac_address, .website] | @csv'; } >"$D/csv.jq"
cat >"$D/pyavro.py" <<'G'
import avro.datafile, avro.io, avro.schema, json, sys
# The schema fk-shape wrote, so both writers write the same thing.
src = avro.datafile.DataFileReader(open(sys.argv[1], "rb"), avro.io.DatumReader())
schema = avro.schema.parse(src.meta["avro.schema"].decode())
w = avro.datafile.DataFileWriter(open(sys.argv[2], "wb"), avro.io.DatumWriter(),
                                 schema, codec="deflate")
for line in sys.stdin:
    w.append(json.loads(line))
w.close()
G

echo "fk-shape benchmark: $N users ($(du -m "$IN" | cut -f1) MB), $(nproc) CPUs, fk-shape -j $J, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(wall seconds; cpu = user + system seconds; ratio = peer / fk-shape; Ir/rec = callgrind instructions per record, $CGN users)"
line() { printf '%-8s %-38s %8s %7s %9s %8s %9s\n' "$@"; }
line format command seconds cpu peak_KiB ratio Ir/rec

# vs_jq MODE JQ_OPTION JQ_PROGRAM: jq and fk-shape -o MODE -f users.jq on
# the same input, wall and CPU seconds, fk-shape's peak RSS and both
# tools' instructions per record (jq_s jq_c jq_i fk_s fk_c fk_k fk_i).
vs_jq() {
	m=$1 jo=$2 jp=$3
	set -- $(bench_time "jq-$m" jq "$jo" -f "$jp" "$IN"); jq_s=$1; jq_c=$3
	set -- $(bench_time "fk-$m" "$FK" -q -j "$J" -o "$m" -f "$JQ" "$IN"); fk_s=$1; fk_k=$2; fk_c=$3
	jq_i=$(bench_per "$(bench_ir_peer jq "$jo" -f "$jp" "$D/users-cg.json" </dev/null)" "$CGN")
	fk_i=$(bench_per "$(bench_ir "$FK" -q -j "$J" -o "$m" -f "$JQ" "$D/users-cg.json" </dev/null)" "$CGN")
	line "$m" "jq $jo -f ${jp##*/}" "$jq_s" "$jq_c" - "" "$jq_i"
	line "$m" "fk-shape -o $m -f users.jq" "$fk_s" "$fk_c" "$fk_k" "$(bench_ratio "$jq_s" "$fk_s")x" "$fk_i"
}

vs_jq ndjson -c "$JQ"; nd_k=$fk_k
r=$(bench_ratio "$jq_s" "$fk_s")
bench_row "NDJSON \`-f users.jq\`, $N users: wall" "$fk_s s" "\`jq -c -f users.jq\` $jq_s s" "${r}x" ">= 3x" "$(bench_met "$jq_s" "$fk_s" 3)" "$fk_i" "$jq_i" >>"$D/rows"
r=$(bench_ratio "$jq_c" "$fk_c")
bench_row "NDJSON \`-f users.jq\`, $N users: CPU (user + system)" "$fk_c s" "\`jq -c\` $jq_c s" "${r}x" ">= 2x (<= 0.5x jq's CPU)" "$(bench_met "$jq_c" "$fk_c" 2)" - - >>"$D/rows"

vs_jq csv -r "$D/csv.jq"; csv_k=$fk_k
r=$(bench_ratio "$jq_s" "$fk_s")
bench_row "CSV \`-f users.jq\`, $N users: wall" "$fk_s s" "\`jq -r '... \\| @csv'\` $jq_s s" "${r}x" ">= 3x" "$(bench_met "$jq_s" "$fk_s" 3)" "$fk_i" "$jq_i" >>"$D/rows"

set -- $(bench_time py-avro sh -c "$PY '$D/pyavro.py' '$D/schema-src.avro' '$D/py.avro' <'$D/rows-py.json'"); py_s=$1; py_c=$3
py_s=$(awk -v s="$py_s" -v n="$N" -v p="$PYN" 'BEGIN { printf "%.2f", s * n / p }')
py_c=$(awk -v s="$py_c" -v n="$N" -v p="$PYN" 'BEGIN { printf "%.2f", s * n / p }')
py_i=$(bench_ir_peer "$PY" "$D/pyavro.py" "$D/schema-src.avro" "$D/py.avro" <"$D/rows-pycg.json")
py_0=$(bench_ir_peer "$PY" "$D/pyavro.py" "$D/schema-src.avro" "$D/py.avro" <"$D/rows-1.json")
case "$py_i$py_0" in
*-*) py_i=- ;;
*) py_i="$(bench_per "$((py_i - py_0))" "$((PYCGN - 1))") ($PYCGN rows, less a 1-row run)" ;;
esac
line avro "python3-avro ($PYN rows, x$((N / PYN)))" "$py_s" "$py_c" - "" "${py_i%% *}"
set -- $(bench_time fk-avro "$FK" -q -j "$J" -o avro --codec deflate --schema "$SCHEMA" . "$D/rows.json"); fk_s=$1; avro_k=$2; fk_c=$3
fk_i=$(bench_per "$(bench_ir "$FK" -q -j "$J" -o avro --codec deflate --schema "$SCHEMA" . "$D/rows-cg.json" </dev/null)" "$CGN")
line avro "fk-shape -o avro --codec deflate" "$fk_s" "$fk_c" "$avro_k" "$(bench_ratio "$py_s" "$fk_s")x" "$fk_i"
r=$(bench_ratio "$py_s" "$fk_s")
bench_row "Avro deflate, the $N shaped rows, \`--schema\`: wall" "$fk_s s" "python3-avro $py_s s ($PYN rows, x$((N / PYN)))" "${r}x" ">= 20x" "$(bench_met "$py_s" "$fk_s" 20)" "$fk_i" "$py_i" >>"$D/rows"
set -- $(bench_time fk-avro-snappy "$FK" -q -j "$J" -o avro --codec snappy --schema "$SCHEMA" . "$D/rows.json")
line avro "fk-shape -o avro --codec snappy" "$1" "$3" "$2" "$(bench_ratio "$py_s" "$1")x" ""
set -- $(bench_time fk-avro-jq "$FK" -q -j "$J" -o avro -f "$JQ" "$IN")
line avro "fk-shape -o avro -f users.jq (raw input)" "$1" "$3" "$2" "" ""

echo
echo "peak RSS of fk-shape (KiB), $K vs $N rows (the runs above):"
rss() {	# mode, KiB at N, command...
	m=$1 b=$2
	shift 2
	set -- $(bench_time "rss-$m" "$@"); a=$2
	printf '  %-7s %8s %8s\n' "$m" "$a" "$b"
	bench_row "peak RSS, $m: $K / $N rows" "$(bench_mib "$a") / $(bench_mib "$b") MiB" - - "<= 64 MiB, flat (within 10%)" "$(bench_rss_met "$a" "$b")" - - >>"$D/rows"
}
rss ndjson "$nd_k" "$FK" -q -j "$J" -f "$JQ" "$D/users-100k.json"
rss csv "$csv_k" "$FK" -q -j "$J" -o csv -f "$JQ" "$D/users-100k.json"
rss avro "$avro_k" "$FK" -q -j "$J" -o avro --codec deflate --schema "$SCHEMA" . "$D/rows-100k.json"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows the"
echo "two-thread fk-shape more than single-threaded jq: compare the cpu and Ir/rec columns too)"
bench_row mode fk-shape peer ratio target "met?" "instr/record fk (callgrind, $CGN users)" "instr/record peer"
echo "|---|---|---|---|---|---|---|---|"
cat "$D/rows"
rm -f "$D/rows"
