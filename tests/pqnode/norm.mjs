// norm.mjs: the normalized form both readers print, so that their output
// can be compared with each other and with the rows fk-shape was given.
//   integers (bigint)  decimal string         "9007199254740993"
//   doubles            number, or "NaN", "Infinity", "-Infinity", "-0"
//   decimals           exact canonical string "-12.5" (no trailing zeros)
//   dates              "YYYY-MM-DD"
//   times              "HH:MM:SS.ffffff"
//   local timestamps   "YYYY-MM-DDTHH:MM:SS.ffffff"
//   UTC timestamps     "YYYY-MM-DDTHH:MM:SS.ffffffZ"
//   bytes              standard base64
// strings, JSON text, booleans, arrays and objects as they are.

const pad = (n, w) => String(n).padStart(w, '0')

export function number(v) {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return 'Infinity'
  if (v === -Infinity) return '-Infinity'
  if (Object.is(v, -0)) return '-0'
  return v
}

export function decimal(unscaled, scale) {
  const neg = unscaled < 0n
  let s = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0')
  let int = s.slice(0, s.length - scale)
  let frac = s.slice(s.length - scale).replace(/0+$/, '')
  if (int === '' ) int = '0'
  s = frac ? `${int}.${frac}` : int
  return neg && s !== '0' ? `-${s}` : s
}

// days since 1970-01-01 to y, m, d (proleptic Gregorian)
function civil(days) {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d]
}

export function date(days) {
  const [y, m, d] = civil(Number(days))
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`
}

export function time(micros) {
  micros = BigInt(micros)
  const s = micros / 1000000n, f = micros % 1000000n
  return `${pad(s / 3600n, 2)}:${pad((s / 60n) % 60n, 2)}:${pad(s % 60n, 2)}.${pad(f, 6)}`
}

export function timestamp(micros, utc) {
  micros = BigInt(micros)
  let days = micros / 86400000000n
  let rest = micros % 86400000000n
  if (rest < 0n) { rest += 86400000000n; days -= 1n }
  return `${date(days)}T${time(rest)}${utc ? 'Z' : ''}`
}

export function bytes(u8) {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('base64')
}

// JSON.stringify that keeps our normalized values (bigints as strings)
export function line(row) {
  return JSON.stringify(row, (k, v) => typeof v === 'bigint' ? v.toString() : v)
}
