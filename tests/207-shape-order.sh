#!/bin/sh
# fk-shape: output order is input order whatever the number of threads;
# one input may give many rows (envelopes) or none.
. "$FK_TESTDIR/lib.sh"
EX=$FK_TESTDIR/../examples

$PY "$FK_TESTDIR/shape-gen.py" users 30000 12 >"$T/u.json"
fk-shape -j 1 -f "$EX/users.jq" "$T/u.json" >"$T/j1" 2>/dev/null
for j in 2 3 8; do
	fk-shape -j $j -f "$EX/users.jq" "$T/u.json" >"$T/jn" 2>/dev/null
	same "-j $j gives the -j 1 bytes (NDJSON)" "$T/j1" "$T/jn"
done
$PY - "$T/j1" <<'G' && ok "ids in input order" || notok "ids in input order"
import json, sys
ids = [json.loads(l)["id"] for l in open(sys.argv[1])]
assert ids == list(range(1, 30001))
G
fk-shape -j 1 -o csv -f "$EX/users.jq" "$T/u.json" >"$T/c1" 2>/dev/null
fk-shape -j 8 -o csv -f "$EX/users.jq" "$T/u.json" >"$T/c8" 2>/dev/null
same "-j 8 gives the -j 1 bytes (CSV)" "$T/c1" "$T/c8"
fk-shape -j 8 -o avro -f "$EX/users.jq" "$T/u.json" >"$T/a8" 2>/dev/null
$PY - "$T/a8" "$T/j1" <<'G' && ok "-j 8 Avro rows in order" || notok "-j 8 Avro rows in order"
import avro.datafile, avro.io, json, sys
r = list(avro.datafile.DataFileReader(open(sys.argv[1], "rb"), avro.io.DatumReader()))
assert r == [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
G

# Threads must not race: the default -j on a few thousand rows, twenty
# times, in every format, always the same bytes.
head -n 3000 "$T/u.json" >"$T/u3k.json"
for f in ndjson csv; do
	fk-shape -j 1 -o $f -f "$EX/users.jq" "$T/u3k.json" >"$T/ref.$f" 2>/dev/null
done
bad=0
i=0
while [ $i -lt 20 ]; do
	for f in ndjson csv; do
		fk-shape -o $f -f "$EX/users.jq" "$T/u3k.json" >"$T/rep" 2>/dev/null || bad=$((bad + 1))
		cmp -s "$T/rep" "$T/ref.$f" || bad=$((bad + 1))
	done
	# (Avro's sync marker is random: its rows are checked above.)
	fk-shape -o avro -f "$EX/users.jq" "$T/u3k.json" >"$T/rep.avro" 2>/dev/null || bad=$((bad + 1))
	i=$((i + 1))
done
[ $bad -eq 0 ] && ok "60 runs with the default threads: same bytes, exit 0" ||
	notok "60 runs with the default threads" "$bad bad runs"

# Envelopes of 1000 rows each, through a pipe in small writes.
for s in 1 2 3 4 5; do $PY "$FK_TESTDIR/shape-gen.py" envelope 1000 $s; done >"$T/env.json"
fk-shape -j 1 -f "$EX/users.jq" "$T/env.json" >"$T/e1" 2>/dev/null
$PY - "$T/env.json" <<'G' | fk-shape -j 4 -f "$EX/users.jq" >"$T/e4" 2>"$T/err"
import sys, time
data = open(sys.argv[1], "rb").read()
for i in range(0, len(data), 65000):
    sys.stdout.buffer.write(data[i:i + 65000])
    sys.stdout.buffer.flush()
G
same "envelopes through a pipe, -j 4" "$T/e1" "$T/e4"
grep -q 'read 5 records; 5000 rows: 5000 written, 0 rejected' "$T/err" &&
	ok "5 envelopes, 5000 rows" || notok "5 envelopes, 5000 rows" "$(cat "$T/err")"

# select() may keep nothing from a value.
fk-shape -j 4 'select(.id % 3 == 0) | {id}' "$T/u.json" >"$T/s" 2>"$T/err"
[ "$(wc -l <"$T/s")" -eq 10000 ] && [ "$(head -n 1 "$T/s")" = '{"id":3}' ] &&
	ok "select keeps every third row in order" || notok "select" "$(head -n 2 "$T/s")"

# A slow producer still gets its rows out before the end of input: the
# second value is sent only once the first row is out (or after 10 s).
# With no --schema the rows wait for the sample, here of one row.
mkfifo "$T/fifo"
: >"$T/live"
(
	printf '{"a":1}\n'
	i=0
	while [ ! -s "$T/live" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$T/live" ] && echo seen >"$T/seen"
	printf '{"a":2}\n'
) >"$T/fifo" &
fk-shape --sample-rows 1 <"$T/fifo" >"$T/live" 2>/dev/null
wait
[ -f "$T/seen" ] && ok "rows flow before the input ends" ||
	notok "rows flow before the input ends" "$(cat "$T/live")"
