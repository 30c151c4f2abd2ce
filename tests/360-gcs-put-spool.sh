#!/bin/sh
# gcs-put --spool DIR: a session the server lost (404 expire, 410 gone) is
# started again and replayed from the local spool; without --spool the
# same loss is exit 75 and no object.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_put_lib.sh"
gcs_start
K=262144
head -c $((4 * K + 1000)) /dev/urandom >"$T/big"
mkdir "$T/spool"
A="--chunk-size 256K --retry-delay 0.01 --spool $T/spool"
sessions() { requests | grep -c '^POST resumable'; }

faults '["upload:4:expire"]'
put_fails 75 "no --spool: expired session is 75, no object" nospool "$T/big" --chunk-size 256K
for rule in upload:2:expire upload:4:expire upload:6:expire upload:4:gone upload:6:gone; do
	ctl POST reset >/dev/null
	faults "[\"$rule\"]"
	put_check "--spool: $rule, restarted and stored intact" "s.${rule#upload:}" "$T/big" $A
	[ "$(sessions)" -eq 2 ] && ok "--spool: $rule: a second session" ||
	    notok "--spool: $rule: a second session" "$(requests)"
done
grep -q "starting again from the spool" "$T/put.err" && ok "the restart is reported" ||
    notok "the restart is reported" "$(cat "$T/put.err")"
ctl POST reset >/dev/null
faults '["upload:3:expire", "upload:9:gone"]'
put_check "--spool: lost twice, restarted twice" twice "$T/big" $A
[ "$(sessions)" -eq 3 ] && ok "lost twice: three sessions" || notok "three sessions" "$(requests)"

# A restart that realigns (partial chunk) and gzip: spooled bytes are the
# stored (compressed) ones.
ctl POST reset >/dev/null
faults '["upload:3:partial", "upload:5:expire"]'
put_check "--spool after a partial chunk" partial "$T/big" $A
ctl POST reset >/dev/null
faults '["upload:4:expire"]'
gcs-put --gzip $A gs://$BKT/z.gz <"$T/big" >"$T/o.json" 2>"$T/err"
fetch_obj $BKT z.gz "$T/z" >/dev/null
gzip -dc <"$T/z" | cmp -s - "$T/big" && [ "$(sessions)" -eq 2 ] &&
    ok "--spool with --gzip: restarted, decompresses to the input" ||
    notok "--spool with --gzip" "$(cat "$T/err")"

# Every session lost: at most 3 restarts, then 75 and no object.
ctl POST reset >/dev/null
faults '["upload:2-:expire"]'
put_fails 75 "--spool: sessions lost again and again: 75 after 3 restarts" lost "$T/big" $A
[ "$(sessions)" -eq 4 ] && grep -q "lost 4 times" "$T/put.err" &&
    ok "restart budget: 4 sessions, then a clear error" ||
    notok "restart budget" "$(sessions) sessions: $(cat "$T/put.err")"
[ -z "$(ls -A "$T/spool")" ] && ok "the spool directory is left empty" ||
    notok "the spool directory is left empty" "$(ls -A "$T/spool")"
put_fails 74 "--spool to a missing directory: 74 before any request" x "$T/big" \
    --spool "$T/nonexistent"
