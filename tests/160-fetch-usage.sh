#!/bin/sh
# fk-fetch's command line: --help, --version, and every bad flag or value:
# exit 64, one line "fk-fetch: reason" plus "Try 'fk-fetch --help'.",
# nothing on stdout, and no request sent.
. "$FK_TESTDIR/lib.sh"

start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
S=http://127.0.0.1:$faker_PORT
B=$S/api/v2
nreq() { curl -s "$S/_ctl/stats" | jq .requests; }
is() {	# DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}

check "--help" fk-fetch --help
grep -q '^usage: fk-fetch \[-quvhV\] \[-n N\]' "$T/out" && [ ! -s "$T/err" ] &&
    ok "--help: usage on stdout" || notok "--help: usage on stdout" "$(head -n 3 "$T/out")"
for f in --count --seed --base-url --param --parallel --rate --shard --raw \
    --retries --connect-timeout --stall-timeout --unbuffered --verbose --quiet \
    --help --version; do
	grep -q -- "$f" "$T/out" || missing="${missing:-} $f"
done
[ -z "${missing:-}" ] && ok "--help lists every long option" ||
    notok "--help lists every long option" "missing:$missing"
check "-h" fk-fetch -h
check "--version" fk-fetch --version
is "--version prints 'fk-fetch 0.1.0'" "$(cat "$T/out")" "fk-fetch 0.1.0"
check "-V" fk-fetch -V
is "-V prints the version" "$(cat "$T/out")" "fk-fetch 0.1.0"

# bad DESC PATTERN ARGS...: exit 64, the reason, the hint, nothing else
bad() {
	d=$1 pat=$2; shift 2
	curl -s -X POST "$S/_ctl/reset" >/dev/null
	fk-fetch --base-url "$B" --rate 0 "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if [ "$rc" -eq 64 ] && [ ! -s "$T/out" ] && [ "$(nreq)" -eq 0 ] &&
	    [ "$(wc -l <"$T/err")" -eq 2 ] &&
	    head -n 1 "$T/err" | grep -q -- "^fk-fetch: .*$pat" &&
	    [ "$(sed -n 2p "$T/err")" = "Try 'fk-fetch --help'." ]; then
		ok "$d: exit 64 ($(head -n 1 "$T/err"))"
	else
		notok "$d: exit 64 with a one-line reason" \
		    "exit $rc, $(nreq) requests, stdout $(wc -c <"$T/out") bytes: $(cat "$T/err")"
	fi
}
bad "-n 0" "invalid --count '0': too small" -n 0
bad "-n -5" "invalid --count '-5': too small" -n -5
bad "-n abc" "invalid --count 'abc': not a" -n abc
bad "-n 1e3" "invalid --count '1e3'" -n 1e3
bad "-n 12.5" "invalid --count '12.5'" -n 12.5
bad "-n ''" "invalid --count ''" -n ''
bad "-n ' 5'" "invalid --count ' 5'" -n ' 5'
bad "-n 100000001 (absurd)" "too large (1 to 100000000)" -n 100000001
bad "-n 99999999999999999999" "too large" -n 99999999999999999999
bad "--count=0x10" "invalid --count" --count=0x10
bad "-s 0 (unseeded on the API)" "invalid --seed '0': too small" -s 0
bad "-s 4294967296" "invalid --seed '4294967296': too large" -s 4294967296
bad "-s -1" "invalid --seed" -s -1
bad "-s x" "invalid --seed" -s x
bad "-j 0" "invalid --parallel '0'" -j 0
bad "-j 65" "invalid --parallel '65': too large" -j 65
bad "-r -1" "invalid --rate '-1'" -r -1
bad "-r fast" "invalid --rate" -r fast
bad "--retries -1" "invalid --retries" --retries -1
bad "--retries 101" "invalid --retries" --retries 101
bad "--connect-timeout 0" "invalid --connect-timeout" --connect-timeout 0
bad "--stall-timeout x" "invalid --stall-timeout" --stall-timeout x
bad "--shard 0/3" "invalid shard '0/3'" --shard 0/3 -s 1
bad "--shard 4/3" "invalid shard '4/3'" --shard 4/3 -s 1
bad "--shard 1/0" "invalid shard '1/0'" --shard 1/0 -s 1
bad "--shard 2" "expected I/N" --shard 2 -s 1
bad "--shard a/b" "invalid shard" --shard a/b -s 1
bad "--shard 1/3 without a seed" "needs --seed" --shard 1/3
bad "-p without '='" "expected KEY=VALUE" -p _locale
bad "-p _quantity" "'_quantity' is set by fk-fetch" -p _quantity=5
bad "-p _seed" "'_seed' is set by fk-fetch" -p _seed=5
bad "-p twice" "given twice" -p _locale=it_IT -p _locale=de_DE
bad "-p bad locale" "invalid _locale 'en'" -p _locale=en
bad "-p malformed locale" "invalid _locale 'de-DE'" -p _locale=de-DE
bad "-p _width=0" "invalid _width '0'" -p _width=0 images
bad "-p a.b (PHP would rename it)" "invalid parameter name 'a.b'" -p a.b=1
bad "-p _characters=9" "invalid _characters '9'" -p _characters=9 texts
bad "operand with _seed" "'_seed' is set by fk-fetch" 'users?_seed=1'
bad "operand with _quantity=0" "invalid count '0'" 'users?_quantity=0'
bad "operand with _quantity=2000000000" "too large" 'users?_quantity=2000000000'
bad "operand: bad resource" "invalid resource" 'users/5'
bad "custom without fields" "at least one field" custom
bad "two operands" "too many operands" users persons
bad "unknown flag" "unknown option '--frobnicate'" --frobnicate=2
bad "unknown short flag" "unknown option '-x'" -qx
bad "missing value" "option '-n' needs a value" -n
bad "missing value (long)" "option '--seed' needs a value" --seed
bad "--raw=1" "option '--raw' takes no value" --raw=1
bad "-q with -v" "cannot be used together" -q -v
bad "--base-url ftp://" "invalid base URL 'ftp://h/api'" --base-url ftp://h/api
bad "--base-url with a query" "no query" --base-url "$B?x=1"
curl -s -X POST "$S/_ctl/reset" >/dev/null
FK_BASE_URL=gopher://x fk-fetch --rate 0 >"$T/out" 2>"$T/err"
is "FK_BASE_URL checked too: exit 64" "$? $(nreq)" "64 0"
FK_SEED=0 fk-fetch --base-url "$B" --rate 0 >"$T/out" 2>"$T/err"
is "FK_SEED=0: exit 64" "$? $(head -n 1 "$T/err")" "64 fk-fetch: invalid FK_SEED '0': too small (1 to 4294967295)"
