// `gphotos-keep doctor --site` as a child process against the replica: as it is, with albums, a
// partner and a trashed item (exit 0, every fact ok), signed out (exit 4), with each part of
// `faults.siteChanged` switched on alone (exit 5, the table names exactly that fact), and an
// account with no album and no partner (exit 3, those two facts not checked). One replica and
// one signed-in profile for all but the last.
import { test, expect } from '@playwright/test';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FactId, FactResult, FactStatus } from '../../src/site/probe.js';
import { cleanEnv, runCli, type CliResult } from '../helpers/cli.js';
import { signInProfile } from '../helpers/profile.js';
import { sampleAlbums, startReplica, type Replica } from '../replica/index.js';
import { SITE_CHANGE_PARTS, type SiteChangePart } from '../replica/site-changes.js';

test.describe.configure({ mode: 'serial' });

/** The fact each change breaks, how the table says so, and what it shows instead. */
const EXPECTED: Record<SiteChangePart, { fact: FactId; status: FactStatus; saw: RegExp }> = {
  tokens: { fact: 'tokens', status: 'not found', saw: /^SNlM0e missing; it has \d+ keys: .*SNlM0f/ },
  lcxiM: { fact: 'lcxiM', status: 'changed', saw: /a library row starts with the mediaKey.*; the answer is \[\[\[/ },
  EzkLib: { fact: 'EzkLib', status: 'changed', saw: /a library row starts with the mediaKey.*; the answer is \[\[\[/ },
  favorites: { fact: 'favorites', status: 'changed', saw: /a library row starts with the mediaKey.*; the answer is \[\[\[/ },
  VrseUb: { fact: 'VrseUb', status: 'changed', saw: /a library row starts with the mediaKey.*; the answer is \[\[/ },
  fDcn4b: { fact: 'fDcn4b', status: 'changed', saw: /fDcn4b payload \[0\]\[0\] is the mediaKey; the answer is \[\[/ },
  EWgK9e: { fact: 'EWgK9e', status: 'changed', saw: /EWgK9e rows start with the mediaKey; the answer is \[\[/ },
  swbisb: { fact: 'swbisb', status: 'changed', saw: /a library row starts with the mediaKey.*; the answer is \[\[\[/ },
  Z5xsfc: { fact: 'Z5xsfc', status: 'changed', saw: /an album row starts with the albumKey.*; the answer is \[\[\[/ },
  snAcKc: { fact: 'snAcKc', status: 'changed', saw: /a library row starts with the mediaKey.*; the answer is \[\w+, \[\[/ },
  e9T5je: { fact: 'e9T5je', status: 'changed', saw: /a library row starts with the mediaKey.*; the answer is \[\w+, \[\[/ },
  zy0IHe: { fact: 'zy0IHe', status: 'changed', saw: /a library row starts with the mediaKey.*; the answer is \[\[\[/ },
  gridLinks: { fact: 'grid', status: 'changed', saw: /^no a\[href\^="\.\/photo\/"\] tile; the grid's links look like \/photo\/<key>/ },
  viewerLabels: { fact: 'viewer', status: 'not found', saw: /^no \[aria-label="More options"\]; the viewer's buttons: "Open info", "More actions"$/ },
  infoPanel: { fact: 'info', status: 'not found', saw: /^Filename: missing after Open info; the labels shown: .*"File name:"/ },
  shiftD: { fact: 'shiftD', status: 'changed', saw: /^no download started within \d+ s of Shift\+D$/ },
  downloadMenu: { fact: 'menu', status: 'not found', saw: /^the menu lists "Download", "Add to album", "Archive - Shift\+A"$/ },
};

/** Facts that cannot be checked once a change broke what they stand on (every other fact must hold). */
const UNCHECKABLE: Partial<Record<SiteChangePart, FactId[]>> = {
  // Without the at token there is no RPC call at all.
  tokens: ['lcxiM', 'EzkLib', 'favorites', 'VrseUb', 'fDcn4b', 'EWgK9e', 'swbisb', 'Z5xsfc', 'snAcKc', 'e9T5je', 'zy0IHe'],
  // An album's items are asked for the first album the list names.
  Z5xsfc: ['snAcKc'],
  // The menu opens from the button that is gone.
  viewerLabels: ['menu'],
};

let replica: Replica;
let workDir: string;
let profileDir: string;
/** Strings that must never appear in anything doctor --site prints. */
let secrets: string[];

test.beforeAll(async () => {
  // Albums (own, shared by the account, shared with it), a partner and a trashed item.
  replica = await startReplica({ ...sampleAlbums() });
  workDir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-doctor-site-'));
  profileDir = path.join(workDir, 'profile');
  await signInProfile(profileDir, replica.sessionCookie);
  // The at token, as the signed-in page embeds it.
  const pageHtml = await (await fetch(`${replica.baseUrl}/?hl=en`, { headers: { cookie: `${replica.sessionCookie.name}=${replica.sessionCookie.value}` } })).text();
  const at = /"SNlM0e":"([^"]+)"/.exec(pageHtml)?.[1];
  expect(at, 'the replica page embeds an at token').toBeTruthy();
  secrets = secretsOf(replica, at!);
  expect(replica.albums.length, 'the replica has albums').toBeGreaterThan(0);
  expect(replica.partnerItems.length, 'the replica has a partner sharing items').toBeGreaterThan(0);
  expect(replica.trashed.length, 'the replica has a trashed item').toBeGreaterThan(0);
  expect(replica.items.some((item) => item.favorite), 'the replica has a favorite').toBe(true);
});

/** Tokens, cookie, e-mail, keys, file names, album titles and keys, authKeys, people's names. */
function secretsOf(r: Replica, at: string): string[] {
  const people = [r.me, r.partner, ...r.albums.flatMap((album) => [album.owner, ...album.members])].filter((p) => p !== null);
  return [
    at,
    r.sessionCookie.value,
    r.email,
    ...[...r.items, ...r.partnerItems, ...r.trashed].flatMap((item) => [item.mediaKey, item.fileName]),
    ...r.albums.flatMap((album) => [album.albumKey, album.title, album.authKey, album.shareId, ...album.entries.map((entry) => entry.key)]),
    ...people.flatMap((person) => [person.name, person.actorKey, person.gaiaId]),
  ].filter((secret): secret is string => typeof secret === 'string' && secret !== '');
}

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
  replica.resetCounters();
  const result = await doctorSite(profileDir);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const rows = result.stdout.split('\n').filter((line) => line.startsWith('| `'));
  const ids: FactId[] = ['tokens', 'lcxiM', 'EzkLib', 'favorites', 'VrseUb', 'fDcn4b', 'EWgK9e', 'swbisb', 'Z5xsfc', 'snAcKc', 'e9T5je', 'zy0IHe', 'grid', 'viewer', 'info', 'shiftD', 'menu'];
  expect(rows.map((row) => /^\| `(\w+)`/.exec(row)?.[1])).toEqual(ids);
  for (const row of rows) expect(row, row).toMatch(/ \| ok \|  \|$/);
  expect(result.stdout).toContain('| fact | result | what it saw instead |');
  expect(result.stderr).toContain('all 17 facts hold');
  // One small call of each RPC: one page of albums, one album's first page, one of partner items, one of the trash.
  for (const rpcid of ['Z5xsfc', 'snAcKc', 'e9T5je', 'zy0IHe']) expect(replica.counters.rpc[rpcid], rpcid).toBe(1);
  expect(replica.viewRequests['EzkLib:favorites']).toBe(1);
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

test('an account with no album, no partner and an empty trash: the album items and partner facts have nothing to check (exit 0: no fault of the site or the run), the rest hold', async () => {
  const bare = await startReplica();
  try {
    const profile = path.join(workDir, 'bare-profile');
    await signInProfile(profile, bare.sessionCookie);
    const result = await runCli(['doctor', '--site', '--json', '--profile', profile, '--base-url', bare.baseUrl], { env: cleanEnv() });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const facts = factsOf(result);
    const nothing: Partial<Record<FactId, string>> = { snAcKc: 'the account has no album', e9T5je: 'the account has no partner (the answer is empty)' };
    for (const fact of facts) expect({ id: fact.id, status: fact.status, saw: fact.saw }).toEqual({ id: fact.id, status: nothing[fact.id] ? 'nothing to check' : 'ok', saw: nothing[fact.id] ?? '' });
    expect(result.stderr).toContain('the account has nothing to check snAcKc, e9T5je on');
  } finally {
    await bare.close();
  }
});

test("an account whose only album is someone else's, shared with it: snAcKc asks with the authKey its link leads to, and holds", async () => {
  const shared = await startReplica({ albums: [{ title: 'Ski weekend', ownedBy: 'Robin', items: [0] }] });
  try {
    const profile = path.join(workDir, 'shared-profile');
    await signInProfile(profile, shared.sessionCookie);
    const result = await runCli(['doctor', '--site', '--json', '--profile', profile, '--base-url', shared.baseUrl], { env: cleanEnv() });
    const facts = factsOf(result);
    expect(facts.find((f) => f.id === 'Z5xsfc')).toMatchObject({ status: 'ok', saw: '' });
    expect(facts.find((f) => f.id === 'snAcKc')).toMatchObject({ status: 'ok', saw: '' });
    expect(shared.counters.rpc['snAcKc']).toBe(1);
    // No partner: the one fact with nothing to check, which is no fault (exit 0).
    expect(facts.filter((f) => f.status !== 'ok').map((f) => [f.id, f.status])).toEqual([['e9T5je', 'nothing to check']]);
    expect(result.code).toBe(0);
    const album = shared.albums[0];
    for (const secret of [album.title, album.albumKey, album.authKey!, album.shareId!, 'Robin']) expect(result.stdout + result.stderr).not.toContain(secret);
  } finally {
    await shared.close();
  }
});
