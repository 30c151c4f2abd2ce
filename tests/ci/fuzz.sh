#!/bin/sh
# CI extra: bounded libFuzzer runs (clang, ASan+UBSan): fk-shape's parser,
# coercion and encoders from the committed seed corpus (fuzz_shape), and
# the projection fast path against libjq (fuzz_proj, differential).
. "$FK_TESTDIR/lib.sh"
secs=${FK_FUZZ_SECONDS:-60}
for target in fuzz_shape fuzz_proj; do
	if B="$T/fuzz" sh "$FK_TESTDIR/fuzz/run.sh" "$secs" "$target" \
	    >"$T/fuzz.log" 2>&1; then
		ok "$target: $secs s, no crash or difference ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$T/fuzz.log" | grep -o '[0-9]*$') inputs)"
	else
		notok "$target found a crash or a difference" "$(grep -E 'ERROR|SUMMARY|fast path|libjq|Test unit written' "$T/fuzz.log" | head -8)"
	fi
done
