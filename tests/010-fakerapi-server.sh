#!/bin/sh
# The FakerAPI test server (tests/fakerapi_server.py) behaves like the real
# service as described in shared/reference/fakerapi.md: envelopes, record
# shapes, _quantity/_seed rules, JSON encoding, errors, throttle; plus its
# own fault injection and control API.  Needs curl and python3 only.
. "$FK_TESTDIR/lib.sh"

SERVER="$FK_TESTDIR/fakerapi_server.py"
start_server faker "$PY" "$SERVER" --throttle off
start_server limited "$PY" "$SERVER" --limit 5 --window 8
start_server dflt "$PY" "$SERVER" --fault 32:503
F=http://127.0.0.1:$faker_PORT
L=http://127.0.0.1:$limited_PORT
D=http://127.0.0.1:$dflt_PORT

# fetch NAME URL [curl args...]: body in $T/NAME, headers in $T/NAME.h,
# HTTP status in $T/NAME.code, curl's exit code in $T/NAME.rc
fetch() {
	n=$1 u=$2; shift 2
	curl -s -o "$T/$n" -D "$T/$n.h" -w '%{http_code}' "$@" "$u" >"$T/$n.code"
	echo $? >"$T/$n.rc"
}
code() { cat "$T/$1.code"; }
rc() { cat "$T/$1.rc"; }
# header NAME FIELD: value of one response header (empty if absent)
header() {
	tr -d '\r' <"$T/$1.h" | awk -v k="$2" 'tolower($0) ~ "^" tolower(k) ":" {
		sub(/^[^:]*: */, ""); print; exit }'
}
# jcheck DESC PYTHON [FILE...]: run assertions with raw[i] (bytes) and
# d[i] (parsed JSON, None if invalid) for each file; d0/raw0 = first file
jcheck() {
	desc=$1 prog=$2; shift 2
	check "$desc" "$PY" -c "
import json, re, sys
raw = [open(p, 'rb').read() for p in sys.argv[1:]]
def load(b):
    try:
        return json.loads(b)
    except ValueError:
        return None
d = [load(b) for b in raw]
raw0, d0 = (raw[0], d[0]) if raw else (None, None)
$prog" "$@"
}
is_code() {	# DESC NAME WANT
	if [ "$(code "$2")" = "$3" ]; then ok "$1"; else
		notok "$1" "want HTTP $3, got $(code "$2"): $(head -c 300 "$T/$2")"; fi
}

# ---- users sample (§9) ---------------------------------------------------
fetch u42 "$F/api/v1/users?_quantity=3&_seed=42" -H 'Accept: application/json'
is_code "users ?_quantity=3&_seed=42 is 200" u42 200
jcheck "users sample: envelope and record keys in order, types and formats" '
assert list(d0) == ["status", "code", "total", "data"], list(d0)
assert d0["status"] == "OK" and d0["code"] == 200 and d0["total"] == 3
keys = ["id", "uuid", "firstname", "lastname", "username", "password",
        "email", "ip", "macAddress", "website", "image"]
for i, u in enumerate(d0["data"], 1):
    assert list(u) == keys, list(u)
    assert u["id"] == i and type(u["id"]) is int
    assert all(type(u[k]) is str and u[k] for k in keys[1:]), u
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", u["uuid"]), u["uuid"]
    assert re.fullmatch(r"[a-z0-9._]+", u["username"]), u["username"]
    assert 6 <= len(u["password"]) <= 20 and all(33 <= ord(c) <= 126 for c in u["password"])
    assert re.fullmatch(r"[a-z0-9._]+@[a-z0-9-]+(\.[a-z]+)+", u["email"]), u["email"]
    ip = u["ip"].split(".")
    assert len(ip) == 4 and all(p.isdigit() and int(p) < 256 for p in ip), u["ip"]
    assert re.fullmatch(r"([0-9A-F]{2}:){5}[0-9A-F]{2}", u["macAddress"]), u["macAddress"]
    assert re.fullmatch(r"http://[a-z0-9]+\.[a-z]+", u["website"]), u["website"]
    assert u["image"] == "http://placeimg.com/640/480/people"
' "$T/u42"
jcheck "users sample: compact JSON, / escaped as \\/, no trailing newline" '
assert raw0 == json.dumps(d0, separators=(",", ":")).replace("/", "\\/").encode()
assert b"\"image\":\"http:\\/\\/placeimg.com\\/640\\/480\\/people\"" in raw0
' "$T/u42"
if [ "$(header u42 Content-Type)" = application/json ] &&
	[ "$(header u42 Cache-Control)" = "no-cache, private" ] &&
	[ "$(header u42 Access-Control-Allow-Origin)" = "*" ] &&
	[ "$(header u42 Content-Length)" = "$(wc -c <"$T/u42" | tr -d ' ')" ]; then
	ok "headers: Content-Type, Cache-Control, CORS, exact Content-Length"
else notok "headers" "$(cat "$T/u42.h")"; fi
if [ -z "$(header u42 X-RateLimit-Limit)" ]; then
	ok "--throttle off: no X-RateLimit headers"
else notok "--throttle off: no X-RateLimit headers"; fi

# ---- envelopes ------------------------------------------------------------
fetch v2 "$F/api/v2/users?_quantity=3&_seed=42"
fetch v2n "$F/api/v2/users?_quantity=1"
fetch v2s "$F/api/v2/users?_quantity=1&_seed=abc&_locale=it_IT"
jcheck "v1 envelope status,code,total,data; v2 status,code,locale,seed,total,data" '
assert list(d[0]) == ["status", "code", "total", "data"]
assert list(d[1]) == ["status", "code", "locale", "seed", "total", "data"], list(d[1])
assert d[1]["locale"] == "en_US" and d[1]["seed"] == 42 and type(d[1]["seed"]) is int
assert d[2]["seed"] is None and d[2]["locale"] == "en_US"
assert d[3]["seed"] == "abc" and d[3]["locale"] == "it_IT"
assert d[0]["data"][0]["uuid"] == d[1]["data"][0]["uuid"]
' "$T/u42" "$T/v2" "$T/v2n" "$T/v2s"

# ---- _quantity (§3.1) ---------------------------------------------------
for pair in absent:10 0:10 00:0 -5:0 1001:1000 2.5:3 abc:1000 1e3:1000 \
	%203:3 3abc:1000 0abc:1; do
	q=${pair%%:*} want=${pair#*:}
	if [ "$q" = absent ]; then url="$F/api/v1/places"; else
		url="$F/api/v1/places?_quantity=$q"; fi
	fetch q "$url"
	jcheck "_quantity=$q gives $want records" "
assert d0['total'] == len(d0['data']) == $want, (d0['total'], len(d0['data']))
assert d0['code'] == 200" "$T/q"
done

# ---- seeds (§3.3) ---------------------------------------------------------
fetch s1 "$F/api/v1/users?_quantity=50&_seed=123"
fetch s2 "$F/api/v1/users?_seed=123&_quantity=50"
same "same seed, same request: byte-identical (parameter order irrelevant)" "$T/s1" "$T/s2"
fetch p1 "$F/api/v1/persons?_quantity=20&_seed=9&_locale=de_DE"
fetch p2 "$F/api/v1/persons?_quantity=20&_seed=9&_locale=de_DE"
same "persons with a seed are byte-identical too (birthday included)" "$T/p1" "$T/p2"
fetch pre5 "$F/api/v1/users?_quantity=5&_seed=77"
fetch pre20 "$F/api/v1/users?_quantity=20&_seed=77"
fetch ppre3 "$F/api/v2/persons?_quantity=3&_seed=77&_gender=female"
fetch ppre9 "$F/api/v2/persons?_quantity=9&_seed=77&_gender=female"
jcheck "prefix property: _quantity=5 is the first 5 of _quantity=20 (users, persons)" '
assert d[0]["data"] == d[1]["data"][:5] and len(d[1]["data"]) == 20
assert d[2]["data"] == d[3]["data"][:3] and len(d[3]["data"]) == 9
' "$T/pre5" "$T/pre20" "$T/ppre3" "$T/ppre9"
fetch sd1 "$F/api/v1/users?_quantity=20&_seed=1"
fetch sd2 "$F/api/v1/users?_quantity=20&_seed=2"
jcheck "different seeds give different records" '
a = {u["uuid"] for u in d[0]["data"]}; b = {u["uuid"] for u in d[1]["data"]}
assert not a & b
' "$T/sd1" "$T/sd2"
fetch r1 "$F/api/v1/users?_quantity=20"
fetch r2 "$F/api/v1/users?_quantity=20&_seed=0"
fetch r3 "$F/api/v1/users?_quantity=20&_seed="
jcheck "unseeded (absent, 0, empty) differs call to call" '
sets = [{u["uuid"] for u in x["data"]} for x in d]
assert not sets[0] & sets[1] and not sets[1] & sets[2] and not sets[0] & sets[2]
' "$T/r1" "$T/r2" "$T/r3"
fetch lo "$F/api/v1/users?_quantity=10&_seed=42"
fetch hi "$F/api/v1/users?_quantity=10&_seed=4294967338"
same "only the low 32 bits of the seed count (42 == 4294967338)" "$T/lo" "$T/hi"
fetch lo2 "$F/api/v1/users?_quantity=10&_seed=42abc"
same "seed is PHP (int): 42abc == 42" "$T/lo" "$T/lo2"
fetch nn1 "$F/api/v1/users?_quantity=10&_seed=abc"
fetch nn2 "$F/api/v1/users?_quantity=10&_seed=00"
same "non-numeric seed casts to 0: abc == 00" "$T/nn1" "$T/nn2"
fetch ids "$F/api/v1/addresses?_quantity=37&_seed=5"
jcheck "ids restart at 1 and count 1..N; total == len(data)" '
assert [a["id"] for a in d0["data"]] == list(range(1, 38)) and d0["total"] == 37
' "$T/ids"

# ---- encoding with non-ASCII locales (§5.4) --------------------------------
for loc in de_DE fr_FR it_IT; do
	fetch "enc_$loc" "$F/api/v2/persons?_quantity=300&_seed=3&_locale=$loc"
done
jcheck "non-ASCII locales: body pure ASCII, \\uXXXX escapes, / always \\/" '
for b, x in zip(raw, d):
    assert all(c < 128 for c in b)
    assert b"\\u00" in b and b"\\/" in b
    assert re.search(rb"[^\\\\]/", b) is None
assert any(ord(c) > 127 for u in d[0]["data"] for c in u["lastname"] + u["address"]["city"])
assert any(ord(c) > 127 for u in d[1]["data"] for c in u["firstname"])
' "$T/enc_de_DE" "$T/enc_fr_FR" "$T/enc_it_IT"
fetch xx "$F/api/v1/users?_quantity=5&_seed=8&_locale=xx_XX"
fetch en "$F/api/v1/users?_quantity=5&_seed=8"
same "unknown locale silently falls back to en_US" "$T/xx" "$T/en"

# ---- persons (§4.2, §4.3) -------------------------------------------------
fetch pv1 "$F/api/v1/persons?_quantity=30&_seed=7"
fetch pv2 "$F/api/v2/persons?_quantity=30&_seed=7"
jcheck "persons: keys in order, phone +digits, birthday YYYY-MM-DD, address v1 county_code/id 0, v2 country_code" '
keys = ["id", "firstname", "lastname", "email", "phone", "birthday", "gender",
        "address", "website", "image"]
akeys = ["id", "street", "streetName", "buildingNumber", "city", "zipcode",
         "country", "county_code", "latitude", "longitude"]
for v, x in enumerate(d, 1):
    for i, p in enumerate(x["data"], 1):
        assert list(p) == keys and p["id"] == i, list(p)
        assert re.fullmatch(r"\+[0-9]{1,15}", p["phone"]), p["phone"]
        assert re.fullmatch(r"(19|20)\d\d-\d\d-\d\d", p["birthday"]), p["birthday"]
        assert p["gender"] in ("male", "female")
        a = p["address"]
        want = akeys if v == 1 else [k.replace("county", "country") for k in akeys]
        assert list(a) == want, list(a)
        assert a["id"] == (0 if v == 1 else 1)
        assert a["buildingNumber"].isdigit() and type(a["zipcode"]) is str
        assert -90 <= a["latitude"] <= 90 and -180 <= a["longitude"] <= 180
        assert re.fullmatch(r"[A-Z]{2}", a["county_code" if v == 1 else "country_code"])
' "$T/pv1" "$T/pv2"
fetch pg "$F/api/v1/persons?_quantity=3&_gender=foo&_birthday_start=2000-01-01&_birthday_end=2000-12-31"
jcheck "persons: _gender echoed verbatim, _birthday_* range respected" '
assert all(p["gender"] == "foo" for p in d0["data"])
assert all(p["birthday"].startswith("2000-") for p in d0["data"])
' "$T/pg"
fetch pbad "$F/api/v1/persons?_birthday_start=2020-01-01&_birthday_end=2010-01-01" \
	-H 'Accept: application/json'
jcheck "persons: _birthday_start after _birthday_end gives 500 Server Error" '
assert d0 == {"message": "Server Error"}' "$T/pbad"
is_code "persons: bad birthday range status 500" pbad 500

# ---- other resources -------------------------------------------------------
for r in addresses books companies credit_cards images places products texts; do
	fetch "res_$r" "$F/api/v1/$r?_quantity=4&_seed=1"
done
jcheck "other resources: 200, 4 records of objects, every one shaped" '
for x in d:
    assert x["code"] == 200 and x["total"] == 4 and all(type(r) is dict for r in x["data"])
assert list(d[2]["data"][0])[:4] == ["id", "name", "email", "vat"]
assert re.fullmatch(r"\d\d/\d\d", d[3]["data"][0]["expiration"])
assert list(d[5]["data"][0]) == ["latitude", "longitude"]
assert type(d[6]["data"][0]["price"]) is str
' "$T/res_addresses" "$T/res_books" "$T/res_companies" "$T/res_credit_cards" \
	"$T/res_images" "$T/res_places" "$T/res_products" "$T/res_texts"
fetch tx9 "$F/api/v1/texts?_characters=9"
fetch txa "$F/api/v1/texts?_characters=abc"
fetch tx50 "$F/api/v1/texts?_characters=50&_quantity=20"
if [ "$(code tx9)" = 500 ] && [ "$(code txa)" = 500 ]; then
	ok "texts: _characters below 10 or non-numeric gives 500"
else notok "texts: _characters 500" "$(code tx9) $(code txa)"; fi
jcheck "texts: content at most _characters long" '
assert all(0 < len(t["content"]) <= 50 for t in d0["data"])' "$T/tx50"
fetch img "$F/api/v2/images?_quantity=2&_width=300&_height=200"
jcheck "images v2: picsum URL with _width/_height" '
assert all(i["url"] == "https://picsum.photos/300/200" for i in d0["data"])' "$T/img"

# ---- custom ---------------------------------------------------------------
fetch c "$F/api/v2/custom?_quantity=3&who=name&n=counter&ok=boolean&z=null&when=date_time"
jcheck "custom: requested keys in order, counter, boolean, null, dateTime object" '
assert [list(r) for r in d0["data"]] == [["who", "n", "ok", "z", "when"]] * 3
assert [r["n"] for r in d0["data"]] == [1, 2, 3]
assert all(type(r["ok"]) is bool and r["z"] is None for r in d0["data"])
assert all(r["when"]["timezone"] == "UTC" for r in d0["data"])
' "$T/c"
fetch c0 "$F/api/v1/custom"
fetch cbad "$F/api/v1/custom?a=name&b=nosuch"
fetch cseed "$F/api/v1/custom?a=name&_seed=12"
jcheck "custom: 400 without fields, 400 for unknown type and for _seed" '
assert raw[0] == b"{\"status\":\"Bad Request. This resource require at least one parameter.\",\"code\":400,\"total\":0}"
assert d[1] == {"status": "Bad Request. Wrong parameter type '"'"'nosuch'"'"'.", "code": 400, "total": 0}
assert d[2]["status"] == "Bad Request. Wrong parameter type '"'"'12'"'"'." and d[2]["code"] == 400
' "$T/c0" "$T/cbad" "$T/cseed"
if [ "$(code c0)$(code cbad)$(code cseed)" = 400400400 ]; then
	ok "custom: those are HTTP 400"; else notok "custom 400s" "$(code c0) $(code cbad) $(code cseed)"; fi

# ---- errors (§6) ----------------------------------------------------------
nf=0
for p in /api/v1/Users /api/v1/users/5 /api/v3/users /api/v1/emojis /api/v1; do
	fetch nf "$L$p"
	if [ "$(code nf)" = 404 ] && [ -z "$(header nf X-RateLimit-Limit)" ] &&
		[ "$(cat "$T/nf")" = '{"status":"Not found","code":404,"total":0}' ]; then :; else
		nf=1; notok "404 for $p" "$(code nf) $(cat "$T/nf")"; fi
done
[ $nf = 0 ] && ok "unknown paths: 404 envelope, no rate-limit headers"
fetch m "$F/api/v1/users" -X POST -H 'Accept: application/json'
if [ "$(code m)" = 405 ] && [ "$(header m Allow)" = GET ] &&
	[ "$(tr -d ' \n' <"$T/m")" = '{"message":""}' ]; then
	ok "POST: 405, Allow: GET, {\"message\": \"\"}"
else notok "POST 405" "$(code m) $(cat "$T/m.h" "$T/m")"; fi
fetch h "$F/api/v1/users" -I
if [ "$(code h)" = 200 ] && [ "$(header h Content-Length)" = 0 ]; then
	ok "HEAD: 200 with an empty body"; else notok "HEAD" "$(cat "$T/h.h")"; fi
fetch o "$F/api/v1/users" -X OPTIONS
if [ "$(code o)" = 200 ] && [ "$(cat "$T/o")" = '"{\"method\":\"OPTIONS\"}"' ]; then
	ok "OPTIONS: 200 with the JSON string literal"; else notok "OPTIONS" "$(cat "$T/o")"; fi

# ---- throttle (§7) --------------------------------------------------------
# default server: 30 per 60 s, Remaining 29..0, then 429; --fault 32:503
seq_ok=1 i=1
t0=$(date +%s)	# the window starts with request 1: bounds hold on a slow machine
while [ $i -le 30 ]; do
	fetch t "$D/api/v1/users?_quantity=1"
	want=$((30 - i))
	if [ "$(code t)" != 200 ] || [ "$(header t X-RateLimit-Remaining)" != $want ] ||
		[ "$(header t X-RateLimit-Limit)" != 30 ]; then
		seq_ok=0; notok "default throttle request $i" "$(cat "$T/t.h")"; break; fi
	i=$((i + 1))
done
[ $seq_ok = 1 ] && ok "default throttle: 30 allowed with X-RateLimit-Remaining 29..0"
fetch t31 "$D/api/v1/users?_quantity=1"
now=$(date +%s)
ra=$(header t31 Retry-After) rs=$(header t31 X-RateLimit-Reset)
if [ "$(code t31)" = 429 ] && [ "$ra" -ge $((59 - (now - t0))) ] && [ "$ra" -le 60 ] &&
	[ "$rs" -ge $((now + ra - 2)) ] && [ "$rs" -le $((now + ra + 1)) ] &&
	[ "$(header t31 X-RateLimit-Remaining)" = 0 ] && grep -q 'Too Many' "$T/t31"; then
	ok "request 31: 429 (HTML page), Retry-After ~60, X-RateLimit-Reset epoch, Remaining 0"
else notok "request 31 429" "$(cat "$T/t31.h")"; fi
fetch t32 "$D/api/v1/users?_quantity=1"
is_code "--fault 32:503 hits the 32nd API request (429s count for faults)" t32 503

# limited server: --limit 5 --window 8
i=1 seq_ok=1
while [ $i -le 5 ]; do
	fetch l "$L/api/v1/users?_quantity=1&_seed=$i"
	[ "$(header l X-RateLimit-Remaining)" = $((5 - i)) ] || { seq_ok=0; break; }
	i=$((i + 1))
done
fetch l6 "$L/api/v1/users/?_seed=99" -H 'Accept: application/json'
ra=$(header l6 Retry-After)
if [ $seq_ok = 1 ] && [ "$(code l6)" = 429 ] && [ "$ra" -ge 1 ] && [ "$ra" -le 8 ] &&
	[ "$(tr -d ' \n' <"$T/l6")" = '{"message":"TooManyAttempts."}' ]; then
	ok "--limit 5 --window 8: 5 allowed, 6th (trailing slash, other query) 429 with JSON message"
else notok "limited throttle" "$seq_ok $(cat "$T/l6.h" "$T/l6")"; fi
fetch lp "$L/api/v1/persons?_quantity=1"
fetch lv2 "$L/api/v2/users?_quantity=1"
fetch lh "$L/api/v1/users" -I
if [ "$(code lp)$(code lv2)$(code lh)" = 200200200 ] &&
	[ "$(header lp X-RateLimit-Remaining)" = 4 ]; then
	ok "separate buckets per path and per method (persons, v2 users, HEAD)"
else notok "separate buckets" "$(code lp) $(code lv2) $(code lh)"; fi
fetch l7 "$L/api/v1/users"
is_code "429s are not counted: still 429 within the window" l7 429
sleep "$ra"
fetch l8 "$L/api/v1/users?_quantity=1"
if [ "$(code l8)" = 200 ] && [ "$(header l8 X-RateLimit-Remaining)" = 4 ]; then
	ok "after Retry-After seconds a new window starts"
else notok "new window" "$(cat "$T/l8.h")"; fi

# --throttle N/Ws: the same throttle in a short window, per client address
# (127.0.0.2 is another client of the same loopback server)
start_server short "$PY" "$SERVER" --throttle 3/2s
S=http://127.0.0.1:$short_PORT
for i in 1 2 3 4; do fetch "s$i" "$S/api/v1/users?_quantity=1"; done
fetch s5 "$S/api/v1/users?_quantity=1" --interface 127.0.0.2
ra=$(header s4 Retry-After)
if [ "$(code s1)$(code s3)$(code s4)" = 200200429 ] &&
	[ "$(header s1 X-RateLimit-Limit)" = 3 ] && [ "$ra" -ge 1 ] && [ "$ra" -le 2 ]; then
	ok "--throttle 3/2s: 3 allowed, the 4th 429 with Retry-After 1..2"
else notok "--throttle 3/2s" "$(code s1) $(code s3) $(code s4) $(cat "$T/s4.h")"; fi
if [ "$(code s5)" = 200 ] && [ "$(header s5 X-RateLimit-Remaining)" = 2 ]; then
	ok "--throttle 3/2s: another client address has its own window"
else notok "throttle per address" "$(code s5) $(cat "$T/s5.h")"; fi
expect_exit 2 "--throttle 30/5 (no unit): usage error" \
	"$PY" "$SERVER" --throttle 30/5 --port-file "$T/bad.port"
grep -q 'N/Ws' "$T/err" && ok "--throttle: the message names the N/Ws form" ||
	notok "--throttle message" "$(cat "$T/err")"

# ---- faults ---------------------------------------------------------------
curl -s -o "$T/cf" -w '%{http_code}' -X POST "$F/_ctl/faults" -d '["1:reset", "2:truncate",
 "3:stall:3", "4:malformed", "5:total", "6:notarray", "7:status", "8:429:7", "9:500",
 "10:502", "11:503:4", "12:latency:400", "13-14:503"]' >"$T/cf.code"
is_code "POST /_ctl/faults accepts a list of rules" cf 200
fetch f1 "$F/api/v1/users?_quantity=100"
fetch f2 "$F/api/v1/users?_quantity=100"
fetch f3 "$F/api/v1/users?_quantity=1" --max-time 1
[ "$(rc f1)" = 56 ] && ok "fault reset: curl exit 56 (connection reset)" ||
	notok "fault reset" "curl exit $(rc f1)"
[ "$(rc f2)" = 18 ] && [ -s "$T/f2" ] && ok "fault truncate: curl exit 18 (partial body)" ||
	notok "fault truncate" "curl exit $(rc f2)"
[ "$(rc f3)" = 28 ] && [ "$(code f3)" = 200 ] && ok "fault stall: headers 200 then curl --max-time exit 28" ||
	notok "fault stall" "curl exit $(rc f3) code $(code f3)"
for k in 4 5 6 7; do fetch "f$k" "$F/api/v1/users?_quantity=2"; done
jcheck "faults malformed/total/notarray/status: bad JSON, total != len, data object, status ERROR" '
assert d[0] is None and raw[0]
assert d[1]["total"] != len(d[1]["data"])
assert type(d[2]["data"]) is dict
assert d[3]["status"] == "ERROR" and d[3]["code"] == 500
' "$T/f4" "$T/f5" "$T/f6" "$T/f7"
if [ "$(code f4)$(code f5)$(code f6)$(code f7)" = 200200200200 ]; then
	ok "body faults come with HTTP 200"; else notok "body faults status"; fi
for k in 8 9 10 11; do fetch "f$k" "$F/api/v1/users" -H 'Accept: application/json'; done
if [ "$(code f8)" = 429 ] && [ "$(header f8 Retry-After)" = 7 ] &&
	[ -n "$(header f8 X-RateLimit-Reset)" ]; then ok "fault 429:7: 429 with Retry-After 7"
else notok "fault 429" "$(cat "$T/f8.h")"; fi
jcheck "faults 500/502/503: status and {\"message\": \"Server Error\"}" '
assert d[0] == d[1] == d[2] == {"message": "Server Error"}' "$T/f9" "$T/f10" "$T/f11"
if [ "$(code f9)$(code f10)$(code f11)" = 500502503 ] && [ "$(header f11 Retry-After)" = 4 ]; then
	ok "faults 500, 502, 503:4 (Retry-After 4)"; else notok "5xx faults" "$(code f9) $(code f10) $(code f11)"; fi
t=$(curl -s -o /dev/null -w '%{time_total}' "$F/api/v1/users?_quantity=1")
if "$PY" -c "import sys; sys.exit(not float(sys.argv[1]) >= 0.4)" "$t"; then
	ok "fault latency:400 delays the response ($t s)"; else notok "fault latency" "$t"; fi
fetch f13 "$F/api/v1/users"
fetch f14 "$F/api/v1/users"
fetch f15 "$F/api/v1/users"
[ "$(code f13)$(code f14)$(code f15)" = 503503200 ] && ok "range rule 13-14 then normal" ||
	notok "range rule" "$(code f13) $(code f14) $(code f15)"

# ---- control API ----------------------------------------------------------
fetch st "$F/_ctl/stats"
fetch rq "$F/_ctl/requests"
jcheck "/_ctl/stats and /_ctl/requests count the API requests since the rules were set" '
st, rq = d
assert st["requests"] == 15 and len(rq) == 15, (st, len(rq))
assert [r["n"] for r in rq] == list(range(1, 16))
assert st["served"]["503"] == 3 and st["served"]["429"] == 1 and st["throttled"] == 0
assert set(rq[0]) >= {"n", "method", "path", "query", "status"}
assert rq[0]["path"] == "/api/v1/users" and rq[0]["query"] == "_quantity=100"
assert rq[12]["status"] == 503 and rq[0]["method"] == "GET"
' "$T/st" "$T/rq"
curl -s -o "$T/bad" -w '%{http_code}' -X POST "$F/_ctl/faults" -d '["x:reset"]' >"$T/bad.code"
is_code "POST /_ctl/faults rejects a bad rule with 400" bad 400
curl -s -X POST "$F/_ctl/faults" -d '["every:500"]' >/dev/null
fetch e1 "$F/api/v1/places"
fetch e2 "$F/api/v2/places"
[ "$(code e1)$(code e2)" = 500500 ] && ok "every:500 applies to every request" ||
	notok "every rule" "$(code e1) $(code e2)"
curl -s -X POST "$F/_ctl/reset" >/dev/null
fetch e3 "$F/api/v1/places"
fetch st2 "$F/_ctl/stats"
jcheck "POST /_ctl/reset clears rules and counters; /_ctl is never counted" '
assert d0 == {"requests": 1, "served": {"200": 1}, "throttled": 0}, d0' "$T/st2"
for i in 1 2 3 4 5; do curl -s -o /dev/null "$L/api/v1/books?_quantity=1"; done
fetch b6 "$L/api/v1/books?_quantity=1"
curl -s -X POST "$L/_ctl/reset" >/dev/null
fetch b7 "$L/api/v1/books?_quantity=1"
[ "$(code b6)$(code b7)" = 429200 ] && ok "POST /_ctl/reset clears throttle windows" ||
	notok "reset throttle" "$(code b6) $(code b7)"

# ---- fidelity to the real service (issue 9, item 10) ----------------------------
fetch pr "$F/api/v2/products?_quantity=300&_seed=5"
fetch pt "$F/api/v2/products?_quantity=50&_seed=5&_taxes=10"
jcheck "products: taxes 22 by default, the string given with _taxes; prices unbounded without _price_max; categories up to 10 unique digits 1-9; 1 to 10 tags" '
p, t = d[0]["data"], d[1]["data"]
assert all(r["taxes"] == 22 for r in p)
assert all(r["taxes"] == "10" for r in t), t[0]["taxes"]
assert max(r["net_price"] for r in p) > 10000, max(r["net_price"] for r in p)
for r in p:
    c = r["categories"]
    assert 1 <= len(c) <= 9 and len(set(c)) == len(c) and all(isinstance(x, int) and 1 <= x <= 9 for x in c), c
    assert 1 <= len(r["tags"]) <= 10
assert max(len(r["tags"]) for r in p) > 5
' "$T/pr" "$T/pt"
fetch co "$F/api/v2/companies?_quantity=50&_seed=5"
fetch cu "$F/api/v2/custom?_quantity=50&p=phone&w=website"
jcheck "companies and custom: E.164 phones; custom website a bare domain" '
e164 = re.compile(r"\+[1-9][0-9]{6,14}")
assert all(e164.fullmatch(r["phone"]) for r in d[0]["data"]), d[0]["data"][0]["phone"]
assert all(e164.fullmatch(r["p"]) for r in d[1]["data"]), d[1]["data"][0]["p"]
assert all(re.fullmatch(r"[a-z0-9]+\.[a-z]+", r["w"]) for r in d[1]["data"]), d[1]["data"][0]["w"]
' "$T/co" "$T/cu"
fetch cc "$F/api/v2/credit_cards?_quantity=200&_seed=5"
jcheck "credit cards: the number is unrelated to the type" '
def kind(n):
    return "amex" if n[:2] in ("34", "37") else "visa" if n[0] == "4" else "other"
pairs = {(r["type"], kind(r["number"])) for r in d0["data"]}
assert ("Visa", "amex") in pairs or ("American Express", "visa") in pairs, pairs
' "$T/cc"
fetch ik "$F/api/v1/images?_quantity=5&_type=kittens&_width=321&_height=123"
fetch ip "$F/api/v2/images?_quantity=5&_type=pokemon&_width=321&_height=123"
jcheck "images: kittens and pokemon URLs honour _width and _height" '
for x in d:
    assert all("/321/123" in r["url"] for r in x["data"]), x["data"][0]["url"]
' "$T/ik" "$T/ip"

# ---- "now" is the real clock, even with a seed (issue 9, item 8) --------------------
fetch n1 "$F/api/v2/persons?_quantity=200&_seed=8"
fetch b1 "$F/api/v2/books?_quantity=200&_seed=8"
fetch p1 "$F/api/v2/persons?_quantity=200&_seed=8&_birthday_start=1950-01-01&_birthday_end=2000-12-31"
curl -s -X POST -d 86400 "$F/_ctl/clock" >/dev/null
fetch n2 "$F/api/v2/persons?_quantity=200&_seed=8"
fetch b2 "$F/api/v2/books?_quantity=200&_seed=8"
fetch p2 "$F/api/v2/persons?_quantity=200&_seed=8&_birthday_start=1950-01-01&_birthday_end=2000-12-31"
curl -s -X POST -d 0 "$F/_ctl/clock" >/dev/null
jcheck "seeded persons and books a day later: birthdays and published slide, nothing else; pinned birthdays do not" '
import datetime
def day(s):
    return datetime.date.fromisoformat(s)
n1, b1, p1, n2, b2, p2 = (x["data"] for x in d)
assert all(day(b["birthday"]) - day(a["birthday"]) == datetime.timedelta(1) for a, b in zip(n1, n2))
assert [dict(a, birthday=0) for a in n1] == [dict(b, birthday=0) for b in n2]
assert any(a["published"] != b["published"] for a, b in zip(b1, b2))
assert [dict(a, published=0) for a in b1] == [dict(b, published=0) for b in b2]
assert p1 == p2
today = datetime.datetime.now(datetime.timezone.utc).date()
assert max(day(r["birthday"]) for r in n1) > today - datetime.timedelta(3 * 365)
' "$T/n1" "$T/b1" "$T/p1" "$T/n2" "$T/b2" "$T/p2"

# --clock-at holds "now" still (a test hook for runs compared byte for
# byte): a second apart, the same birthdays, drawn back from that moment.
start_server frozen "$PY" "$SERVER" --throttle off --clock-at 1700000000
Z=http://127.0.0.1:$frozen_PORT
fetch z1 "$Z/api/v2/persons?_quantity=200&_seed=8"
sleep 1.1
fetch z2 "$Z/api/v2/persons?_quantity=200&_seed=8"
jcheck "--clock-at 1700000000: a second later the same birthdays, none after 2023-11-14" '
import datetime
z1, z2 = (x["data"] for x in d)
assert z1 == z2
top = max(datetime.date.fromisoformat(r["birthday"]) for r in z1)
assert datetime.date(2023, 11, 14) - datetime.timedelta(3 * 365) < top <= datetime.date(2023, 11, 14), top
' "$T/z1" "$T/z2"

# ---- --versions 1: the public source, /api/v2 is a 404 (issue 9, item 9) -------------
start_server v1only "$PY" "$SERVER" --throttle off --versions 1
V=http://127.0.0.1:$v1only_PORT
fetch v1a "$V/api/v1/users?_quantity=2&_seed=1"
fetch v2a "$V/api/v2/users?_quantity=2&_seed=1"
is_code "--versions 1: /api/v1/users is 200" v1a 200
is_code "--versions 1: /api/v2/users is 404" v2a 404
jcheck "--versions 1: v1 envelope; the 404 is the JSON envelope without data" '
assert list(d[0]) == ["status", "code", "total", "data"]
assert d[1] == {"status": "Not found", "code": 404, "total": 0}, d[1]
' "$T/v1a" "$T/v2a"

# ---- HTTP plumbing, speed, shutdown ----------------------------------------
if curl -sv -o /dev/null -o /dev/null "$F/api/v1/places" "$F/api/v1/places" 2>&1 |
	grep -Eq 'Re-?using existing connection'; then
	ok "HTTP/1.1 keep-alive: second request reuses the connection"
else notok "keep-alive"; fi
curl -s -o "$T/big" "$F/api/v1/users?_quantity=1000"
[ "$(wc -c <"$T/big")" -gt 250000 ] && ok "1000 users served whole" ||
	notok "1000 users" "$(wc -c <"$T/big") bytes"
start_server stop "$PY" "$SERVER"
pid=${_pids##* }
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" = 0 ] && ok "SIGTERM: clean exit 0" || notok "SIGTERM exit" "rc $rc"
