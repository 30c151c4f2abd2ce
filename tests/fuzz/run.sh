#!/bin/sh
# tests/fuzz/run.sh [SECONDS [TARGET]]: build a libFuzzer target with clang
# (fuzzer, address and undefined sanitizers) and run it for SECONDS
# (default 60).  TARGET is fuzz_shape (the default; from the committed
# seed corpus) or fuzz_proj (the projection fast path against libjq; its
# inputs drive a generator, so it starts from nothing).  Exits non-zero on
# a crash or a difference; the input is left in $B/crash-*.
set -eu
secs=${1:-60}
target=${2:-fuzz_shape}
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-$top/build-fuzz}
mkdir -p "$B/corpus-$target"
if [ "$target" = fuzz_shape ]; then
	cp "$top"/tests/fuzz/corpus/* "$B/corpus-$target/"
fi
clang -g -O1 -std=c11 -D_GNU_SOURCE -DFK_VERSION=\"0.1.0\" \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$top/lib" -I"$top/cmd" -o "$B/$target" \
    "$top/tests/fuzz/$target.c" $(find "$top/cmd/shape" -name "*.c") "$top"/lib/buf.c \
    "$top"/lib/fk.c "$top"/lib/file.c "$top"/lib/json.c "$top"/lib/b64.c "$top"/lib/scan.c -ljq -lavro -lgcrypt -lsnappy -lzstd -lz -lm
cd "$B"
exec ./"$target" -max_total_time="$secs" -max_len=65536 -timeout=10 \
    -rss_limit_mb=1024 -print_final_stats=1 "corpus-$target"
