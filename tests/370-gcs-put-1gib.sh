#!/bin/sh
# gcs-put streams 1 GiB from a pipe in bounded memory: peak RSS is that
# of a 1-byte upload plus one chunk, whatever the input size.  The time is
# reported, never asserted (the Python test server sets the pace).
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_put_lib.sh"
gcs_start
CHUNK_KIB=8192
rss() { tail -n 1 "$1" | cut -d' ' -f1; }
# Under AddressSanitizer (shadow memory, quarantine) RSS says nothing.
san=${FK_SAN:-}
grep -q __asan_init "$FK_BIN/gcs-put" 2>/dev/null && san=1
bound() {	# DESC CONDITION...: an RSS assertion, skipped under sanitizers
	_d=$1; shift
	if [ -n "$san" ]; then
		echo "ok - # SKIP $_d (sanitizer build)"
	elif "$@"; then
		ok "$_d"
	else
		notok "$_d" "peak $peak KiB, base $base KiB"
	fi
}

echo x | /usr/bin/time -f '%M %e' -o "$T/t0" gcs-put gs://$BKT/one >/dev/null 2>"$T/err"
base=$(rss "$T/t0")
head -c 1073741824 /dev/zero |
    /usr/bin/time -f '%M %e' -o "$T/t1" gcs-put gs://$BKT/big >"$T/o.json" 2>"$T/err"
rc=$?
peak=$(rss "$T/t1")
secs=$(tail -n 1 "$T/t1" | cut -d' ' -f2)
echo "# 1 GiB from a pipe in $secs s; peak RSS $peak KiB (chunk $CHUNK_KIB KiB," \
    "1-byte upload $base KiB: shared libraries and libcurl/OpenSSL set-up)"
[ $rc -eq 0 ] && [ "$(jf "$T/o.json" size)" = 1073741824 ] &&
    ok "1 GiB stored (size 1073741824)" || notok "1 GiB stored" "exit $rc: $(cat "$T/err")"
want_md5=$(head -c 1073741824 /dev/zero | md5sum | cut -d' ' -f1 |
    "$PY" -c 'import base64, sys; print(base64.b64encode(bytes.fromhex(sys.stdin.read().strip())).decode())')
curl -s "$GCS/storage/v1/b/$BKT/o/big" >"$T/meta.json"
[ "$(jf "$T/meta.json" md5Hash)" = "$want_md5" ] &&
    [ "$(jf "$T/meta.json" crc32c)" = "$(jf "$T/o.json" crc32c)" ] &&
    ok "1 GiB: the server's MD5 is that of the input, its CRC32C the one printed" ||
    notok "1 GiB hashes" "$(cat "$T/meta.json")"
bound "1 GiB: peak RSS grows by at most one chunk + 4 MiB over a 1-byte upload ($((peak - base)) KiB)" \
    [ $((peak - base)) -le $((CHUNK_KIB + 4096)) ]
bound "1 GiB: peak RSS within chunk + 16 MiB ($peak KiB)" \
    [ "$peak" -le $((CHUNK_KIB + 16384)) ]

# The other paths keep the bound: 256 MiB with --gzip and a 1 MiB chunk,
# 64 MiB through a spool.
head -c 268435456 /dev/zero |
    /usr/bin/time -f '%M %e' -o "$T/t2" gcs-put --gzip --chunk-size 1M gs://$BKT/z.gz >"$T/o.json" 2>"$T/err"
peak=$(rss "$T/t2")
fetch_obj $BKT z.gz "$T/z" >/dev/null
[ "$(gzip -dc <"$T/z" | wc -c)" -eq 268435456 ] &&
    ok "--gzip, 256 MiB, 1 MiB chunks: decompresses to 256 MiB" ||
    notok "--gzip 256 MiB" "$(cat "$T/err")"
bound "--gzip, 256 MiB, 1 MiB chunks: peak RSS +$((peak - base)) KiB, at most chunk + 4 MiB" \
    [ $((peak - base)) -le $((1024 + 4096)) ]
mkdir "$T/spool"
head -c 67108864 /dev/zero |
    /usr/bin/time -f '%M %e' -o "$T/t3" gcs-put --spool "$T/spool" --chunk-size 1M gs://$BKT/sp >/dev/null 2>"$T/err"
peak=$(rss "$T/t3")
curl -s "$GCS/storage/v1/b/$BKT/o/sp" >"$T/meta.json"
[ "$(jf "$T/meta.json" size)" = 67108864 ] && ok "--spool, 64 MiB, 1 MiB chunks: stored" ||
    notok "--spool 64 MiB" "$(cat "$T/err")"
bound "--spool, 64 MiB, 1 MiB chunks: peak RSS +$((peak - base)) KiB, at most chunk + 4 MiB" \
    [ $((peak - base)) -le $((1024 + 4096)) ]
