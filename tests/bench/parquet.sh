#!/bin/sh
# parquet.sh: 1 000 000 FakerAPI-like users, NDJSON to Parquet, fk-shape
# -o parquet against DuckDB's own COPY (SELECT * FROM read_json(...)) TO
# 'x.parquet' (snappy, both) on the same file in the same run.  Prints
# wall time, peak RSS and file size; nothing is asserted.
# FK_BENCH_ROWS=n changes the row count.
set -u
: "${FK_BIN:?}"
here=$(cd "$(dirname "$0")" && pwd)
: "${FK_TESTDIR:=$here/..}"
PQN=$FK_TESTDIR/pqnode
N=${FK_BENCH_ROWS:-1000000}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
T=$(mktemp -d "${TMPDIR:-/tmp}/fk-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

if [ ! -d "$PQN/node_modules/@duckdb/node-api" ]; then
	echo "parquet: skipped: DuckDB not installed (cd tests/pqnode && npm ci)"
	exit 0
fi
if [ ! -x /usr/bin/time ]; then
	echo "parquet: skipped: /usr/bin/time missing (apt-get install time)"
	exit 0
fi

"$PY" "$PQN/genusers.py" "$N" >"$T/users.ndjson"
echo "input: $N users, $(wc -c <"$T/users.ndjson") bytes of NDJSON"

# The tool under test: fk-shape once it speaks Parquet, else the writer's
# test driver (the same encoder, fed canonical rows).
if "$FK_BIN/fk-shape" --help 2>/dev/null | grep -q parquet; then
	fk="$FK_BIN/fk-shape -o parquet --schema $PQN/users.json"
	name=fk-shape
else
	fk="$FK_BIN/tests/unit/test_parquet write $PQN/users.json"
	name="fk parquet writer (test driver: fk-shape has no -o parquet yet)"
fi
# shellcheck disable=SC2086
/usr/bin/time -f '%e %M' -o "$T/fk.time" $fk <"$T/users.ndjson" \
    >"$T/fk.parquet" 2>"$T/fk.err" || {
	echo "parquet: $name failed: $(tail -n 3 "$T/fk.err")"
	exit 1
}
/usr/bin/time -f '%e %M' -o "$T/duck.time" node "$PQN/duck-copy.mjs" \
    --schema "$PQN/users.json" "$T/users.ndjson" "$T/duck.parquet" \
    >"$T/duck.out" 2>"$T/duck.err" || {
	echo "parquet: duckdb failed: $(tail -n 3 "$T/duck.err")"
	exit 1
}
# DuckDB left to guess the types (uuid becomes a 16-byte UUID), for
# reference only.
node "$PQN/duck-copy.mjs" "$T/users.ndjson" "$T/auto.parquet" \
    >"$T/auto.out" 2>/dev/null

"$PY" - "$T" "$name" <<'P'
import json, os, sys
t, name = sys.argv[1], sys.argv[2]
def tm(f):
    e, m = open(os.path.join(t, f)).read().split()[-2:]
    return float(e), int(m) / 1024
fe, fm = tm('fk.time')
de, dm = tm('duck.time')
copy = json.load(open(os.path.join(t, 'duck.out')))['seconds']
auto = json.load(open(os.path.join(t, 'auto.out')))
fs = os.path.getsize(os.path.join(t, 'fk.parquet'))
ds = os.path.getsize(os.path.join(t, 'duck.parquet'))
as_ = os.path.getsize(os.path.join(t, 'auto.parquet'))
print('%s: %.2f s wall, %.0f MiB peak RSS, %d bytes' % (name, fe, fm, fs))
print('duckdb COPY (columns typed as the schema): %.2f s for the COPY, '
      '%.2f s wall with node start, %.0f MiB peak RSS, %d bytes' %
      (copy, de, dm, ds))
print('duckdb COPY (types auto-detected): %.2f s, %d bytes' %
      (auto['seconds'], as_))
print('| benchmark | fk | peer | ratio |')
print('| parquet: 1M users NDJSON to Parquet, wall s (vs duckdb COPY) '
      '| %.2f | %.2f | %.2f |' % (fe, copy, copy / fe))
print('| parquet: file size MB (vs duckdb COPY, same types) '
      '| %.1f | %.1f | %.2f |' % (fs / 1e6, ds / 1e6, ds / fs))
print('| parquet: peak RSS MiB (vs duckdb in node) '
      '| %.0f | %.0f | %.2f |' % (fm, dm, dm / fm))
P
