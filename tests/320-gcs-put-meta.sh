#!/bin/sh
# gcs-put: content types, custom metadata, cache control, storage class,
# --gzip, and object names that need percent-encoding.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_put_lib.sh"
gcs_start
printf '{"a":1}\n{"a":2}\n' >"$T/small"
meta() {	# NAME KEY: member KEY of the stored object's resource
	curl -s "$GCS/storage/v1/b/$BKT/o/$(enc "$1")" >"$T/meta.json"
	jf "$T/meta.json" "$2"
}

for pair in x.avro=application/avro x.json=application/json \
    x.ndjson=application/x-ndjson x.jsonl=application/x-ndjson \
    x.csv=text/csv x.parquet=application/vnd.apache.parquet \
    x.csv.gz=application/gzip X.CSV=text/csv x.bin=application/octet-stream \
    noext=application/octet-stream; do
	name=${pair%%=*} want=${pair#*=}
	gcs-put "gs://$BKT/types/$name" <"$T/small" >"$T/o.json" 2>"$T/err"
	got=$(meta "types/$name" contentType)
	[ "$got" = "$want" ] && [ "$(jf "$T/o.json" contentType)" = "$want" ] &&
	    ok "content type of $name: $want" ||
	    notok "content type of $name: $want" "got '$got': $(cat "$T/err")"
done
gcs-put --content-type 'text/plain; charset=utf-8' gs://$BKT/ct.csv <"$T/small" >/dev/null
[ "$(meta ct.csv contentType)" = "text/plain; charset=utf-8" ] &&
    ok "--content-type overrides the guess" || notok "--content-type overrides the guess"

gcs-put -m owner=fk -m 'run-id=2026-11-25/001' -m 'empty=' -m "$(printf 'utf=h\303\251')" \
    --cache-control 'no-cache, max-age=0' --storage-class nearline \
    gs://$BKT/m.ndjson <"$T/small" >/dev/null 2>"$T/err"
[ "$(meta m.ndjson metadata)" = '{"owner": "fk", "run-id": "2026-11-25/001", "empty": "", "utf": "h\u00e9"}' ] &&
    ok "-m metadata stored" || notok "-m metadata stored" "$(jf "$T/meta.json" metadata) $(cat "$T/err")"
[ "$(jf "$T/meta.json" cacheControl)" = "no-cache, max-age=0" ] &&
    ok "--cache-control stored" || notok "--cache-control stored" "$(cat "$T/meta.json")"
[ "$(jf "$T/meta.json" storageClass)" = NEARLINE ] &&
    ok "--storage-class stored (upper-cased)" || notok "--storage-class stored" "$(cat "$T/meta.json")"

# The same metadata on the resumable path (given at initiation).
head -c 600000 /dev/urandom >"$T/rnd"
gcs-put --chunk-size 256K -m k=v --cache-control private --storage-class COLDLINE \
    --content-type application/x-test gs://$BKT/m-big <"$T/rnd" >/dev/null
[ "$(meta m-big metadata)" = '{"k": "v"}' ] && [ "$(jf "$T/meta.json" cacheControl)" = private ] &&
    [ "$(jf "$T/meta.json" storageClass)" = COLDLINE ] &&
    [ "$(jf "$T/meta.json" contentType)" = application/x-test ] &&
    ok "metadata on a resumable upload" || notok "metadata on a resumable upload" "$(cat "$T/meta.json")"

# --gzip: stored bytes are gzip, decompress to the input; hashes and size
# are those of the stored (compressed) bytes.
"$PY" -c 'import sys
for i in range(40000): sys.stdout.write("{\"id\":%d,\"name\":\"user %d\"}\n" % (i, i % 97))' >"$T/nd"
for mode in multipart resumable; do
	if [ $mode = multipart ]; then in=$T/nd; else in=$T/rnd; fi
	gcs-put --gzip --chunk-size 256K gs://$BKT/z.$mode.ndjson.gz <"$in" >"$T/o.json" 2>"$T/err"
	st=$(fetch_obj $BKT z.$mode.ndjson.gz "$T/z.gz")
	gzip -dc <"$T/z.gz" >"$T/z.out" 2>"$T/gzerr"
	[ "$st" = 200 ] && cmp -s "$in" "$T/z.out" && ok "--gzip ($mode): the object decompresses to the input" ||
	    notok "--gzip ($mode): the object decompresses to the input" "$st $(cat "$T/err" "$T/gzerr")"
	[ "$(jf "$T/o.json" crc32c)" = "$(crc_b64 "$T/z.gz")" ] &&
	    [ "$(jf "$T/o.json" size)" = "$(wc -c <"$T/z.gz" | tr -d ' ')" ] &&
	    ok "--gzip ($mode): crc32c and size are those of the stored bytes" ||
	    notok "--gzip ($mode): crc32c and size of the stored bytes" "$(cat "$T/o.json")"
	[ "$(meta z.$mode.ndjson.gz contentEncoding)" = gzip ] &&
	    [ "$(jf "$T/meta.json" contentType)" = application/x-ndjson ] &&
	    ok "--gzip ($mode): contentEncoding gzip, type of the content" ||
	    notok "--gzip ($mode): contentEncoding and type" "$(cat "$T/meta.json")"
done
[ "$(wc -c <"$T/nd")" -gt $((4 * $(fetch_obj $BKT z.multipart.ndjson.gz "$T/z.gz" >/dev/null; wc -c <"$T/z.gz"))) ] &&
    ok "--gzip compresses (NDJSON shrinks more than 4x)" || notok "--gzip compresses"

# Names: space, unicode, #, ?, %, /, +, &, = and a leading slash, on both
# upload paths; the object is found under exactly that name.
i=0
for name in 'a b.csv' 'dir/sub/x.csv' 'h#sh' 'q?x=1&y=2' 'pct%41%2F' \
    "$(printf 'caf\303\251/\344\270\255\346\226\207.json')" 'plus+eq=.csv' '/lead' "$(printf 'sp ace/%%25 #?')"; do
	i=$((i + 1))
	for f in "$T/small" "$T/rnd"; do
		gcs-put --chunk-size 256K "gs://$BKT/names/$name" <"$f" >"$T/o.json" 2>"$T/err"
		rc=$?
		st=$(fetch_obj $BKT "names/$name" "$T/got")
		[ $rc -eq 0 ] && [ "$st" = 200 ] && cmp -s "$f" "$T/got" &&
		    [ "$(jf "$T/o.json" name)" = "names/$name" ] &&
		    ok "name #$i '$name' ($(wc -c <"$f" | tr -d ' ') bytes) stored under that name" ||
		    notok "name #$i '$name'" "exit $rc, status $st: $(cat "$T/err")"
		curl -s -X DELETE "$GCS/storage/v1/b/$BKT/o/$(enc "names/$name")" >/dev/null
	done
done
