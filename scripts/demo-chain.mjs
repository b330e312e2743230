#!/usr/bin/env node
// The demo's chain through its own workflow files, on local defaults (no GitHub, no cloud): the
// demo data repository (examples/demo) and sluice's reusable workflows and actions are pushed to
// the GitHub fake (tests/fixtures/github-fake: real bare repositories, GitHub's rules for tokens,
// events and check runs), and tests/fixtures/actions-runner runs the workflow files event after
// event as GitHub would. Storage is file:// under WORK/storage; Slack is the Slack fake, whose
// posts are printed. Each stage checks what it shows and stops the demo (exit 1) when the chain
// did something else, so the demo doubles as a test (ctest "demo: ...").
//
//   node scripts/demo-chain.mjs --bin DIR [--work DIR]
//
// --bin: the folder with the built sluice-* tools (they are handed to actions/setup through its
// cache, as a second run on GitHub finds them); --work: where everything goes (default
// build/demo-chain, emptied first). The runner's full log of each pass is kept in WORK/logs.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = 'acme/data';
const ADMIN_TOKEN = 'demo-admin-token-0123456789';
const ALICE_TOKEN = 'demo-alice-token-0123456789';  // a reviewer, a person
const SLACK_TOKEN = 'xoxb-demo-token';
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

class DemoFailure extends Error {}
function expect(condition, what) {
  if (!condition) throw new DemoFailure(what);
}

function parseArgs(argv) {
  const o = { bin: null, work: path.join(root, 'build/demo-chain') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--bin') o.bin = path.resolve(argv[++i] ?? '');
    else if (argv[i] === '--work') o.work = path.resolve(argv[++i] ?? '');
    else throw new DemoFailure(`unknown option ${argv[i]}; usage: demo-chain.mjs --bin DIR [--work DIR]`);
  }
  expect(o.bin && fs.existsSync(path.join(o.bin, 'sluice-pr')), '--bin must name the folder of the built sluice tools');
  return o;
}

function git(cwd, ...args) {
  return execFileSync('git', ['-c', 'user.name=sluice-demo', '-c', 'user.email=demo@sluice.invalid', ...args],
    { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

// A child that prints its address first and serves until its stdin closes (or it is killed).
function startServer(command, args) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', resolve);  // later lines are read and dropped, so the child never blocks
    child.once('exit', (code) => reject(new DemoFailure(`${path.basename(args[0])} exited ${code} before it served`)));
  });
  return { child, first };
}

class Demo {
  constructor(o) {
    this.o = o;
    this.work = o.work;
    this.storage = path.join(this.work, 'storage');
    this.pass = 0;
    this.slackSeen = 0;
  }

  async start() {
    fs.rmSync(this.work, { recursive: true, force: true });
    for (const d of ['github', 'storage', 'logs', 'runner', 'cache', 'home']) fs.mkdirSync(path.join(this.work, d), { recursive: true });
    const fake = startServer('node', [path.join(root, 'tests/fixtures/github-fake'), '--root', path.join(this.work, 'github'),
      '--watch-stdin', '--token', `${ADMIN_TOKEN}=octocat`, '--token', `${ALICE_TOKEN}=alice`]);
    const slack = startServer('python3', [path.join(root, 'tests/fixtures/slack_fake.py'), '--token', SLACK_TOKEN,
      '--channel', 'C0DATA', '--channel', 'C0INCIDENTS']);
    this.children = [fake.child, slack.child];
    this.fakeUrl = (await fake.first).trim();
    this.slackUrl = `http://127.0.0.1:${(await slack.first).trim().split(' ')[1]}`;
  }

  stop() {
    for (const child of this.children ?? []) child.kill('SIGKILL');
  }

  async api(method, route, body) {
    const res = await fetch(this.fakeUrl + route, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, Accept: 'application/vnd.github+json',
        ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    expect(res.ok, `${method} ${route}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async asAlice(method, route, body) {
    const res = await fetch(this.fakeUrl + route, {
      method, headers: { Authorization: `Bearer ${ALICE_TOKEN}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    expect(res.ok, `alice: ${method} ${route}: ${res.status} ${await res.text()}`);
  }

  // The demo data repository as a team would hold it, and sluice's workflows at your-org/sluice.
  async createRepositories() {
    const data = path.join(this.work, 'data-repo');
    fs.cpSync(path.join(root, 'examples/demo'), data, { recursive: true });
    for (const manifest of ['pipelines/cases.json', 'pipelines/vaccines.json']) {
      const file = path.join(data, manifest);
      const m = JSON.parse(fs.readFileSync(file, 'utf8'));
      // Local defaults: every target is a folder (vaccines names Azurite's account on its own).
      for (const target of ['staging', 'production']) m.publish[target] = `file://${this.storage}/${target}/${m.name}`;
      // Successes to #data, failures to #incidents (the Slack fake's channels).
      m.notify = { default: { channel: 'C0DATA' }, routes: { failure: { channel: 'C0INCIDENTS' } } };
      fs.writeFileSync(file, `${JSON.stringify(m, null, 2)}\n`);
    }
    git(data, 'init', '-q', '-b', 'main');
    git(data, 'add', '-A');
    git(data, 'commit', '-qm', 'The demo data repository');
    this.data = data;
    this.push(data, REPO);

    const sluice = path.join(this.work, 'sluice-repo');
    fs.cpSync(path.join(root, '.github/workflows'), path.join(sluice, '.github/workflows'), { recursive: true });
    fs.cpSync(path.join(root, 'actions'), path.join(sluice, 'actions'), { recursive: true });
    fs.copyFileSync(path.join(root, 'CMakeLists.txt'), path.join(sluice, 'CMakeLists.txt'));
    git(sluice, 'init', '-q', '-b', 'main');
    git(sluice, 'add', '-A');
    git(sluice, 'commit', '-qm', 'sluice');
    this.push(sluice, 'your-org/sluice');
    this.seedToolsCache(git(sluice, 'rev-parse', 'HEAD'));
    // The one setting a data repository needs for the gate (runbooks/github-settings.md).
    const set = await fetch(`${this.fakeUrl}/_fake/repos/${REPO}/settings`, { method: 'POST',
      body: JSON.stringify({ actions_can_approve_pull_requests: true }), headers: { 'Content-Type': 'application/json' } });
    expect(set.ok, `the fake refused the repository setting: ${set.status} ${await set.text()}`);
  }

  push(from, fullName) {
    const bare = path.join(this.work, 'github', `${fullName}.git`);
    fs.mkdirSync(path.dirname(bare), { recursive: true });
    if (!fs.existsSync(bare)) execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    git(from, 'push', '-q', bare, 'main');
  }

  // actions/setup restores the built tools from its cache by the sluice commit; the runner's cache
  // is given these tools under the key setup computes, so no pass builds sluice.
  seedToolsCache(commit) {
    const release = Object.fromEntries(fs.readFileSync('/etc/os-release', 'utf8').split('\n').filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]));
    const key = `sluice-${release.ID}${release.VERSION_ID}-${os.machine()}-${commit}`;
    const prefix = path.join(this.work, 'runner', '_temp', 'sluice-install');
    const entry = path.join(this.work, 'cache',
      crypto.createHash('sha256').update(`refs/heads/main\n${key}\n${prefix}`).digest('hex'));
    fs.mkdirSync(path.join(entry, '0', 'bin'), { recursive: true });
    for (const tool of fs.readdirSync(this.o.bin).filter((t) => t.startsWith('sluice-'))) {
      fs.copyFileSync(path.join(this.o.bin, tool), path.join(entry, '0', 'bin', tool));
      fs.chmodSync(path.join(entry, '0', 'bin', tool), 0o755);
    }
    fs.writeFileSync(path.join(entry, 'entry.json'),
      JSON.stringify({ key, version: [prefix], ref: 'refs/heads/main', created: 1 }));
  }

  // A person's commit on main (the upstream's file changes; nothing listens for such a push).
  commitUpstream(edit, message) {
    // On top of what the chain merged meanwhile.
    git(this.data, 'fetch', '-q', path.join(this.work, 'github', `${REPO}.git`), 'main');
    git(this.data, 'reset', '-q', '--hard', 'FETCH_HEAD');
    const file = path.join(this.data, 'sources/cases.csv');
    fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
    git(this.data, 'commit', '-qam', message);
    this.push(this.data, REPO);
  }

  // One runner pass: the event, then every run it (and what the jobs did) started.
  async runner(title, event, now) {
    const log = path.join(this.work, 'logs', `${String(++this.pass).padStart(2, '0')}-${title.replace(/[^a-z0-9]+/gi, '-')}.log`);
    const json = path.join(this.work, 'runner', 'runs.json');
    const args = [path.join(root, 'tests/fixtures/actions-runner'), '--fake', this.fakeUrl, '--root', path.join(this.work, 'github'),
      '--repo', REPO, ...event, '--drain', '--work', path.join(this.work, 'runner'), '--cache', path.join(this.work, 'cache'),
      '--json', json, '--secret', `SLACK_BOT_TOKEN=${SLACK_TOKEN}`, '--env', `SLACK_API_URL=${this.slackUrl}/api/`,
      '--env', `HOME=${path.join(this.work, 'home')}`, '--env', `SLUICE_NOW=${now}`];
    fs.rmSync(json, { force: true });
    // Not a synchronous child: this process must keep reading the fakes' output meanwhile.
    const out = fs.openSync(log, 'w');
    const child = spawn('node', args, { stdio: ['ignore', out, out] });
    const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
    fs.closeSync(out);
    expect(code !== 2, `the runner refused a workflow (see ${log})`);
    const runs = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')).runs : [];
    for (const run of runs) console.log(`  run: ${run.workflow} -> ${run.conclusion}${run.error ? ` (${run.error})` : ''}`);
    console.log(`  (the runner's log: ${path.relative(root, log)})`);
    return { code, runs, log: fs.readFileSync(log, 'utf8') };
  }

  async pull(branch) {
    const pulls = await this.api('GET', `/repos/${REPO}/pulls?state=all&head=acme:${branch}`);
    return pulls.sort((a, b) => b.number - a.number)[0];
  }

  async showPull(pull) {
    const statuses = await this.api('GET', `/repos/${REPO}/commits/${pull.head.sha}/statuses`);
    console.log(`  PR #${pull.number} ${bold(pull.title)} [${pull.state}${pull.merged_at ? ', merged' : ''}]`);
    console.log(`  labels: ${pull.labels.map((l) => l.name).join(', ') || '(none)'}`);
    console.log(`  checks on ${pull.head.sha.slice(0, 7)}: ${statuses.map((s) => `${s.context} ${s.state}`).join(', ')}`);
    // The body's head (summary, validation, the diff with its trend chart) and its footer
    // (reviewers, the staging link, the runbook).
    const body = (pull.body ?? '').split('\n');
    const footer = body.lastIndexOf('---');
    const head = body.slice(0, footer > 0 ? Math.min(footer, 40) : 40);
    console.log('  body:');
    for (const line of head) console.log(`  | ${line}`);
    if (footer > head.length) console.log('  | …');
    if (footer > 0) for (const line of body.slice(footer).filter((l) => l.trim())) console.log(`  | ${line}`);
  }

  // The reasons the gate gave: sluice-approve's step summaries.
  static gateReasons(runs) {
    const lines = [];
    for (const run of runs.filter((r) => /approve/.test(r.workflow))) {
      for (const job of run.jobs) for (const step of job.steps) if (step.summary?.trim()) lines.push(...step.summary.trim().split('\n'));
    }
    return lines;
  }

  listFiles(dir) {
    const out = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out.push(path.relative(this.storage, p));
      }
    };
    if (fs.existsSync(dir)) walk(dir);
    return out.sort();
  }

  async slackMessages() {
    const all = await (await fetch(`${this.slackUrl}/_fake/requests`)).json();
    const posts = all.filter((r) => r.path === '/api/chat.postMessage' && r.answer && JSON.parse(r.answer).ok);
    const fresh = posts.slice(this.slackSeen);
    this.slackSeen = posts.length;
    for (const p of fresh) {
      console.log(`  Slack ${p.body.channel}${p.body.thread_ts ? ' (thread)' : ''}:`);
      for (const line of String(p.body.text ?? '').split('\n')) console.log(`  > ${line}`);
    }
    return fresh;
  }
}

function stage(title) {
  console.log(`\n${bold(`== ${title}`)}`);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const demo = new Demo(o);
  const started = Date.now();
  try {
    await demo.start();
    await demo.createRepositories();
    console.log(`GitHub fake ${demo.fakeUrl} (repositories in ${path.relative(root, path.join(demo.work, 'github'))}), ` +
      `Slack fake ${demo.slackUrl}, storage ${path.relative(root, demo.storage)}`);

    stage('Monday 06:05 Los Angeles: the hourly tick of pipelines.yml; no pipeline is due yet');
    let pass = await demo.runner('early tick', ['--event', 'schedule', '--workflow', 'pipelines.yml', '--cron', '5 * * * *'],
      '2026-12-07T06:05:00-08:00');
    const notDue = pass.log.split('\n').filter((l) => /not fetched: not due/.test(l));
    for (const line of notDue.slice(0, 2)) console.log(`  ${line.trim()}`);
    expect(pass.code === 0 && notDue.length > 0, 'the early tick must say the pipelines are not due');
    expect((await demo.api('GET', `/repos/${REPO}/pulls`)).length === 0, 'a tick outside the schedule opened a PR');
    expect((await demo.slackMessages()).length === 0, 'a tick that is not due must not post to Slack');

    stage('Monday 07:05: the tick meets the cases schedule: fetch, validate, diff, one commit, the data PR, staging');
    pass = await demo.runner('schedule slot', ['--event', 'schedule', '--workflow', 'pipelines.yml', '--cron', '5 * * * *'],
      '2026-12-07T07:05:00-08:00');
    expect(pass.code === 0, `the scheduled run failed (see the runner's log)`);
    let cases = await demo.pull('sluice/cases');
    expect(cases && cases.state === 'open', 'the scheduled run opened no cases PR');
    await demo.showPull(cases);
    const staging = demo.listFiles(path.join(demo.storage, 'staging/cases'));
    console.log(`  staging (the PR's head, for reviewers): ${staging.join(', ')}`);
    expect(staging.includes('staging/cases/_sluice/manifest.json'), 'the PR head was not published to staging');
    expect(cases.body.includes(`**Staging:**`) && cases.body.includes('```mermaid'),
      'the PR body must show the trend chart and link the staging copy');
    await demo.slackMessages();

    stage('Monday 08:05: the next tick meets the vaccines schedule (07:35) and opens its PR');
    pass = await demo.runner('vaccines slot', ['--event', 'schedule', '--workflow', 'pipelines.yml', '--cron', '5 * * * *'],
      '2026-12-07T08:05:00-08:00');
    expect(pass.code === 0 && (await demo.pull('sluice/vaccines'))?.state === 'open', 'the 08:05 tick opened no vaccines PR');
    console.log(`  PR #${(await demo.pull('sluice/vaccines')).number} opened for vaccines; cases has run in its slot already`);
    await demo.slackMessages();

    stage('Monday 09:30: the gate (approve.yml every 15 minutes) inside the 09:00 window merges, and publish runs');
    pass = await demo.runner('window', ['--event', 'schedule', '--workflow', 'approve.yml', '--cron', '*/15 * * * *'],
      '2026-12-07T09:30:00-08:00');
    expect(pass.code === 0, 'the gate run failed');
    console.log('  the gate said:');
    for (const line of Demo.gateReasons(pass.runs).slice(0, 30)) console.log(`  | ${line}`);
    cases = await demo.pull('sluice/cases');
    expect(cases.merged_at, 'the gate did not merge the cases PR inside the window');
    const vaccines = await demo.pull('sluice/vaccines');
    expect(vaccines && vaccines.state === 'open', 'vaccines (review: manual) must wait for a reviewer');
    console.log(`  PR #${cases.number} (cases, review auto) merged; PR #${vaccines.number} (vaccines, review manual) waits for a reviewer`);
    const production = demo.listFiles(path.join(demo.storage, 'production/cases'));
    console.log(`  production: ${production.join(', ')}`);
    expect(production.includes('production/cases/data/cases.csv') && production.includes('production/cases/_sluice/manifest.json') &&
      production.includes('production/cases/_sluice/status.json'), 'publish did not land the data, manifest and status');
    const published = await demo.slackMessages();
    expect(published.some((p) => /published/i.test(p.body.text ?? '')), 'Slack did not hear about the publish');

    stage('Tuesday 07:05: the upstream revises Alameda; a reviewer puts sluice:hold on the new PR');
    demo.commitUpstream((csv) => csv.replace(',1400,', ',1450,'), 'upstream: Alameda revised');
    pass = await demo.runner('revision', ['--event', 'schedule', '--workflow', 'pipelines.yml', '--cron', '5 * * * *'],
      '2026-12-08T07:05:00-08:00');
    expect(pass.code === 0, 'the revision run failed');
    const revised = await demo.pull('sluice/cases');
    expect(revised.number !== cases.number && revised.state === 'open', 'the revision opened no new PR');
    await demo.showPull(revised);
    await demo.slackMessages();
    await demo.asAlice('POST', `/repos/${REPO}/issues/${revised.number}/labels`, { labels: ['sluice:hold'] });
    console.log(`  alice labels PR #${revised.number} sluice:hold (a person's label starts approve.yml)`);
    pass = await demo.runner('hold', [], '2026-12-08T09:30:00-08:00');
    pass = await demo.runner('held window', ['--event', 'schedule', '--workflow', 'approve.yml', '--cron', '*/15 * * * *'],
      '2026-12-08T09:45:00-08:00');
    console.log('  the gate said:');
    for (const line of Demo.gateReasons(pass.runs).slice(0, 30)) console.log(`  | ${line}`);
    expect((await demo.pull('sluice/cases')).state === 'open', 'a held PR was merged');
    expect(/held by label sluice:hold/.test(pass.log), 'the gate did not say the PR is held');

    stage('Tuesday 10:00: alice removes the hold; the gate merges at its next pass and publish runs');
    await demo.asAlice('DELETE', `/repos/${REPO}/issues/${revised.number}/labels/sluice:hold`);
    pass = await demo.runner('unhold', [], '2026-12-08T10:00:00-08:00');
    expect((await demo.pull('sluice/cases')).merged_at, 'removing the hold did not merge the PR');
    const manifest = JSON.parse(fs.readFileSync(path.join(demo.storage, 'production/cases/_sluice/manifest.json'), 'utf8'));
    console.log(`  production manifest now at commit ${String(manifest.commit ?? manifest.source_commit ?? '?').slice(0, 7)}`);
    await demo.slackMessages();

    stage("Wednesday 07:05: the upstream drops the leading zero of Kern's FIPS code; validation stops the chain");
    demo.commitUpstream((csv) => csv.replace('Kern,06029,', 'Kern,6029,'), "upstream: Kern's FIPS lost its leading zero");
    pass = await demo.runner('broken upstream', ['--event', 'schedule', '--workflow', 'pipelines.yml', '--cron', '5 * * * *'],
      '2026-12-09T07:05:00-08:00');
    expect(pass.code === 1, 'the run with a broken FIPS code must fail');
    const after = await demo.pull('sluice/cases');
    expect(after.number === revised.number, 'a failing validation must open no PR');
    const findings = pass.log.split('\n').map((l) => l.trim()).filter((l) => /^failed\s/.test(l) || /^data\/\S+:\d+:\d+/.test(l));
    for (const line of findings.slice(0, 4)) console.log(`  ${line}`);
    expect(findings.some((l) => l.includes('6029')), 'the validation report must name the bad FIPS code and its line');
    const incident = await demo.slackMessages();
    expect(incident.some((p) => p.body.channel === 'C0INCIDENTS' && /U012AB3CD/.test(p.body.text ?? '')),
      'Slack #incidents did not hear the failure with the owner mentioned');

    console.log(`\nThe chain through the workflow files took ${((Date.now() - started) / 1000).toFixed(0)} s. ` +
      `Everything is in ${path.relative(root, demo.work) || demo.work}: the GitHub fake's repositories (github/), ` +
      'the published files (storage/), the runner\'s logs (logs/).');
    return 0;
  } catch (e) {
    console.error(`\ndemo-chain: ${e instanceof DemoFailure ? e.message : e.stack}`);
    return 1;
  } finally {
    demo.stop();
  }
}

process.exitCode = await main();
