// Facts: `faults.siteChanged` serves each RPC part it names changed (the key no longer first in
// the rows of that answer) and leaves every other answer as the facts page gives it; EzkLib's
// Favorites form and its recently-uploaded form are separate parts. Here for the parts of the
// album, sharing and trash RPCs and the Favorites form; doctor-site.spec proves every part
// through the program's own probe.
import { test, expect } from '@playwright/test';
import { sampleAlbums } from './index.js';
import { replicaPageForFile, rpcPayload } from './helpers.js';
import { pageTexts, type SiteChangePart } from './site-changes.js';

const KEY = /^AF1Qip[A-Za-z0-9_-]{20,}$/;

const held = replicaPageForFile({ ...sampleAlbums() });

interface Call {
  rpcid: string;
  args: () => unknown[];
  /** The answer's rows (album rows, item rows). */
  rows: (payload: unknown[]) => unknown[][];
}

const CALLS: Record<'favorites' | 'EzkLib' | 'Z5xsfc' | 'snAcKc' | 'e9T5je' | 'zy0IHe', Call> = {
  favorites: { rpcid: 'EzkLib', args: () => ['Favorites', [[5, '8', 0, 9]], null], rows: (p) => p[0] as unknown[][] },
  EzkLib: { rpcid: 'EzkLib', args: () => ['', [[4, 'ra', 0, 0]], null], rows: (p) => p[0] as unknown[][] },
  Z5xsfc: { rpcid: 'Z5xsfc', args: () => [null, null, null, null, 1, null, null, 100, [2], 5], rows: (p) => p[0] as unknown[][] },
  snAcKc: { rpcid: 'snAcKc', args: () => [held.replica.albums.find((a) => a.own && a.entries.length > 0)!.albumKey, null, null, null], rows: (p) => p[1] as unknown[][] },
  e9T5je: { rpcid: 'e9T5je', args: () => [null, null, [null, [[[2, 1]]], [null], [null, null], 1]], rows: (p) => p[1] as unknown[][] },
  zy0IHe: { rpcid: 'zy0IHe', args: () => [null], rows: (p) => p[0] as unknown[][] },
};

async function rowsOf(name: keyof typeof CALLS, changes: SiteChangePart[]): Promise<unknown[][]> {
  held.replica.faults.siteChanged = new Set(changes);
  try {
    const call = CALLS[name];
    return call.rows((await rpcPayload(held.page, call.rpcid, call.args())) as unknown[]);
  } finally {
    held.replica.faults.siteChanged = new Set();
  }
}

for (const part of ['favorites', 'Z5xsfc', 'snAcKc', 'e9T5je', 'zy0IHe'] as const) {
  test(`siteChanged ${part}: its answer's rows carry the key at [1], not [0]; off, at [0]`, async () => {
    const plain = await rowsOf(part, []);
    expect(plain.length, `the sample account has ${part} rows`).toBeGreaterThan(0);
    for (const row of plain) expect(row[0]).toMatch(KEY);
    const changed = await rowsOf(part, [part]);
    expect(changed.length).toBe(plain.length);
    for (const [i, row] of changed.entries()) {
      expect(row[1]).toBe(plain[i][0]);
      expect(row[0]).toEqual(plain[i][1]);
    }
  });
}

test('siteChanged favorites leaves the recently-uploaded form of EzkLib alone, and EzkLib the Favorites form', async () => {
  const uploads = await rowsOf('EzkLib', ['favorites']);
  expect(uploads.length).toBeGreaterThan(0);
  for (const row of uploads) expect(row[0]).toMatch(KEY);
  const favorites = await rowsOf('favorites', ['EzkLib']);
  expect(favorites.length).toBeGreaterThan(0);
  for (const row of favorites) expect(row[0]).toMatch(KEY);
  // A change of every other new part leaves both forms alone too.
  for (const row of await rowsOf('favorites', ['Z5xsfc', 'snAcKc', 'e9T5je', 'zy0IHe'])) expect(row[0]).toMatch(KEY);
});

test("the replica's page JS reads each new part's changed answers (the Favorites form through EzkLib)", () => {
  expect(pageTexts(new Set(['favorites'])).changedRpcs).toEqual(['EzkLib']);
  expect(pageTexts(new Set(['EzkLib', 'favorites'])).changedRpcs).toEqual(['EzkLib']);
  expect(pageTexts(new Set(['Z5xsfc', 'snAcKc', 'e9T5je', 'zy0IHe'])).changedRpcs).toEqual(['Z5xsfc', 'snAcKc', 'e9T5je', 'zy0IHe']);
  expect(pageTexts().changedRpcs).toEqual([]);
});
