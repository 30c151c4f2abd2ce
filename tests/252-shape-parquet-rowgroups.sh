#!/bin/sh
# fk-shape -o parquet with 1 000 000 rows over many row groups (a small
# --row-group-size forces them), read back by both readers; memory stays
# bounded by a row group.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/pqnode/pq.sh"

cat >"$T/s.json" <<'J'
[{"name":"id","type":"INTEGER","mode":"REQUIRED"},
 {"name":"name","type":"STRING"},{"name":"country","type":"STRING"},
 {"name":"score","type":"FLOAT"},{"name":"tags","type":"STRING","mode":"REPEATED"},
 {"name":"day","type":"DATE"}]
J
# Rows, and the same rows as the readers print them (norm.mjs), so that
# a million rows compare with cmp rather than row by row in Python.
"$PY" - "$T/in.ndjson" "$T/want.ndjson" <<'P'
import sys
cs = ['"Cameroon"', '"Maldives"', '"Italy"', '"Japan"', 'null']
tg = ['[]', '["a"]', '["a","b"]']
with open(sys.argv[1], 'w') as a, open(sys.argv[2], 'w') as b:
    for i in range(1000000):
        s = i / 4
        sc = 'null' if i % 10 == 9 else (str(int(s)) if s == int(s) else repr(s))
        day = '"2024-%02d-%02d"' % (1 + i % 12, 1 + i % 28)
        rest = ',"name":"user-%d","country":%s,"score":%s,"tags":%s,"day":%s}\n' % (
            i, cs[i % 5], sc, tg[i % 3], day)
        a.write('{"id":%d%s' % (i, rest))
        b.write('{"id":"%d"%s' % (i, rest))
P
/usr/bin/time -f %M -o "$T/rss" fk-shape -q -o parquet --schema "$T/s.json" \
    --row-group-size 4M <"$T/in.ndjson" >"$T/big.parquet" 2>"$T/err"
check "1M rows: fk-shape succeeds" test -s "$T/big.parquet"

pq_duck "$T/big.parquet" >"$T/duck.ndjson" 2>"$T/duck.err" &
dpid=$!
pq_hyp "$T/big.parquet" >"$T/hyp.ndjson" 2>"$T/hyp.err"
wait $dpid
same "1M rows: DuckDB returns exactly the rows given" "$T/want.ndjson" \
    "$T/duck.ndjson"
same "1M rows: hyparquet returns exactly the rows given" "$T/want.ndjson" \
    "$T/hyp.ndjson"

got=$(pq_meta "$T/big.parquet" \
    'len({r["row_group_id"] for r in m}), sum(int(r["row_group_num_rows"]) for r in m if r["column_id"] == "0")')
case $got in
"(1, "*|"(0, "*) notok "1M rows: several row groups" "got $got" ;;
*", 1000000)") ok "1M rows: several row groups ($got)" ;;
*) notok "1M rows: several row groups" "got $got" ;;
esac
# Each row group near the size asked for (4 MiB uncompressed).
got=$(pq_meta "$T/big.parquet" \
    'max(int(r["row_group_bytes"]) for r in m) < 6 * 2**20')
if [ "$got" = True ]; then ok "1M rows: row groups sized by bytes"
else notok "1M rows: row groups sized by bytes" "$got"; fi

# Memory: a few row groups' worth, far less than the 42 MiB of input
# (not measurable under AddressSanitizer, which keeps freed memory).
rss=$(tail -n 1 "$T/rss")
if grep -qa __asan_init "$FK_BIN/fk-shape"; then
	ok "1M rows: peak RSS ${rss} KiB (sanitizer build, not judged)"
elif [ "$rss" -lt 40000 ]; then
	ok "1M rows: peak RSS ${rss} KiB"
else
	notok "1M rows: peak RSS bounded by the row group" "${rss} KiB"
fi
