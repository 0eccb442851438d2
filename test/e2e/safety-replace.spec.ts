// Replace only what we wrote (issue 14 point 2): a path the index gives an item may hold bytes
// that are not the ones gphotos-keep downloaded there — the user's own still accepted as a
// probable match, a file verify --fix could not move aside. The next sync must not write
// Google's bytes over them: they go to the backup's trash first, recorded there.
import Database from 'better-sqlite3';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TRASH_DIR, localDate, trashCandidates } from '../../src/folder/trash.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { expect, test } from '../helpers/fixtures.js';
import { MEDIA_DIR, type Replica } from '../replica/index.js';
import { localYearMonth, sha256 } from './adopt-fixtures.js';
import { readIndex, sync } from './sync-helpers.js';

test.use({
  replicaOptions: {
    library: [
      // A Live Photo with a JPEG still: adopting the still alone leaves the item pending for its video.
      { sample: 'gps__DSCN0021.jpg', kind: 'live', fileName: 'IMG_0100.JPG' },
      { sample: 'gps__DSCN0010.jpg' },
    ],
  },
});

function common(replica: Replica, profileDir: string): string[] {
  return ['--profile', profileDir, '--base-url', replica.baseUrl, '--json'];
}

/** sha256 → where below dir (state folder included) a file with those bytes is. */
function bytesUnder(dir: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const hash = sha256(readFileSync(full));
    found.set(hash, [...(found.get(hash) ?? []), path.relative(dir, full)]);
  }
  return found;
}

test('an accepted probable still (the user\'s own edit) goes to the trash, recorded, before sync places Google\'s still at its path', async ({ replica, workDir, outDir, profileDir }) => {
  const live = replica.items.find((i) => i.kind === 'live')!;
  const folder = path.join(workDir, 'old-phone');
  mkdirSync(folder);
  // The same picture, same name and time, but not Google's bytes: a probable match.
  const mine = readFileSync(path.join(MEDIA_DIR, 'gps__DSCN0021.jpg'));
  writeFileSync(path.join(folder, live.fileName), mine);
  const adopt = await runCli(['adopt', '--from-folder', folder, '--out', outDir, '--accept-probable', ...common(replica, profileDir)]);
  expect(adopt.code, adopt.stderr).toBe(0);
  expect(JSON.parse(adopt.stdout)).toMatchObject({ placed: 1, placedThisRun: 1 });
  const rel = `${localYearMonth(live)}/${live.fileName}`;
  expect(sha256(readFileSync(path.join(outDir, rel)))).toBe(sha256(mine));

  const result = await sync(replica, outDir, profileDir);
  expect(result.code, result.stderr).toBe(0);
  // Google's still and video are in place …
  const still = replica.expectedFiles(live.mediaKey).find((f) => f.role === 'live-still')!;
  expect(sha256(readFileSync(path.join(outDir, rel)))).toBe(still.sha256);
  // … and the user's bytes were not written over: they are in the trash, and the index says where.
  const kept = bytesUnder(outDir).get(sha256(mine)) ?? [];
  expect(kept, 'the user\'s still is kept').toHaveLength(1);
  expect(kept[0].split(path.sep).join('/').startsWith(`${TRASH_DIR}/`)).toBe(true);
  const db = new Database(path.join(outDir, '.gphotos-keep', 'index.db'), { readonly: true });
  try {
    expect(db.prepare('SELECT rel_path, trashed_from FROM files WHERE sha256 = ? AND trashed_ms IS NOT NULL').all(sha256(mine))).toEqual([{ rel_path: kept[0].split(path.sep).join('/'), trashed_from: rel }]);
  } finally {
    db.close();
  }
});

test('verify --fix that cannot move a changed file aside: the next sync still never writes over it', async ({ replica, outDir, profileDir }) => {
  const first = await sync(replica, outDir, profileDir);
  expect(first.code, first.stderr).toBe(0);
  const item = replica.items.find((i) => i.sample === 'gps__DSCN0010.jpg')!;
  const rel = readIndex(outDir, (index) => index.files(item.mediaKey).find((f) => f.role === 'main')!.rel_path);
  appendFileSync(path.join(outDir, rel), 'the only copy of an edit');
  const changed = sha256(readFileSync(path.join(outDir, rel)));
  // Every name verify --fix would move it to is taken.
  for (const candidate of trashCandidates(`${TRASH_DIR}/${localDate(Date.now())}/verify`, rel)) {
    mkdirSync(path.dirname(path.join(outDir, candidate)), { recursive: true });
    writeFileSync(path.join(outDir, candidate), 'in the way');
  }

  const fix = await runCli(['verify', '--out', outDir, '--fix', '--json'], { env: cleanEnv() });
  expect([0, 3]).toContain(fix.code);
  const resync = await sync(replica, outDir, profileDir);
  expect([0, 3]).toContain(resync.code);
  const kept = bytesUnder(outDir).get(changed) ?? [];
  expect(kept, 'the changed file survives somewhere in the backup').toHaveLength(1);
});
