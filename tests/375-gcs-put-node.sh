#!/bin/sh
# Objects written by gcs-put read back by the official Node client
# (@google-cloud/storage, tests/node/download.mjs), which checks the bytes
# against the server's x-goog-hash.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_put_lib.sh"
if [ ! -d "$FK_TESTDIR/node/node_modules/@google-cloud/storage" ] ||
    ! command -v node >/dev/null 2>&1; then
	echo "ok - # SKIP node_modules absent (cd tests/node && npm ci)"
	exit 0
fi
head -c 1200 /dev/urandom >"$T/small"
head -c 1500000 /dev/urandom >"$T/big"
# Against every mode of the test server a reader can use (--role creator
# cannot read, by definition): tidy, proto3 resources, final answers cut
# short or dropped, preconditions checked late.
for mode in "" --omit-zero "--cut-final 10" --drop-final --late-preconditions; do
gcs_start $mode
# The URL form: the Node client needs it (gcs-put takes either).
STORAGE_EMULATOR_HOST=$GCS
m=${mode:+" [$mode]"}
for spec in "small:plain.bin" "big:chunked.bin" "small:dir/sp ace #1?.csv" \
    "big:$(printf 'caf\303\251/x%%41.ndjson')"; do
	f=${spec%%:*} name=${spec#*:}
	gcs-put --chunk-size 256K "gs://$BKT/$name" <"$T/$f" >/dev/null 2>"$T/err" ||
	    notok "gcs-put $name" "$(cat "$T/err")"
	timeout 60 node "$FK_TESTDIR/node/download.mjs" "$BKT" "$name" >"$T/got" 2>"$T/err"
	rc=$?
	[ $rc -eq 0 ] && cmp -s "$T/$f" "$T/got" &&
	    ok "Node client reads '$name' back byte for byte, crc32c validated$m" ||
	    notok "Node client reads '$name'" "exit $rc: $(cat "$T/err")"
	timeout 60 node "$FK_TESTDIR/node/download.mjs" "$BKT" "$name" --validation md5 >"$T/got" 2>"$T/err"
	[ $? -eq 0 ] && cmp -s "$T/$f" "$T/got" && ok "... and with md5 validation$m" ||
	    notok "'$name' with md5 validation" "$(cat "$T/err")"
done
kill "${_pids##* }" 2>/dev/null
done
