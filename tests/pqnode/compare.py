#!/usr/bin/python3
"""compare.py [--ndjson] SCHEMA.json EXPECTED.ndjson ACTUAL.ndjson [LABEL]

Compare rows read back from a Parquet file (ACTUAL, printed by
read-duckdb.mjs or read-hyparquet.mjs) with the canonical rows fk-shape
was given (EXPECTED), field by field through the BigQuery schema, so that
each type is compared by value (exact integers, decimals, microseconds,
float bits, bytes, parsed JSON).  Streams both files.  Exit 0 when equal,
1 with the first difference on stderr.

EXPECTED holds canonical rows (schema.h: a JSON column is JSON text in a
string), or with --ndjson fk-shape -o ndjson output (a JSON column is the
JSON value itself).
"""
import base64
import datetime
import decimal
import itertools
import json
import math
import struct
import sys

EPOCH = datetime.datetime(1970, 1, 1)


def micros_of_day(s):
    hms, _, frac = s.partition('.')
    h, m, sec = (int(x) for x in hms.split(':'))
    return ((h * 60 + m) * 60 + sec) * 1000000 + int((frac + '000000')[:6])


def micros(s):
    s = s[:-1] if s.endswith('Z') else s
    day, _, tod = s.partition('T')
    d = datetime.datetime.strptime(day, '%Y-%m-%d')
    return (d - EPOCH) // datetime.timedelta(microseconds=1) + \
        micros_of_day(tod)


def floatkey(v):
    if isinstance(v, str):
        v = {'NaN': math.nan, 'Infinity': math.inf,
             '-Infinity': -math.inf, '-0': -0.0}[v]
    v = float(v)
    return 'nan' if math.isnan(v) else struct.pack('<d', v).hex()


SCALAR = {
    'STRING': str,
    'BYTES': lambda v: base64.b64decode(v, validate=True),
    'INTEGER': int, 'INT64': int,
    'FLOAT': floatkey, 'FLOAT64': floatkey,
    'NUMERIC': decimal.Decimal,
    'BOOLEAN': bool, 'BOOL': bool,
    'DATE': str,
    'TIME': micros_of_day,
    'DATETIME': micros,
    'TIMESTAMP': micros,
    'JSON': json.loads,
}


JSON_VALUES = False    # set per side: EXPECTED from fk-shape -o ndjson


def norm_value(f, v):
    t = f['type']
    if t in ('RECORD', 'STRUCT'):
        return norm_row(f['fields'], v)
    if t == 'JSON' and JSON_VALUES:
        return v
    if t == 'INTEGER' and isinstance(v, float):
        raise ValueError('integer %r came back as a float' % v)
    return SCALAR[t](v)


def norm_field(f, v):
    if f.get('mode') == 'REPEATED':
        return [norm_value(f, x) for x in (v or [])]
    if v is None:
        return None
    return norm_value(f, v)


def norm_row(fields, row):
    extra = set(row) - {f['name'] for f in fields}
    if extra:
        raise ValueError('unexpected columns %s' % sorted(extra))
    return {f['name']: norm_field(f, row.get(f['name'])) for f in fields}


def loads(line):
    # "-0" stays a negative zero (a FLOAT column's -0.0 printed by jq).
    return json.loads(line, parse_int=lambda t: -0.0 if t == '-0' else int(t))


def main():
    global JSON_VALUES
    args = sys.argv[1:]
    ndjson = args[0] == '--ndjson'
    if ndjson:
        args.pop(0)
    schema = json.load(open(args[0]))
    label = args[3] if len(args) > 3 else 'reader'
    n = 0
    with open(args[1]) as exp, open(args[2]) as act:
        for a, b in itertools.zip_longest(exp, act):
            n += 1
            if a is None or b is None:
                print('%s: row count differs at row %d (%s ends first)' %
                      (label, n, 'expected' if a is None else 'actual'),
                      file=sys.stderr)
                return 1
            try:
                JSON_VALUES = ndjson
                ea = norm_row(schema, loads(a))
                JSON_VALUES = False
                eb = norm_row(schema, loads(b))
            except (ValueError, KeyError, TypeError) as e:
                print('%s: row %d: %s\n  expected %s  actual   %s' %
                      (label, n, e, a, b), file=sys.stderr)
                return 1
            if ea != eb:
                print('%s: row %d differs\n  expected %s  actual   %s' %
                      (label, n, a, b), file=sys.stderr)
                return 1
    return 0


sys.exit(main())
