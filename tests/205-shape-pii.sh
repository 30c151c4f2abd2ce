#!/bin/sh
# fk-shape: --hash (HMAC-SHA256, keys from a file or FK_HASH_KEY), --drop
# and --mask-ip on nested paths; personal data stays out of rejects.
. "$FK_TESTDIR/lib.sh"
unset FK_HASH_KEY

$PY "$FK_TESTDIR/shape-gen.py" persons 200 9 >"$T/p.json"
printf 'a-32-byte-key-for-fk-shape-tests\n' >"$T/key"
KEY=a-32-byte-key-for-fk-shape-tests

# The token is HMAC-SHA256(key, value) in hex: check with Python's hmac.
fk-shape --hash email,address.zipcode --hash-key-file "$T/key" . "$T/p.json" >"$T/h1" 2>"$T/err" ||
	notok "hash with a key file" "$(cat "$T/err")"
$PY - "$T/p.json" "$T/h1" "$KEY" <<'G' && ok "tokens are HMAC-SHA256 hex" || notok "tokens are HMAC-SHA256 hex"
import hashlib, hmac, json, sys
key = sys.argv[3].encode()
for a, b in zip(open(sys.argv[1], encoding="utf-8"), open(sys.argv[2], encoding="utf-8")):
    a, b = json.loads(a), json.loads(b)
    h = lambda s: hmac.new(key, s.encode(), hashlib.sha256).hexdigest()
    assert b["email"] == h(a["email"]), (a["email"], b["email"])
    assert b["address"]["zipcode"] == h(a["address"]["zipcode"])
    assert b["firstname"] == a["firstname"]
G
FK_HASH_KEY=$KEY fk-shape --hash email,address.zipcode . "$T/p.json" >"$T/h2" 2>/dev/null
same "FK_HASH_KEY gives the same tokens as the key file" "$T/h1" "$T/h2"
FK_HASH_KEY=$KEY fk-shape -j 1 --hash email,address.zipcode . "$T/p.json" >"$T/h3" 2>/dev/null
same "same tokens on every run and thread count" "$T/h1" "$T/h3"
FK_HASH_KEY=another-key-of-decent-length-0001 fk-shape --hash email . "$T/p.json" >"$T/h4" 2>/dev/null
cmp -s "$T/h1" "$T/h4" && notok "another key, other tokens" || ok "another key, other tokens"
FK_HASH_KEY=$KEY fk-shape --hash email '{e1: .email, e2: .email}' "$T/p.json" 2>/dev/null | head -n 1 >"$T/x"
FK_HASH_KEY=$KEY fk-shape --hash e1,e2 '{e1: .email, e2: .email}' "$T/p.json" 2>/dev/null | head -n 1 >"$T/x"
$PY -c 'import json,sys; d=json.loads(open(sys.argv[1]).read()); assert d["e1"] == d["e2"] and len(d["e1"]) == 64' "$T/x" &&
	ok "the same email, the same token: joins work" || notok "the same email, the same token"
FK_HASH_KEY=short fk-shape --hash email . "$T/p.json" >/dev/null 2>"$T/err"
grep -q 'only 5 bytes' "$T/err" && ok "a short key is warned about" || notok "a short key is warned about"
grep -q short "$T/err" && notok "the key is not printed" || ok "the key is not printed"

# --drop and --mask-ip, nested, arrays too.
fk-shape --drop address.street,address.latitude,phone --mask-ip ip . >"$T/out" 2>/dev/null <<'G'
{"ip":"128.75.60.170","phone":"+1","address":{"street":"s","city":"c","latitude":1.5}}
{"ip":"2001:db8:85a3:8d3:1319:8a2e:370:7348","address":{"city":"d"}}
{"ip":null}
G
printf '%s\n' '{"ip":"128.75.60.0","address":{"city":"c"}}' '{"ip":"2001:db8:85a3::","address":{"city":"d"}}' '{"ip":null,"address":null}' >"$T/want"
same "drop nested fields, mask IPv4 /24 and IPv6 /48" "$T/want" "$T/out"
echo '{"hosts":[{"ip":"10.1.2.3"},{"ip":"10.9.9.9","pw":"x"}]}' |
	fk-shape --mask-ip hosts.ip --drop hosts.pw >"$T/out" 2>/dev/null
[ "$(cat "$T/out")" = '{"hosts":[{"ip":"10.1.2.0"},{"ip":"10.9.9.0"}]}' ] &&
	ok "paths go through arrays" || notok "paths go through arrays" "$(cat "$T/out")"

# A value that cannot be masked is a bad record; the reject keeps no
# unprotected personal data.
printf '%s\n' '{"ip":"nope","password":"hunter2","email":"a@b.c"}' >"$T/bad.json"
FK_HASH_KEY=$KEY fk-shape --mask-ip ip --drop password --hash email --reject "$T/rej" \
    --max-bad 1 . "$T/bad.json" >/dev/null 2>&1
grep -q '"path":"ip","reason":"not an IPv4 or IPv6 address"' "$T/rej" &&
	ok "bad IP rejected with its path" || notok "bad IP rejected with its path" "$(cat "$T/rej")"
grep -q 'hunter2\|a@b.c' "$T/rej" && notok "no personal data in the reject file" "$(cat "$T/rej")" ||
	ok "no personal data in the reject file"
printf '{"password":"hunter2",\n' >"$T/broken.json"
fk-shape --drop password --reject "$T/rej" --max-bad 1 . "$T/broken.json" >/dev/null 2>&1
grep -q hunter2 "$T/rej" && notok "malformed text withheld when protecting data" ||
	ok "malformed text withheld when protecting data"
echo '{"email":"a@b.c","id":"x"}' >"$T/s.in"
echo '[{"name":"email","type":"STRING"},{"name":"id","type":"INTEGER"}]' >"$T/s.json"
FK_HASH_KEY=$KEY fk-shape --hash email --schema "$T/s.json" --reject "$T/rej" --max-bad 1 . "$T/s.in" >/dev/null 2>&1
grep -q '"value":{"email":"[0-9a-f]\{64\}","id":"x"}' "$T/rej" &&
	ok "a schema reject shows the protected row" || notok "a schema reject shows the protected row" "$(cat "$T/rej")"

# A path that matched nothing is worth a warning.
fk-shape --drop pasword . "$T/p.json" >/dev/null 2>"$T/err"
grep -q "warning: --drop 'pasword' matched no field in any row" "$T/err" &&
	ok "typo in a path is warned about" || notok "typo in a path is warned about" "$(cat "$T/err")"
