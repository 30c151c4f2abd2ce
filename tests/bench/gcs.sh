#!/bin/sh
# Benchmark: 1 GiB from stdin to the GCS test server (tests/gcs_server.py)
# by gcs-put (8 MiB chunks, CRC32C + MD5 while streaming), by the official
# Node client (@google-cloud/storage createWriteStream, same chunk size,
# tests/node/upload.mjs) and by one curl POST of the same bytes as a media
# upload (no hashing, one request: the server's ceiling).  Prints figures
# and ratios; asserts nothing.  FK_BENCH_GCS_MIB changes the size.
set -u
: "${FK_BIN:?}" "${FK_TESTDIR:?}"
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_put_lib.sh"
MIB=${FK_BENCH_GCS_MIB:-1024}
BYTES=$((MIB * 1048576))
CHUNK=8388608
gcs_start
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench/gcs: /usr/bin/time missing (apt-get install time)"; exit 1; }

run() {	# NAME CMD...: stdin is the generated stream; "secs rss_kib" or "fail"
	name=$1; shift
	ctl POST reset >/dev/null
	head -c "$BYTES" /dev/zero |
	    "$TIME" -f '%e %M' -o "$T/$name.time" "$@" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	size=$(curl -s "$GCS/storage/v1/b/$BKT/o/$name" | jf /dev/stdin size)
	if [ $rc -ne 0 ] || [ "$size" != "$BYTES" ]; then
		echo "bench/gcs: $name failed (exit $rc, size '$size'): $(tail -n 2 "$T/$name.err")" >&2
		echo fail
		return
	fi
	tail -n 1 "$T/$name.time"
}
rate() { "$PY" -c 'import sys; print("%.1f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$MIB" "$1"; }
mib() { "$PY" -c 'import sys; print("%.1f" % (int(sys.argv[1]) / 1024))' "$1"; }
ratio() { "$PY" -c 'import sys; a, b = map(float, sys.argv[1:]); print("%.2f" % (a / b) if b else "-")' "$1" "$2"; }

g=$(run gcsput gcs-put -q gs://$BKT/gcsput)
c=$(run curl curl -s -S -o /dev/null -X POST -T - \
    -H 'Content-Type: application/octet-stream' \
    "$GCS/upload/storage/v1/b/$BKT/o?uploadType=media&name=curl")
if [ -d "$FK_TESTDIR/node/node_modules/@google-cloud/storage" ] && command -v node >/dev/null; then
	n=$(STORAGE_EMULATOR_HOST=$GCS run node node "$FK_TESTDIR/node/upload.mjs" \
	    "$BKT" node --chunk-size "$CHUNK")
else
	n=skip
fi

echo "gcs-put: $g   node: $n   curl: $c   (seconds, peak RSS KiB; $MIB MiB)"
case "$g" in fail) echo "bench/gcs: gcs-put failed, no table"; exit 1 ;; esac
gs=${g% *} gr=${g#* }
gt=$(rate "$gs")
echo "| benchmark | fk | peer | ratio | target |"
echo "|---|---|---|---|---|"
case "$n" in
fail|skip)
	echo "| gcs-put $MIB MiB stdin, MiB/s vs Node createWriteStream | $gt | $n | - | >= 1.0 |" ;;
*)
	nt=$(rate "${n% *}")
	echo "| gcs-put $MIB MiB stdin, MiB/s vs Node createWriteStream | $gt | $nt | $(ratio "$gt" "$nt") | >= 1.0 |"
	echo "| gcs-put $MIB MiB stdin, peak RSS MiB vs Node | $(mib "$gr") | $(mib "${n#* }") | $(ratio "${n#* }" "$gr") | - |" ;;
esac
case "$c" in
fail) echo "| gcs-put $MIB MiB stdin, MiB/s vs one curl media POST | $gt | fail | - | >= 0.8 |" ;;
*)
	ct=$(rate "${c% *}")
	echo "| gcs-put $MIB MiB stdin, MiB/s vs one curl media POST | $gt | $ct | $(ratio "$gt" "$ct") | >= 0.8 |" ;;
esac
lim=$(( (CHUNK / 1024) + 8192 ))
echo "| gcs-put $MIB MiB stdin, peak RSS MiB vs chunk + 8 MiB | $(mib "$gr") | $(mib "$lim") | $(ratio "$lim" "$gr") | >= 1.0 |"
case "$c" in fail) ;; *)
	echo "| (for scale) curl's own peak RSS MiB | $(mib "${c#* }") | - | - | - |" ;;
esac
