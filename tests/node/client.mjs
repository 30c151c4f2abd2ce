// Shared helpers for the scripts in tests/node: an official-client Storage
// pointed at the test server, and the server's control API.
//
// The server address comes from STORAGE_EMULATOR_HOST (http://127.0.0.1:PORT
// or 127.0.0.1:PORT).  With a custom endpoint and no
// useAuthWithCustomEndpoint, @google-cloud/storage 7.x sends no credentials
// at all: neither google-auth-library nor the metadata server is consulted.
import {Storage} from '@google-cloud/storage';

export function endpoint() {
  const host = process.env.STORAGE_EMULATOR_HOST;
  if (!host) {
    throw new Error('STORAGE_EMULATOR_HOST must name the test server');
  }
  return (host.includes('://') ? host : `http://${host}`).replace(/\/+$/, '');
}

// apiEndpoint and STORAGE_EMULATOR_HOST both set: JSON API calls go to
// ENDPOINT/b/..., uploads to ENDPOINT/upload/storage/v1/b/....
export function makeStorage(extra = {}) {
  return new Storage({
    apiEndpoint: endpoint(),
    projectId: 'test',
    retryOptions: {autoRetry: true, maxRetries: 3, retryDelayMultiplier: 1.5},
    ...extra,
  });
}

export async function ctl(path, body) {
  const res = await fetch(`${endpoint()}/_ctl/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`/_ctl/${path}: HTTP ${res.status}`);
  return res.json();
}

// "--name value" options after the positional arguments.
export function parseArgs(argv, known) {
  const pos = [];
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const key = a.slice(2);
      if (!(key in known) || i + 1 >= argv.length) {
        throw new Error(`unknown option or missing value: ${a}`);
      }
      opts[key] = argv[++i];
    } else {
      pos.push(a);
    }
  }
  return {pos, opts: {...known, ...opts}};
}
