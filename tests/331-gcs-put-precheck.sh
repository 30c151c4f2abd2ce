#!/bin/sh
# gcs-put create-only against a service that checks ifGenerationMatch only
# when the upload completes (gcs_server.py --late-preconditions): the
# object is looked up before the first byte goes out, and an existing one
# fails at once (exit 1, its generation named).  A writer that may create
# but not read (--role creator) gets 403 on that lookup: "unknown", one
# warning, no retry of the lookup, and the upload's own precondition
# decides.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_put_lib.sh"
gcs_start --late-preconditions
head -c 1000 /dev/urandom >"$T/a"
head -c 3000000 /dev/urandom >"$T/big"
gen_of() { curl -s "$GCS/storage/v1/b/$BKT/o/$(enc "$1")" >"$T/m.json"; jf "$T/m.json" generation; }
nup() { ctl GET stats | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["requests"]["upload"])'; }

put_check "create" p "$T/a"
g1=$(gen_of p)
before=$(nup)
gcs-put --chunk-size 256K "gs://$BKT/p" <"$T/big" >"$T/out" 2>"$T/err"
rc=$?
fetch_obj "$BKT" p "$T/got" >/dev/null
[ $rc -eq 1 ] && grep -q "exists (generation $g1); use --overwrite" "$T/err" &&
    [ ! -s "$T/out" ] && cmp -s "$T/a" "$T/got" &&
    ok "existing object, 3 MB stream: exit 1 naming generation $g1, object untouched" ||
    notok "existing object refused early" "exit $rc: $(cat "$T/err")"
[ "$(nup)" = "$before" ] && ok "... and not one upload request was made (no byte sent)" ||
    notok "no upload request" "$before -> $(nup)"
gcs-put --if-generation-match 7 "gs://$BKT/p" <"$T/big" >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && grep -q "generation of 'gs://$BKT/p' is not 7 (it is $g1)" "$T/err" &&
    [ "$(nup)" = "$before" ] &&
    ok "--if-generation-match with a stale generation: exit 1 before any upload request" ||
    notok "stale generation refused early" "exit $rc: $(cat "$T/err")"
gcs-put --if-generation-match 7 "gs://$BKT/none" <"$T/a" >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && grep -q "is not 7 (no such object)" "$T/err" && [ "$(nup)" = "$before" ] &&
    [ "$(obj_status "$BKT" none)" = 404 ] &&
    ok "--if-generation-match on a missing object: exit 1 at once, nothing created" ||
    notok "missing object refused early" "exit $rc: $(cat "$T/err")"
put_check "--if-generation-match with the live generation replaces" p "$T/big" \
    --chunk-size 256K --if-generation-match "$g1"
ctl GET requests | "$PY" -c 'import json, sys
r = [r for r in json.load(sys.stdin) if r["class"] == "upload" and r["method"] == "POST"]
sys.exit(0 if r and r[-1]["query"].get("ifGenerationMatch") else 1)' &&
    ok "the upload still carries ifGenerationMatch" || notok "upload precondition kept"

# The object appears between the check and the end of the upload: the
# precondition on the upload itself refuses it at completion; theirs stays.
mkfifo "$T/fifo"
gcs-put --chunk-size 256K "gs://$BKT/race" <"$T/fifo" >"$T/out" 2>"$T/err" &
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
fetch_obj "$BKT" race "$T/got" >/dev/null
[ $rc -eq 1 ] && grep -q "exists" "$T/err" && cmp -s "$T/a" "$T/got" &&
    ok "object created during the upload: 412 at completion, exit 1, theirs kept" ||
    notok "object created during the upload" "exit $rc: $(cat "$T/err")"

# A lookup that fails otherwise (503: not retried, the check only saves
# time) is "unknown" as well: one warning naming the status, and a short
# input still goes through a session, whose fate can be asked.
ns() { requests | grep -c '^PUT session'; }
s0=$(ns)
ctl POST faults '["storage:1:503"]' >/dev/null
gcs-put "gs://$BKT/u503" <"$T/a" >"$T/out" 2>"$T/err"
rc=$?
ctl POST faults '[]' >/dev/null
fetch_obj "$BKT" u503 "$T/got" >/dev/null
[ $rc -eq 0 ] && cmp -s "$T/a" "$T/got" &&
    [ "$(grep -c "cannot tell whether the object exists (HTTP 503)" "$T/err")" = 1 ] &&
    [ "$(ns)" -gt "$s0" ] &&
    ok "lookup answered 503: one warning naming it, stored through a session" ||
    notok "lookup answered 503" "exit $rc, sessions $s0 -> $(ns): $(cat "$T/err")"

# roles/storage.objectCreator: the lookup is refused.
start_server gcsc "$PY" "$FK_TESTDIR/gcs_server.py" --role creator
GCS=http://127.0.0.1:$gcsc_PORT
STORAGE_EMULATOR_HOST=127.0.0.1:$gcsc_PORT
curl -s -o /dev/null -X POST --data-binary @"$T/a" \
    "$GCS/upload/storage/v1/b/$BKT/o?uploadType=media&name=c"
nstorage() { ctl GET requests | "$PY" -c 'import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["class"] == "storage"))'; }
gcs-put "gs://$BKT/c" <"$T/a" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && grep -q "exists; use --overwrite" "$T/err" && [ ! -s "$T/out" ] &&
    [ "$(grep -c "cannot tell whether the object exists" "$T/err")" = 1 ] &&
    [ "$(nstorage)" = 1 ] &&
    ok "creator role, existing object: one lookup (403, not retried), one warning, exit 1 from the upload's precondition" ||
    notok "creator role, existing object" "exit $rc, $(nstorage) lookups: $(cat "$T/err")"
gcs-put "gs://$BKT/c2" <"$T/a" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ "$(jf "$T/out" crc32c)" = "$(crc_b64 "$T/a")" ] &&
    [ "$(grep -c "cannot tell" "$T/err")" = 1 ] && [ "$(grep -c . "$T/err")" = 1 ] &&
    grep -q "uploading with the precondition alone" "$T/err" &&
    ! grep -q -- "--check" "$T/err" &&
    requests | grep -q '^PUT session' &&
    ok "creator role, new object: stored (through a session, whose fate can be asked), one warning" ||
    notok "creator role, new object" "exit $rc: $(cat "$T/err")"
gcs-put -q "gs://$BKT/c3" <"$T/a" >/dev/null 2>"$T/err"
[ $? -eq 0 ] && [ ! -s "$T/err" ] && ok "creator role: -q silences the warning" ||
    notok "-q" "$(cat "$T/err")"
