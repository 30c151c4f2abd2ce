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
printf '%s\n' "$out" | grep -q "'password'" && notok "the password is dropped" || ok "the password is dropped"
printf '%s\n' "$out" | grep "^  {" >"$T/rows"
[ "$(wc -l <"$T/rows")" = 3 ] && ! grep -v "'email': '[0-9a-f]\{64\}'" "$T/rows" | grep -q . &&
    ok "the rows shown carry hashed emails (64 hex digits)" || notok "hashed emails shown" "$(cat "$T/rows")"
! grep -v "'ip': '[0-9]*\.[0-9]*\.[0-9]*\.0'" "$T/rows" | grep -q . && ! grep -q "@" "$T/rows" &&
    ok "the rows shown carry masked ips and no clear-text email" || notok "masked ips shown" "$(cat "$T/rows")"
printf '%s\n' "$out" | grep -q "key id [0-9a-f]\{8\}:" && printf '%s\n' "$out" | grep -q "nobody without the key can" &&
    ok "the demo says why, and names the throwaway key by its id" || notok "the demo explains the hashing"
