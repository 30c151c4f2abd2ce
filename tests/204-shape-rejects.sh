#!/bin/sh
# fk-shape: bad records, the reject file, --max-bad and exit codes; the
# counts read, written and rejected always add up.
. "$FK_TESTDIR/lib.sh"

# Check the summary line: read R; rows N: W written, X rejected; N = W + X.
counts() {	# file want_read want_written want_rejected
	line=$(grep 'read .* records' "$1")
	set -- "$line" "$2" "$3" "$4"
	r=$(echo "$1" | sed 's/.*read \([0-9]*\) records; \([0-9]*\) rows: \([0-9]*\) written, \([0-9]*\) rejected.*/\1 \2 \3 \4/')
	set -- $r "$2" "$3" "$4"
	[ "$1" = "$5" ] && [ "$3" = "$6" ] && [ "$4" = "$7" ] && [ "$2" -eq $(($3 + $4)) ]
}

cat >"$T/in.json" <<'G'
{"id":1,"zip":"75001"}
{"id":2,"zip":"x"}
{"id":"3","zip":null}
{"id":4,
{"id":5,"zip":"1"}
not json
{"id":7,"zip":12,"extra":true}
[1]
{"id":9}
G
echo '[{"name":"id","type":"INTEGER","mode":"REQUIRED"},{"name":"zip","type":"INTEGER"}]' >"$T/s.json"

# No reject file: the first malformed value stops the run with 65.
fk-shape --schema "$T/s.json" --max-bad 10 . "$T/in.json" >"$T/out" 2>"$T/err"
[ $? -eq 65 ] && ok "malformed JSON without --reject: exit 65" ||
	notok "malformed JSON without --reject: exit 65" "$(cat "$T/err")"
grep -q "record 4: malformed JSON at byte 73 (line 5): expected a string key" "$T/err" &&
	ok "record number, byte offset and line" || notok "record number, byte offset and line" "$(cat "$T/err")"
grep -q "record 2: field 'zip': expected INTEGER" "$T/err" &&
	ok "earlier bad row described on stderr" || notok "earlier bad row described on stderr" "$(cat "$T/err")"
printf '{"id":1,"zip":75001}\n{"id":3,"zip":null}\n' >"$T/want"
same "rows before the stop are written" "$T/want" "$T/out"
counts "$T/err" 4 2 2 && ok "counts add up at the stop" || notok "counts add up at the stop" "$(cat "$T/err")"

# With --reject: every bad record there, reading goes on.
fk-shape --schema "$T/s.json" --reject "$T/rej" --max-bad 5 . "$T/in.json" >"$T/out" 2>"$T/err"
[ $? -eq 0 ] && ok "5 bad records within --max-bad 5: exit 0" ||
	notok "5 bad records within --max-bad 5: exit 0" "$(cat "$T/err")"
printf '{"id":1,"zip":75001}\n{"id":3,"zip":null}\n{"id":5,"zip":1}\n{"id":9,"zip":null}\n' >"$T/want"
same "good rows written in order" "$T/want" "$T/out"
counts "$T/err" 9 4 5 && ok "9 read = 4 written + 5 rejected" || notok "9 read = 4 written + 5 rejected" "$(cat "$T/err")"
$PY - "$T/rej" <<'G' && ok "reject records: record, path, reason, value" || notok "reject records" "$(cat "$T/rej")"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert [x["record"] for x in r] == [2, 4, 6, 7, 8], r
assert r[0]["path"] == "zip" and "expected INTEGER" in r[0]["reason"]
assert r[0]["value"] == {"id": 2, "zip": "x"}
assert r[1]["offset"] == 73 and r[1]["line"] == 5 and r[1]["text"] == '{"id":4,'
assert "malformed JSON" in r[1]["reason"]
assert r[2]["text"] == "not json" and r[2]["line"] == 6
assert r[3]["path"] == "extra" and r[3]["reason"] == "field not in the schema"
assert r[4]["reason"] == "filter output is array, not an object", r[4]
G

# One more bad than allowed: exit 1, stop exactly there.
fk-shape --schema "$T/s.json" --reject "$T/rej" --max-bad 2 . "$T/in.json" >"$T/out" 2>"$T/err"
[ $? -eq 1 ] && ok "over --max-bad: exit 1" || notok "over --max-bad: exit 1"
grep -q 'too many bad records: stopped at bad record 3 (--max-bad 2); see' "$T/err" &&
	ok "says where it stopped" || notok "says where it stopped" "$(cat "$T/err")"
[ "$(wc -l <"$T/rej")" -eq 3 ] && ok "reject file ends at the stopping record" ||
	notok "reject file ends at the stopping record" "$(cat "$T/rej")"
printf '{"id":1,"zip":75001}\n{"id":3,"zip":null}\n{"id":5,"zip":1}\n' >"$T/want"
same "rows up to the stopping record" "$T/want" "$T/out"
counts "$T/err" 6 3 3 && ok "counts add up when stopped" || notok "counts add up when stopped" "$(cat "$T/err")"

# Filter errors are bad records with jq's message.
printf '{"a":1}\n{"a":"x"}\n{"a":3}\n' >"$T/f.json"
fk-shape --reject "$T/rej" --max-bad 1 '{b: (.a + 1)}' "$T/f.json" >"$T/out" 2>"$T/err"
grep -q '"record":2,"path":"","reason":"filter error: string (\\"x\\") and number (1) cannot be added"' "$T/rej" &&
	ok "filter error rejected with jq's message" || notok "filter error rejected" "$(cat "$T/rej")"
printf '{"b":2}\n{"b":4}\n' >"$T/want"
same "other records go on" "$T/want" "$T/out"
printf '{"a":1}\n' | fk-shape 'error("boom")' >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q 'record 1: filter error: boom' "$T/err" &&
	ok "error() without --reject: exit 1" || notok "error() without --reject: exit 1" "$(cat "$T/err")"

# Many bad records without --reject: a capped list on stderr.
$PY -c 'print("\n".join("{\"id\":\"x%d\"}" % i for i in range(50)))' >"$T/many.json"
fk-shape --schema "$T/s.json" --max-bad 100 . "$T/many.json" >/dev/null 2>"$T/err"
[ "$(grep -c 'record [0-9]*: field' "$T/err")" -eq 20 ] && grep -q 'more bad records not shown' "$T/err" &&
	ok "stderr shows 20 bad records, then says more" || notok "stderr cap" "$(tail -3 "$T/err")"
counts "$T/err" 50 0 50 && ok "50 = 0 + 50" || notok "50 = 0 + 50"

# Resynchronisation: a broken line costs one record.
printf '{"a":1}\n{"a":\n{"a":3}\n{"a":4}\n' >"$T/r.json"
fk-shape --reject "$T/rej" --max-bad 1 . "$T/r.json" >"$T/out" 2>/dev/null
printf '{"a":1}\n{"a":3}\n{"a":4}\n' >"$T/want"
same "reading resumes on the next line" "$T/want" "$T/out"
printf '{"a":1}\n{"a":2' | fk-shape --reject "$T/rej" --max-bad 1 . >"$T/out" 2>/dev/null
grep -q 'unexpected end of input' "$T/rej" && ok "truncated last value" || notok "truncated last value" "$(cat "$T/rej")"
