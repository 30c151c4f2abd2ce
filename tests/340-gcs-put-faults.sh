#!/bin/sh
# gcs-put under every fault the test server injects, on the resumable and
# the multipart path.  Each ends with a byte-identical object (bytes and
# crc32c compared) or a clean documented failure and no object.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_put_lib.sh"
gcs_start
K=262144
# Resumable: 4 full chunks and a short last one.  Upload request numbers:
# 1 initiation, 2-5 the full chunks, 6 the last chunk (more on retries).
head -c $((4 * K + 1000)) /dev/urandom >"$T/big"
head -c 5000 /dev/urandom >"$T/small"
A="--chunk-size 256K --retry-delay 0.01 --stall-timeout 1"
n=0
fired() {	# KIND: the server says it injected that fault
	ctl GET stats | "$PY" -c 'import json, sys
sys.exit(0 if json.load(sys.stdin)["faults_fired"].get(sys.argv[1]) else 1)' "$1"
}
ok_with() {	# RULES DESC INPUT [args]: stored intact despite the faults
	rules=$1 d=$2 in=$3; shift 3
	n=$((n + 1))
	faults "$rules"
	put_check "$d" "f$n" "$in" $A "$@"
	_k=$(echo "$rules" | sed 's/^\["[a-z]*:[0-9-]*:\([a-z0-9]*\).*/\1/')
	fired "$_k" || notok "$d: the fault ($_k) did not fire"
}
fails_with() {	# CODE RULES DESC INPUT [args]: clean failure, no object
	code=$1 rules=$2 d=$3 in=$4; shift 4
	n=$((n + 1))
	faults "$rules"
	put_fails "$code" "$d" "f$n" "$in" $A "$@"
}

for kind in 503 500 408 429; do
	ok_with "[\"upload:1:$kind\"]" "resumable: $kind on the initiation" "$T/big"
	ok_with "[\"upload:3:$kind\"]" "resumable: $kind on a chunk" "$T/big"
	ok_with "[\"upload:6:$kind\"]" "resumable: $kind on the last chunk" "$T/big"
	ok_with "[\"upload:1:$kind\"]" "multipart: $kind" "$T/small"
done
ok_with '["upload:3:503", "upload:4:503"]' "resumable: the status query fails too" "$T/big"
ok_with '["upload:3-5:503"]' "resumable: three failures in a row" "$T/big"

# Retry-After is honoured: 1 s asked, the backoff itself is 10 ms.
faults '["upload:3:429"]'
t0=$(date +%s.%N)
put_check "429 with the server's default Retry-After: 1 stored intact" ra "$T/big" $A
t1=$(date +%s.%N)
"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[2]) - float(sys.argv[1]) >= 1 else 1)' "$t0" "$t1" &&
    ok "429 with Retry-After: 1 waited at least 1 s (backoff alone: 10 ms)" ||
    notok "Retry-After honoured" "$t0 $t1"

ok_with '["upload:2:reset"]' "resumable: reset in the first chunk's body" "$T/big"
ok_with '["upload:4:reset:1000"]' "resumable: reset after 1000 bytes of a chunk" "$T/big"
ok_with '["upload:6:reset:10"]' "resumable: reset in the last chunk" "$T/big"
ok_with '["upload:1:reset"]' "multipart: reset" "$T/small"
ok_with '["upload:3:partial"]' "resumable: partial chunk (308, shorter Range)" "$T/big"
ok_with '["upload:3:partial:0"]' "resumable: a chunk of which nothing is kept" "$T/big"
ok_with '["upload:3-5:partial:1"]' "resumable: three partial chunks in a row" "$T/big"
ok_with '["upload:6:partial:100"]' "resumable: partial last chunk" "$T/big"
ok_with '["upload:3:stall:2"]' "resumable: stall longer than --stall-timeout" "$T/big"
ok_with '["upload:6:stall:2"]' "resumable: stalled last chunk (finalised late)" "$T/big"
ok_with '["upload:3:stall:0.5"]' "resumable: short stall, waited out" "$T/big"
ok_with '["upload:1:stall:0.5"]' "multipart: short stall, waited out" "$T/small"
# The first multipart attempt stalls past the timeout but then succeeds;
# the retry (held back by a 429) meets 412 and finds our own object.
faults '["upload:1:stall:1.5", "upload:2:429:1"]'
put_check "multipart: lost answer, retry sees 412, adopts the identical object" \
    adopt "$T/small" $A
grep -q "hashes match" "$T/put.err" && ok "adoption is reported" ||
    notok "adoption is reported" "$(cat "$T/put.err")"

fails_with 65 '["upload:6:badhash"]' "resumable: corrupted last chunk: 65, no object" "$T/big"
grep -q "does not match the hashes" "$T/put.err" && ok "badhash: says the hashes differ" ||
    notok "badhash: says the hashes differ" "$(cat "$T/put.err")"
fails_with 65 '["upload:3:badhash"]' "resumable: corrupted middle chunk: 65, no object" "$T/big"
fails_with 65 '["upload:1:badhash"]' "multipart: corrupted: 65, no object" "$T/small"
fails_with 75 '["upload:3:expire"]' "resumable: session expired (404), no spool: 75, no object" "$T/big"
grep -q "use --spool" "$T/put.err" && ok "expired session: suggests --spool" ||
    notok "expired session: suggests --spool" "$(cat "$T/put.err")"
fails_with 75 '["upload:6:gone"]' "resumable: session gone (410) at the end: 75, no object" "$T/big"
fails_with 75 '["upload:2-:503"]' "resumable: 503 forever: 75 after the retry budget" "$T/big" --retries 3
grep -q "giving up after 4 attempts" "$T/put.err" && ok "retry budget: 3 retries, 4 attempts" ||
    notok "retry budget: 3 retries, 4 attempts" "$(cat "$T/put.err")"
requests | tail -n 1 | grep -q '^DELETE session' &&
    ok "retries exhausted: the session is cancelled" || notok "session cancelled" "$(requests | tail -n 3)"
fails_with 75 '["upload:1-:503"]' "multipart: 503 forever: 75" "$T/small" --retries 2
fails_with 75 '["upload:2-:reset"]' "resumable: resets forever: 75" "$T/big" --retries 2
fails_with 75 '["upload:3-:stall:2"]' "resumable: stalls forever: 75" "$T/big" --retries 0 -q
"$PY" -c 'import sys; sys.exit(0 if len(open(sys.argv[1]).read().splitlines()) == 1 else 1)' "$T/put.err" &&
    grep -q "no data moved for 1 s; giving up after 1 attempt" "$T/put.err" &&
    ok "with -q a failure is one line on stderr" || notok "a failure is one line" "$(cat "$T/put.err")"
