# tests/bench/lib.sh: helpers the fk-shape benchmarks (shape.sh,
# parquet.sh) share; sourced, never run by run.sh.  The caller sets BT, a
# directory for scratch files.  Figures are printed, never asserted.

# bench_time NAME CMD...: "wall_s peak_KiB cpu_s" of CMD (cpu = user +
# system), stdout to /dev/null; "0 0 0" with a message when CMD fails.
bench_time() {
	_n=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$BT/time" "$@" >/dev/null 2>"$BT/err" || {
		echo "$_n failed: $(tail -n 3 "$BT/err")" >&2
		echo "0 0 0 0" >"$BT/time"
	}
	tail -n 1 "$BT/time" | awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }'
}

# bench_ir CMD...: the instructions callgrind counts in CMD and all its
# threads (stdout discarded), or "-" without valgrind, with FK_BENCH_CG=0
# or when CMD fails.  Instruction counts, unlike wall times, hardly move
# with the load of a shared machine.
bench_ir() {
	if [ "${FK_BENCH_CG:-1}" = 0 ] || ! command -v valgrind >/dev/null; then
		echo -
		return
	fi
	valgrind --tool=callgrind --callgrind-out-file="$BT/cg.out" "$@" \
	    >/dev/null 2>"$BT/cg.err" || {
		echo "callgrind of $1 failed: $(tail -n 3 "$BT/cg.err")" >&2
		echo -
		return
	}
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$BT/cg.err"
}

# bench_ir_peer CMD...: bench_ir for a peer tool; FK_BENCH_CG_PEERS=0
# skips it (a re-run after a change to fk alone).
bench_ir_peer() {
	if [ "${FK_BENCH_CG_PEERS:-1}" = 0 ]; then echo -; else bench_ir "$@"; fi
}

# bench_per IR N: IR / N as a whole number ("-" stays "-").
bench_per() {
	case $1 in -|'') echo - ;; *) awk -v i="$1" -v n="$2" 'BEGIN { printf "%d", i / n }' ;; esac
}

# bench_ratio A B: A / B to two places, "-" when either is 0 (a run that
# failed measures nothing).
bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'
}

# bench_met A B TARGET: "met" when A / B >= TARGET (unrounded), else
# "not met"; "-" when either is 0 or missing (a failed run).
bench_met() {
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
		if (a + 0 <= 0 || b + 0 <= 0) print "-"; else print (a / b >= t) ? "met" : "not met" }'
}

# bench_mib KIB: KiB as MiB, one place.
bench_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# bench_rss_met KIB_SMALL KIB_LARGE: "met" when both peaks are at most
# 64 MiB and the larger run's is within 10% of the smaller's (flat).
bench_rss_met() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		print (a > 0 && b > 0 && a <= 65536 && b <= 65536 && b <= a * 1.1) ? "met" : "not met" }'
}

# bench_row CELL...: one row of make bench's table (mode, fk, peer,
# ratio, target, met?, instructions per record of fk and of the peer).
bench_row() {
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$@"
}
