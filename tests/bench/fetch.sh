#!/bin/sh
# Benchmark fk-fetch (printed, never asserted): 100 000 users from the
# FakerAPI test server with 10 ms added latency and the throttle off.
# Targets (issue 13, section 2):
#   wall time of fk-fetch at its default concurrency against 8 curls in
#   parallel on the same 100 URLs, the server's ceiling (>= 0.95x);
#   fk-fetch's CPU (user + system) per 100 000 records (<= 0.3 s);
#   fk-fetch's peak RSS at 10 000 and 100 000 records (<= 16 MiB, flat).
# Informative rows: fk-fetch at -j 8 (as many requests in flight as the
# curls), a sequential curl loop (issue 3's old 4x target), curl
# fetching every URL in one process, the libjq path (FK_FETCH_JV=1) for
# CPU, and callgrind's instruction count per record of both paths (10 000
# records; stable where wall times on this shared machine are not).
# The server is tests/fakerapi_server.py as the tests run it (one Python
# process generating every page), not a pre-rendered one.
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

: >"$T/fk"; : >"$T/fk8"; : >"$T/cpu"; : >"$T/jvcpu"; : >"$T/loop"; : >"$T/one"; : >"$T/par"
i=0
while [ $i -lt "$RUNS" ]; do
	/usr/bin/time -f "%e %U %S" -o "$T/t" fk-fetch -b "$B" -r 0 -n 100000 -s 1 >/dev/null 2>&1
	cut -d ' ' -f 1 "$T/t" >>"$T/fk"
	awk '{ print $2 + $3 }' "$T/t" >>"$T/cpu"
	secs fk-fetch -b "$B" -r 0 -n 100000 -s 1 -j 8 >>"$T/fk8"
	FK_FETCH_JV=1 /usr/bin/time -f "%e %U %S" -o "$T/t" fk-fetch -b "$B" -r 0 -n 100000 -s 1 >/dev/null 2>&1
	awk '{ print $2 + $3 }' "$T/t" >>"$T/jvcpu"
	secs curl_loop >>"$T/loop"
	secs curl_one >>"$T/one"
	secs curl_par >>"$T/par"
	i=$((i + 1))
done
fk=$(median <"$T/fk"); fk8=$(median <"$T/fk8"); cpu=$(median <"$T/cpu"); jvcpu=$(median <"$T/jvcpu"); loop=$(median <"$T/loop"); one=$(median <"$T/one"); par=$(median <"$T/par")
/usr/bin/time -f "%M" -o "$T/r1" fk-fetch -b "$B" -r 0 -n 10000 -s 1 >/dev/null 2>&1
/usr/bin/time -f "%M" -o "$T/r2" fk-fetch -b "$B" -r 0 -n 100000 -s 1 >/dev/null 2>&1
/usr/bin/time -f "%M" -o "$T/r0" fk-fetch --version >/dev/null 2>&1
r1=$(cat "$T/r1"); r2=$(cat "$T/r2"); r0=$(cat "$T/r0")
ir() {	# env...: callgrind's instruction count for 10 000 records
	env "$@" valgrind --tool=callgrind --callgrind-out-file="$T/cg" \
	    "$FK_BIN/fk-fetch" -b "$B" -r 0 -n 10000 -s 1 -j 1 2>&1 >/dev/null |
	    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
if command -v valgrind >/dev/null; then
	irb=$(ir FK_FETCH_JV=0); irj=$(ir FK_FETCH_JV=1)
else
	irb=; irj=
fi

echo "median of $RUNS runs; wall seconds; CPU = user + system; RSS from /usr/bin/time -f %M"
echo "(the Python server generates pages on one core: 8 curls at once are the"
echo " fastest any client can go; load average now: $(cut -d ' ' -f 1-3 /proc/loadavg))"
echo "| benchmark | fk | peer | ratio | target |"
echo "|---|---|---|---|---|"
printf '| fetch: 100000 users, 10 ms latency, wall vs the server ceiling | %s s | 8 curls at once %s s | %.2fx | >= 0.95x |\n' \
    "$fk" "$par" "$(echo "$par / $fk" | bc -l)"
printf '| fetch: (info) the same at -j 8, the curls'"'"' concurrency | %s s | 8 curls at once %s s | %.2fx | - |\n' \
    "$fk8" "$par" "$(echo "$par / $fk8" | bc -l)"
printf '| fetch: CPU per 100000 records | %s s | libjq path (FK_FETCH_JV=1) %s s | %.2fx | <= 0.3 s |\n' \
    "$cpu" "$jvcpu" "$(echo "$jvcpu / $cpu" | bc -l)"
[ -n "$irb" ] && printf '| fetch: (info) instructions per record, callgrind, 10000 records | %s | libjq path %s | %.2fx | - |\n' \
    "$((irb / 10000))" "$((irj / 10000))" "$(echo "$irj / $irb" | bc -l)"
printf '| fetch: (info) same URLs, sequential curl loop | %s s | curl loop %s s | %.2fx | - |\n' \
    "$fk" "$loop" "$(echo "$loop / $fk" | bc -l)"
printf '| fetch: (info) same URLs, one curl process | %s s | curl %s s | %.2fx | - |\n' \
    "$fk" "$one" "$(echo "$one / $fk" | bc -l)"
printf '| fetch: peak RSS, 10000 records | %s MiB | - | - | <= 16 MiB |\n' "$(mib "$r1")"
printf '| fetch: peak RSS, 100000 records | %s MiB | - | - | <= 16 MiB, = 10000 |\n' "$(mib "$r2")"
printf '| fetch: (info) RSS of --version (shared libraries) | %s MiB | - | - | - |\n' "$(mib "$r0")"
