#!/bin/sh
# fk-fetch refuses only malformed values; a value missing from its own
# lists goes to the server, which decides (issue 9, item 7): ar_EG and
# _characters=20000 work, an unknown locale is sent with a warning (the
# service serves it as en_US data), and the server's 400 for an unknown
# custom type comes back as a clear error, exit 1, nothing written.
. "$FK_TESTDIR/lib.sh"

start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
S=http://127.0.0.1:$faker_PORT
B=$S/api/v2
reset() { curl -s -X POST "$S/_ctl/reset" >/dev/null; }
requests() { curl -s "$S/_ctl/requests"; }
ff() { fk-fetch --base-url "$B" --rate 0 "$@"; }
is() {	# DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}

reset
check "_locale=ar_EG, which the service serves" ff -s 1 -n 3 -p _locale=ar_EG
is "ar_EG: 3 records, no warning" "$(wc -l <"$T/out") $(wc -c <"$T/err")" "3 0"
is "ar_EG: sent as given" "$(requests | jq -r '.[0].query')" "_quantity=3&_seed=1&_locale=ar_EG"

reset
check "a well-formed locale not on our list" ff -s 1 -n 3 -p _locale=xx_XX
is "xx_XX: 3 records" "$(wc -l <"$T/out")" 3
is "xx_XX: one warning that it is served as en_US data" \
    "$(grep -c "^fk-fetch: warning: _locale 'xx_XX' .*en_US data" "$T/err") $(wc -l <"$T/err")" "1 1"
is "xx_XX: the envelope echoes the locale sent" \
    "$(ff -s 1 -n 1 -q -p _locale=xx_XX --raw | jq -r .locale)" xx_XX
check "-q silences the warning" ff -q -s 1 -n 3 -p _locale=xx_XX
is "-q: nothing on stderr" "$(wc -c <"$T/err")" 0

reset
check "_characters=20000, which the service accepts" ff -s 1 -n 2 'texts?_characters=20000'
is "_characters=20000: 2 texts, sent as given" \
    "$(wc -l <"$T/out") $(requests | jq -r '.[0].query')" "2 _quantity=2&_seed=1&_characters=20000"

reset
check "_gender=other on persons" ff -s 1 -n 2 -p _gender=other persons
is "_gender=other: the service writes it in gender; a warning" \
    "$(jq -r .gender "$T/out" | sort -u) $(grep -c "_gender 'other'" "$T/err")" "other 1"

reset
expect_exit 1 "an unknown custom type: the server's 400, exit 1" ff -n 5 -p x=float custom
is "unknown custom type: the server's reason" \
    "$(grep -c "^fk-fetch: cannot fetch 'http://127.0.0.1:[0-9]*/api/v2/custom?_quantity=5&x=float': HTTP 400: Bad Request. Wrong parameter type 'float'.$" "$T/err")" 1
is "unknown custom type: nothing written, one request (a 400 is not retried)" \
    "$(wc -c <"$T/out") $(requests | jq length)" "0 1"
