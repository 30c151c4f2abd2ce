// download.mjs BUCKET OBJECT [--validation crc32c|md5|false]
// Writes gs://BUCKET/OBJECT to stdout through the official client, which
// checks the bytes against x-goog-hash (crc32c by default).  Exit 1 on any
// error, including a hash mismatch.
import {pipeline} from 'node:stream/promises';
import {makeStorage, parseArgs} from './client.mjs';

async function main() {
  const {pos, opts} = parseArgs(process.argv.slice(2), {validation: 'crc32c'});
  if (pos.length !== 2) {
    throw new Error('usage: download.mjs BUCKET OBJECT [--validation V]');
  }
  const file = makeStorage().bucket(pos[0]).file(pos[1]);
  const v = opts.validation;
  await pipeline(
    file.createReadStream({validation: v === 'false' ? false : v}),
    process.stdout,
  );
}

main().catch(err => {
  process.stderr.write(`download.mjs: ${err.code ?? ''} ${err.message}\n`);
  process.exit(1);
});
