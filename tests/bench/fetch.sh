#!/bin/sh
# Benchmark fk-fetch (printed, never asserted): 100 000 users from the
# FakerAPI test server with 10 ms added latency and the throttle off.
#   wall time of fk-fetch at its default concurrency against a sequential
#   curl loop making the same 100 requests (target: 4x faster or better);
#   fk-fetch's peak RSS at 10 000 and 100 000 records (target: 16 MiB or
#   less, the same at both).
# Informative rows: curl fetching every URL in one process (sequential,
# connection reused), and 8 curls in parallel: the server's own ceiling.
. "$FK_TESTDIR/lib.sh"

RUNS=${FK_BENCH_RUNS:-3}
start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off --latency 10
B=http://127.0.0.1:$faker_PORT/api/v2

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
secs() {	# command...: wall seconds
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	e=$(date +%s.%N)
	echo "$e - $s" | bc | awk '{ printf "%.2f\n", $1 }'
}
curl_loop() {
	while read -r u; do
		curl -s -H 'Accept: application/json' "$u"
	done <"$T/urls"
}
curl_one() { xargs curl -s -H 'Accept: application/json' <"$T/urls"; }
curl_par() { xargs -P 8 -n 13 curl -s -H 'Accept: application/json' <"$T/urls"; }

# The URLs fk-fetch asks for (this run also warms the server up).
FK_LOG=json fk-fetch -b "$B" -r 0 -n 100000 -s 1 -v 2>"$T/log" >"$T/out"
jq -r 'select(.event == "request") | .url' "$T/log" >"$T/urls"
echo "records: $(wc -l <"$T/out"), requests: $(wc -l <"$T/urls")"

: >"$T/fk"; : >"$T/cpu"; : >"$T/loop"; : >"$T/one"; : >"$T/par"
i=0
while [ $i -lt "$RUNS" ]; do
	/usr/bin/time -f "%e %U %S" -o "$T/t" fk-fetch -b "$B" -r 0 -n 100000 -s 1 >/dev/null 2>&1
	cut -d ' ' -f 1 "$T/t" >>"$T/fk"
	awk '{ print $2 + $3 }' "$T/t" >>"$T/cpu"
	secs curl_loop >>"$T/loop"
	secs curl_one >>"$T/one"
	secs curl_par >>"$T/par"
	i=$((i + 1))
done
fk=$(median <"$T/fk"); cpu=$(median <"$T/cpu"); loop=$(median <"$T/loop"); one=$(median <"$T/one"); par=$(median <"$T/par")
/usr/bin/time -f "%M" -o "$T/r1" fk-fetch -b "$B" -r 0 -n 10000 -s 1 >/dev/null 2>&1
/usr/bin/time -f "%M" -o "$T/r2" fk-fetch -b "$B" -r 0 -n 100000 -s 1 >/dev/null 2>&1
/usr/bin/time -f "%M" -o "$T/r0" fk-fetch --version >/dev/null 2>&1
r1=$(cat "$T/r1"); r2=$(cat "$T/r2"); r0=$(cat "$T/r0")

echo "median of $RUNS runs; wall seconds; RSS from /usr/bin/time -f %M"
echo "(the Python server generates pages on one core: the 8-curl row is the"
echo " fastest any client can go, so it bounds the ratio to the curl loop)"
echo "| benchmark | fk | peer | ratio | target |"
echo "|---|---|---|---|---|"
printf '| fetch: 100000 users, 10 ms latency, wall | %s s | curl loop %s s | %.2fx | >= 4x |\n' \
    "$fk" "$loop" "$(echo "$loop / $fk" | bc -l)"
printf '| fetch: (info) same URLs, one curl process | %s s | curl %s s | %.2fx | - |\n' \
    "$fk" "$one" "$(echo "$one / $fk" | bc -l)"
printf '| fetch: (info) server ceiling, 8 curls at once | %s s | curl %s s | %.2fx | - |\n' \
    "$fk" "$par" "$(echo "$par / $fk" | bc -l)"
printf '| fetch: (info) fk-fetch CPU for 100000 records | %s s | - | - | - |\n' "$cpu"
printf '| fetch: peak RSS, 10000 records | %s MiB | - | - | <= 16 MiB |\n' "$(mib "$r1")"
printf '| fetch: peak RSS, 100000 records | %s MiB | - | - | <= 16 MiB, = 10000 |\n' "$(mib "$r2")"
printf '| fetch: (info) RSS of --version (shared libraries) | %s MiB | - | - | - |\n' "$(mib "$r0")"
