#!/bin/sh
# tests/fuzz/run.sh [SECONDS]: build the libFuzzer target with clang
# (fuzzer, address and undefined sanitizers) and run it for SECONDS
# (default 60) from the committed seed corpus.  Exits non-zero on a crash;
# the crashing input is left in $B/crash-*.
set -eu
secs=${1:-60}
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-$top/build-fuzz}
mkdir -p "$B/corpus"
cp "$top"/tests/fuzz/corpus/* "$B/corpus/"
clang -g -O1 -std=c11 -D_GNU_SOURCE -DFK_VERSION=\"0.1.0\" \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$top/lib" -I"$top/cmd" -o "$B/fuzz_shape" \
    "$top/tests/fuzz/fuzz_shape.c" $(find "$top/cmd/shape" -name "*.c") "$top"/lib/buf.c \
    "$top"/lib/fk.c "$top"/lib/json.c "$top"/lib/b64.c "$top"/lib/scan.c -ljq -lavro -lgcrypt -lsnappy -lzstd -lz -lm
cd "$B"
exec ./fuzz_shape -max_total_time="$secs" -max_len=65536 -timeout=10 \
    -rss_limit_mb=1024 -print_final_stats=1 corpus
