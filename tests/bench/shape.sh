#!/bin/sh
# tests/bench/shape.sh: fk-shape against its peers on FakerAPI users.
#
#   NDJSON  fk-shape -f examples/users.jq      vs  jq -c -f examples/users.jq
#   CSV     fk-shape -o csv -f users.jq        vs  jq -r '(users.jq) | [...] | @csv'
#   Avro    fk-shape -o avro on the shaped rows vs  a python3-avro writer of
#           the same rows with the same schema (deflate both)
#
# Prints wall time, throughput ratio and peak RSS; asserts nothing.  The
# input (BENCH_N users, default 1000000) is generated once into
# $BENCH_DIR (default a directory under ${TMPDIR:-/tmp}) and kept.
# BENCH_PY_N (default 100000) rows go through the Python writer, whose
# time is scaled to BENCH_N (it is linear) so the run stays short.
set -u
: "${FK_BIN:?FK_BIN must name the build directory}"
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
N=${BENCH_N:-1000000}
PYN=${BENCH_PY_N:-100000}
D=${BENCH_DIR:-${TMPDIR:-/tmp}/fk-bench-shape}
PY=/usr/bin/python3
FK=$FK_BIN/fk-shape
JQ=$top/examples/users.jq
SCHEMA=$top/examples/users.schema.json
TIME=/usr/bin/time
mkdir -p "$D"

if [ ! -x "$TIME" ]; then
	echo "shape bench: /usr/bin/time is missing (Debian package 'time')"
	exit 1
fi
if [ ! -s "$D/users-$N.json" ]; then
	echo "generating $N users into $D ..."
	$PY "$here/shape-gen.py" users "$N" 1 >"$D/users-$N.json.tmp" &&
		mv "$D/users-$N.json.tmp" "$D/users-$N.json"
fi
IN=$D/users-$N.json
head -n 100000 "$IN" >"$D/users-100k.json"

# run NAME CMD...: wall seconds, peak KiB and CPU seconds (user + system)
# of CMD, stdout to /dev/null.
run() {
	name=$1
	shift
	"$TIME" -f '%e %M %U %S' -o "$D/t" "$@" >/dev/null 2>"$D/err" ||
		{ echo "$name failed: $(tail -n 3 "$D/err")" >&2; echo "0 0 0 0" >"$D/t"; }
	tail -n 1 "$D/t" | awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# The same rows for the Avro writers: the filter's output, once.
jq -c -f "$JQ" "$IN" >"$D/rows.json"
head -n "$PYN" "$D/rows.json" >"$D/rows-py.json"
"$FK" -q -o avro --schema "$SCHEMA" . "$D/rows-py.json" >"$D/schema-src.avro"
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

echo "fk-shape benchmark: $N users ($(du -m "$IN" | cut -f1) MB), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(wall seconds; cpu = user + system seconds; ratio = peer wall / fk-shape wall)"
printf '%-8s %-34s %9s %7s %9s %8s\n' format command seconds cpu peak_KiB ratio

set -- $(run jq-ndjson jq -c -f "$JQ" "$IN"); jq_s=$1; jq_k=$2; jq_c=$3
set -- $(run fk-ndjson "$FK" -q -f "$JQ" "$IN"); fk_s=$1; fk_k=$2; fk_c=$3
printf '%-8s %-34s %9s %7s %9s %8s\n' ndjson "jq -c -f users.jq" "$jq_s" "$jq_c" "$jq_k" ""
printf '%-8s %-34s %9s %7s %9s %8s\n' ndjson "fk-shape -f users.jq" "$fk_s" "$fk_c" "$fk_k" "$(ratio "$jq_s" "$fk_s")x"
nd_ratio=$(ratio "$jq_s" "$fk_s")

set -- $(run jq-csv jq -r "$(cat "$JQ") | [.id, .uuid, .first_name, .last_name, .username, .email, .ip, .mac_address, .website] | @csv" "$IN"); jq_s=$1; jq_k=$2; jq_c=$3
set -- $(run fk-csv "$FK" -q -o csv -f "$JQ" "$IN"); fk_s=$1; fk_k=$2; fk_c=$3
printf '%-8s %-34s %9s %7s %9s %8s\n' csv "jq -r '... | @csv'" "$jq_s" "$jq_c" "$jq_k" ""
printf '%-8s %-34s %9s %7s %9s %8s\n' csv "fk-shape -o csv -f users.jq" "$fk_s" "$fk_c" "$fk_k" "$(ratio "$jq_s" "$fk_s")x"
csv_ratio=$(ratio "$jq_s" "$fk_s")

set -- $(run py-avro sh -c "$PY '$D/pyavro.py' '$D/schema-src.avro' '$D/py.avro' <'$D/rows-py.json'"); py_s=$1; py_k=$2; py_c=$3
py_scaled=$(awk -v s="$py_s" -v n="$N" -v p="$PYN" 'BEGIN { printf "%.2f", s * n / p }')
py_c=$(awk -v s="$py_c" -v n="$N" -v p="$PYN" 'BEGIN { printf "%.2f", s * n / p }')
printf '%-8s %-34s %9s %7s %9s %8s\n' avro "python3-avro ($PYN rows, x$((N / PYN)))" "$py_scaled" "$py_c" "$py_k" ""
for codec in deflate snappy; do
	set -- $(run fk-avro "$FK" -q -o avro --codec $codec --schema "$SCHEMA" . "$D/rows.json"); fk_s=$1; fk_k=$2; fk_c=$3
	printf '%-8s %-34s %9s %7s %9s %8s\n' avro "fk-shape -o avro --codec $codec" "$fk_s" "$fk_c" "$fk_k" "$(ratio "$py_scaled" "$fk_s")x"
done
set -- $(run fk-avro-jq "$FK" -q -o avro -f "$JQ" "$IN"); fk_s=$1; fk_k=$2; fk_c=$3
printf '%-8s %-34s %9s %7s %9s %8s\n' avro "fk-shape -o avro -f users.jq" "$fk_s" "$fk_c" "$fk_k" "(raw input)"

echo
echo "peak RSS (KiB), 100000 vs $N users:"
for f in ndjson csv avro; do
	set -- $(run rss100k "$FK" -q -o $f -f "$JQ" "$D/users-100k.json"); a=$2
	set -- $(run rss1m "$FK" -q -o $f -f "$JQ" "$IN"); b=$2
	printf '  %-7s %8s %8s\n' "$f" "$a" "$b"
done
echo
echo "targets: ndjson >= 1.8x jq (got ${nd_ratio}x), csv >= 2x jq @csv (got ${csv_ratio}x),"
echo "         avro >= 20x python3-avro, peak RSS <= 65536 KiB and flat"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows the"
echo "two-thread fk-shape more than single-threaded jq: compare the cpu column too)"
