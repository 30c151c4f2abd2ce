#!/bin/sh
# fk-fetch against the FakerAPI test server: defaults, counts above 1000
# (distinct records, unique ids), reproducibility, prefix rule, --raw, v1,
# parameters, -v, -u, and a reader that goes away.
. "$FK_TESTDIR/lib.sh"

start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
S=http://127.0.0.1:$faker_PORT
B=$S/api/v2
faults() { curl -s -X POST -d "$1" "$S/_ctl/faults" >/dev/null; }
requests() { curl -s "$S/_ctl/requests"; }
ff() { fk-fetch --base-url "$B" --rate 0 "$@"; }
is() {	# DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}

# ---- defaults --------------------------------------------------------------
faults '[]'
check "defaults: exit 0" ff
is "defaults: 100 records" "$(wc -l <"$T/out")" 100
is "defaults: users (every record has a uuid)" \
    "$(jq -r 'select(.uuid | test("^[0-9a-f-]{36}$")) | .id' "$T/out" | wc -l)" 100
is "defaults: ids 1..100 in order" "$(jq -r .id "$T/out" | tr '\n' ' ')" \
    "$(seq 1 100 | tr '\n' ' ')"
is "defaults: one request of _quantity=100 to /api/v2/users" \
    "$(requests | jq -r '.[] | .path + " " + (.query | sub("&_seed=[0-9]+"; ""))')" \
    "/api/v2/users _quantity=100"
seed=$(sed -n 's/^fk-fetch: seed \([0-9]*\) (repeat with --seed \1)$/\1/p' "$T/err")
is "defaults: the random seed is reported on stderr" "$(wc -l <"$T/err")" 1
is "defaults: the reported seed is the one sent" \
    "$(requests | jq -r '.[0].query')" "_quantity=100&_seed=$seed"
cp "$T/out" "$T/first"
check "the reported seed repeats the run" ff --seed "$seed"
same "the reported seed repeats the run byte for byte" "$T/first" "$T/out"
is "--seed: no seed line on stderr" "$(cat "$T/err")" ""
check "-q: quiet" ff -q
is "-q: nothing on stderr" "$(cat "$T/err")" ""

# ---- more than 1000 records ---------------------------------------------------
faults '[]'
check "2500 records" ff -n 2500 -s 42
cp "$T/out" "$T/a2500"
is "2500 records: 2500 lines" "$(wc -l <"$T/a2500")" 2500
is "2500 records: 2500 distinct uuids" \
    "$(jq -r .uuid "$T/a2500" | sort -u | wc -l)" 2500
is "2500 records: ids 1..2500, in order" "$(jq -r .id "$T/a2500" | tr '\n' ' ')" \
    "$(seq 1 2500 | tr '\n' ' ')"
is "2500 records: requests of 1000, 1000, 500 with distinct seeds" \
    "$(requests | jq -r '[.[] | .query | capture("_quantity=(?<q>[0-9]+)&_seed=(?<s>[0-9]+)")] |
	(map(.q) | sort | join(",")) + " " + (map(.s) | unique | length | tostring)')" \
    "1000,1000,500 3"
is "2500 records: request 0 uses the base seed itself" \
    "$(requests | jq -r '[.[] | .query] | map(select(test("_seed=42$"))) | length')" 1
is "every line is one compact JSON object" \
    "$(jq -c . "$T/a2500" | cmp - "$T/a2500" >/dev/null && echo same)" same
check "same seed again" ff -n 2500 -s 42
same "same seed: byte-identical output" "$T/a2500" "$T/out"
check "same seed, -j 1" ff -n 2500 -s 42 -j 1
same "same seed, one request at a time: identical (order is request order)" \
    "$T/a2500" "$T/out"
check "same seed, -j 16" ff -n 2500 -s 42 -j 16
same "same seed, 16 in flight: identical" "$T/a2500" "$T/out"
check "another seed" ff -n 2500 -s 43
is "another seed: no uuid in common" \
    "$(cat "$T/a2500" "$T/out" | jq -r .uuid | sort | uniq -d | wc -l)" 0
check "1500 records, same seed" ff -n 1500 -s 42
head -n 1500 "$T/a2500" >"$T/h1500"
same "-n 1500 is a prefix of -n 2500 (same seed)" "$T/h1500" "$T/out"

# ---- --raw ---------------------------------------------------------------------
check "--raw" ff -n 2500 -s 42 --raw
is "--raw: one envelope per request" "$(wc -l <"$T/out")" 3
is "--raw: v2 envelopes, totals 1000 1000 500" \
    "$(jq -r '[.status, .code, .locale, .seed, .total, (.data | length)] | join(",")' "$T/out" | tr '\n' ' ')" \
    "OK,200,en_US,42,1000,1000 OK,200,en_US,2734070716,1000,1000 OK,200,en_US,1173174099,500,500 "
jq -c '.data[] | del(.id)' "$T/out" >"$T/rawrec"
jq -c 'del(.id)' "$T/a2500" >"$T/rec"
same "--raw: the same records, ids as sent" "$T/rawrec" "$T/rec"
is "--raw: ids restart at 1 in each envelope" \
    "$(jq -r '.data[0].id' "$T/out" | tr '\n' ' ')" "1 1 1 "

# ---- v1 ------------------------------------------------------------------------
check "v1 base URL" fk-fetch -b "$S/api/v1" -r 0 -n 1200 -s 5 --raw
is "v1: envelopes without locale or seed" \
    "$(jq -c 'keys_unsorted' "$T/out" | sort -u)" '["status","code","total","data"]'
check "v1 records" fk-fetch -b "$S/api/v1/" -r 0 -n 1200 -s 5
is "v1: 1200 records, ids 1..1200" "$(jq -r .id "$T/out" | sort -n | uniq | wc -l) $(tail -n 1 "$T/out" | jq .id)" "1200 1200"

# ---- parameters ------------------------------------------------------------------
faults '[]'
check "persons with -p" ff -s 3 -n 5 -p _locale=it_IT -p _gender=female persons
is "-p: parameters reach the server URL-encoded" "$(requests | jq -r '.[0].query')" \
    "_quantity=5&_seed=3&_locale=it_IT&_gender=female"
is "-p: every person is female" "$(jq -r .gender "$T/out" | sort -u)" female
faults '[]'
check "operand with a query" ff -s 3 'users?_locale=de_DE&_quantity=1500&note=a+b%26c'
is "operand: its _quantity is the count" "$(wc -l <"$T/out")" 1500
is "operand: other parameters pass through, re-encoded" \
    "$(requests | jq -r '.[].query' | sort | sed 's/_seed=[0-9]*/S/')" \
    "$(printf '%s\n' '_quantity=1000&S&_locale=de_DE&note=a%20b%26c' \
	'_quantity=500&S&_locale=de_DE&note=a%20b%26c')"
faults '[]'
check "custom" ff -n 1200 custom -p name=firstName -p n=counter
is "custom: records with the fields asked" "$(jq -c 'keys' "$T/out" | sort -u)" '["n","name"]'
is "custom: no _seed sent (the API refuses it there)" \
    "$(requests | jq -r '.[].query' | grep -c _seed)" 0
is "custom: a warning that it is not reproducible" \
    "$(grep -c 'not reproducible' "$T/err")" 1

# ---- only the service's own counters change (issue 9, items 5 and 6) ----------
faults '[]'
check "custom -p id=uuid" ff -n 1500 -p id=uuid custom
is "custom -p id=uuid: every id is the uuid the server sent" \
    "$(jq -r '.id | test("^[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")' "$T/out" | sort | uniq -c | tr -s ' ')" \
    " 1500 true"
is "custom -p id=uuid: 1500 distinct ids" "$(jq -r .id "$T/out" | sort -u | wc -l)" 1500
check "custom -p id=number" ff -n 1200 -p id=number -p w=word custom
is "custom -p id=number: ids as sent (not 1..1200)" \
    "$(jq -r .id "$T/out" | awk '$1 != NR' | wc -l | awk '$1 > 1000 {print "as sent"}')" "as sent"
check "custom counters over 1500 records" ff -n 1500 -p c=counter -p n=number custom
is "custom counter: run-wide, 1..1500 in order" "$(jq -r .c "$T/out" | tr '\n' ' ')" \
    "$(seq 1 1500 | tr '\n' ' ')"
check "custom id=counter over 2500 records" ff -n 2500 'custom?id=counter&c=counter'
is "custom id=counter: ids 1..2500 like the other resources" \
    "$(jq -r '"\(.id) \(.c)"' "$T/out" | awk '$1 != NR || $2 != NR' | wc -l)" 0

# ---- -v and FK_LOG=json -------------------------------------------------------
check "-v" ff -v -n 2500 -s 42
is "-v: one line per request: URL, status, seed, attempt, latency" \
    "$(grep -cE '^fk-fetch: GET http://127\.0\.0\.1:[0-9]+/api/v2/users\?_quantity=(1000|500)&_seed=([0-9]+) 200 seed [0-9]+ attempt 1 [0-9.]+s$' "$T/err")" 3
FK_LOG=json ff -v -n 2500 -s 42 >/dev/null 2>"$T/jlog"
is "FK_LOG=json -v: request events with url, status, seed, attempt, latency" \
    "$(jq -r 'select(.event == "request") | [.url != null, .status, .seed > 0, .attempt, .latency >= 0] | join(",")' "$T/jlog" | sort -u)" \
    "true,200,true,1,true"

# ---- streaming: -u, and a reader that goes away -----------------------------------
faults '["2:stall:4"]'
ff -u -j 1 -n 2000 -s 1 >"$T/u" 2>/dev/null &
pid=$!
sleep 1.5
is "-u: the first page is out, whole, while the second stalls" \
    "$(wc -l <"$T/u") $(tail -c 1 "$T/u" | od -An -c | tr -d ' ')" '1000 \n'
wait $pid
is "-u: then the rest" "$(wc -l <"$T/u")" 2000
faults '[]'
{ ff -n 100000 -s 9 2>"$T/pipe.err"; echo $? >"$T/pipe.rc"; } | head -n 1 >"$T/one"
is "| head -n 1: one record" "$(jq -r .id "$T/one")" 1
is "| head -n 1: fk-fetch dies of SIGPIPE (141), like cat" "$(cat "$T/pipe.rc")" 141
is "| head -n 1: no message" "$(cat "$T/pipe.err")" ""
n=$(curl -s "$S/_ctl/stats" | jq .requests)
if [ "$n" -lt 100 ]; then ok "| head -n 1: stops early ($n of 100 requests)"; else
	notok "| head -n 1: stops early" "$n requests"; fi
