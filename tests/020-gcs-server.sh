#!/bin/sh
# tests/gcs_server.py, the GCS test server that gcs-put's tests run against:
# JSON API uploads (media, multipart, resumable with GCS's 308/Range rules),
# reads, odd object names, every fault kind, the OAuth token endpoint and the
# metadata server (with a throwaway RSA key), then the official Node client's
# conformance suite (tests/node, skipped only when node_modules is missing).
. "$FK_TESTDIR/lib.sh"

SRV="$FK_TESTDIR/gcs_server.py"
start_server gcs "$PY" "$SRV" --data-dir "$T/data" --log "$T/gcs.access"
u=http://127.0.0.1:$gcs_PORT
up=$u/upload/storage/v1/b/bkt/o
st=$u/storage/v1/b/bkt/o

# req METHOD URL [curl args]: $code, body in $T/body, headers in $T/hdr.
req() {
	m=$1 url=$2
	shift 2
	code=$(curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$m" \
		"$@" "$url" 2>"$T/curlerr") || code="curl-exit-$?"
}
# hval NAME: the last value of response header NAME (case-insensitive).
hval() { tr -d '\r' <"$T/hdr" | grep -i "^$1:" | tail -n 1 | sed 's/^[^:]*: *//'; }
# jget PATH [FILE]: a field of a JSON document (a.b.0.c), "" if absent.
jget() {
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[2]))
for k in sys.argv[1].split("."):
    d = d[int(k)] if isinstance(d, list) else d.get(k) if isinstance(d, dict) else None
print("" if d is None else d)' "$1" "${2:-$T/body}" 2>/dev/null
}
# is DESC GOT WANT
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got [$2], want [$3]
$(head -c 600 "$T/body" 2>/dev/null)"; fi
}
# hashes FILE: "CRC32C MD5" in base64, computed here independently of the
# server (plain byte-table CRC32C, hashlib MD5).
hashes() {
	"$PY" - "$1" <<'EOF'
import base64, hashlib, struct, sys
table = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    table.append(c)
def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF
assert crc32c(b"123456789") == 0xE3069283
data = open(sys.argv[1], "rb").read()
print(base64.b64encode(struct.pack(">I", crc32c(data))).decode(),
      base64.b64encode(hashlib.md5(data).digest()).decode())
EOF
}
faults() { curl -s -o /dev/null -X POST --data-binary "$1" "$u/_ctl/faults"; }
urlq() { "$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
init() {	# NAME [query]: start a resumable session, $loc = session URI
	req POST "$up?uploadType=resumable&name=$1${2:-}" \
		-H 'X-Upload-Content-Type: text/csv'
	loc=$(hval Location)
}

printf 'id,name\n1,alice\n' >"$T/small"
head -c 262144 /dev/urandom >"$T/c1"
head -c 1000 /dev/urandom >"$T/c2"
cat "$T/c1" "$T/c2" >"$T/whole"
set -- $(hashes "$T/small"); small_crc=$1 small_md5=$2
set -- $(hashes "$T/whole"); whole_crc=$1 whole_md5=$2

# --- media upload and reads
req POST "$up?uploadType=media&name=m/small.csv" -H 'Content-Type: text/csv' \
	--data-binary @"$T/small"
is "media upload: 200" "$code" 200
is "media upload: md5Hash, crc32c, size, contentType" \
	"$(jget md5Hash) $(jget crc32c) $(jget size) $(jget contentType)" \
	"$small_md5 $small_crc 16 text/csv"
gen1=$(jget generation)
is "object resource: kind, id, metageneration, storageClass" \
	"$(jget kind) $(jget id) $(jget metageneration) $(jget storageClass)" \
	"storage#object bkt/m/small.csv/$gen1 1 STANDARD"
req GET "$st/m%2Fsmall.csv?alt=media"
same "alt=media download: same bytes" "$T/small" "$T/body"
is "alt=media: x-goog-hash, x-goog-generation, stored encoding" \
	"$(hval x-goog-hash) $(hval x-goog-generation) $(hval x-goog-stored-content-encoding)" \
	"crc32c=$small_crc,md5=$small_md5 $gen1 identity"
req GET "$u/download/storage/v1/b/bkt/o/m%2Fsmall.csv?alt=media" -H 'Range: bytes=3-6'
is "/download/ path with Range: 206 and the slice" "$code $(cat "$T/body")" "206 name"
req GET "$st/m%2Fsmall.csv"
is "GET object resource" "$code $(jget name) $(jget md5Hash)" "200 m/small.csv $small_md5"
req POST "$up?uploadType=media&name=m/small.csv&ifGenerationMatch=$gen1" \
	--data-binary @"$T/small"
gen2=$(jget generation)
is "overwrite with ifGenerationMatch=<generation>: 200" "$code" 200
check "generation increases" [ "$gen2" -gt "$gen1" ]
req POST "$up?uploadType=media&name=m/small.csv&ifGenerationMatch=0" --data-binary @"$T/small"
is "media create-only on an existing object: 412 conditionNotMet" \
	"$code $(jget error.code) $(jget error.errors.0.reason)" "412 412 conditionNotMet"

# --- multipart
b=fkBoundary42
{ printf '%s\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n' "--$b"
  printf '{"name":"mp/data.ndjson","contentType":"application/x-ndjson","cacheControl":"no-cache","metadata":{"fk-run-id":"r1"}}\r\n'
  printf '%s\r\nContent-Type: application/octet-stream\r\n\r\n' "--$b"
  cat "$T/whole"
  printf '\r\n%s--\r\n' "--$b"; } >"$T/mp"
req POST "$up?uploadType=multipart" -H "Content-Type: multipart/related; boundary=$b" \
	--data-binary @"$T/mp"
is "multipart upload: metadata from the JSON part, hashes of the media part" \
	"$code $(jget contentType) $(jget metadata.fk-run-id) $(jget cacheControl) $(jget md5Hash) $(jget crc32c)" \
	"200 application/x-ndjson r1 no-cache $whole_md5 $whole_crc"
req GET "$st/mp%2Fdata.ndjson?alt=media"
same "multipart object reads back" "$T/whole" "$T/body"

# --- streaming request bodies: chunked transfer coding + Expect: 100-continue
head -c 2500000 /dev/urandom >"$T/big"
req POST "$up?uploadType=media&name=m/chunked.bin" -H 'Expect: 100-continue' \
	-H 'Transfer-Encoding: chunked' --data-binary @"$T/big"
req GET "$st/m%2Fchunked.bin?alt=media"
same "chunked + 100-continue media upload reads back" "$T/big" "$T/body"

# --- resumable: init, 308/Range rules, finalize
init r/whole.csv '&ifGenerationMatch=0'
is "resumable init: 200, Location with upload_id, X-GUploader-UploadID" \
	"$code $(echo "$loc" | grep -c "^$up?uploadType=resumable&upload_id=$(hval X-GUploader-UploadID)\$")" "200 1"
req PUT "$loc" -H 'Content-Range: bytes */*'
is "status query before any data: 308 without Range" "$code [$(hval Range)]" "308 []"
req PUT "$loc" -H 'Content-Range: bytes 0-999/*' --data-binary @"$T/c2"
is "non-final chunk not a multiple of 256 KiB: 400" "$code" 400
req PUT "$loc" -H 'Content-Range: bytes 0-262143/*' --data-binary @"$T/c1"
is "first 256 KiB chunk: 308 Range bytes=0-262143" "$code $(hval Range)" "308 bytes=0-262143"
req PUT "$loc" -H 'Content-Range: bytes 524288-786431/*' --data-binary @"$T/c1"
is "chunk starting past the persisted offset: 503" "$code" 503
req PUT "$loc" -H 'Content-Range: bytes 0-262143/*' --data-binary @"$T/c1"
is "re-sent chunk: 308, Range unchanged" "$code $(hval Range)" "308 bytes=0-262143"
req PUT "$loc" -H 'Content-Range: bytes */*'
is "status query: 308 Range bytes=0-262143" "$code $(hval Range)" "308 bytes=0-262143"
req PUT "$loc" -H 'Content-Range: bytes 262144-263143/263144' \
	-H "X-Goog-Hash: crc32c=$whole_crc,md5=$whole_md5" --data-binary @"$T/c2"
is "final chunk with matching X-Goog-Hash: 200, hashes, size, X-Upload-Content-Type" \
	"$code $(jget md5Hash) $(jget crc32c) $(jget size) $(jget contentType)" \
	"200 $whole_md5 $whole_crc 263144 text/csv"
req PUT "$loc" -H 'Content-Range: bytes */*'
is "completed session answers 200 + the object" "$code $(jget name)" "200 r/whole.csv"
req GET "$st/r%2Fwhole.csv?alt=media"
same "resumable object reads back" "$T/whole" "$T/body"

init r/total.bin
req PUT "$loc" -H 'Content-Range: bytes 0-262143/*' --data-binary @"$T/c1"
req PUT "$loc" -H 'Content-Range: bytes */262144'
is "finalize with bytes */TOTAL on a chunk boundary: 200" "$code $(jget size)" "200 262144"

init r/long.bin
req PUT "$loc" -H 'Content-Range: bytes 0-262143/*' -H 'Transfer-Encoding: chunked' \
	--data-binary @"$T/whole"
c1=$code
req PUT "$loc" -H 'Content-Range: bytes */*'
is "chunked body longer than its Content-Range: 400, nothing stored past it" \
	"$c1 $code $(hval Range)" "400 308 bytes=0-262143"
req POST "$up?uploadType=resumable&name=r/len.bin" -H 'X-Upload-Content-Length: 5'
loc=$(hval Location)
req PUT "$loc" -H 'Content-Range: bytes 0-999/1000' --data-binary @"$T/c2"
is "final total differing from X-Upload-Content-Length: 400" "$code" 400

init r/badhash.bin
req PUT "$loc" -H 'Content-Range: bytes 0-999/1000' -H "X-Goog-Hash: crc32c=$whole_crc" \
	--data-binary @"$T/c2"
is "X-Goog-Hash mismatch at finalization: 400 reason invalid" \
	"$code $(jget error.errors.0.reason)" "400 invalid"
req GET "$st/r%2Fbadhash.bin"
is "... and no object was created" "$code" 404
req PUT "$loc" -H 'Content-Range: bytes */*'
is "... and the session is gone (410)" "$code" 410

init r/whole.csv '&ifGenerationMatch=0'
is "resumable init, create-only on an existing name: 412" "$code" 412
init r/race.bin '&ifGenerationMatch=0'
req POST "$up?uploadType=media&name=r/race.bin" --data-binary @"$T/small"
req PUT "$loc" -H 'Content-Range: bytes 0-999/1000' --data-binary @"$T/c2"
is "precondition re-checked at finalization: 412, object untouched" \
	"$code $(curl -s "$st/r%2Frace.bin" | jget md5Hash /dev/stdin)" "412 $small_md5"

init r/cancel.bin
req DELETE "$loc"
is "DELETE session: 499" "$code" 499
req PUT "$loc" -H 'Content-Range: bytes */*'
is "cancelled session: 499 from then on" "$code" 499
req PUT "$up?uploadType=resumable&upload_id=nosuchsession" -H 'Content-Range: bytes */*'
is "unknown session: 404" "$code" 404

# --- object names that need encoding
name='dir/a b/ü#?%&+x.csv'
qn=$(urlq "$name")
req POST "$up?uploadType=media&name=$qn" --data-binary @"$T/small"
is "odd name upload: name kept" "$code $(jget name)" "200 $name"
req GET "$st/$qn?alt=media"
same "odd name (%2F, space, unicode, #, ?, %, &, +) downloads" "$T/small" "$T/body"
req GET "$st?prefix=$(urlq 'dir/a b/')"
is "odd name listed under its prefix" "$(jget items.0.name)" "$name"
req GET "$st?delimiter=/"
is "delimiter listing: prefixes" "$(jget prefixes)" "['dir/', 'm/', 'mp/', 'r/']"
req DELETE "$st/$qn"
is "DELETE object: 204" "$code" 204
req GET "$st/$qn"
is "deleted object: 404 with a JSON error body" \
	"$code $(jget error.code) $(jget error.errors.0.reason)" "404 404 notFound"

# --- gzip objects: decompressive transcoding unless Accept-Encoding: gzip
printf 'hello gzip\n' | gzip -c >"$T/gz"
req POST "$up?uploadType=media&name=gz.txt&contentEncoding=gzip" -H 'Content-Type: text/plain' \
	--data-binary @"$T/gz"
req GET "$st/gz.txt?alt=media"
is "gzip object without Accept-Encoding: served decompressed" "$(cat "$T/body")" "hello gzip"
req GET "$st/gz.txt?alt=media" -H 'Accept-Encoding: gzip'
is "gzip object with Accept-Encoding: gzip: stored bytes, Content-Encoding gzip" \
	"$(cmp -s "$T/gz" "$T/body" && echo same) $(hval Content-Encoding) $(hval x-goog-stored-content-encoding)" \
	"same gzip gzip"

# --- faults
for k in 503 500 408; do
	faults "[\"upload:1:$k\"]"
	req POST "$up?uploadType=media&name=f/$k" --data-binary @"$T/small"
	c1=$code
	req POST "$up?uploadType=media&name=f/$k" --data-binary @"$T/small"
	is "fault $k: answered $k once, then served" "$c1 $code" "$k 200"
done
faults '["upload:1:429:7"]'
req POST "$up?uploadType=media&name=f/429" --data-binary @"$T/small"
is "fault 429:7: 429 with Retry-After: 7" "$code $(hval Retry-After)" "429 7"
faults '["upload:2:503"]'
req GET "$st/m%2Fsmall.csv"; a=$code
req POST "$up?uploadType=media&name=f/class" --data-binary @"$T/small"; b=$code
req GET "$st/m%2Fsmall.csv"; c=$code
req POST "$up?uploadType=media&name=f/class" --data-binary @"$T/small"; d=$code
req POST "$up?uploadType=media&name=f/class" --data-binary @"$T/small"; e=$code
is "class-prefixed rule upload:2:503 counts upload requests only" "$a $b $c $d $e" \
	"200 200 200 503 200"
faults '["upload:1:reset"]'
req POST "$up?uploadType=media&name=f/reset" --data-binary @"$T/big"
case $code in curl-exit-55|curl-exit-56) ok "fault reset: connection reset ($code)" ;;
*) notok "fault reset: connection reset" "got $code: $(cat "$T/curlerr")" ;; esac
req GET "$st/f%2Freset"
is "... and nothing was stored" "$code" 404
init f/partial.bin
faults '["upload:1:partial"]'
req PUT "$loc" -H 'Content-Range: bytes 0-262143/*' --data-binary @"$T/c1"
is "fault partial: half the chunk persisted, 308 Range bytes=0-131071" \
	"$code $(hval Range)" "308 bytes=0-131071"
faults '[]'
tail -c 131072 "$T/c1" | cat - "$T/c2" >"$T/rest"
req PUT "$loc" -H 'Content-Range: bytes 131072-263143/263144' --data-binary @"$T/rest"
is "... resuming from the Range completes the object intact" "$code $(jget md5Hash)" \
	"200 $whole_md5"
init f/expire.bin
faults '["upload:1:expire"]'
req PUT "$loc" -H 'Content-Range: bytes 0-262143/*' --data-binary @"$T/c1"
c1=$code
req PUT "$loc" -H 'Content-Range: bytes */*'
is "fault expire: the session answers 404 from then on" "$c1 $code" "404 404"
init f/gone.bin
faults '["upload:1:gone"]'
req PUT "$loc" -H 'Content-Range: bytes */*'
c1=$code
req PUT "$loc" -H 'Content-Range: bytes */*'
is "fault gone: the session answers 410 from then on" "$c1 $code" "410 410"
faults '["storage:1:stall:1"]'
t=$(curl -s -o /dev/null -w '%{time_total}' "$st/m%2Fsmall.csv")
check "fault stall:1: the request took >= 1 s ($t s)" \
	awk -v t="$t" 'BEGIN { exit !(t >= 0.95) }'
faults '["upload:1:badhash"]'
req POST "$up?uploadType=media&name=f/badhash" --data-binary @"$T/small"
check "fault badhash (no X-Goog-Hash): stored crc32c differs from the data's" \
	[ "$code" = 200 ] && [ "$(jget crc32c)" != "$small_crc" ]
faults '["upload:1:badhash"]'
req POST "$up?uploadType=media&name=f/badhash2" -H "X-Goog-Hash: crc32c=$small_crc" \
	--data-binary @"$T/small"
is "fault badhash with X-Goog-Hash: 400" "$code" 400
faults '["storage:1:badhash"]'
req GET "$st/m%2Fsmall.csv?alt=media"
check "fault badhash on a download: served bytes differ, x-goog-hash is the true one" \
	[ "$(hval x-goog-hash)" = "crc32c=$small_crc,md5=$small_md5" ] && ! cmp -s "$T/body" "$T/small"
is "POST /_ctl/faults rejects a bad rule" "$(curl -s -o /dev/null -w '%{http_code}' \
	-X POST --data-binary '["1:nosuchkind"]' "$u/_ctl/faults")" 400
faults '[]'
req GET "$u/_ctl/stats"
check "/_ctl/stats: requests per class, objects, faults fired" \
	[ "$(jget requests.upload)" -gt 20 ] && [ "$(jget objects)" -gt 5 ] && \
	[ "$(jget faults_fired.reset)" = 1 ]
req GET "$u/_ctl/requests"
is "/_ctl/requests logs Content-Range, X-Goog-Hash, chunked bodies, Expect" \
	"$("$PY" -c 'import json, sys
log = json.load(open(sys.argv[1]))
h = [r["headers"] for r in log]
print(sum(1 for x in h if "Content-Range" in x) > 10,
      any("X-Goog-Hash" in r["headers"] and r["status"] == 400 for r in log),
      any(x.get("Transfer-Encoding") == "chunked" and
          x.get("Expect") == "100-continue" for x in h))' "$T/body")" \
	"True True True"

# --- auth: token endpoint, self-signed JWTs, metadata server
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>/dev/null
openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem"
start_server auth "$PY" "$SRV" --public-key "$T/pub.pem" --token-ttl 2 \
	--refresh-token rt-good --client-secret cs-good --fault meta:1:503
a=http://127.0.0.1:$auth_PORT
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
mkjwt() {	# AUD IAT EXP [SCOPE] [ISS]
	h=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
	c=$(printf '{"iss":"%s","aud":"%s","iat":%s,"exp":%s%s}' "${5:-fk@test.iam.gserviceaccount.com}" \
		"$1" "$2" "$3" "${4:+,\"scope\":\"$4\"}" | b64url)
	s=$(printf '%s.%s' "$h" "$c" | openssl dgst -sha256 -sign "$T/key.pem" | b64url)
	printf '%s.%s.%s' "$h" "$c" "$s"
}
token() { req POST "$a/token" -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer -d "assertion=$1"; }
now=$(date +%s)
scope=https://www.googleapis.com/auth/devstorage.read_write
req GET "$a/storage/v1/b/bkt"
is "auth server: storage request without a token: 401" "$code" 401
req GET "$a/storage/v1/b/bkt" -H 'Authorization: Bearer ya29.made-up'
is "... with an unknown token: 401" "$code" 401
jwt=$(mkjwt "$a/token" "$now" $((now + 3600)) "$scope")
token "$jwt"
tok=$(jget access_token)
is "JWT bearer grant (signed with openssl): 200, Bearer token" \
	"$code $(jget token_type) $(jget expires_in) $(echo "$tok" | grep -c .)" "200 Bearer 2 1"
req GET "$a/storage/v1/b/bkt" -H "Authorization: Bearer $tok"
is "... the issued token opens storage" "$code $(jget kind)" "200 storage#bucket"
req GET "$a/_ctl/requests"
is "request log shows Authorization as present, never its value" \
	"$(grep -c "$tok" "$T/body") $(grep -c '"Authorization": "present"' "$T/body")" "0 1"
hc=${jwt%.*}
evil=$(printf '{"iss":"evil@x","aud":"%s","iat":%s,"exp":%s,"scope":"%s"}' "$a/token" \
	"$now" $((now + 3600)) "$scope" | b64url)
token "${hc%%.*}.$evil.${jwt##*.}"
is "tampered JWT (claims swapped, old signature): 400 invalid_grant" \
	"$code $(jget error)" "400 invalid_grant"
token "$(mkjwt "$a/token" $((now - 7200)) $((now - 3600)) "$scope")"
is "expired JWT: 400 invalid_grant" "$code $(jget error)" "400 invalid_grant"
token "$(mkjwt "$a/token" "$now" $((now + 7200)) "$scope")"
is "JWT living longer than 1 h: 400 invalid_grant" "$code $(jget error)" "400 invalid_grant"
token "$(mkjwt https://oauth2.googleapis.com/token "$now" $((now + 3600)) "$scope")"
is "JWT for another token URL (aud): 400 invalid_grant" "$code $(jget error)" "400 invalid_grant"
token "$(mkjwt "$a/token" "$now" $((now + 3600)))"
is "JWT without scope: 400" "$code" 400
req GET "$a/storage/v1/b/bkt" -H "Authorization: Bearer $(mkjwt https://storage.googleapis.com/ "$now" $((now + 3600)))"
is "self-signed JWT (aud https://storage.googleapis.com/) as bearer: 200" "$code" 200
req GET "$a/storage/v1/b/bkt" -H "Authorization: Bearer $(mkjwt https://storage.googleapis.com/ $((now - 7200)) $((now - 3600)))"
is "expired self-signed JWT: 401" "$code" 401
req POST "$a/token" -d grant_type=refresh_token -d client_id=cid -d client_secret=cs-good \
	-d refresh_token=rt-good
rtok=$(jget access_token)
is "refresh_token grant: 200" "$code $(jget token_type)" "200 Bearer"
req POST "$a/token" -d grant_type=refresh_token -d client_id=cid -d client_secret=cs-good \
	-d refresh_token=rt-bad
is "refresh_token grant with a wrong refresh token: 400 invalid_grant" \
	"$code $(jget error)" "400 invalid_grant"
req GET "$a/computeMetadata/v1/instance/service-accounts/default/token" -H 'Metadata-Flavor: Google'
is "--fault meta:1:503 from the command line: first metadata request 503" "$code" 503
req GET "$a/computeMetadata/v1/instance/service-accounts/default/token"
is "metadata token without Metadata-Flavor: 403" "$code" 403
req GET "$a/computeMetadata/v1/instance/service-accounts/default/token" -H 'Metadata-Flavor: Google'
mtok=$(jget access_token)
is "metadata token with Metadata-Flavor: Google: 200, flavor echoed, token" \
	"$code $(hval Metadata-Flavor) $(jget token_type)" "200 Google Bearer"
req GET "$a/storage/v1/b/bkt/o" -H "Authorization: Bearer $mtok"
is "... the metadata token opens storage" "$code" 200
req GET "$a/computeMetadata/v1/project/project-id" -H 'Metadata-Flavor: Google'
is "metadata project-id" "$code $(cat "$T/body")" "200 fk-test"
req GET "$a/_ctl/stats"
is "stats: tokens issued per grant type" \
	"$(jget tokens_issued.jwt-bearer) $(jget tokens_issued.refresh_token) $(jget tokens_issued.metadata)" \
	"1 1 1"
sleep 2.2
req GET "$a/storage/v1/b/bkt" -H "Authorization: Bearer $rtok"
is "token past --token-ttl 2: 401" "$code" 401

# --- the official Node client (@google-cloud/storage, tests/node)
nm="$FK_TESTDIR/node/node_modules"
if [ ! -d "$nm/@google-cloud/storage" ] || ! command -v node >/dev/null 2>&1; then
	ok "node conformance # SKIP tests/node/node_modules missing (cd tests/node && npm ci)"
else
	export STORAGE_EMULATOR_HOST="$u"
	timeout 60 node "$FK_TESTDIR/node/conformance.mjs" >"$T/node.tap" 2>&1
	rc=$?
	cat "$T/node.tap"
	grep -q '^ok - ' "$T/node.tap" && ! grep -q '^not ok' "$T/node.tap" && [ $rc -eq 0 ] ||
		notok "node conformance suite exited $rc" "$(tail -n 5 "$T/node.tap")"
	head -c 700000 /dev/urandom >"$T/n.bin"
	node "$FK_TESTDIR/node/upload.mjs" bkt node/up.bin --chunk-size 262144 \
		<"$T/n.bin" >"$T/body" 2>"$T/err"
	set -- $(hashes "$T/n.bin")
	is "upload.mjs streams stdin (chunk 256 KiB), prints metadata" \
		"$(jget crc32c) $(jget size)" "$1 700000"
	node "$FK_TESTDIR/node/download.mjs" bkt node/up.bin >"$T/n.out" 2>"$T/err"
	same "download.mjs reads it back (crc32c validated)" "$T/n.bin" "$T/n.out"
fi

check "neither server logged a Python traceback" \
	sh -c '! grep -B2 -A10 Traceback "$1" "$2" >&2' - "$T/gcs.log" "$T/auth.log"
