#!/bin/sh
# Cloud Logging lines: the Makefile job run with FK_LOG=json writes only
# JSON lines on stderr and in its part logs, and every one carries
# severity, message, time (RFC 3339 with a zone) and the program under
# logging.googleapis.com/labels, beside our own event fields.
. "$FK_TESTDIR/lib.sh"
top=$(cd "$FK_TESTDIR/.." && pwd)
start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
start_server gcs "$PY" "$FK_TESTDIR/gcs_server.py"
export FK_BASE_URL=http://127.0.0.1:$faker_PORT/api/v2
export STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT
cd "$T" && ln -s "$top/examples" examples
W=work/users/dt=2026-02-03

FK_LOG=json make -s -f examples/job.mk BUCKET=fk-logs COUNT=1500 SHARDS=2 \
    DATE=2026-02-03 FETCH_FLAGS=--rate=0 LOG_FLAGS=-v PII=keep \
    >"$T/job.out" 2>"$T/job.err"
rc=$?
[ $rc -eq 0 ] && ok "the job runs with FK_LOG=json" ||
    notok "the job runs with FK_LOG=json" "exit $rc: $(tail -n 5 "$T/job.err")"
cat "$T/job.err" "$W"/part-*.log >"$T/all.log"

"$PY" - "$T/all.log" >"$T/check.out" 2>&1 <<'PYEOF'
import datetime, json, re, sys
SEV = {"DEBUG", "INFO", "NOTICE", "WARNING", "ERROR"}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
lines = open(sys.argv[1]).read().splitlines()
bad, progs, sevs, events = [], set(), set(), set()
for n, line in enumerate(lines, 1):
    try:
        e = json.loads(line)
    except ValueError as x:
        bad.append(f"line {n} is not JSON ({x}): {line[:120]}")
        continue
    lab = e.get("logging.googleapis.com/labels")
    t = e.get("time", "")
    why = []
    if e.get("severity") not in SEV: why.append("severity")
    if not isinstance(e.get("message"), str) or not e["message"]: why.append("message")
    if not isinstance(t, str) or not RFC3339.match(t): why.append("time")
    else:
        when = datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
        if when.tzinfo is None or abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 600:
            why.append("time is not now")
    if not isinstance(lab, dict) or not all(isinstance(v, str) for v in lab.values()) \
            or lab.get("program") not in ("fk-fetch", "fk-shape", "gcs-put"):
        why.append("labels")
    if why:
        bad.append(f"line {n}: bad {', '.join(why)}: {line[:160]}")
        continue
    progs.add(lab["program"]); sevs.add(e["severity"]); events.add(e.get("event"))
    if e.get("event") == "request" and lab["program"] == "fk-fetch" and \
            not (e.get("status") == 200 and e.get("url", "").startswith("http")):
        bad.append(f"line {n}: request event without its fields: {line[:160]}")
    if e.get("event") == "summary" and lab["program"] == "fk-shape" and \
            e["read"] != e["written"] + e["rejected"]:
        bad.append(f"line {n}: summary fields do not add up")
print(f"{len(lines)} lines; programs {sorted(progs)}; severities {sorted(sevs)}; events {sorted(e for e in events if e)}")
for b in bad: print(b)
need = {"fk-fetch", "fk-shape", "gcs-put"} - progs
if need: print("no line from", sorted(need))
if not {"request", "summary", "bq_load"} <= events: print("missing events")
if "NOTICE" not in sevs or "DEBUG" not in sevs: print("missing severities")
sys.exit(1 if bad or need or len(lines) < 10 or not {"request", "summary", "bq_load"} <= events
         or "NOTICE" not in sevs else 0)
PYEOF
[ $? -eq 0 ] && ok "every log line of the job is a Cloud Logging entry ($(head -n 1 "$T/check.out"))" ||
    notok "every log line of the job is a Cloud Logging entry" "$(cat "$T/check.out")"

# One line, exactly: the key order and shape fk(7) documents.
printf '{"a":1}\n{"a":2}\n' | FK_LOG=json fk-shape . 2>&1 >/dev/null | grep '"event":"summary"' >"$T/line"
grep -qE '^\{"severity":"NOTICE","message":"read 2 records; 2 rows: 2 written, 0 rejected","time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z","logging.googleapis.com/labels":\{"program":"fk-shape"\},"event":"summary","read":2,"rows":2,"written":2,"rejected":0\}$' "$T/line" &&
    ok "the summary line has the shape fk(7) shows" || notok "the summary line has the documented shape" "$(cat "$T/line")"

# Without FK_LOG=json the same runs write plain text, no JSON.
fk-fetch -n 10 --seed 3 --rate 0 2>"$T/text" >/dev/null
! grep -q '^{' "$T/text" && ok "plain text without FK_LOG=json" || notok "plain text without FK_LOG=json" "$(cat "$T/text")"
