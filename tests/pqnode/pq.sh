# tests/pqnode/pq.sh: sourced by tests/25x-shape-parquet*.sh after lib.sh.
#
#   pq_shape SCHEMA IN OUT ["PARQUET OPTIONS" [fk-shape arguments...]]
#       fk-shape -o parquet --schema SCHEMA PARQUET-OPTIONS ARGS <IN >OUT,
#       and the rows it gave the writer (fk-shape -o ndjson ... ARGS, the
#       canonical rows) in OUT.want
#   pq_write SCHEMA OUT [codec [row-group-bytes [page-bytes [nodict]]]] < rows
#       the writer alone, through its unit-test driver, on canonical rows
#       (for the knobs fk-shape does not expose)
#   pq_check DESC SCHEMA EXPECTED FILE
#       read FILE with DuckDB and with hyparquet; each must return exactly
#       the EXPECTED rows (compare.py: EXPECTED named *.want is fk-shape's
#       NDJSON, anything else canonical rows); one result per reader
#   pq_duck [--schema|--meta] FILE / pq_hyp [--schema] FILE
#       the readers themselves (normalized NDJSON on stdout)
PQN=$FK_TESTDIR/pqnode
PQ_WRITER=$FK_BIN/tests/unit/test_parquet

if [ ! -d "$PQN/node_modules/@duckdb/node-api" ] ||
    [ ! -d "$PQN/node_modules/hyparquet" ]; then
	notok "parquet readers installed" \
	    "run: (cd tests/pqnode && npm ci) to install DuckDB and hyparquet"
	exit 0
fi
if [ ! -x "$PQ_WRITER" ]; then
	notok "parquet test driver built" "missing $PQ_WRITER (make unit)"
	exit 0
fi
if ! fk-shape --help 2>/dev/null | grep -q parquet; then
	notok "fk-shape writes parquet" "fk-shape --help does not mention it"
	exit 0
fi

pq_shape() {
	_s=$1 _i=$2 _o=$3 _p=${4:-}
	shift 3
	[ $# -gt 0 ] && shift
	# shellcheck disable=SC2086
	fk-shape -q -o parquet --schema "$_s" $_p "$@" <"$_i" >"$_o" &&
	    fk-shape -q -o ndjson --schema "$_s" "$@" <"$_i" >"$_o.want"
}

pq_write() {
	_s=$1 _o=$2
	shift 2
	"$PQ_WRITER" write "$_s" "$@" >"$_o"
}
pq_duck() { node "$PQN/read-duckdb.mjs" "$@"; }
pq_hyp() { node "$PQN/read-hyparquet.mjs" "$@"; }

pq_check() {
	_d=$1 _s=$2 _e=$3 _f=$4 _m=
	case $_e in *.want) _m=--ndjson ;; esac
	if pq_duck "$_f" >"$T/pq.duck" 2>"$T/pq.err" &&
	    "$PY" "$PQN/compare.py" $_m "$_s" "$_e" "$T/pq.duck" duckdb \
	    2>>"$T/pq.err"; then
		ok "$_d (duckdb)"
	else
		notok "$_d (duckdb)" "$(tail -n 6 "$T/pq.err")"
	fi
	if pq_hyp "$_f" >"$T/pq.hyp" 2>"$T/pq.err" &&
	    "$PY" "$PQN/compare.py" $_m "$_s" "$_e" "$T/pq.hyp" hyparquet \
	    2>>"$T/pq.err"; then
		ok "$_d (hyparquet)"
	else
		notok "$_d (hyparquet)" "$(tail -n 6 "$T/pq.err")"
	fi
}

# pq_meta FILE EXPR: evaluate a Python expression over the list of
# parquet_metadata() rows (as dicts, named m); print its value.
pq_meta() {
	pq_duck --meta "$1" >"$T/pq.meta" || return 1
	"$PY" -c 'import json, sys
m = [json.loads(l) for l in open(sys.argv[1])]
print(eval(sys.argv[2]))' "$T/pq.meta" "$2"
}
