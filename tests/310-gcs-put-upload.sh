#!/bin/sh
# gcs-put: multipart below the chunk size, resumable above it, the exact
# boundaries, the empty object, the printed resource and the wire format.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_put_lib.sh"
gcs_start
K=262144
gen() { head -c "$1" "$T/pool" >"$T/in.$1"; }
"$PY" -c 'import os, sys; sys.stdout.buffer.write(os.urandom(4 * 262144 + 4096))' >"$T/pool"

for n in 0 1 $((K - 1)) $K $((K + 1)) $((3 * K)) $((3 * K + 1)); do
	gen $n
	faults '[]'
	ctl POST reset >/dev/null
	put_check "size $n, chunk 256KiB: stored byte for byte" "obj.$n" "$T/in.$n" \
	    --chunk-size 256K
	requests >"$T/req"
	case $n in
	0|1|$((K - 1))|$K)
		[ "$(cat "$T/req")" = "POST multipart - - 200" ] &&
		    ok "size $n: one multipart request" ||
		    notok "size $n: one multipart request" "$(cat "$T/req")" ;;
	*)
		chunks=$(( (n + K - 1) / K ))
		last=$(( (chunks - 1) * K ))
		{
			echo "POST resumable - - 200"
			i=0
			while [ $i -lt $((chunks - 1)) ]; do
				echo "PUT session bytes $((i * K))-$((i * K + K - 1))/* - 308"
				i=$((i + 1))
			done
			echo "PUT session bytes $last-$((n - 1))/$n hash 200"
		} >"$T/want"
		same "size $n: $chunks chunks, the last with the total and X-Goog-Hash" \
		    "$T/want" "$T/req" ;;
	esac
done

# The resource printed on stdout: one line, the documented fields.
gen 1000
ctl POST reset >/dev/null
gcs-put -m team=data -m 'note=a b' gs://$BKT/dir/r.ndjson <"$T/in.1000" >"$T/o.json"
[ "$(wc -l <"$T/o.json")" -eq 1 ] && ok "one JSON line on stdout" ||
    notok "one JSON line on stdout" "$(cat "$T/o.json")"
"$PY" - "$T/o.json" "$(crc_b64 "$T/in.1000")" "$(openssl md5 -binary "$T/in.1000" | base64)" <<'PYEOF' >"$T/chk"
import json, sys
o = json.load(open(sys.argv[1]))
want = {"bucket": "fk-test", "name": "dir/r.ndjson", "size": "1000",
        "crc32c": sys.argv[2], "md5Hash": sys.argv[3],
        "contentType": "application/x-ndjson",
        "metadata": {"team": "data", "note": "a b"}}
bad = [k for k, v in want.items() if o.get(k) != v]
if not o.get("generation", "").isdigit():
    bad.append("generation")
print(" ".join(bad) or "ok")
PYEOF
[ "$(cat "$T/chk")" = ok ] && ok "resource fields: bucket name generation size crc32c md5Hash contentType metadata" ||
    notok "resource fields" "wrong: $(cat "$T/chk"); $(cat "$T/o.json")"

# Empty input makes a zero-byte object; --no-empty refuses (65), stores nothing.
: >"$T/e"
gcs-put gs://$BKT/empty.csv <"$T/e" >"$T/o.json"
[ "$(jf "$T/o.json" size)" = 0 ] && [ "$(jf "$T/o.json" crc32c)" = AAAAAA== ] &&
    ok "empty stdin: a zero-byte object" || notok "empty stdin: a zero-byte object" "$(cat "$T/o.json")"
put_fails 65 "--no-empty on empty stdin: 65, no object" none.csv "$T/e" --no-empty
grep -q 'empty' "$T/put.err" && ok "--no-empty says why" || notok "--no-empty says why" "$(cat "$T/put.err")"
put_check "--no-empty with data stores it" some.csv "$T/in.1" --no-empty

# The default chunk is 8 MiB: 8 MiB + 1 byte is resumable, in two requests.
"$PY" -c 'import sys; sys.stdout.buffer.write(b"z" * (8 * 1048576 + 1))' >"$T/in.8m1"
ctl POST reset >/dev/null
put_check "8 MiB + 1 with the default chunk size" big "$T/in.8m1"
[ "$(requests | tr '\n' ,)" = "POST resumable - - 200,PUT session bytes 0-8388607/* - 308,PUT session bytes 8388608-8388608/8388609 hash 200," ] &&
    ok "default chunk is 8 MiB" || notok "default chunk is 8 MiB" "$(requests)"
# Chunk sizes with suffixes.
ctl POST reset >/dev/null
put_check "--chunk-size 512KiB" c512 "$T/in.$((3 * K + 1))" --chunk-size 512KiB
[ "$(requests | grep -c 'PUT session')" -eq 2 ] && ok "512KiB chunks: two PUTs for 768KiB+1" ||
    notok "512KiB chunks: two PUTs for 768KiB+1" "$(requests)"

# Output to a closed pipe: a quiet stop after the object is stored.
gcs-put gs://$BKT/piped <"$T/in.1000" 2>"$T/err" | head -c 0
[ ! -s "$T/err" ] && [ "$(obj_status $BKT piped)" = 200 ] &&
    ok "stdout closed early: object stored, no message" ||
    notok "stdout closed early" "$(cat "$T/err")"

# Progress: only when stderr is a terminal, and not with -q.
gcs-put --overwrite gs://$BKT/prog <"$T/in.8m1" >/dev/null 2>"$T/err"
! grep -q 'sent,' "$T/err" && ok "no progress when stderr is a file" ||
    notok "no progress when stderr is a file" "$(cat "$T/err")"
if command -v script >/dev/null 2>&1; then
	faults '["upload:3:stall:1"]'	# the last request waits: time to draw
	script -qc "gcs-put --overwrite gs://$BKT/prog <'$T/in.8m1' >'$T/o.json'" /dev/null >"$T/tty" 2>&1
	grep -q 'MiB sent, .*/s, 0 retries' "$T/tty" && [ "$(jf "$T/o.json" size)" = 8388609 ] &&
	    ok "progress on a terminal: bytes, rate, retries; stdout still the resource" ||
	    notok "progress on a terminal" "$(tr '\r' '\n' <"$T/tty" | tail -n 3)"
	faults '[]'
	script -qc "gcs-put -q --overwrite gs://$BKT/prog <'$T/in.8m1' >/dev/null" /dev/null >"$T/tty" 2>&1
	[ ! -s "$T/tty" ] && ok "-q: no progress on a terminal" ||
	    notok "-q: no progress on a terminal" "$(cat "$T/tty")"
else
	echo "ok - # SKIP progress on a terminal: script(1) absent"
fi

# -v logs every request, but never the session's whole upload_id (it is a
# bearer capability), in text or JSON.
ctl POST reset >/dev/null
gcs-put -v --chunk-size 256K gs://$BKT/verbose <"$T/in.$((3 * K + 1))" >/dev/null 2>"$T/v.txt"
ctl POST reset >/dev/null
FK_LOG=json gcs-put -v --chunk-size 256K gs://$BKT/verbose <"$T/in.$((3 * K + 1))" >/dev/null 2>"$T/v.json"
id=$(ctl GET requests | "$PY" -c 'import json, sys
print(next(r["query"]["upload_id"] for r in json.load(sys.stdin) if "upload_id" in r["query"]))')
[ "$(grep -c 'PUT .*upload_id=.*bytes' "$T/v.txt")" -eq 4 ] &&
    [ "$(grep -c '"event":"request"' "$T/v.json")" -eq 6 ] &&
    ok "-v: one line per request, in text and JSON" || notok "-v: one line per request" "$(cat "$T/v.txt")"
[ ${#id} -ge 8 ] && ! grep -q "$id" "$T/v.txt" "$T/v.json" &&
    ok "-v: the upload_id is never shown whole" || notok "-v: the upload_id is never shown whole" "$id"
