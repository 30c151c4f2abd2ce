// conformance.mjs: the official @google-cloud/storage client against the
// test server named by STORAGE_EMULATOR_HOST.  Prints TAP-style lines
// ("ok - node: ..." / "not ok - node: ..."); exits 1 if any failed.
// The server's fault rules and request log (/_ctl) are used to check what
// went over the wire; the script resets the server first.
//
// In 7.x, File#createWriteStream validates hashes client-side (it compares
// the returned crc32c/md5Hash and deletes the object on a mismatch); the
// X-Goog-Hash-on-the-final-chunk logic lives in the client's resumable-upload
// module, which is not a package export, so it is loaded by file path.
import {createHash, randomBytes} from 'node:crypto';
import {pipeline} from 'node:stream/promises';
import {Readable} from 'node:stream';
import {CRC32C, Storage} from '@google-cloud/storage';
import {ctl, endpoint, makeStorage} from './client.mjs';

const resumableUpload = await import(new URL('resumable-upload.js',
  import.meta.resolve('@google-cloud/storage')));

const BUCKET = 'fk-conformance';
const BIG = 'dir/big resumable #1.bin';     // needs %2F, %20, %23 in paths
const SMALL = 'dir/small ünïcode?.txt';
let failures = 0;

async function step(desc, fn) {
  try {
    await fn();
    console.log(`ok - node: ${desc}`);
  } catch (err) {
    failures++;
    console.log(`not ok - node: ${desc}`);
    for (const line of String(err?.stack ?? err).split('\n').slice(0, 8)) {
      console.log(`#   ${line}`);
    }
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

function hashes(buf) {
  const crc = new CRC32C();
  crc.update(buf);
  return {crc32c: crc.toString(), md5Hash: createHash('md5').update(buf)
    .digest('base64')};
}

async function upload(file, buf, opts) {
  const ws = file.createWriteStream(opts);
  await pipeline(Readable.from([buf]), ws);
  return file.metadata;
}

// The client's Upload stream with its own crc32c+md5 (X-Goog-Hash) on.
async function uploadHashed(name, buf) {
  const up = resumableUpload.upload({
    apiEndpoint: endpoint(), bucket: BUCKET, file: name, chunkSize: 262144,
    crc32c: true, md5: true, params: {ifGenerationMatch: 0},
    retryOptions: {autoRetry: true, maxRetries: 3, retryDelayMultiplier: 1.5,
      maxRetryDelay: 4, totalTimeout: 30,
      retryableErrorFn: e => [408, 429, 500, 502, 503].includes(e?.code)},
  });
  let metadata;
  up.on('metadata', md => { metadata = md; });
  await pipeline(Readable.from([buf]), up);
  return metadata;
}

async function expectError(promise, check, what) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert(err, `${what}: no error`);
  check(err);
  return err;
}

const status = err => err.code ?? err.response?.status;

async function uploads(since) {
  const log = await ctl('requests');
  return log.slice(since).filter(r => r.class === 'upload');
}

async function main() {
  await ctl('reset', {});
  const storage = makeStorage();
  const bucket = storage.bucket(BUCKET);
  const big = randomBytes(Math.round(1.3 * 1024 * 1024));
  const small = Buffer.from('small object, multipart upload\n');
  const resumable = {
    resumable: true, chunkSize: 262144, validation: 'crc32c',
    preconditionOpts: {ifGenerationMatch: 0},
  };

  await step('resumable upload of 1.3 MiB in 256 KiB chunks, create-only',
    async () => {
      const md = await upload(bucket.file(BIG), big, resumable);
      const want = hashes(big);
      assert(Number(md.size) === big.length, `size ${md.size}`);
      assert(md.crc32c === want.crc32c, `crc32c ${md.crc32c}`);
      assert(md.md5Hash === want.md5Hash, `md5Hash ${md.md5Hash}`);
    });

  await step('resumable wire: 6 PUTs, bytes A-B/* (308) then A-B/TOTAL (200)',
    async () => {
      const puts = (await uploads(0)).filter(r => r.method === 'PUT');
      const ranges = puts.map(r => r.headers['Content-Range']);
      assert(puts.length === 6, `PUTs: ${ranges}`);
      assert(ranges[0] === 'bytes 0-262143/*', ranges[0]);
      assert(ranges[5] === `bytes 1310720-${big.length - 1}/${big.length}`,
        ranges[5]);
      assert(puts.slice(0, 5).every(r => r.status === 308) &&
        puts[5].status === 200, `statuses ${puts.map(r => r.status)}`);
    });

  await step('client Upload with crc32c+md5: X-Goog-Hash on the final chunk ' +
    'only, accepted', async () => {
    const before = (await ctl('requests')).length;
    const md = await uploadHashed('hashed.bin', big);
    assert(md?.crc32c === hashes(big).crc32c, JSON.stringify(md));
    const puts = (await uploads(before)).filter(r => r.method === 'PUT');
    const hashed = puts.map(r => 'X-Goog-Hash' in r.headers);
    assert(hashed.join() === 'false,false,false,false,false,true',
      `X-Goog-Hash on ${hashed}`);
    const h = hashes(big);
    assert(puts[5].headers['X-Goog-Hash'] ===
      `crc32c=${h.crc32c},md5=${h.md5Hash}`, puts[5].headers['X-Goog-Hash']);
  });

  await step('client Upload, chunk corrupted in flight (badhash): server ' +
    'refuses to finalize (400), no object', async () => {
    await ctl('faults', ['upload:3:badhash']);
    const before = (await ctl('requests')).length;
    await expectError(uploadHashed('hashed-bad.bin', big),
      e => assert(/400|match/i.test(e.code + ' ' + e.message), e.message),
      'upload');
    await ctl('faults', []);
    const last = (await uploads(before)).filter(r => r.method === 'PUT').pop();
    assert(last.status === 400 && 'X-Goog-Hash' in last.headers,
      JSON.stringify(last));
    const [exists] = await bucket.file('hashed-bad.bin').exists();
    assert(!exists, 'object was created');
  });

  await step('multipart (non-resumable) upload with metadata', async () => {
    const before = (await ctl('requests')).length;
    const md = await upload(bucket.file(SMALL), small, {
      resumable: false, validation: 'md5',
      metadata: {contentType: 'text/plain', cacheControl: 'no-cache',
        metadata: {source: 'conformance'}},
    });
    const want = hashes(small);
    assert(md.md5Hash === want.md5Hash && md.crc32c === want.crc32c,
      `hashes ${md.md5Hash} ${md.crc32c}`);
    assert(md.contentType === 'text/plain', md.contentType);
    assert(md.metadata?.source === 'conformance', JSON.stringify(md));
    const posts = await uploads(before);
    assert(posts.length === 1 && posts[0].query.uploadType === 'multipart',
      JSON.stringify(posts));
  });

  await step('second create-only upload to the same name fails with 412',
    async () => {
      await expectError(upload(bucket.file(BIG), big, resumable),
        e => assert(status(e) === 412, `got ${status(e)}: ${e.message}`),
        'resumable');
      await expectError(upload(bucket.file(SMALL), small,
        {resumable: false, preconditionOpts: {ifGenerationMatch: 0}}),
        e => assert(status(e) === 412, `got ${status(e)}: ${e.message}`),
        'multipart');
    });

  for (const validation of ['crc32c', 'md5']) {
    await step(`download both objects with validation '${validation}'`,
      async () => {
        const [a] = await bucket.file(BIG).download({validation});
        const [b] = await bucket.file(SMALL).download({validation});
        assert(a.equals(big), 'big object differs');
        assert(b.equals(small), 'small object differs');
      });
  }

  await step('ranged download (Range: bytes=1000-1999)', async () => {
    const [part] = await bucket.file(BIG).download({start: 1000, end: 1999});
    assert(part.equals(big.subarray(1000, 2000)), `got ${part.length} B`);
  });

  await step('download corrupted in flight (badhash fault) is rejected',
    async () => {
      await ctl('faults', ['storage:1-9:badhash']);
      await expectError(bucket.file(BIG).download({validation: 'crc32c'}),
        e => assert(/mismatch/i.test(e.code + e.message), e.message),
        'download');
      await ctl('faults', []);
    });

  await step('File API upload corrupted in flight (badhash): client sees ' +
    'the crc32c differ and deletes the object', async () => {
    await ctl('faults', ['upload:3:badhash']);
    const f = bucket.file('corrupt.bin');
    await expectError(upload(f, big, resumable), e => assert(
      e.code === 'FILE_NO_UPLOAD', `${e.code} ${e.message}`), 'upload');
    await ctl('faults', []);
    const [exists] = await f.exists();
    assert(!exists, 'object was created');
  });

  await step('503 on a chunk: client queries the session and resumes',
    async () => {
      await ctl('faults', ['upload:3:503']);
      const md = await upload(bucket.file('retry503.bin'), big, resumable);
      await ctl('faults', []);
      assert(md.crc32c === hashes(big).crc32c, `crc32c ${md.crc32c}`);
      const puts = (await uploads(0)).filter(r => r.method === 'PUT' &&
        r.query.upload_id && r.status === 503);
      assert(puts.length === 1, 'the fault did not fire');
    });

  await step('partial persist (308 with a shorter Range): client resends ' +
    'the tail', async () => {
      await ctl('faults', ['upload:2:partial:100000']);
      const md = await upload(bucket.file('partial.bin'), big, resumable);
      await ctl('faults', []);
      assert(md.crc32c === hashes(big).crc32c, `crc32c ${md.crc32c}`);
      const ranges = (await uploads(0)).map(r => r.headers['Content-Range'])
        .filter(Boolean);
      assert(ranges.includes('bytes 100000-362143/*'), `ranges ${ranges}`);
    });

  await step('list with prefix and delimiter', async () => {
    const [files] = await bucket.getFiles({prefix: 'dir/'});
    const names = files.map(f => f.name).sort();
    assert(names.join('|') === [BIG, SMALL].sort().join('|'), names.join());
    const [, , api] = await bucket.getFiles({delimiter: '/',
      autoPaginate: false});
    assert(api.prefixes?.includes('dir/'), JSON.stringify(api.prefixes));
    let query = {maxResults: 2, autoPaginate: false};
    let all = [];
    for (let page = 0; query && page < 10; page++) {
      const [files, next] = await bucket.getFiles(query);
      assert(files.length <= 2, `page of ${files.length}`);
      all = all.concat(files.map(f => f.name));
      query = next;
    }
    assert(all.length === 5 && !query, `paginated listing: ${all}`);
  });

  await step('STORAGE_EMULATOR_HOST alone (no apiEndpoint) also works',
    async () => {
      const s = new Storage({projectId: 'test'});
      const [md] = await s.bucket(BUCKET).file(SMALL).getMetadata();
      assert(md.md5Hash === hashes(small).md5Hash, JSON.stringify(md));
    });

  await step('delete: objects gone, then 404', async () => {
    for (const name of [BIG, SMALL, 'retry503.bin', 'partial.bin',
      'hashed.bin']) {
      await bucket.file(name).delete();
    }
    const [files] = await bucket.getFiles();
    assert(files.length === 0, files.map(f => f.name).join());
    await expectError(bucket.file(BIG).getMetadata(),
      e => assert(status(e) === 404, `got ${status(e)}`), 'getMetadata');
  });

  await step('the client sent no credentials to the emulator', async () => {
    const log = await ctl('requests');
    const authed = log.filter(r => 'Authorization' in r.headers);
    assert(log.length > 20 && authed.length === 0,
      `${authed.length} of ${log.length} requests had Authorization`);
  });
}

main().catch(err => {
  failures++;
  console.log(`not ok - node: conformance aborted: ${err.message}`);
}).finally(() => {
  process.exitCode = failures ? 1 : 0;
});
