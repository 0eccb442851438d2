// `verify` checks the link folders (albums/<title>/, favorites/, archive/, partner/) too, link by
// link, end to end: the built CLI after a real sync against the replica with sampleAlbums(),
// then real damage on disk. A deleted link, a symlink pointed elsewhere, a regular file put in
// a link's place, a hard link replaced by a copy (equal bytes, another inode) are each named,
// exit 3; `verify --fix` re-makes the links that are gone or retargeted, leaves a file that is
// not ours where it is (and forgets the link), and a second verify is clean. No photo of the
// date layout changes a byte.
import { existsSync, lstatSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sampleAlbums } from '../replica/index.js';
import { openIndex } from '../../src/store/database.js';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { sha256, sync, walk } from './sync-helpers.js';

interface LinkProblemJson {
  kind: string;
  issue: string;
  path: string;
  detail: string;
}

async function verify(outDir: string, extra: string[] = []): Promise<{ code: number | null; report: Record<string, any>; stderr: string }> {
  const result = await runCli(['verify', '--out', outDir, '--json', ...extra], { env: cleanEnv() });
  return { code: result.code, report: JSON.parse(result.stdout.trim() || 'null'), stderr: result.stderr };
}

/** sha256 of every file of the date layout (the link folders, the state and the trash left out). */
function photos(outDir: string): Map<string, string> {
  return new Map(walk(outDir).map((rel) => [rel, sha256(path.join(outDir, rel))]));
}

/** The index's link rows, as `dir/name`. */
function linkRows(outDir: string): string[] {
  const db = openIndex(outDir, { readonly: true });
  try {
    return (db.prepare('SELECT dir, name FROM links ORDER BY dir, name').all() as { dir: string; name: string }[]).map((r) => `${r.dir}/${r.name}`);
  } finally {
    db.close();
  }
}

/** The recorded file a link stands for. */
function linkTarget(outDir: string, linkRel: string): string {
  const db = openIndex(outDir, { readonly: true });
  try {
    const dir = path.posix.dirname(linkRel);
    return db.prepare('SELECT target FROM links WHERE dir = ? AND name = ?').pluck().get(dir, path.posix.basename(linkRel)) as string;
  } finally {
    db.close();
  }
}

const issues = (problems: LinkProblemJson[]): string[] => problems.map((p) => `${p.kind} ${p.issue} ${p.path}`).sort();

test.describe('verify and the link folders', () => {
  test.use({ replicaOptions: { ...sampleAlbums(), latencyMs: 5 } });

  test('a deleted link, a symlink pointed elsewhere and a file of other bytes in a link’s place are named; --fix re-makes the first two, leaves the file and forgets its link; the next verify is clean and no photo changed', async ({ replica, profileDir, outDir }) => {
    const first = await sync(replica, outDir, profileDir);
    expect(first.code, first.stderr).toBe(0);
    const clean = await verify(outDir);
    expect(clean.code, clean.stderr).toBe(0);
    const rows = linkRows(outDir);
    expect(rows.length).toBeGreaterThan(10);
    expect(clean.report).toMatchObject({ clean: true, links: { checked: rows.length, ok: rows.length, broken: 0 }, linkProblems: [] });
    const before = photos(outDir);

    const deleted = 'albums/Trip/DSCN0021.jpg';
    const retargeted = 'albums/Family/DSCN0010.jpg';
    const replaced = 'favorites/DSCN0012.jpg';
    const deletedText = readlinkSync(path.join(outDir, deleted));
    const retargetedText = readlinkSync(path.join(outDir, retargeted));
    // Pointed at another photo that exists: the link still resolves, to the wrong file.
    const elsewhere = readlinkSync(path.join(outDir, 'albums/Trip/DSCN0027.jpg'));
    rmSync(path.join(outDir, deleted));
    rmSync(path.join(outDir, retargeted));
    symlinkSync(elsewhere, path.join(outDir, retargeted));
    expect(statSync(path.join(outDir, retargeted)).isFile()).toBe(true);
    rmSync(path.join(outDir, replaced));
    writeFileSync(path.join(outDir, replaced), 'my own notes, not a photo\n');

    const found = await verify(outDir);
    expect(found.code, found.stderr).toBe(3);
    expect(found.report.clean).toBe(false);
    // The files themselves are fine: only the links are broken.
    expect(found.report.counts).toEqual({ missing: 0, changed: 0, corrupt: 0, brokenPairs: 0 });
    expect(found.report.problems).toEqual([]);
    expect(found.report.links).toEqual({ checked: rows.length, ok: rows.length - 3, broken: 3 });
    expect(issues(found.report.linkProblems)).toEqual([`link elsewhere ${retargeted}`, `link missing ${deleted}`, `link not-ours ${replaced}`]);
    // Without --fix nothing changed.
    expect(existsSync(path.join(outDir, deleted))).toBe(false);
    expect(readlinkSync(path.join(outDir, retargeted))).toBe(elsewhere);

    const human = await runCli(['verify', '--out', outDir], { env: cleanEnv() });
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(/links in albums\/, favorites\/, archive\/, partner\/: \d+ ok, 3 broken\./);
    expect(human.stdout).toContain('Broken links (3):');
    for (const rel of [deleted, retargeted, replaced]) expect(human.stdout).toContain(rel);
    expect(human.stdout).toContain('gphotos-keep verify --fix');

    const fixed = await verify(outDir, ['--fix']);
    expect(fixed.code, fixed.stderr).toBe(3);
    expect([...fixed.report.fixed.links.remade].sort()).toEqual([retargeted, deleted]);
    expect(fixed.report.fixed.links.left).toEqual([{ path: replaced, reason: expect.stringMatching(/not the link gphotos-keep made/) }]);
    expect(fixed.report.fixed.requeued).toEqual([]);
    // Re-made as they were: relative symlinks to their own files.
    expect(lstatSync(path.join(outDir, deleted)).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(outDir, deleted))).toBe(deletedText);
    expect(readlinkSync(path.join(outDir, retargeted))).toBe(retargetedText);
    expect(sha256(path.join(outDir, retargeted))).toBe(before.get(linkTarget(outDir, retargeted)));
    // The file that is not ours stays, byte for byte; its link is forgotten.
    expect(readFileSync(path.join(outDir, replaced), 'utf8')).toBe('my own notes, not a photo\n');
    expect(linkRows(outDir)).toEqual(rows.filter((r) => r !== replaced));

    const again = await verify(outDir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.report).toMatchObject({ clean: true, links: { checked: rows.length - 1, ok: rows.length - 1, broken: 0 }, linkProblems: [] });
    expect(photos(outDir)).toEqual(before);
  });

  test('--album-links hardlink: a link replaced by a copy of equal bytes (another inode) is named and left; a deleted one is re-made as a hard link', async ({ replica, profileDir, outDir }) => {
    const first = await sync(replica, outDir, profileDir, ['--album-links', 'hardlink']);
    expect(first.code, first.stderr).toBe(0);
    const rows = linkRows(outDir);
    const before = photos(outDir);
    const copied = 'albums/Trip/DSCN0027.jpg';
    const deleted = 'albums/Trip/DSCN0021.jpg';
    const copiedMain = path.join(outDir, linkTarget(outDir, copied));
    const deletedMain = path.join(outDir, linkTarget(outDir, deleted));
    expect(statSync(path.join(outDir, copied)).ino).toBe(statSync(copiedMain).ino);

    const bytes = readFileSync(path.join(outDir, copied));
    rmSync(path.join(outDir, copied));
    writeFileSync(path.join(outDir, copied), bytes);
    expect(statSync(path.join(outDir, copied)).ino).not.toBe(statSync(copiedMain).ino);
    expect(sha256(path.join(outDir, copied))).toBe(sha256(copiedMain));
    rmSync(path.join(outDir, deleted));

    const found = await verify(outDir);
    expect(found.code, found.stderr).toBe(3);
    expect(found.report.links).toEqual({ checked: rows.length, ok: rows.length - 2, broken: 2 });
    expect(issues(found.report.linkProblems)).toEqual([`link missing ${deleted}`, `link not-same-file ${copied}`]);

    const fixed = await verify(outDir, ['--fix']);
    expect(fixed.code, fixed.stderr).toBe(3);
    expect(fixed.report.fixed.links.remade).toEqual([deleted]);
    expect(fixed.report.fixed.links.left).toEqual([{ path: copied, reason: expect.stringMatching(/not the link gphotos-keep made/) }]);
    expect(statSync(path.join(outDir, deleted)).ino).toBe(statSync(deletedMain).ino);
    expect(readFileSync(path.join(outDir, copied)).equals(bytes)).toBe(true);
    expect(linkRows(outDir)).toEqual(rows.filter((r) => r !== copied));

    const again = await verify(outDir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.report).toMatchObject({ clean: true, links: { broken: 0 }, linkProblems: [] });
    expect(photos(outDir)).toEqual(before);
  });

  test('--album-links copy: a copy whose bytes changed is named (a same-size change by --full); --fix moves it aside, never deletes it, and copies the file again', async ({ replica, profileDir, outDir }) => {
    const first = await sync(replica, outDir, profileDir, ['--album-links', 'copy']);
    expect(first.code, first.stderr).toBe(0);
    const before = photos(outDir);
    const grown = 'albums/Family/Canon_40D.jpg';
    const flipped = 'albums/Trip/DSCN0027.jpg';
    writeFileSync(path.join(outDir, grown), 'appended by another program', { flag: 'a' });
    const grownBytes = readFileSync(path.join(outDir, grown));
    const copy = readFileSync(path.join(outDir, flipped));
    copy[Math.floor(copy.length / 2)] ^= 0x01;
    writeFileSync(path.join(outDir, flipped), copy);

    const quick = await verify(outDir);
    expect(quick.code, quick.stderr).toBe(3);
    expect(issues(quick.report.linkProblems)).toEqual([`link changed ${grown}`]);
    const found = await verify(outDir, ['--full']);
    expect(found.code, found.stderr).toBe(3);
    expect(issues(found.report.linkProblems)).toEqual([`link changed ${grown}`, `link changed ${flipped}`]);

    const fixed = await verify(outDir, ['--fix', '--full']);
    expect(fixed.code, fixed.stderr).toBe(3);
    expect([...fixed.report.fixed.links.remade].sort()).toEqual([grown, flipped]);
    expect(fixed.report.fixed.links.left).toEqual([]);
    const aside = new Map((fixed.report.fixed.movedAside as { from: string; to: string }[]).map((m) => [m.from, m.to]));
    expect([...aside.keys()].sort()).toEqual([grown, flipped]);
    expect(readFileSync(path.join(outDir, aside.get(grown)!)).equals(grownBytes)).toBe(true);
    expect(readFileSync(path.join(outDir, aside.get(flipped)!)).equals(copy)).toBe(true);
    for (const rel of [grown, flipped]) {
      expect(lstatSync(path.join(outDir, rel)).isFile()).toBe(true);
      expect(sha256(path.join(outDir, rel))).toBe(before.get(linkTarget(outDir, rel)));
    }

    const again = await verify(outDir, ['--full']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.report).toMatchObject({ clean: true, links: { broken: 0 }, linkProblems: [] });
    expect(photos(outDir)).toEqual(before);
  });
});
