// The listing half of incremental sync, against the replica with a real Chromium and a real
// index file: which listing a run chooses, what the upload-order listing catches, and how a
// full rescan reconciles deletions (and refuses to when too much vanished at once).
import pino from 'pino';
import type { BrowserContext } from 'playwright-core';
import { launchProfile } from '../../src/browser/launch.js';
import { listByTakenRanges } from '../../src/library/by-taken-ranges.js';
import { listByUpload } from '../../src/library/by-upload.js';
import { MassDisappearanceError } from '../../src/errors.js';
import { runListing, type ListingParams } from '../../src/run/listing.js';
import { RpcClient } from '../../src/site/rpc-client.js';
import { checkSession } from '../../src/site/session.js';
import { type Db, openIndex } from '../../src/store/database.js';
import { countByState, getItem } from '../../src/store/items.js';
import { ListingMeta, getMetaMs, setMetaMs } from '../../src/store/scan.js';
import type { Replica } from '../replica/index.js';
import { expect, test } from '../helpers/fixtures.js';

const DAY = 24 * 3_600_000;
const silent = pino({ level: 'silent' });

interface Session {
  context: BrowserContext;
  params: (extra?: Partial<ListingParams>) => ListingParams;
  client: RpcClient;
  db: Db;
}

async function openSession(replica: Replica, profileDir: string, outDir: string): Promise<Session> {
  const context = await launchProfile({ profileDir, headless: true });
  const page = context.pages()[0] ?? (await context.newPage());
  const tokens = await checkSession(page, replica.baseUrl);
  const client = new RpcClient(page, replica.baseUrl, tokens);
  const db = openIndex(outDir);
  const params = (extra: Partial<ListingParams> = {}): ListingParams => ({ db, outDir, page, baseUrl: replica.baseUrl, client, rescan: false, rescanDays: 7, logger: silent, ...extra });
  return { context, params, client, db };
}

async function closeSession(session: Session): Promise<void> {
  session.db.close();
  await session.context.close();
}

function rpcCount(replica: Replica, id: string): number {
  return replica.counters.rpc[id] ?? 0;
}

test('first run rescans everything (archive included); then a default run lists by upload and catches a back-dated upload', async ({ replica, profileDir, outDir }) => {
  const session = await openSession(replica, profileDir, outDir);
  try {
    const first = await runListing(session.params());
    expect(first.mode).toBe('rescan');
    expect(first.decision.reason).toBe('first-run');
    expect(first.complete).toBe(true);
    expect(first.found).toBe(replica.items.length);
    expect(rpcCount(replica, 'lcxiM')).toBeGreaterThan(0);
    const archived = replica.items.filter((item) => item.archived);
    expect(archived.length).toBeGreaterThan(0);
    for (const item of archived) expect(getItem(session.db, item.mediaKey)?.archived).toBe(1);
    for (const item of replica.items) expect(getItem(session.db, item.mediaKey)?.state).toBe('pending');

    // Uploaded now, taken in 2009: older than everything a by-date-taken "newer than" rule would look at.
    const backDated = replica.addItem({ sample: 'Nikon_D70.jpg', fileName: 'SCAN_2009.JPG', takenMs: Date.UTC(2009, 6, 4, 10, 0, 0), uploadedMs: Date.now() });
    const newArchived = replica.addItem({ sample: 'Canon_40D.jpg', fileName: 'ARCHIVED_NEW.JPG', takenMs: Date.UTC(2012, 1, 1), uploadedMs: Date.now() - 1000, archived: true });
    const favorite = replica.items.find((i) => !i.favorite && i.mediaKey !== backDated.mediaKey && i.mediaKey !== newArchived.mediaKey)!;
    expect(getItem(session.db, favorite.mediaKey)?.favorite).toBe(0);
    replica.setFavorite(favorite.mediaKey, true);
    replica.resetCounters();

    const second = await runListing(session.params());
    expect(second.mode).toBe('incremental');
    expect(second.complete).toBe(true);
    expect(second.new).toBe(2);
    expect(rpcCount(replica, 'lcxiM')).toBe(0);
    expect(rpcCount(replica, 'EzkLib')).toBe(1);
    expect(getItem(session.db, backDated.mediaKey)).toMatchObject({ state: 'pending', taken_ms: backDated.takenMs });
    expect(getItem(session.db, newArchived.mediaKey)).toMatchObject({ state: 'pending', archived: 1 });
    // The whole small library fits in one page of recent uploads: its flags are refreshed too.
    expect(getItem(session.db, favorite.mediaKey)?.favorite).toBe(1);

    // Nothing new: one page of recent uploads, all known, and the run stops there.
    replica.resetCounters();
    const third = await runListing(session.params());
    expect(third.mode).toBe('incremental');
    expect(third.new).toBe(0);
    expect(third.upload?.stoppedBy).toBe('known-page');
    expect(rpcCount(replica, 'EzkLib')).toBe(1);
    expect(rpcCount(replica, 'lcxiM')).toBe(0);
  } finally {
    await closeSession(session);
  }
});

test('the automatic rescan schedule: older than --rescan-days rescans, newer lists recent uploads, --rescan-days 0 always rescans', async ({ replica, profileDir, outDir }) => {
  const session = await openSession(replica, profileDir, outDir);
  try {
    await runListing(session.params());
    const rescannedAt = getMetaMs(session.db, ListingMeta.lastFullRescan);
    expect(rescannedAt).not.toBeNull();

    setMetaMs(session.db, ListingMeta.lastFullRescan, Date.now() - 6 * DAY);
    replica.resetCounters();
    const fresh = await runListing(session.params());
    expect(fresh.mode).toBe('incremental');
    expect(rpcCount(replica, 'lcxiM')).toBe(0);

    setMetaMs(session.db, ListingMeta.lastFullRescan, Date.now() - 8 * DAY);
    replica.resetCounters();
    const due = await runListing(session.params());
    expect(due.mode).toBe('rescan');
    expect(due.decision.reason).toBe('schedule');
    expect(rpcCount(replica, 'lcxiM')).toBeGreaterThan(0);
    expect(getMetaMs(session.db, ListingMeta.lastFullRescan)!).toBeGreaterThan(Date.now() - 60_000);

    replica.resetCounters();
    const always = await runListing(session.params({ rescanDays: 0 }));
    expect(always.mode).toBe('rescan');
    expect(rpcCount(replica, 'lcxiM')).toBeGreaterThan(0);

    replica.resetCounters();
    const asked = await runListing(session.params({ rescan: true, rescanDays: 30 }));
    expect(asked.decision.reason).toBe('asked');
    expect(rpcCount(replica, 'lcxiM')).toBeGreaterThan(0);
  } finally {
    await closeSession(session);
  }
});

test('a rescan marks a deleted item gone, refreshes flags, and refuses to mark anything gone when over 20% vanished at once', async ({ replica, profileDir, outDir }) => {
  const session = await openSession(replica, profileDir, outDir);
  try {
    await runListing(session.params());
    const total = replica.items.length;
    const deleted = replica.items[3];
    replica.deleteItem(deleted.mediaKey);
    const flipped = replica.items.find((i) => !i.archived)!;
    replica.setArchived(flipped.mediaKey, true);

    const rescan = await runListing(session.params({ rescan: true }));
    expect(rescan.refused).toBeNull();
    expect(rescan.gone).toBe(1);
    const gone = getItem(session.db, deleted.mediaKey)!;
    expect(gone.state).toBe('gone');
    expect(gone.gone_ms).toBeGreaterThan(Date.now() - 60_000);
    expect(getItem(session.db, flipped.mediaKey)?.archived).toBe(1);

    // More than 20% of what is left vanishes at once: nothing is marked gone, and the run says why.
    const lastRescan = getMetaMs(session.db, ListingMeta.lastFullRescan);
    const victims = replica.items.slice(0, Math.ceil((total - 1) * 0.25)).map((i) => i.mediaKey);
    for (const key of victims) replica.deleteItem(key);
    const refused = await runListing(session.params({ rescan: true }));
    expect(refused.refused).toBeInstanceOf(MassDisappearanceError);
    expect(refused.refused!.exitCode).toBe(5);
    expect(refused.refused!.message).toContain(`did not list ${victims.length} of the ${total - 1} items`);
    expect(refused.refused!.message).toContain('--accept-deletions');
    expect(refused.gone).toBe(0);
    for (const key of victims) expect(getItem(session.db, key)?.state).toBe('pending');
    expect(countByState(session.db).gone).toBe(1);
    // The schedule is not advanced: the next run rescans again.
    expect(getMetaMs(session.db, ListingMeta.lastFullRescan)).toBe(lastRescan);

    const accepted = await runListing(session.params({ rescan: true, acceptDeletions: true }));
    expect(accepted.refused).toBeNull();
    expect(accepted.gone).toBe(victims.length);
    expect(countByState(session.db).gone).toBe(1 + victims.length);
  } finally {
    await closeSession(session);
  }
});

test.describe('a library in several upload pages', () => {
  test.use({ replicaOptions: { library: { synthetic: 250 } } });

  test('a listing killed after its first page does not let the next run stop early', async ({ replica, profileDir, outDir }) => {
    const session = await openSession(replica, profileDir, outDir);
    try {
      await runListing(session.params());
      // 150 new uploads: two pages of recent uploads (100 + 50) before the known ones.
      const base = Date.now() - 3_600_000;
      const added = Array.from({ length: 150 }, (_, i) => replica.addItem({ sample: 'Nikon_D70.jpg', fileName: `NEW_${i}.JPG`, takenMs: Date.UTC(2001, 0, 1) + i * 60_000, uploadedMs: base + i * 1000 }));
      const stop = new AbortController();
      const killed = await listByUpload({ client: session.client, db: session.db, signal: stop.signal, onPage: () => stop.abort() });
      expect(killed.stoppedBy).toBe('aborted');
      expect(killed.newItems).toBe(100);

      // Page 1 is all known now, but newer than the last completed listing: keep going.
      replica.resetCounters();
      const next = await runListing(session.params());
      expect(next.mode).toBe('incremental');
      expect(next.new).toBe(50);
      expect(next.upload?.stoppedBy).toBe('known-page');
      for (const item of added) expect(getItem(session.db, item.mediaKey)?.state).toBe('pending');
      expect(rpcCount(replica, 'EzkLib')).toBe(3);
    } finally {
      await closeSession(session);
    }
  });
});

test.describe('a rescan listed in date-taken ranges side by side', () => {
  test.use({ replicaOptions: { library: { synthetic: 1600 } } });

  test('the ranges together list every item, whether or not the server honours the start date', async ({ replica, profileDir, outDir }) => {
    const session = await openSession(replica, profileDir, outDir);
    try {
      const all = new Set(replica.items.map((i) => i.mediaKey));
      // Boundaries inside pages, one exactly on an item's date taken.
      const boundaries = [replica.items[350].takenMs + 1, replica.items[799].takenMs, replica.items[1333].takenMs - 1];
      const collect = async (client: { call(id: string, a: unknown, p?: string): Promise<unknown> }) => {
        const keys: string[] = [];
        const dropped: string[] = [];
        const ranges = new Set<number>();
        for await (const page of listByTakenRanges({ client, boundaries, onRangeDropped: (why) => dropped.push(why) })) {
          ranges.add(page.range);
          for (const item of page.items) keys.push(item.mediaKey);
        }
        return { keys, dropped, ranges };
      };

      replica.resetCounters();
      const honoured = await collect(session.client);
      expect(new Set(honoured.keys)).toEqual(all);
      expect(honoured.keys.length).toBeLessThanOrEqual(all.size + 3);
      expect(honoured.dropped).toEqual([]);
      expect([...honoured.ranges].sort()).toEqual([0, 1, 2, 3]);
      // Four ranges of about 400 items: one page each (plus at most one more per range).
      expect(rpcCount(replica, 'lcxiM')).toBeLessThanOrEqual(8);

      // A server that ignores the start date: every later range starts at the newest item and is
      // dropped; the first range then lists on to the end.
      const ignoringStart = { call: (id: string, a: unknown, p?: string) => session.client.call(id, Array.isArray(a) ? [a[0], null, ...a.slice(2)] : a, p) };
      const ignored = await collect(ignoringStart);
      expect(new Set(ignored.keys)).toEqual(all);
      expect(ignored.dropped).toHaveLength(3);
      expect([...ignored.ranges]).toEqual([0]);
    } finally {
      await closeSession(session);
    }
  });
});
