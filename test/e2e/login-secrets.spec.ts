// No log line, report, error or output holds a session secret: the cookie values we plant
// and the page's at token are searched for in everything a login and a full sync leave behind.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import type { Replica } from '../replica/index.js';

test.use({ replicaOptions: { library: { synthetic: 3 } } });

/** The at token the replica's page embeds for this session, read the way a browser would get it. */
async function atTokenOf(replica: Replica): Promise<string> {
  const c = replica.sessionCookie;
  const response = await fetch(`${replica.baseUrl}/?hl=en`, { headers: { cookie: `${c.name}=${c.value}` }, redirect: 'manual' });
  expect(response.status).toBe(200);
  const match = /"SNlM0e"\s*:\s*"([^"]+)"/.exec(await response.text());
  expect(match, 'the page embeds the at token').not.toBeNull();
  return match![1];
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

test('cookie values and the at token never reach output, logs, reports or the index', async ({ replica, workDir, outDir }) => {
  const c = replica.sessionCookie;
  const at = await atTokenOf(replica);
  const otherSecret = 'third-party-secret-value-0123456789';
  const profile = path.join(workDir, 'profile');
  const logFile = path.join(workDir, 'logs', 'keep.log');
  const cookies = path.join(workDir, 'cookies.txt');
  const later = Math.floor(Date.now() / 1000) + 30 * 86_400;
  writeFileSync(cookies, `# Netscape HTTP Cookie File\n#HttpOnly_${c.domain}\tFALSE\t/\tFALSE\t${later}\t${c.name}\t${c.value}\n.example.org\tTRUE\t/\tFALSE\t${later}\tsession\t${otherSecret}\n`);
  const malformed = path.join(workDir, 'malformed.txt');
  writeFileSync(malformed, `${c.domain}\tFALSE\t/\tFALSE\t${later}\t${c.name}\t${c.value}\n${c.domain} FALSE / FALSE ${later} ${c.name} ${c.value}\n`);
  const stale = path.join(workDir, 'stale.txt');
  writeFileSync(stale, `${c.domain}\tFALSE\t/\tFALSE\t${later}\t${c.name}\t${c.value}-revoked\n`);

  const common = ['--base-url', replica.baseUrl, '--profile', profile, '-v', '--log-file', logFile];
  const runs: CliResult[] = [];
  const run = async (args: string[], expected: number) => {
    const result = await runCli(args);
    runs.push(result);
    expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(expected);
  };
  await run(['login', ...common, '--cookies', malformed], 2);
  await run(['login', ...common, '--cookies', cookies], 0);
  await run(['login', ...common, '--cookies', stale], 4);
  await run(['login', ...common, '--check', '--json'], 0);
  await run(['sync', ...common, '--out', outDir, '--json', '--metrics-file', path.join(workDir, 'metrics.prom')], 0);
  replica.expireSession();
  await run(['login', ...common, '--check'], 4);
  await run(['sync', ...common, '--out', outDir], 4);

  const secrets = { cookie: c.value, at, otherSite: otherSecret };
  const texts: [string, string][] = runs.flatMap((r, i) => [[`run ${i} stdout`, r.stdout], [`run ${i} stderr`, r.stderr]] as [string, string][]);
  expect(existsSync(logFile)).toBe(true);
  texts.push(['log file', readFileSync(logFile, 'utf8')]);
  // Reports, metrics, the index and every other file the runs left in the backup's state folder.
  for (const file of [...filesUnder(path.join(outDir, '.gphotos-keep')), path.join(workDir, 'metrics.prom')]) {
    if (existsSync(file)) texts.push([file, readFileSync(file).toString('latin1')]);
  }
  // The searched set really holds the runs' traces: the log and the index the sync wrote.
  expect(texts.map(([where]) => path.basename(where))).toEqual(expect.arrayContaining(['log file', 'index.db']));
  for (const [where, text] of texts) {
    for (const [what, secret] of Object.entries(secrets)) {
      expect(text.includes(secret), `${what} found in ${where}`).toBe(false);
    }
  }
  // The log did record the runs (it is not empty by accident).
  expect(readFileSync(logFile, 'utf8')).toContain('cookies imported; session is signed in');
});
