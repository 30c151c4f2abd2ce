#!/bin/sh
# fk-fetch's progress (issue 13, section 3; the rule is fk(7), PROGRESS):
# on a terminal (stderr on a pty made by tests/pty_run.py) a line with the
# records done, the rate and an ETA that counts the pacing; nothing in a
# file or a pipe; FK_PROGRESS=0 draws nothing; under FK_LOG=json progress
# events every FK_PROGRESS_INTERVAL seconds and no line drawn.
. "$FK_TESTDIR/lib.sh"

start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
B=http://127.0.0.1:$faker_PORT/api/v2
is() {	# DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}
# The lines drawn: split at carriage returns, erase sequences removed.
lines() { tr '\r' '\n' <"$1" | sed 's/\x1b\[K//g' | grep -v '^$'; }

# 4 requests at 30 a minute: one every 2 s, about 6 s in all.
check "pty: 4000 records at --rate 30" \
    "$PY" "$FK_TESTDIR/pty_run.py" "$T/o1" "$T/tty1" fk-fetch -b "$B" -r 30 -s 5 -n 4000
lines "$T/tty1" >"$T/l1"
is "pty: the records reach stdout, not the terminal" "$(wc -l <"$T/o1")" 4000
is "pty: one line per page" "$(wc -l <"$T/l1")" 4
is "pty: the first line counts 1000 of 4000 records" \
    "$(head -1 "$T/l1" | sed 's/, [0-9]*\/s,.*//')" "fk-fetch: 1000/4000 records (25%)"
grep -q '^fk-fetch: [0-9]*/4000 records ([0-9]*%), [0-9]*/s, ETA [0-9hms]*$' "$T/l1" &&
    ok "pty: each line has the rate and an ETA" || notok "pty: rate and ETA" "$(cat "$T/l1")"
# The first page comes at once, but 3 more need 2 tokens more: >= 4 s.
eta=$(head -1 "$T/l1" | sed -n 's/.*ETA \([0-9]*\)s$/\1/p')
[ -n "$eta" ] && [ "$eta" -ge 4 ] && [ "$eta" -le 9 ] &&
    ok "pty: the first ETA counts the pacing ($eta s for 3 requests at 2 s)" ||
    notok "pty: the first ETA counts the pacing" "$(head -1 "$T/l1")"
is "pty: the last line says done" "$(tail -1 "$T/l1" | sed 's/, [0-9]*\/s,/,/')" \
    "fk-fetch: 4000/4000 records (100%), ETA 0s"
is "pty: the line is erased at the end" "$(tail -c 4 "$T/tty1" | od -An -c | tr -d ' ')" '\r033[K'

# Never into a file or a pipe.
check "stderr to a file" fk-fetch -b "$B" -r 30 -s 5 -n 4000
is "stderr to a file: nothing written there" "$(wc -c <"$T/err")" 0
fk-fetch -b "$B" -r 0 -s 5 -n 3000 2>&1 >/dev/null | cat >"$T/pipe"
is "stderr to a pipe: nothing written there" "$(wc -c <"$T/pipe")" 0

check "FK_PROGRESS=0 on a pty" env FK_PROGRESS=0 \
    "$PY" "$FK_TESTDIR/pty_run.py" "$T/o2" "$T/tty2" fk-fetch -b "$B" -r 0 -s 5 -n 3000
is "FK_PROGRESS=0: nothing drawn" "$(wc -c <"$T/tty2")" 0

# FK_LOG=json: events, not a line, even on a terminal.
check "FK_LOG=json on a pty" env FK_LOG=json FK_PROGRESS_INTERVAL=1 \
    "$PY" "$FK_TESTDIR/pty_run.py" "$T/o3" "$T/tty3" fk-fetch -b "$B" -r 30 -s 5 -n 4000
# (the pty turns each \n into \r\n: only the erase shows a drawn line)
is "FK_LOG=json on a pty: no line drawn, only JSON" \
    "$(grep -c "$(printf '\033')" "$T/tty3") $(tr -d '\r' <"$T/tty3" | jq -r .event | sort -u | tr '\n' ' ')" \
    "0 progress "

check "FK_LOG=json to a file, every 1 s" env FK_LOG=json FK_PROGRESS_INTERVAL=1 \
    fk-fetch -b "$B" -r 30 -s 5 -n 4000
jq -c 'select(.event == "progress")' "$T/err" >"$T/ev"
n=$(wc -l <"$T/ev")
[ "$n" -ge 2 ] && [ "$n" -le 4 ] && ok "FK_LOG=json: $n progress events in about 6 s" ||
    notok "FK_LOG=json: progress events" "$(cat "$T/err")"
is "FK_LOG=json: events carry records, total, requests, rate, eta" \
    "$(jq -r '[.severity, .total, (.records | type), (.eta | type), (.rate | type)] | @text' "$T/ev" | sort -u)" \
    '["INFO",4000,"number","number","number"]'
is "FK_LOG=json: nothing else on stderr" "$(jq -r .event "$T/err" | sort -u | tr '\n' ' ')" "progress "
