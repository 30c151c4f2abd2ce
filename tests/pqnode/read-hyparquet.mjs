// read-hyparquet.mjs [--schema] FILE: read a Parquet file with hyparquet
// (a pure-JavaScript reader) and print every row as one line of
// normalized JSON (norm.mjs), in file order, one row group at a time.
// --schema prints the schema elements as hyparquet parsed them.
//
// hyparquet turns DECIMAL into a JavaScript number, which cannot hold 38
// digits; so the DECIMAL annotation is taken off before reading and the
// 16 raw bytes (hyparquet's decoding of pages, levels and nesting) are
// converted exactly here.
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import * as N from './norm.mjs'

const args = process.argv.slice(2)
const mode = args[0]?.startsWith('--') ? args.shift() : '--rows'
const file = args[0]
if (!file) {
  console.error('usage: read-hyparquet.mjs [--schema] FILE')
  process.exit(64)
}

const buf = await asyncBufferFromFile(file)
const metadata = await parquetMetadataAsync(buf)

if (mode === '--schema') {
  for (const el of metadata.schema) {
    console.log(JSON.stringify(el, (k, v) => typeof v === 'bigint' ? v.toString() : v))
  }
  process.exit(0)
}

// Per leaf: how to normalize, from the schema (name -> kind), walking
// values by the schema tree rather than guessing from JS types.
const decimals = new Set()
for (const el of metadata.schema) {
  if (el.converted_type === 'DECIMAL') {
    decimals.add(el)
    el.hyp_scale = el.scale
    delete el.converted_type
    delete el.logical_type
  }
}

function tree(i) {
  const el = metadata.schema[i]
  const node = { el, kids: [], size: 1 }
  let j = i + 1
  for (let k = 0; k < (el.num_children || 0); k++) {
    const kid = tree(j)
    node.kids.push(kid)
    node.size += kid.size
    j += kid.size
  }
  return node
}

function norm(node, v) {
  if (v === null || v === undefined) return null
  const el = node.el
  if (el.converted_type === 'LIST') {
    const elem = node.kids[0].kids[0]
    return v.map(x => norm(elem, x))
  }
  if (node.kids.length) {
    const o = {}
    for (const kid of node.kids) o[kid.el.name] = norm(kid, v[kid.el.name])
    return o
  }
  if (decimals.has(el)) {
    let u = 0n
    for (const b of v) u = u * 256n + BigInt(b)
    if (v.length && v[0] & 0x80) u -= 1n << BigInt(8 * v.length)
    return N.decimal(u, el.hyp_scale)
  }
  const lt = el.logical_type?.type
  if (lt === 'DATE') return N.date(v)
  if (lt === 'TIME') return N.time(v)
  if (lt === 'TIMESTAMP') return N.timestamp(v, el.logical_type.isAdjustedToUTC)
  if (v instanceof Uint8Array) return N.bytes(v)
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'number') return N.number(v)
  return v
}

// Keep raw numbers for dates and timestamps; JSON stays text.
const parsers = {
  dateFromDays: d => d,
  timestampFromMicroseconds: us => us,
  timestampFromMilliseconds: ms => ms * 1000n,
  jsonFromBytes: b => b && new TextDecoder().decode(b),
}
const root = tree(0)
let start = 0
for (const rg of metadata.row_groups) {
  const end = start + Number(rg.num_rows)
  const rows = await parquetReadObjects({
    file: buf, metadata, compressors, parsers, utf8: false,
    rowStart: start, rowEnd: end,
  })
  const out = []
  for (const row of rows) {
    const o = {}
    for (const kid of root.kids) o[kid.el.name] = norm(kid, row[kid.el.name])
    out.push(JSON.stringify(o))
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n')
  start = end
}
