// upload.mjs BUCKET OBJECT [--chunk-size N] [--content-type T]
//            [--validation crc32c|md5|false]
// Streams stdin into gs://BUCKET/OBJECT with the official client's
// resumable createWriteStream (create-only: ifGenerationMatch=0) and prints
// the object's metadata as JSON.  --chunk-size 0 = no chunkSize: the client
// then streams everything in one request (Content-Range bytes 0-*/*).
// Default chunk size 8 MiB (must be a multiple of 262144).
import {pipeline} from 'node:stream/promises';
import {makeStorage, parseArgs} from './client.mjs';

const usage = 'usage: upload.mjs BUCKET OBJECT [--chunk-size N] ' +
  '[--content-type T] [--validation crc32c|md5|false]';

async function main() {
  const {pos, opts} = parseArgs(process.argv.slice(2), {
    'chunk-size': String(8 << 20),
    'content-type': 'application/octet-stream',
    validation: 'crc32c',
  });
  if (pos.length !== 2) throw new Error(usage);
  const chunkSize = Number(opts['chunk-size']);
  if (!Number.isInteger(chunkSize) || chunkSize < 0) {
    throw new Error(`bad --chunk-size ${opts['chunk-size']}`);
  }
  const file = makeStorage().bucket(pos[0]).file(pos[1]);
  const stream = file.createWriteStream({
    resumable: true,
    ...(chunkSize ? {chunkSize} : {}),
    validation: opts.validation === 'false' ? false : opts.validation,
    preconditionOpts: {ifGenerationMatch: 0},
    metadata: {contentType: opts['content-type']},
  });
  let metadata;
  stream.on('response', resp => { metadata = resp.data ?? resp.body; });
  await pipeline(process.stdin, stream);
  process.stdout.write(JSON.stringify(metadata ?? file.metadata) + '\n');
}

main().catch(err => {
  process.stderr.write(`upload.mjs: ${err.code ?? ''} ${err.message}\n`);
  process.exit(1);
});
