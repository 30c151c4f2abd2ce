#!/bin/sh
# Headers match their files, read from the built objects with nm: every
# function a module cmd/X/foo.c or lib/foo.c exports is declared in its
# own foo.h (a main exports only main); no function is defined in two
# objects; and every function lib/ or a tool's module exports is called
# from some other object of the tools, or from the unit tests or the
# fuzzer (else it is dead, or should be static).
. "$FK_TESTDIR/lib.sh"
SRC=${FK_SRC:-$FK_TESTDIR/..}
if ! command -v nm >/dev/null 2>&1 || ! command -v perl >/dev/null 2>&1; then
	notok "nm and perl are needed to read the objects"
	exit 0
fi

# The objects of today's sources, not whatever an older build left behind
# in $FK_BIN after a file moved.
(cd "$SRC" && find cmd lib -name '*.c') | sort |
    sed "s|^|$FK_BIN/|; s|\.c\$|.o|" >"$T/objs"
miss=$(while read -r o; do [ -f "$o" ] || echo "$o"; done <"$T/objs")
[ -s "$T/objs" ] && [ -z "$miss" ] ||
    { notok "every source's object is under $FK_BIN" "$miss"; exit 0; }

# $T/defs: "NAME OBJ" for every global function; $T/uses: "NAME OBJ" for
# every undefined reference.
: >"$T/defs"; : >"$T/uses"
while read -r o; do
	r=${o#"$FK_BIN"/}
	nm -g --defined-only -P "$o" |
	    awk -v r="$r" '$2 == "T" { print $1, r }' >>"$T/defs"
	nm -u -P "$o" | awk -v r="$r" '{ print $1, r }' >>"$T/uses"
done <"$T/objs"
[ -s "$T/defs" ] || { notok "nm lists the objects' functions"; exit 0; }

# $T/decl: "NAME OBJ HEADER..." with the headers under cmd/ and lib/ in
# which NAME( stands outside comments.
(cd "$SRC" && find cmd lib -name '*.h') | sort >"$T/hdrs"
perl -e 'my ($defs, $hdrs) = @ARGV; my %text;
	open(my $h, "<", $hdrs) or die; chomp(my @h = <$h>);
	for my $f (@h) { local $/; open(my $x, "<", $f) or die "$f";
		($text{$f} = <$x>) =~ s{/\*.*?\*/}{}gs; }
	open(my $d, "<", $defs) or die;
	while (<$d>) { my ($n, $o) = split;
		print join(" ", $n, $o,
		    grep { $text{$_} =~ /(?<!\w)\Q$n\E\s*\(/ } @h), "\n"; }' \
    "$T/defs" "$T/hdrs" >"$T/decl" 2>"$T/perl.err" ||
    { notok "read the headers" "$(cat "$T/perl.err")"; exit 0; }

# 1. Each exported function is declared in its own file's header, and no
# other header declares it.
bad=
while read -r n r hs; do
	c=${r%.o}.c
	case $r in
	cmd/*/*|lib/*) h=${c%.c}.h ;;
	*) [ "$n" = main ] && continue
		bad="$bad
$c: $n: a main exports only main"; continue ;;
	esac
	if [ ! -f "$SRC/$h" ]; then
		bad="$bad
$c: $n: no header $h"
		continue
	fi
	case " $hs " in *" $h "*) ;; *) bad="$bad
$c: $n: not declared in $h" ;; esac
	for x in $hs; do
		[ "$x" = "$h" ] || bad="$bad
$c: $n: declared in $x, not its file's header"
	done
done <"$T/decl"
d="every exported function is declared in its own file's header, and there only"
[ -z "$bad" ] && ok "$d" || notok "$d" "$bad"

# 2. No function is defined in two objects (main once per tool).
dup=$(awk '$1 != "main" { n[$1]++; w[$1] = w[$1] " " $2 }
    END { for (f in n) if (n[f] > 1) print f ":" w[f] }' "$T/defs")
[ -z "$dup" ] && ok "no function is defined in two objects" ||
    notok "no function is defined in two objects" "$dup"

# 3. Every exported function is called from another object, or from the
# unit tests or the fuzzer, which try a module's functions one by one; a
# function only its own file calls should be static.
cat "$SRC"/tests/unit/*.c "$SRC"/tests/fuzz/*.c 2>/dev/null |
    perl -0777 -ne 's{/\*.*?\*/}{}gs; print "$1 tests\n" while /(\w+)\s*\(/g' \
    >>"$T/uses"
dead=$(awk 'NR == FNR { used[$1] = 1; next }
    $1 != "main" && !($1 in used) { print $2 ": " $1 }' "$T/uses" "$T/defs")
d="every exported function is called from another object or a test"
[ -z "$dead" ] && ok "$d" || notok "$d" "$dead"
