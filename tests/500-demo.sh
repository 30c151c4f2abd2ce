#!/bin/sh
# make demo's script: the whole job offline, with its checks visible.
. "$FK_TESTDIR/lib.sh"
top=$(cd "$FK_TESTDIR/.." && pwd)
check "examples/demo.sh runs" sh "$top/examples/demo.sh"
out=$(cat "$T/out")
[ "$(printf '%s\n' "$out" | grep -c ' matches$')" = 3 ] && ok "size, crc32c and md5Hash of the stored object match" ||
    notok "size, crc32c and md5Hash match" "$out"
printf '%s\n' "$out" | grep -q '^  100 rows in all$' && ok "python3-avro reads 100 rows back" || notok "python3-avro reads 100 rows back"
printf '%s\n' "$out" | grep -q "codec deflate" && ok "Avro is deflate-compressed by default" || notok "deflate by default"
printf '%s\n' "$out" | grep -q "'uuid': '" && ok "rows carry uuids" || notok "rows carry uuids"
printf '%s\n' "$out" | grep -q "password" && notok "the password is dropped" || ok "the password is dropped"
