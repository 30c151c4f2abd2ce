#!/bin/sh
# fk-shape: field names become legal BigQuery columns by a fixed mapping;
# two fields that meet on one column are an error, never a merge.
. "$FK_TESTDIR/lib.sh"

cat >"$T/in.json" <<'G'
{"first name":1,"address.street":2,"9lives":3,"_TABLE_x":4,"_partitiontime":5,"été":6,"a-b/c":7,"ok_Name":8,"":9,"nest":{"in ner":10}}
G
echo '{"first_name":1,"address_street":2,"_9lives":3,"__TABLE_x":4,"__partitiontime":5,"_t_":6,"a_b_c":7,"ok_Name":8,"_":9,"nest":{"in_ner":10}}' >"$T/want"
check "names mapped" fk-shape . "$T/in.json"
same "the documented mapping" "$T/want" "$T/out"
fk-shape -o csv . "$T/in.json" 2>/dev/null | head -n 1 | tr -d '\r' >"$T/h"
[ "$(cat "$T/h")" = "first_name,address_street,_9lives,__TABLE_x,__partitiontime,_t_,a_b_c,ok_Name,_,nest_in_ner" ] &&
	ok "CSV header uses the mapped names" || notok "CSV header uses the mapped names" "$(cat "$T/h")"

# 300 characters at most.
$PY -c 'print("{\"%s\":1}" % ("k" * 400))' | fk-shape >"$T/out" 2>/dev/null
$PY -c 'import json,sys; k=list(json.load(open(sys.argv[1])))[0]; assert k == "k" * 300' "$T/out" &&
	ok "long names cut to 300" || notok "long names cut to 300"

# Collisions: case-insensitive, and after mapping.
for pair in '{"a b":1,"a_b":2}' '{"ID":1,"id":2}' '{"x":{"p.q":1,"p_q":2}}'; do
	echo "$pair" | fk-shape >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 1 ] && grep -q "both map to column" "$T/err" && [ ! -s "$T/out" ] &&
		ok "collision is an error: $pair" || notok "collision is an error: $pair" "$rc $(cat "$T/err")"
done
echo '[{"name":"id","type":"INTEGER"}]' >"$T/s.json"
printf '{"ID":1}\n{"Id":2,"iD":3}\n' | fk-shape --schema "$T/s.json" --reject "$T/rej" --max-bad 1 >"$T/out" 2>/dev/null
[ "$(cat "$T/out")" = '{"id":1}' ] && ok "schema names match any case" || notok "schema names match any case" "$(cat "$T/out")"
grep -q "fields 'Id' and 'iD' both map to column 'iD'" "$T/rej" &&
	ok "collision against a schema" || notok "collision against a schema" "$(cat "$T/rej")"

# Avro names too.
echo '{"a b":1,"x.y":{"9":2}}' | fk-shape -o avro >"$T/o.avro" 2>/dev/null
$PY -c 'import avro.datafile as d, avro.io as i, sys; r = list(d.DataFileReader(open(sys.argv[1],"rb"), i.DatumReader())); assert r == [{"a_b": 1, "x_y": {"_9": 2}}], r' "$T/o.avro" &&
	ok "mapped names in Avro" || notok "mapped names in Avro"
