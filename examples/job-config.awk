# examples/job-config.awk: read a job config file (examples/job.mk
# CONFIG=FILE) and print one make assignment per setting, conf_KEY:=VALUE.
# Lines are "key = value", blank, or comments starting with '#'.  A value
# is one word.  On the first bad line print "ERROR: FILE:LINE: why" and
# exit 1, so make can stop naming the line.
#
#   awk -v keys="bucket count ..." -f examples/job-config.awk FILE
function fail(why) {
	print "ERROR: " FILENAME ":" FNR ": " why
	failed = 1
	exit 1
}
BEGIN {
	n = split(keys, k, " ")
	for (i = 1; i <= n; i++)
		known[k[i]] = 1
}
/^[ \t]*(#.*)?\r?$/ { next }
{
	line = $0
	sub(/\r$/, "", line)
	if (!match(line, /^[ \t]*[A-Za-z0-9_.-]+[ \t]*=/))
		fail("expected key = value")
	key = substr(line, 1, RLENGTH - 1)
	gsub(/[ \t]/, "", key)
	val = substr(line, RLENGTH + 1)
	sub(/^[ \t]+/, "", val)
	sub(/[ \t]+$/, "", val)
	# Secrets stay out of this file: only a path to one.
	if (key == "hash_key" || key ~ /(secret|password|token)/)
		fail("\"" key "\": no secret in a config file; name a file holding it (hash_key_file)")
	if (!(key in known))
		fail("unknown key \"" key "\" (known: " keys ")")
	if (key in seen)
		fail("\"" key "\" set again (first on line " seen[key] ")")
	if (val == "")
		fail("\"" key "\" has no value")
	if (val !~ /^[A-Za-z0-9_.\/:@%+,=~-]+$/)
		fail("the value of \"" key "\" must be one word of letters, digits and _ . / : @ % + , = ~ -")
	seen[key] = FNR
	out[++nout] = "conf_" key ":=" val
}
END {
	if (failed)
		exit 1
	for (i = 1; i <= nout; i++)
		print out[i]
}
