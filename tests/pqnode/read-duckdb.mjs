// read-duckdb.mjs [--schema | --meta] FILE: read a Parquet file with
// DuckDB (its own Parquet reader, shipped inside @duckdb/node-api) and
// print every row as one line of normalized JSON (norm.mjs), in file
// order.  --schema prints {"column": "DUCKDB TYPE", ...}; --meta prints
// the rows of parquet_metadata() (row groups, encodings, statistics).
import { DuckDBInstance } from '@duckdb/node-api'
import * as N from './norm.mjs'

const args = process.argv.slice(2)
const mode = args[0]?.startsWith('--') ? args.shift() : '--rows'
const file = args[0]
if (!file) {
  console.error('usage: read-duckdb.mjs [--schema | --meta] FILE')
  process.exit(64)
}

function norm(v) {
  if (v === null || v === undefined) return null
  switch (typeof v) {
    case 'bigint': return v.toString()
    case 'number': return N.number(v)
    case 'string': case 'boolean': return v
  }
  const kind = v.constructor.name
  switch (kind) {
    case 'DuckDBBlobValue': return N.bytes(v.bytes)
    case 'DuckDBDecimalValue': return N.decimal(v.value, v.scale)
    case 'DuckDBDateValue': return N.date(v.days)
    case 'DuckDBTimeValue': return N.time(v.micros)
    case 'DuckDBTimestampValue': return N.timestamp(v.micros, false)
    case 'DuckDBTimestampTZValue': return N.timestamp(v.micros, true)
    case 'DuckDBListValue': return v.items.map(norm)
    case 'DuckDBStructValue': {
      const o = {}
      for (const [k, x] of Object.entries(v.entries)) o[k] = norm(x)
      return o
    }
  }
  throw new Error(`read-duckdb: no normal form for ${kind}`)
}

const inst = await DuckDBInstance.create(':memory:', { threads: '1' })
const con = await inst.connect()
const lit = `'${file.replaceAll("'", "''")}'`
const out = []
const flush = () => { if (out.length) { process.stdout.write(out.join('\n') + '\n'); out.length = 0 } }

if (mode === '--schema') {
  const r = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit})`)
  const o = {}
  for (const row of r.getRowObjects()) o[row.column_name] = row.column_type
  console.log(JSON.stringify(o))
} else if (mode === '--meta') {
  const r = await con.runAndReadAll(`SELECT * FROM parquet_metadata(${lit}) ORDER BY row_group_id, column_id`)
  for (const row of r.getRowObjectsJson()) console.log(JSON.stringify(row))
} else {
  const res = await con.stream(`SELECT * FROM read_parquet(${lit})`)
  for await (const rows of res.yieldRowObjects()) {
    for (const row of rows) {
      const o = {}
      for (const [k, v] of Object.entries(row)) o[k] = norm(v)
      out.push(JSON.stringify(o))
    }
    if (out.length > 4096) flush()
  }
  flush()
}
