#!/bin/sh
# End-to-end benchmark (printed, never asserted): fk-fetch | fk-shape |
# gcs-put on the local test servers (throttle off), 100 users and
# 1 000 000 users: wall time, records per second, and the peak RSS of
# each stage.  Peer: the same job done with the usual tools, a sequential
# curl loop | jq -c -f examples/users.jq | the official Node client
# (tests/node/upload.mjs), to NDJSON, the format both can write.
. "$FK_TESTDIR/lib.sh"
top=$(cd "$FK_TESTDIR/.." && pwd)
N=${FK_BENCH_PIPELINE_N:-1000000}
start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
start_server gcs "$PY" "$FK_TESTDIR/gcs_server.py" --data-dir "$T/gcs"
export FK_BASE_URL=http://127.0.0.1:$faker_PORT/api/v2
export STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT
F="$top/examples/users.jq" S="$top/examples/users.schema.json"

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
now() { date +%s.%N; }
run_fk() {	# count, format, object: one timed pipeline; prints "wall rss1 rss2 rss3"
	t0=$(now)
	/usr/bin/time -f %M -o "$T/r1" fk-fetch -q -n "$1" --seed 7 --rate 0 |
	    /usr/bin/time -f %M -o "$T/r2" fk-shape -q -o "$2" -f "$F" --schema "$S" |
	    /usr/bin/time -f %M -o "$T/r3" gcs-put -q --overwrite "gs://bench/$3" >"$T/obj"
	t1=$(now)
	echo "$(echo "$t1 - $t0" | bc) $(cat "$T/r1") $(cat "$T/r2") $(cat "$T/r3")"
}
row() {	# label, count, "wall r1 r2 r3", peer wall (or -)
	set -- "$1" "$2" $3 "$4"
	rate=$(awk -v n="$2" -v w="$3" 'BEGIN { printf "%.0f", n / w }')
	ratio=-
	[ "$7" != - ] && ratio=$(awk -v a="$7" -v b="$3" 'BEGIN { printf "%.2fx", a / b }')
	printf '| pipeline: %s | %.2f s, %s rec/s, RSS %s / %s / %s MiB | %s | %s | - |\n' \
	    "$1" "$3" "$rate" "$(mib "$4")" "$(mib "$5")" "$(mib "$6")" \
	    "$( [ "$7" = - ] && echo - || echo "peer $7 s")" "$ratio"
}

# The peer's URLs: exactly the requests fk-fetch makes.
FK_LOG=json fk-fetch -n "$N" --seed 7 --rate 0 -v 2>"$T/log" >/dev/null
jq -r 'select(.event == "request") | .url' "$T/log" >"$T/urls"
peer() {
	t0=$(now)
	while read -r u; do curl -s -H 'Accept: application/json' "$u"; done <"$T/urls" |
	    jq -c -f "$F" |
	    node "$FK_TESTDIR/node/upload.mjs" bench peer.ndjson >/dev/null
	t1=$(now)
	echo "$t1 - $t0" | bc
}
if [ -d "$FK_TESTDIR/node/node_modules" ]; then p=$(peer); else p=-; fi

echo "stages: fk-fetch / fk-shape / gcs-put; peer: curl loop | jq -c | Node @google-cloud/storage"
printf '| benchmark | fk | peer | ratio | target |\n|---|---|---|---|---|\n'
row "100 users -> Avro" 100 "$(run_fk 100 avro u100.avro)" -
row "$N users -> Avro" "$N" "$(run_fk "$N" avro u.avro)" -
row "$N users -> NDJSON" "$N" "$(run_fk "$N" ndjson u.ndjson)" "$p"
echo "object: $(cat "$T/obj")"
