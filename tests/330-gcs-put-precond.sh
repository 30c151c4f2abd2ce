#!/bin/sh
# gcs-put: create-only by default (ifGenerationMatch=0), --overwrite,
# --if-generation-match N; a re-run never clobbers.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_put_lib.sh"
gcs_start
head -c 1000 /dev/urandom >"$T/a"
head -c 1000 /dev/urandom >"$T/b"
head -c 700000 /dev/urandom >"$T/big"
gen_of() { curl -s "$GCS/storage/v1/b/$BKT/o/$(enc "$1")" >"$T/m.json"; jf "$T/m.json" generation; }

for mode in multipart resumable; do
	if [ $mode = multipart ]; then first=$T/a; else first=$T/big; fi
	put_check "$mode: create" p.$mode "$first" --chunk-size 256K
	g1=$(gen_of p.$mode)
	gcs-put --chunk-size 256K gs://$BKT/p.$mode <"$T/b" >"$T/out" 2>"$T/err"
	rc=$?
	fetch_obj $BKT p.$mode "$T/got" >/dev/null
	[ $rc -eq 1 ] && grep -q "exists (generation $g1); use --overwrite" "$T/err" && [ ! -s "$T/out" ] &&
	    cmp -s "$first" "$T/got" && [ "$(gen_of p.$mode)" = "$g1" ] &&
	    ok "$mode: existing object: exit 1, 'use --overwrite', untouched" ||
	    notok "$mode: existing object refused" "exit $rc: $(cat "$T/err")"
	gcs-put --chunk-size 256K gs://$BKT/p.$mode <"$T/big" >/dev/null 2>&1
	[ $? -eq 1 ] && [ "$(gen_of p.$mode)" = "$g1" ] &&
	    ok "$mode: a resumable re-run does not clobber either" || notok "$mode: resumable re-run"
	put_check "$mode: --overwrite replaces" p.$mode "$T/b" --overwrite
	g2=$(gen_of p.$mode)
	[ "$g2" != "$g1" ] && ok "$mode: --overwrite made a new generation" || notok "$mode: new generation"
	gcs-put --if-generation-match "$g1" gs://$BKT/p.$mode <"$T/a" >/dev/null 2>"$T/err"
	rc=$?
	fetch_obj $BKT p.$mode "$T/got" >/dev/null
	[ $rc -eq 1 ] && grep -q "generation of 'gs://$BKT/p.$mode' is not $g1" "$T/err" &&
	    cmp -s "$T/b" "$T/got" &&
	    ok "$mode: --if-generation-match with a stale generation: exit 1, untouched" ||
	    notok "$mode: stale generation" "exit $rc: $(cat "$T/err")"
	put_check "$mode: --if-generation-match with the live generation replaces" \
	    p.$mode "$first" --if-generation-match "$g2" --chunk-size 256K
	gcs-put --if-generation-match 0 gs://$BKT/p.$mode <"$T/a" >/dev/null 2>"$T/err"
	[ $? -eq 1 ] && grep -q "exists" "$T/err" &&
	    ok "$mode: --if-generation-match 0 is create-only" || notok "$mode: --if-generation-match 0"
done
put_fails 1 "--if-generation-match N on a missing object: 1, nothing created" \
    absent "$T/a" --if-generation-match 5
put_check "--overwrite on a missing object creates it" fresh "$T/a" --overwrite

# Someone else creates the object while our resumable upload runs: the
# precondition is checked again at finalization, and theirs stays.
mkfifo "$T/fifo"
gcs-put --chunk-size 256K gs://$BKT/race <"$T/fifo" >"$T/out" 2>"$T/err" &
pid=$!
exec 3>"$T/fifo"
head -c 600000 "$T/big" >&3
i=0
while [ $i -lt 100 ] && [ "$(ctl GET stats | jf /dev/stdin sessions_open)" != 1 ]; do
	sleep 0.1; i=$((i + 1))
done
curl -s -o /dev/null -X POST --data-binary @"$T/a" \
    "$GCS/upload/storage/v1/b/$BKT/o?uploadType=media&name=race"
exec 3>&-
wait $pid
rc=$?
fetch_obj $BKT race "$T/got" >/dev/null
[ $rc -eq 1 ] && grep -q "exists" "$T/err" && cmp -s "$T/a" "$T/got" &&
    ok "object created during the upload: 412 at finalization, theirs kept" ||
    notok "object created during the upload" "exit $rc: $(cat "$T/err")"
