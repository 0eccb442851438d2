// `gphotos-keep doctor --site` as a child process against the replica: as it is (exit 0, every
// fact ok), signed out (exit 4), and with each part of `faults.siteChanged` switched on alone
// (exit 5, the table names exactly that fact). One replica and one signed-in profile for all.
import { test, expect } from '@playwright/test';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FactId, FactResult, FactStatus } from '../../src/site/probe.js';
import { cleanEnv, runCli, type CliResult } from '../helpers/cli.js';
import { signInProfile } from '../helpers/profile.js';
import { startReplica, type Replica } from '../replica/index.js';
import { SITE_CHANGE_PARTS, type SiteChangePart } from '../replica/site-changes.js';

test.describe.configure({ mode: 'serial' });

/** The fact each change breaks, how the table says so, and what it shows instead. */
const EXPECTED: Record<SiteChangePart, { fact: FactId; status: FactStatus; saw: RegExp }> = {
  tokens: { fact: 'tokens', status: 'not found', saw: /^SNlM0e missing; it has \d+ keys: .*SNlM0f/ },
  lcxiM: { fact: 'lcxiM', status: 'changed', saw: /a library row starts with the mediaKey.*; the answer is \[\[\[/ },
  EzkLib: { fact: 'EzkLib', status: 'changed', saw: /a library row starts with the mediaKey.*; the answer is \[\[\[/ },
  VrseUb: { fact: 'VrseUb', status: 'changed', saw: /a library row starts with the mediaKey.*; the answer is \[\[/ },
  fDcn4b: { fact: 'fDcn4b', status: 'changed', saw: /fDcn4b payload \[0\]\[0\] is the mediaKey; the answer is \[\[/ },
  EWgK9e: { fact: 'EWgK9e', status: 'changed', saw: /EWgK9e rows start with the mediaKey; the answer is \[\[/ },
  swbisb: { fact: 'swbisb', status: 'changed', saw: /a library row starts with the mediaKey.*; the answer is \[\[\[/ },
  gridLinks: { fact: 'grid', status: 'changed', saw: /^no a\[href\^="\.\/photo\/"\] tile; the grid's links look like \/photo\/<key>/ },
  viewerLabels: { fact: 'viewer', status: 'not found', saw: /^no \[aria-label="More options"\]; the viewer's buttons: "Open info", "More actions"$/ },
  infoPanel: { fact: 'info', status: 'not found', saw: /^Filename: missing after Open info; the labels shown: .*"File name:"/ },
  shiftD: { fact: 'shiftD', status: 'changed', saw: /^no download started within \d+ s of Shift\+D$/ },
  downloadMenu: { fact: 'menu', status: 'not found', saw: /^the menu lists "Download", "Add to album", "Archive - Shift\+A"$/ },
};

/** Facts that cannot be checked once a change broke what they stand on (every other fact must hold). */
const UNCHECKABLE: Partial<Record<SiteChangePart, FactId[]>> = {
  // Without the at token there is no RPC call at all.
  tokens: ['lcxiM', 'EzkLib', 'VrseUb', 'fDcn4b', 'EWgK9e', 'swbisb'],
  // The menu opens from the button that is gone.
  viewerLabels: ['menu'],
};

let replica: Replica;
let workDir: string;
let profileDir: string;
/** Strings that must never appear in anything doctor --site prints. */
let secrets: string[];

test.beforeAll(async () => {
  replica = await startReplica();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-doctor-site-'));
  profileDir = path.join(workDir, 'profile');
  await signInProfile(profileDir, replica.sessionCookie);
  // The at token, as the signed-in page embeds it.
  const pageHtml = await (await fetch(`${replica.baseUrl}/?hl=en`, { headers: { cookie: `${replica.sessionCookie.name}=${replica.sessionCookie.value}` } })).text();
  const at = /"SNlM0e":"([^"]+)"/.exec(pageHtml)?.[1];
  expect(at, 'the replica page embeds an at token').toBeTruthy();
  secrets = [at!, replica.sessionCookie.value, replica.email, ...replica.items.flatMap((item) => [item.mediaKey, item.fileName])];
});

test.afterAll(async () => {
  await replica?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function doctorSite(profile: string, extra: string[] = []): Promise<CliResult> {
  return runCli(['doctor', '--site', '--profile', profile, '--base-url', replica.baseUrl, ...extra], { env: cleanEnv() });
}

function expectNoSecret(result: CliResult): void {
  const printed = result.stdout + result.stderr;
  for (const secret of secrets) expect(printed, 'doctor --site printed a token, cookie, e-mail, media key or file name').not.toContain(secret);
}

function factsOf(result: CliResult): FactResult[] {
  const report = JSON.parse(result.stdout) as { exitCode: number; facts: FactResult[] };
  expect(report.exitCode).toBe(result.code);
  return report.facts;
}

test('the replica as it is: every fact holds, exit 0, one markdown table row per fact, nothing secret', async () => {
  const result = await doctorSite(profileDir);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const rows = result.stdout.split('\n').filter((line) => line.startsWith('| `'));
  const ids: FactId[] = ['tokens', 'lcxiM', 'EzkLib', 'VrseUb', 'fDcn4b', 'EWgK9e', 'swbisb', 'grid', 'viewer', 'info', 'shiftD', 'menu'];
  expect(rows.map((row) => /^\| `(\w+)`/.exec(row)?.[1])).toEqual(ids);
  for (const row of rows) expect(row, row).toMatch(/ \| ok \|  \|$/);
  expect(result.stdout).toContain('| fact | result | what it saw instead |');
  expect(result.stderr).toContain('all 12 facts hold');
  expectNoSecret(result);
  // The two test downloads were made and thrown away: the replica served the chosen photo twice.
  expect(Object.values(replica.counters.downloads).reduce((a, b) => a + b, 0)).toBe(2);
});

test('signed out: exit 4 with the login hint, for a profile without a session and for none at all', async () => {
  const empty = path.join(workDir, 'empty-profile');
  mkdirSync(empty, { mode: 0o700 });
  const signedOut = await doctorSite(empty, ['--json']);
  expect(signedOut.code, signedOut.stderr).toBe(4);
  expect(signedOut.stderr).toContain('gphotos-keep login');
  expect(JSON.parse(signedOut.stdout)).toMatchObject({ ok: false, exitCode: 4 });

  const missing = path.join(workDir, 'no-such-profile');
  const none = await doctorSite(missing);
  expect(none.code).toBe(4);
  expect(none.stderr).toContain('gphotos-keep login');
});

for (const part of SITE_CHANGE_PARTS) {
  const expected = EXPECTED[part];
  test(`siteChanged ${part} alone: exit 5, the table names ${expected.fact} (${expected.status}) and every other fact holds`, async () => {
    replica.faults.siteChanged = new Set([part]);
    let result: CliResult;
    try {
      result = await doctorSite(profileDir, ['--json']);
    } finally {
      replica.faults.siteChanged = new Set();
    }
    expect(result.code, result.stdout + result.stderr).toBe(5);
    const facts = factsOf(result);
    const broken = facts.find((f) => f.id === expected.fact)!;
    expect(broken.status, broken.saw).toBe(expected.status);
    expect(broken.saw).toMatch(expected.saw);
    const uncheckable = new Set(UNCHECKABLE[part] ?? []);
    for (const fact of facts) {
      if (fact.id === expected.fact) continue;
      expect({ id: fact.id, status: fact.status, saw: fact.saw }).toEqual({ id: fact.id, status: uncheckable.has(fact.id) ? 'not checked' : 'ok', saw: uncheckable.has(fact.id) ? expect.any(String) : '' });
    }
    expect(result.stderr).toContain(`no longer hold: ${expected.fact}.`);
    expectNoSecret(result);
  });
}
