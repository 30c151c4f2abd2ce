#!/bin/sh
# CI extra: a bounded libFuzzer run (clang, ASan+UBSan) of fk-shape's
# parser, coercion and encoders from the committed seed corpus.
. "$FK_TESTDIR/lib.sh"
secs=${FK_FUZZ_SECONDS:-60}
if B="$T/fuzz" sh "$FK_TESTDIR/fuzz/run.sh" "$secs" >"$T/fuzz.log" 2>&1; then
	ok "fuzz_shape: $secs s, no crash ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$T/fuzz.log" | grep -o '[0-9]*$') inputs)"
else
	notok "fuzz_shape found a crash" "$(grep -E 'ERROR|SUMMARY|Test unit written' "$T/fuzz.log" | head -5)"
fi
