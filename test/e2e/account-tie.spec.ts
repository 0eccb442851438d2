// One Google account per backup folder: the index records the account at its first sync, and a
// later sync, adopt, or login into the profile used with that folder that signs in as another
// account stops with exit 4 and a message naming both accounts, before anything changes: a
// larger second library never reaches the 20% guard and never marks the first account's items
// gone. Real CLI, real Chromium, two replicas standing for two accounts.
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { signInProfile } from '../helpers/profile.js';
import { type Replica, sampleLibrary, startReplica } from '../replica/index.js';
import { replicaBytes } from './adopt-fixtures.js';
import { sync, walk } from './sync-helpers.js';

const THREE = sampleLibrary().filter((s) => s.sample.startsWith('gps__')).slice(0, 3);
const OTHER = 'someone.else@example.com';

test.use({ replicaOptions: { library: THREE } });

function itemStates(outDir: string): unknown[] {
  const db = new Database(path.join(outDir, '.gphotos-keep', 'index.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT media_key, state, gone_ms FROM items ORDER BY media_key').all();
  } finally {
    db.close();
  }
}

/** The second account: a larger library (so its listing would pass the 20% guard), its own profile. */
async function otherAccount(workDir: string): Promise<{ other: Replica; profile: string }> {
  const other = await startReplica({ library: { synthetic: 12 }, email: OTHER, latencyMs: 5 });
  const profile = path.join(workDir, 'other-profile');
  await signInProfile(profile, other.sessionCookie);
  return { other, profile };
}

function expectBothNamed(stderr: string, first: string): void {
  expect(stderr).toContain(first);
  expect(stderr).toContain(OTHER);
}

test('sync and adopt signed in as another account stop with exit 4 naming both accounts, before anything changes (even a --rescan)', async ({ replica, profileDir, outDir, workDir }) => {
  const first = await sync(replica, outDir, profileDir);
  expect(first.code, first.stderr).toBe(0);
  const before = { files: walk(outDir, { includeLinks: true }), items: itemStates(outDir) };

  const { other, profile } = await otherAccount(workDir);
  try {
    for (const extra of [[], ['--rescan'], ['--rescan', '--accept-deletions'], ['--dry-run']]) {
      const refused = await sync(other, outDir, profile, extra);
      expect(refused.code, `${extra.join(' ')}: ${refused.stderr}`).toBe(4);
      expectBothNamed(refused.stderr, replica.email);
      expect(refused.stderr).not.toContain(other.sessionCookie.value);
    }
    expect(Object.keys(other.counters.downloadStarts)).toEqual([]);
    // adopt: a Takeout of the other account's photo into the first account's folder.
    const takeout = path.join(workDir, 'takeout', 'Google Photos', 'Photos from 2024');
    mkdirSync(takeout, { recursive: true });
    writeFileSync(path.join(takeout, other.items[0].fileName), await replicaBytes(other, other.items[0].mediaKey));
    other.resetCounters();
    const adopt = await runCli(['adopt', '--from-folder', path.join(workDir, 'takeout'), '--out', outDir, '--profile', profile, '--base-url', other.baseUrl, '--json'], { env: cleanEnv() });
    expect(adopt.code, adopt.stderr).toBe(4);
    expectBothNamed(adopt.stderr, replica.email);

    expect(Object.keys(other.counters.downloadStarts)).toEqual([]);
    expect(walk(outDir, { includeLinks: true })).toEqual(before.files);
    // No item of the first account was marked gone by the other library's listing.
    expect(itemStates(outDir)).toEqual(before.items);
  } finally {
    await other.close();
  }

  // The first account still syncs as before.
  const again = await sync(replica, outDir, profileDir);
  expect(again.code, again.stderr).toBe(0);
});

test('a login into the profile used with a folder, as another account, is refused with exit 4 naming both', async ({ replica, profileDir, outDir, workDir }) => {
  // The profile was signed in some other way (a copied profile, an older version): only the sync knows its account.
  const first = await sync(replica, outDir, profileDir);
  expect(first.code, first.stderr).toBe(0);

  const { other } = await otherAccount(workDir);
  try {
    const cookies = path.join(workDir, 'other-cookies.txt');
    const c = other.sessionCookie;
    writeFileSync(cookies, `${c.domain}\tFALSE\t${c.path}\t${c.secure ? 'TRUE' : 'FALSE'}\t${Math.floor(Date.now() / 1000) + 86_400}\t${c.name}\t${c.value}\n`);
    const login = await runCli(['login', '--profile', profileDir, '--base-url', other.baseUrl, '--cookies', cookies], { env: cleanEnv() });
    expect(login.code, login.stderr).toBe(4);
    expectBothNamed(login.stderr, replica.email);
    expect(login.stderr).not.toContain(c.value);
    expect(readFileSync(cookies, 'utf8')).toContain(c.value);
  } finally {
    await other.close();
  }
  // The profile still holds the first account's session.
  const after = await sync(replica, outDir, profileDir);
  expect(after.code, after.stderr).toBe(0);
});
