#!/bin/sh
# gcs-put under every fault the test server injects, on the resumable and
# the multipart path.  Each ends with a byte-identical object (bytes and
# crc32c compared) or a clean documented failure and no object: gcs-put
# never exits non-zero leaving a good committed object, and never exits 0
# with a bad one.  Every row below is asserted in this file.
#
# Resumable: request 1 starts the session, 2-5 are full chunks, 6 the
# last (completing) chunk.  Multipart: request 1 is the whole upload.
#
#   fault                      position         exit  object state
#   503/500/408/429            start            0     good
#   503/500/408/429            chunk 3          0     good
#   503/500/408/429            last chunk       0     good
#   503/500/408/429            multipart        0     good
#   503 on chunk and query     chunk 3, 4       0     good
#   503 three times            chunks 3-5       0     good
#   429 Retry-After            chunk 3          0     good (waits >= 1 s)
#   reset mid-body             chunk 2, 4       0     good
#   reset mid-body             last chunk       0     good
#   reset mid-body             multipart        0     good
#   partial (308, less kept)   chunk 3, 3-5     0     good
#   partial                    last chunk       0     good
#   stall > --stall-timeout    chunk 3, last    0     good
#   stall < --stall-timeout    chunk 3, mp      0     good
#   lost answer, retry 412     multipart        0     good (adopted)
#   cut: final answer cut      last chunk       0     good (session asked)
#     after 10 bytes           multipart        0     good (metadata read)
#   drop: no answer after      last chunk       0     good (session asked)
#     the last byte            multipart        0     good (metadata read)
#   drop, --overwrite          multipart        0     good (metadata read)
#   cut + 403 on metadata      last chunk       0     good (session asked)
#   cut + 403 on metadata      multipart        0     good (sent as a session)
#   cut + 403, --overwrite     multipart        0     good (resent as a session)
#   drop + 403 on metadata     last chunk       0     good (session asked)
#   badhash (server refuses)   last, chunk 3    65    none
#   badhash                    multipart        65    none
#   expire (404), no spool     chunk 3          75    none
#   gone (410)                 last chunk       75    none
#   503 forever                chunks 2-        75    none (session cancelled)
#   503 forever                multipart        75    none
#   reset forever              chunks 2-        75    none
#   stall forever              chunks 3-        75    none
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

# The answer that completes the upload is cut short (close-delimited, 10
# bytes of JSON) or never comes after the last byte: the object is
# committed, so gcs-put asks the session, then reads the metadata.
ok_with '["upload:6:cut:10"]' "resumable: last answer cut after 10 bytes" "$T/big"
requests | grep -q "PUT session bytes \*/$((4 * K + 1000)) hash 200" &&
    ok "... the session was asked with 'bytes */N' and the hashes" ||
    notok "session query */N" "$(requests | tail -n 3)"
ok_with '["upload:1:cut:10"]' "multipart: answer cut after 10 bytes" "$T/small"
ok_with '["upload:6:drop"]' "resumable: no answer after the last byte" "$T/big"
ok_with '["upload:1:drop"]' "multipart: no answer after the last byte" "$T/small"
ctl POST reset >/dev/null
ok_with '["upload:1:drop"]' "multipart --overwrite: no answer after the last byte" "$T/small" --overwrite
[ "$(requests | grep -c '^POST multipart')" = 1 ] &&
    ok "... and the bytes were not sent again" || notok "no resend" "$(requests)"

# The same under roles/storage.objectCreator, where metadata reads are
# refused (403): only the session can tell what happened.
start_server gcsc "$PY" "$FK_TESTDIR/gcs_server.py" --role creator
C=http://127.0.0.1:$gcsc_PORT
creator_ok() {	# RULES DESC INPUT [args]
	rules=$1 d=$2 in=$3; shift 3
	n=$((n + 1))
	curl -s -X POST -H 'Content-Type: application/json' --data "$rules" \
	    "$C/_ctl/faults" >/dev/null
	STORAGE_EMULATOR_HOST=127.0.0.1:$gcsc_PORT gcs-put $A "$@" \
	    "gs://$BKT/c$n" <"$in" >"$T/put.json" 2>"$T/put.err"
	rc=$?
	curl -s "$C/_ctl/stats" >"$T/stats.json"
	[ $rc -eq 0 ] && [ "$(jf "$T/put.json" crc32c)" = "$(crc_b64 "$in")" ] &&
	    "$PY" -c 'import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s["faults_fired"] and s["objects"] == int(sys.argv[2]) else 1)' "$T/stats.json" "$n_c" &&
	    ok "$d" || notok "$d" "exit $rc: $(tail -n 3 "$T/put.err")"
}
n_c=1; creator_ok '["upload:6:cut:10"]' "creator role: resumable, last answer cut" "$T/big"
n_c=2; creator_ok '["upload:2:cut:10"]' "creator role: short input, answer cut (sent as a session)" "$T/small"
n_c=3; creator_ok '["upload:1:cut:10"]' "creator role, --overwrite: multipart answer cut, resent as a session" "$T/small" --overwrite
n_c=4; creator_ok '["upload:6:drop"]' "creator role: resumable, no answer after the last byte" "$T/big"
