# tests/gcs_put_lib.sh: helpers for the gcs-put tests (3xx-gcs-*.sh),
# sourced after lib.sh.
#
#   gcs_start [server args]    start tests/gcs_server.py; sets GCS (base
#                              URL) and exports STORAGE_EMULATOR_HOST
#   faults JSON                replace the server's fault rules, e.g.
#                              faults '["upload:3:503"]' ('[]' clears)
#   ctl METHOD PATH [JSON]     the server's control API
#   enc NAME                   NAME percent-encoded as a path segment
#   fetch_obj B NAME OUT       stored bytes of gs://B/NAME into OUT (no
#                              transcoding); prints the HTTP status
#   obj_status B NAME          HTTP status of the object's resource
#   crc_b64 FILE               CRC32C of FILE (the server's implementation)
#   jf FILE KEY                member KEY of the JSON object in FILE
#   put_check DESC NAME IN [gcs-put args]
#                              upload IN to gs://$BKT/NAME: exit 0, the
#                              stored bytes equal IN, crc32c printed = ours
#   put_fails CODE DESC NAME IN [gcs-put args]
#                              exit CODE, a message, nothing on stdout and
#                              no object at NAME
#   requests                   the uploads in the request log, one per
#                              line: METHOD TYPE RANGE HASH STATUS
BKT=fk-test
gcs_start() {
	mkdir -p "$T/gcsdata"
	start_server gcs "$PY" "$FK_TESTDIR/gcs_server.py" \
	    --data-dir "$T/gcsdata" "$@"
	GCS=http://127.0.0.1:$gcs_PORT
	STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_PORT
	export STORAGE_EMULATOR_HOST
}
ctl() {
	if [ $# -gt 2 ]; then
		curl -s -X "$1" -H 'Content-Type: application/json' \
		    --data-binary "$3" "$GCS/_ctl/$2"
	else
		curl -s -X "$1" "$GCS/_ctl/$2"
	fi
}
faults() { ctl POST faults "$1" >/dev/null; }
enc() {
	"$PY" -c 'import sys, urllib.parse
print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}
fetch_obj() {
	curl -s -o "$3" -w '%{http_code}' -H 'Accept-Encoding: gzip' \
	    "$GCS/storage/v1/b/$1/o/$(enc "$2")?alt=media"
}
obj_status() {
	curl -s -o /dev/null -w '%{http_code}' "$GCS/storage/v1/b/$1/o/$(enc "$2")"
}
crc_b64() {
	"$PY" -c 'import sys, struct
sys.path.insert(0, sys.argv[1])
import gcs_server as g
print(g.b64(struct.pack(">I", g.crc32c(open(sys.argv[2], "rb").read()))))' \
	    "$FK_TESTDIR" "$1"
}
jf() {
	"$PY" -c 'import json, sys
v = json.load(open(sys.argv[1])).get(sys.argv[2])
print(json.dumps(v) if isinstance(v, (dict, list)) else ("" if v is None else v))' "$1" "$2"
}
put_check() {
	_d=$1 _n=$2 _in=$3; shift 3
	gcs-put "$@" "gs://$BKT/$_n" <"$_in" >"$T/put.json" 2>"$T/put.err"
	_rc=$?
	if [ $_rc -ne 0 ]; then
		notok "$_d" "exit $_rc: $(tail -n 3 "$T/put.err")"
		return
	fi
	_st=$(fetch_obj "$BKT" "$_n" "$T/got")
	_want=$(crc_b64 "$_in")
	_got=$(jf "$T/put.json" crc32c)
	if [ "$_st" = 200 ] && cmp -s "$_in" "$T/got" && [ "$_want" = "$_got" ]
	then
		ok "$_d"
	else
		notok "$_d" "status $_st, crc32c want $_want got $_got; $(cmp "$_in" "$T/got" 2>&1)"
	fi
}
put_fails() {
	_want=$1 _d=$2 _n=$3 _in=$4; shift 4
	gcs-put "$@" "gs://$BKT/$_n" <"$_in" >"$T/put.json" 2>"$T/put.err"
	_rc=$?
	_st=$(obj_status "$BKT" "$_n")
	if [ $_rc -eq "$_want" ] && [ "$_st" = 404 ] && [ ! -s "$T/put.json" ] &&
	    [ "$(grep -c . "$T/put.err")" -ge 1 ]; then
		ok "$_d"
	else
		notok "$_d" "exit $_rc (want $_want), object status $_st: $(tail -n 3 "$T/put.err")"
	fi
}
requests() {
	ctl GET requests | "$PY" -c 'import json, sys
for r in json.load(sys.stdin):
    if r["class"] != "upload":
        continue
    q = r["query"]; h = r["headers"]
    kind = q.get("uploadType", "") if "upload_id" not in q else "session"
    print(r["method"], kind, h.get("Content-Range", "-"),
          "hash" if "X-Goog-Hash" in h else "-", r["status"])'
}
