#!/usr/bin/env node
// The naive way to open a data PR, for bench/pr to measure sluice-pr against: the way many bots
// write files. Branch from the base (GET the base's ref, POST /git/refs), then one Contents API
// PUT per file, each a commit of its own, sent one at a time as GitHub asks, then POST /pulls.
// The files are new on the base, so no PUT needs a `sha` (updating existing files would cost
// a read of each file's blob sha too).
//
//   GITHUB_API_URL=... GITHUB_TOKEN=... node bench/pr_naive.mjs --repo OWNER/NAME --branch B \
//     [--base main] --workspace DIR FOLDER_OR_FILE...
//
// Prints the PR's number; exits 3 on any refused request, naming it.
import fs from 'node:fs';
import path from 'node:path';

function parse(argv) {
  const opts = { base: 'main', targets: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (['--repo', '--branch', '--base', '--workspace'].includes(flag)) opts[flag.slice(2)] = argv[++i];
    else if (flag.startsWith('--')) throw new Error(`unknown option ${flag}`);
    else opts.targets.push(flag);
  }
  if (!opts.repo || !opts.branch || !opts.workspace || opts.targets.length === 0) {
    throw new Error('usage: pr_naive.mjs --repo OWNER/NAME --branch B [--base main] --workspace DIR PATH...');
  }
  return opts;
}

// Repository paths of the files under `target` (a file or a folder of the workspace), sorted.
function filesUnder(workspace, target) {
  const full = path.join(workspace, target);
  if (!fs.statSync(full).isDirectory()) return [target];
  return fs.readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(workspace, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join('/'))
    .sort();
}

async function main() {
  const opts = parse(process.argv.slice(2));
  const api = process.env.GITHUB_API_URL ?? 'https://api.github.com';
  const repo = `${api}/repos/${opts.repo}`;
  const headers = { accept: 'application/vnd.github+json', authorization: `Bearer ${process.env.GITHUB_TOKEN}`,
    'content-type': 'application/json', 'x-github-api-version': '2022-11-28' };
  const call = async (method, url, body) => {
    const res = await fetch(url, { method, headers, body: body && JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };

  const base = await call('GET', `${repo}/git/ref/heads/${opts.base}`);
  await call('POST', `${repo}/git/refs`, { ref: `refs/heads/${opts.branch}`, sha: base.object.sha });
  const files = opts.targets.flatMap((t) => filesUnder(opts.workspace, t));
  for (const file of files) {
    const content = fs.readFileSync(path.join(opts.workspace, file)).toString('base64');
    const escaped = file.split('/').map(encodeURIComponent).join('/');
    await call('PUT', `${repo}/contents/${escaped}`, { message: `Update ${file}`, content, branch: opts.branch });
  }
  const pull = await call('POST', `${repo}/pulls`, { title: `Data: ${opts.branch}`, head: opts.branch,
    base: opts.base, body: `${files.length} files` });
  process.stdout.write(`${pull.number}\n`);
}

main().catch((e) => {
  process.stderr.write(`pr_naive: ${e.message}\n`);
  process.exit(3);
});
