// The Azure SDK for JS as bench/publish's peer: uploads every file under DIR to
// CONTAINER/PREFIX with the SDK's own parallelism (uploadFile: blocks in parallel for a large
// file; `--concurrency` files at once), content type by extension as sluice sets it. It keeps
// no state, so it has no "unchanged rerun": every run uploads everything.
//   node bench/publish_sdk.mjs --endpoint URL --account NAME --key KEY --concurrency N DIR CONTAINER PREFIX
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'fixtures', 'package.json'));
const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob');

const TYPES = { '.csv': 'text/csv; charset=utf-8', '.json': 'application/json', '.bin': 'application/octet-stream' };

function walk(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p, base) : [path.relative(base, p)];
  });
}

const args = process.argv.slice(2);
const opt = {};
const rest = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i].startsWith('--')) opt[args[i].slice(2)] = args[++i];
  else rest.push(args[i]);
}
const [dir, containerName, prefix] = rest;
const service = new BlobServiceClient(opt.endpoint, new StorageSharedKeyCredential(opt.account, opt.key));
const container = service.getContainerClient(containerName);
const files = walk(dir);
const concurrency = Number(opt.concurrency ?? 16);
let next = 0;
async function worker() {
  while (next < files.length) {
    const rel = files[next++];
    const blob = container.getBlockBlobClient(`${prefix}/${rel.split(path.sep).join('/')}`);
    await blob.uploadFile(path.join(dir, rel), {
      concurrency, blockSize: 8 * 1024 * 1024,
      blobHTTPHeaders: { blobContentType: TYPES[path.extname(rel)] ?? 'application/octet-stream' },
    });
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
console.log(`uploaded ${files.length} files`);
