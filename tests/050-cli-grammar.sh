#!/bin/sh
# One command-line grammar for the three tools (lib/cli.c): the same bad
# input gets the same answer from fk-fetch, fk-shape and gcs-put ("PROG:
# MESSAGE", "Try 'PROG --help'.", exit 64, nothing on stdout; one JSON line
# under FK_LOG=json), and every size option takes the size strings of
# fk(7).  No server: gcs-put is pointed at a closed loopback port, so an
# accepted command line fails later with another exit code, never 64.
. "$FK_TESTDIR/lib.sh"
STORAGE_EMULATOR_HOST=127.0.0.1:9
export STORAGE_EMULATOR_HOST
printf '{"a":1}\n' >"$T/in.json"

# run TOOL ARGS...: the tool's answer in $T/TOOL.{out,err,rc}, with the
# tool's name written PROG so that the answers can be compared.
run() {
	t=$1; shift
	"$t" "$@" <"$T/in.json" >"$T/$t.out" 2>"$T/$t.raw"
	echo $? >"$T/$t.rc"
	sed -e "s/$t/PROG/g" -e 's/"time":"[^"]*",//' "$T/$t.raw" >"$T/$t.err"
}

# same_answer DESC ARGS...: the three tools, same args, same answer.
same_answer() {
	d=$1; shift
	for t in fk-fetch fk-shape gcs-put; do run "$t" "$@"; done
	if [ "$(cat "$T/fk-fetch.rc")" = 64 ] &&
	    cmp -s "$T/fk-fetch.err" "$T/fk-shape.err" &&
	    cmp -s "$T/fk-fetch.err" "$T/gcs-put.err" &&
	    [ ! -s "$T/fk-fetch.out" ] && [ ! -s "$T/fk-shape.out" ] &&
	    [ ! -s "$T/gcs-put.out" ] &&
	    [ "$(cat "$T/fk-shape.rc") $(cat "$T/gcs-put.rc")" = "64 64" ]; then
		ok "$d: one answer ($(head -n 1 "$T/fk-fetch.err"))"
	else
		notok "$d: one answer from all three" "$(for t in fk-fetch \
		    fk-shape gcs-put; do echo "$t exit $(cat "$T/$t.rc"):"; \
		    cat "$T/$t.raw" "$T/$t.out"; done)"
	fi
}

# The text answer: exactly the two lines.
same_answer "unknown long option" --bogus
[ "$(cat "$T/gcs-put.err")" = "PROG: unknown option '--bogus'
Try 'PROG --help'." ] && ok "the answer is 'PROG: MESSAGE' then the hint" ||
    notok "the answer is 'PROG: MESSAGE' then the hint" "$(cat "$T/gcs-put.raw")"
same_answer "unknown long option with a value" --bogus=1
same_answer "unknown short option" -x
same_answer "unknown short option in a cluster" -qx
same_answer "value given to a flag" --quiet=1
same_answer "value given to --help" --help=1
same_answer "value given to --version" --version=yes
same_answer "ambiguous abbreviation" --ver
same_answer "unknown option after a flag" -q --bogus
same_answer "-q with -v" -q -v
same_answer "--verbose with --quiet" --verbose --quiet

# The options all three share (lib/cli.c fk_getopt): -V and --version
# print "PROG VERSION" on stdout, exit 0; -h and --help start with the
# usage line, exit 0.
for o in -V --version -h --help; do
	for t in fk-fetch fk-shape gcs-put; do
		"$t" "$o" </dev/null >"$T/$t.vout" 2>"$T/$t.verr"
		echo $? >"$T/$t.vrc"
		sed -e "s/$t/PROG/g" "$T/$t.vout" | head -n 1 >"$T/$t.v1"
	done
	if [ "$(cat "$T/fk-fetch.vrc" "$T/fk-shape.vrc" "$T/gcs-put.vrc" |
	    tr '\n' ' ')" = "0 0 0 " ] && [ ! -s "$T/fk-fetch.verr" ] &&
	    [ ! -s "$T/fk-shape.verr" ] && [ ! -s "$T/gcs-put.verr" ] &&
	    case $o in -V|--version) cmp -s "$T/fk-fetch.v1" "$T/fk-shape.v1" &&
	        cmp -s "$T/fk-fetch.v1" "$T/gcs-put.v1" &&
	        grep -q '^PROG [0-9][0-9.]*$' "$T/fk-fetch.v1" ;;
	    *) grep -q '^usage: PROG ' "$T/fk-fetch.v1" &&
	        grep -q '^usage: PROG ' "$T/fk-shape.v1" &&
	        grep -q '^usage: PROG ' "$T/gcs-put.v1" ;; esac; then
		ok "$o: on stdout from all three, exit 0 ($(cat "$T/fk-fetch.v1" | cut -c1-20))"
	else
		notok "$o: the same answer from all three" "$(cat "$T"/*.vout "$T"/*.verr "$T"/*.vrc)"
	fi
done

# Each tool's options are one list (cmd/TOOL.def): --help shows each with
# its letter, the man page describes the same ones with the same letters,
# and getopt knows each: one that takes a value asks for it, a flag
# refuses one.  "f from-file" or "- arg" per option, sorted.
for t in fk-fetch fk-shape gcs-put; do
	"$t" --help | sed -n -E 's/^  (-(.), |    )--([a-z-]+)( ([^ ]+))?.*/\2 \3 \5/p' |
	    sed 's/^ /- /' >"$T/$t.opts"
	cut -d' ' -f1,2 "$T/$t.opts" | sort >"$T/$t.help"
	grep '^\.It Fl' "$FK_TESTDIR/../man/$t.1" | sed -n -E \
	    -e 's/^\.It Fl (.) .*Fl -([a-z][a-z-]*).*/\1 \2/p' \
	    -e 's/^\.It Fl -([a-z][a-z-]*).*/- \1/p' | sort >"$T/$t.man"
	n=$(wc -l <"$T/$t.help")
	[ "$n" -ge 10 ] && cmp -s "$T/$t.help" "$T/$t.man" &&
	    [ -z "$(cut -d' ' -f2 "$T/$t.help" | uniq -d)" ] &&
	    ok "$t: --help and $t(1) list the same $n options, letters and all" ||
	    notok "$t: --help and $t(1) list the same options" "$(diff "$T/$t.help" "$T/$t.man")"
	bad=
	while read -r l name arg; do
		if [ -n "$arg" ]; then
			"$t" "--$name" </dev/null >/dev/null 2>"$T/err"
			rc=$? want="$t: option '--$name' needs a value"
		else
			"$t" "--$name=x" </dev/null >/dev/null 2>"$T/err"
			rc=$? want="$t: option '--$name' takes no value"
		fi
		[ "$rc" = 64 ] && [ "$(head -n 1 "$T/err")" = "$want" ] ||
		    bad="$bad --$name($(head -n 1 "$T/err"))"
	done <"$T/$t.opts"
	[ -z "$bad" ] && ok "$t: getopt knows every option --help shows" ||
	    notok "$t: getopt knows every option --help shows" "$bad"
done

# A failed write of --help or --version is an I/O error (74), not success.
if [ -w /dev/full ]; then
	for o in --version --help; do
		got=
		for t in fk-fetch fk-shape gcs-put; do
			"$t" "$o" </dev/null >/dev/full 2>"$T/$t.ferr"
			got="$got$? "
		done
		[ "$got" = "74 74 74 " ] &&
		    grep -q 'cannot write standard output' "$T/gcs-put.ferr" &&
		    ok "$o to a full disk: exit 74 from all three" ||
		    notok "$o to a full disk: exit 74 from all three" "exits $got: $(cat "$T/gcs-put.ferr")"
	done
fi

# Under FK_LOG=json: one JSON line, and still the same from all three.
FK_LOG=json same_answer "FK_LOG=json: unknown option" --bogus
if [ "$(wc -l <"$T/gcs-put.raw")" -eq 1 ] &&
    jq -e '.severity == "ERROR" and .event == "usage"
    and ."logging.googleapis.com/labels".program == "gcs-put"
    and .message == "unknown option '"'"'--bogus'"'"'"
    and .hint == "Try '"'"'gcs-put --help'"'"'."' "$T/gcs-put.raw" >/dev/null
then
	ok "FK_LOG=json: the usage error is one JSON line with the hint"
else
	notok "FK_LOG=json: one JSON line" "$(cat "$T/gcs-put.raw")"
fi
FK_LOG=json same_answer "FK_LOG=json: value given to a flag" --quiet=1

# Options that differ per tool: the same answer once the option's name is
# written OPT and its range RANGE.
# per_tool DESC FETCHOPT SHAPEOPT GCSOPT ARGS...: OPT stands for the option.
per_tool() {
	d=$1 fo=$2 so=$3 go=$4; shift 4
	for p in "fk-fetch $fo" "fk-shape $so" "gcs-put $go"; do
		t=${p%% *} o=${p#* }
		run "$t" "$o" "$@"
		sed -i -e "s/$o/OPT/g" -e 's/([^)]* to [^)]*)/(RANGE)/' "$T/$t.err"
	done
	if cmp -s "$T/fk-fetch.err" "$T/fk-shape.err" &&
	    cmp -s "$T/fk-fetch.err" "$T/gcs-put.err" &&
	    [ "$(cat "$T/fk-fetch.rc" "$T/fk-shape.rc" "$T/gcs-put.rc" |
	    tr '\n' ' ')" = "64 64 64 " ]; then
		ok "$d: one answer ($(head -n 1 "$T/fk-fetch.err"))"
	else
		notok "$d: one answer from all three" "$(for t in fk-fetch \
		    fk-shape gcs-put; do echo "$t exit $(cat "$T/$t.rc"):"; \
		    cat "$T/$t.raw"; done)"
	fi
}
per_tool "missing value" --count --jobs --retries
per_tool "number that is not a number" --retries --max-bad --retries abc
per_tool "number with a fraction" --retries --max-bad --retries 1.5
per_tool "number with a leading blank" --retries --max-bad --retries ' 1'
per_tool "negative number" --retries --max-bad --retries -1
per_tool "number too large" --retries --jobs --retries 99999999999999999999
per_tool "number below the range" --parallel --jobs --stall-timeout 0
per_tool "empty number" --count --jobs --retries ''
grep -q "^PROG: invalid OPT '': not a number (RANGE)$" "$T/fk-shape.err" &&
    ok "a bad number names the option, the value, the reason and the range" ||
    notok "a bad number names the option, the value, the reason and the range" \
    "$(cat "$T/fk-shape.raw")"

# Sizes: every size option takes every size string of fk(7), and refuses
# the same strings with the same words.
# opt NAME TOOL MIN MAX EXTRA...: a size option, its range in bytes and
# what it needs beside it.
K=1024 M=1048576 G=1073741824
size_ok() {	# TOOL ARGS...: accepted (fk-shape runs; gcs-put gets past options)
	t=$1; shift
	if [ "$t" = fk-shape ]; then
		"$t" "$@" . "$T/in.json" >/dev/null 2>"$T/err"
		[ $? -eq 0 ]
	else
		"$t" --anonymous --retries 0 "$@" gs://bkt/a <"$T/in.json" \
		    >/dev/null 2>"$T/err"
		[ $? -ne 64 ]
	fi
}
size_bad() {	# TOOL ARGS...: refused with exit 64, the hint, nothing else
	t=$1; shift
	if [ "$t" = fk-shape ]; then
		"$t" "$@" . "$T/in.json" >"$T/out" 2>"$T/err"
	else
		"$t" --anonymous "$@" gs://bkt/a <"$T/in.json" >"$T/out" 2>"$T/err"
	fi
	[ $? -eq 64 ] && [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" -eq 2 ] &&
	    [ "$(sed -n 2p "$T/err")" = "Try '$t --help'." ]
}
for spec in "fk-shape --avro-block-size $K $((16 * M)) -o avro" \
    "fk-shape --max-record-size $K $G" \
    "fk-shape --row-group-size $((64 * K)) $((2 * G)) -o parquet" \
    "gcs-put --chunk-size $((256 * K)) $G"; do
	set -- $spec
	t=$1 o=$2 lo=$3 hi=$4; shift 4
	for sv in 8388608:$((8 * M)) 8k:$((8 * K)) 8K:$((8 * K)) \
	    8KiB:$((8 * K)) 8m:$((8 * M)) 8M:$((8 * M)) 8MiB:$((8 * M)) \
	    1g:$G 1G:$G 1GiB:$G 512KiB:$((512 * K)); do
		s=${sv%%:*} v=${sv#*:}
		if [ "$v" -ge "$lo" ] && [ "$v" -le "$hi" ]; then
			size_ok "$t" "$@" "$o" "$s" &&
			    ok "$t $o $s: accepted" ||
			    notok "$t $o $s: accepted" "$(cat "$T/err")"
		else
			w=small; [ "$v" -gt "$hi" ] && w=large
			size_bad "$t" "$@" "$o" "$s" &&
			    grep -q "^$t: invalid $o '$s': too $w (" "$T/err" &&
			    ok "$t $o $s: too $w, exit 64" ||
			    notok "$t $o $s: too $w, exit 64" "$(cat "$T/err")"
		fi
	done
	for s in 8MB 8kb 1.5M -8M '' 8x ' 8M' 8MiBs 0x100000 1e6; do
		size_bad "$t" "$@" "$o" "$s" &&
		    grep -q "^$t: invalid $o '$s': not a size (" "$T/err" &&
		    ok "$t $o '$s': not a size, exit 64" ||
		    notok "$t $o '$s': not a size, exit 64" "$(cat "$T/err")"
	done
done
size_bad gcs-put --chunk-size 300K &&
    grep -q "not a multiple of 256K" "$T/err" &&
    ok "gcs-put --chunk-size 300K: not a multiple of 256K" ||
    notok "gcs-put --chunk-size 300K: not a multiple of 256K" "$(cat "$T/err")"
