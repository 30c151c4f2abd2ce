#!/bin/sh
# parquet.sh: FK_BENCH_ROWS (1 000 000) FakerAPI-like users, NDJSON to
# Parquet typed by a BigQuery schema: fk-shape -o parquet --schema
# against DuckDB's own COPY (SELECT * FROM read_json(...)) TO 'x.parquet'
# (FORMAT parquet) with the same column types (snappy, both) on the same
# file in the same run (issue 10: wall >= 1.0x DuckDB's COPY, file no
# larger than DuckDB's, peak RSS <= 64 MiB and flat from 100 000 rows).
# Beside the wall times: instructions per record from valgrind
# --tool=callgrind on FK_BENCH_CG_ROWS (50000) users, fk-shape at the
# wall run's -j (FK_BENCH_JOBS, default the CPU count); DuckDB's is
# counted in node (tests/pqnode/duck-copy.mjs) less a one-row run, which
# takes out node's and DuckDB's start.  FK_BENCH_CG=0 skips callgrind,
# FK_BENCH_CG_PEERS=0 only DuckDB's.
# Prints; nothing is asserted.
set -u
: "${FK_BIN:?}"
here=$(cd "$(dirname "$0")" && pwd)
: "${FK_TESTDIR:=$here/..}"
. "$here/lib.sh"
PQN=$FK_TESTDIR/pqnode
N=${FK_BENCH_ROWS:-1000000}
CGN=${FK_BENCH_CG_ROWS:-50000}
J=${FK_BENCH_JOBS:-$(nproc)}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
BT=$(mktemp -d "${TMPDIR:-/tmp}/fk-bench.XXXXXX")
trap 'rm -rf "$BT"' EXIT
S=$PQN/users.json

if [ ! -d "$PQN/node_modules/@duckdb/node-api" ]; then
	echo "parquet: skipped: DuckDB not installed (cd tests/pqnode && npm ci)"
	exit 0
fi
if [ ! -x /usr/bin/time ]; then
	echo "parquet: skipped: /usr/bin/time missing (apt-get install time)"
	exit 0
fi

"$PY" "$PQN/genusers.py" "$N" >"$BT/users.ndjson"
head -n 100000 "$BT/users.ndjson" >"$BT/small.ndjson"
head -n "$CGN" "$BT/users.ndjson" >"$BT/cg.ndjson"
head -n 1 "$BT/users.ndjson" >"$BT/one.ndjson"
K=$(wc -l <"$BT/small.ndjson")
echo "input: $N users, $(wc -c <"$BT/users.ndjson") bytes of NDJSON; fk-shape -j $J; load average $(cut -d' ' -f1-3 /proc/loadavg)"

set -- $(bench_time fk-shape "$FK_BIN/fk-shape" -q -j "$J" -o parquet --schema "$S" \
    -O "$BT/fk.parquet" . "$BT/users.ndjson"); fk_s=$1; fk_k=$2; fk_c=$3
set -- $(bench_time fk-shape-small "$FK_BIN/fk-shape" -q -j "$J" -o parquet --schema "$S" \
    -O "$BT/small.parquet" . "$BT/small.ndjson"); small_k=$2
/usr/bin/time -f '%e %M' -o "$BT/duck.time" node "$PQN/duck-copy.mjs" \
    --schema "$S" "$BT/users.ndjson" "$BT/duck.parquet" >"$BT/duck.out" 2>"$BT/duck.err" || {
	echo "parquet: duckdb failed: $(tail -n 3 "$BT/duck.err")"
	exit 1
}
copy=$(jq -r '.seconds * 100 | round / 100' "$BT/duck.out")
set -- $(cat "$BT/duck.time"); dk_s=$1; dk_k=$2
# DuckDB left to guess the types (uuid becomes a 16-byte UUID), for
# reference only.
node "$PQN/duck-copy.mjs" "$BT/users.ndjson" "$BT/auto.parquet" >"$BT/auto.out" 2>/dev/null
fs=$(wc -c <"$BT/fk.parquet"); ds=$(wc -c <"$BT/duck.parquet"); as=$(wc -c <"$BT/auto.parquet" 2>/dev/null)

fk_i=$(bench_per "$(bench_ir "$FK_BIN/fk-shape" -q -j "$J" -o parquet --schema "$S" \
    -O "$BT/cg.parquet" . "$BT/cg.ndjson" </dev/null)" "$CGN")
d1=$(bench_ir_peer node "$PQN/duck-copy.mjs" --schema "$S" "$BT/cg.ndjson" "$BT/cgd.parquet" </dev/null)
d0=$(bench_ir_peer node "$PQN/duck-copy.mjs" --schema "$S" "$BT/one.ndjson" "$BT/cgd.parquet" </dev/null)
case "$d1$d0" in
*-*) dk_i=- ;;
*) dk_i="$(bench_per "$((d1 - d0))" "$((CGN - 1))") (less a 1-row run; $(bench_per "$d1" "$CGN") with node's start)" ;;
esac

echo "fk-shape -o parquet: $fk_s s wall, $fk_c s CPU, $(bench_mib "$fk_k") MiB peak RSS ($(bench_mib "$small_k") at $K rows), $fs bytes, $fk_i Ir/record"
echo "duckdb COPY (columns typed as the schema): $copy s for the COPY, $dk_s s wall with node's start, $(bench_mib "$dk_k") MiB peak RSS, $ds bytes, $dk_i Ir/record"
echo "duckdb COPY (types auto-detected): $(jq -r .seconds "$BT/auto.out" 2>/dev/null) s, $as bytes"
bench_row mode fk-shape peer ratio target "met?" "instr/record fk (callgrind, $CGN users)" "instr/record peer"
echo "|---|---|---|---|---|---|---|---|"
r=$(bench_ratio "$copy" "$fk_s")
bench_row "Parquet typed by the schema, $N users: wall" "$fk_s s (CPU $fk_c s)" \
    "DuckDB \`COPY (SELECT * FROM read_json(...)) TO ... (FORMAT parquet)\` $copy s (the COPY alone; $dk_s s with node's start)" \
    "${r}x" ">= 1.0x (aim 1.5x)" "$(bench_met "$copy" "$fk_s" 1)" "$fk_i" "$dk_i"
r=$(bench_ratio "$ds" "$fs")
bench_row "Parquet file size, $N users" "$(awk -v b="$fs" 'BEGIN { printf "%.1f MB", b / 1e6 }')" \
    "DuckDB, same types: $(awk -v b="$ds" 'BEGIN { printf "%.1f MB", b / 1e6 }')" \
    "${r}x" ">= 1.0x (no larger than DuckDB's)" "$(bench_met "$ds" "$fs" 1)" - -
bench_row "peak RSS, parquet: $K / $N rows" "$(bench_mib "$small_k") / $(bench_mib "$fk_k") MiB" \
    "DuckDB in node: $(bench_mib "$dk_k") MiB at $N" - "<= 64 MiB, flat (within 10%)" \
    "$(bench_rss_met "$small_k" "$fk_k")" - -
