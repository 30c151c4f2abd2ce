#!/bin/sh
# fk-fetch - : request specs from stdin, one per line; every line checked
# before any request goes out.
. "$FK_TESTDIR/lib.sh"

start_server faker "$PY" "$FK_TESTDIR/fakerapi_server.py" --throttle off
S=http://127.0.0.1:$faker_PORT
B=$S/api/v2
faults() { curl -s -X POST -d "$1" "$S/_ctl/faults" >/dev/null; }
requests() { curl -s "$S/_ctl/requests"; }
nreq() { curl -s "$S/_ctl/stats" | jq .requests; }
ff() { fk-fetch --base-url "$B" --rate 0 "$@"; }
is() {	# DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}

cat >"$T/specs" <<'EOF'
# a comment, then a blank line

users?_locale=it_IT&_quantity=1500
   persons?_gender=male	
products
# trailing comment
texts?_characters=50&_quantity=2
EOF
faults '[]'
check "stdin specs" ff -s 11 -n 3 - <"$T/specs"
cp "$T/out" "$T/all"
is "stdin: 1500 + 3 + 3 + 2 records" "$(wc -l <"$T/all")" 1508
is "stdin: in line order" \
    "$(jq -r 'if .uuid then "u" elif .gender then "p" elif .ean then "r" else "t" end' "$T/all" | uniq -c | awk '{printf "%s%s ", $1, $2}')" \
    "1500u 3p 3r 2t "
is "stdin: the requests, in order, with their parameters" \
    "$(requests | jq -r '.[] | .path + "?" + (.query | sub("&_seed=[0-9]+"; ""))' | sort)" \
    "$(printf '%s\n' '/api/v2/persons?_quantity=3&_gender=male' \
	'/api/v2/products?_quantity=3' '/api/v2/texts?_quantity=2&_characters=50' \
	'/api/v2/users?_quantity=1000&_locale=it_IT' '/api/v2/users?_quantity=500&_locale=it_IT' | sort)"
is "stdin: ids unique across the run (request k gets 1000k+1...)" \
    "$(jq -r 'select(.id) | .id' "$T/all" | sort -n | uniq -d | wc -l) $(jq -r .id "$T/all" | sed -n '1501p;1504p;1507p' | tr '\n' ' ')" \
    "0 2001 3001 null "
# (texts records have no id, and fk-fetch adds none)
is "stdin: no two requests share a seed" \
    "$(requests | jq -r '.[].query | capture("_seed=(?<s>[0-9]+)").s' | sort -u | wc -l)" 5
check "stdin: again" ff -s 11 -n 3 - <"$T/specs"
same "stdin: same seed, same output" "$T/all" "$T/out"
printf 'users?_quantity=1500\n' >"$T/one"
check "stdin: one line" ff -s 11 - <"$T/one"
check "operand: the same spec" ff -s 11 'users?_quantity=1500'
ff -s 11 - <"$T/one" >"$T/one.out" 2>/dev/null
same "stdin line and operand are the same run" "$T/one.out" "$T/out"
faults '[]'
printf 'users\n' | ff -s 1 -p _locale=fr_FR -n 2 - >"$T/out" 2>"$T/err"
is "stdin: -p and -n apply to every line" "$(requests | jq -r '.[0].query')" \
    "_quantity=2&_seed=1&_locale=fr_FR"
faults '[]'
: | ff -s 1 - >"$T/out" 2>"$T/err"
is "stdin: no lines, nothing to do: exit 0, no request" "$? $(wc -c <"$T/out") $(nreq)" "0 0 0"
printf '# only comments\n\n' | ff - >"$T/out" 2>"$T/err"
is "stdin: only comments: exit 0, no output, no seed line" "$? $(wc -c <"$T/out" ) $(wc -c <"$T/err")" "0 0 0"

# ---- a bad line anywhere: exit 65 naming the line, and no request at all ----
bad_line() {	# DESC LINE3 PATTERN
	faults '[]'
	printf 'users\npersons\n%s\nbooks\n' "$2" | ff -s 1 - >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 65 ] && [ "$(nreq)" -eq 0 ] && [ ! -s "$T/out" ] &&
	    [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "^fk-fetch: stdin line 3: .*$3" "$T/err"; then
		ok "stdin line 3 '$2': $1"
	else
		notok "stdin line 3 '$2': $1" "exit $rc, $(nreq) requests, $(wc -c <"$T/out") bytes out: $(cat "$T/err")"
	fi
}
bad_line "_seed refused" 'users?_seed=5' "_seed"
bad_line "zero count" 'users?_quantity=0' "invalid count '0'"
bad_line "negative count" 'users?_quantity=-3' "invalid count '-3'"
bad_line "absurd count" 'users?_quantity=100000001' "too large"
bad_line "non-numeric count" 'users?_quantity=ten' "not a"
bad_line "malformed locale" 'users?_locale=en-US' "_locale"
bad_line "malformed _characters" 'texts?_characters=9' "_characters"
bad_line "impossible date" 'persons?_birthday_start=2021-02-29' "no such date"
bad_line "no key=value" 'users?verbose' "key=value"
bad_line "repeated key" 'users?_locale=it_IT&_locale=de_DE' "twice"
bad_line "bad resource" 'users/1' "resource"
bad_line "bad escape" 'users?x=%G1' "percent"
bad_line "custom without fields" 'custom' "at least one field"
awk 'BEGIN { printf "users?x="; for (i = 0; i < 70000; i++) printf "a"; print "" }' >"$T/long"
faults '[]'
ff - <"$T/long" >"$T/out" 2>"$T/err"
is "stdin: an overlong line: exit 65, no request" "$? $(nreq)" "65 0"
