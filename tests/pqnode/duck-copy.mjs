// duck-copy.mjs [--schema BQ.json] IN.ndjson OUT.parquet: DuckDB's own
// NDJSON to Parquet conversion, COPY (SELECT * FROM read_json(IN)) TO OUT,
// the peer of fk-shape -o parquet in tests/bench/parquet.sh.  With
// --schema, the columns get the SQL types of a flat BigQuery schema
// instead of DuckDB's guesses (which turn uuid strings into UUID).  Prints
// the seconds the COPY took and the rows written, as JSON.
import { readFileSync } from 'fs'
import { DuckDBInstance } from '@duckdb/node-api'

const args = process.argv.slice(2)
let schema = null
if (args[0] === '--schema') { args.shift(); schema = JSON.parse(readFileSync(args.shift())) }
const [inp, out, threads] = args
if (!inp || !out) {
  console.error('usage: duck-copy.mjs [--schema BQ.json] IN.ndjson OUT.parquet [threads]')
  process.exit(64)
}
const q = s => `'${s.replaceAll("'", "''")}'`
const SQL = { STRING: 'VARCHAR', INTEGER: 'BIGINT', FLOAT: 'DOUBLE', BOOLEAN: 'BOOLEAN',
  DATE: 'DATE', TIMESTAMP: 'TIMESTAMPTZ', DATETIME: 'TIMESTAMP', TIME: 'TIME',
  NUMERIC: 'DECIMAL(38,9)', BYTES: 'BLOB', JSON: 'JSON' }
const cols = schema ? `, columns = {${schema.map(f => `${q(f.name)}: ${q(SQL[f.type])}`).join(', ')}}` : ''
const opts = threads ? { threads: String(threads) } : {}
const inst = await DuckDBInstance.create(':memory:', opts)
const con = await inst.connect()
const t0 = performance.now()
await con.run(`COPY (SELECT * FROM read_json(${q(inp)}, format = 'newline_delimited'${cols})) TO ${q(out)} (FORMAT parquet)`)
const secs = (performance.now() - t0) / 1000
const r = await con.runAndReadAll(`SELECT count(*)::VARCHAR AS n FROM read_parquet(${q(out)})`)
console.log(JSON.stringify({ seconds: secs, rows: r.getRowObjects()[0].n }))
