// The album, sharing and trash parsers on the real captures (Z5xsfc.json, snAcKc.json, the
// [0][19] of fDcn4b.json), and on answers built from capture rows in the shapes the facts page
// gives for e9T5je and zy0IHe (no capture exists for those two). A parser that fails on the
// captures fails on Google.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SiteChangedError } from '../../src/errors.js';
import { parseAlbumItems, parseAlbumList, parseAlbumRow, parseItemAlbums, parsePartnerPage, parsePerson, parseTrashPage } from '../../src/site/album-payloads.js';
import { args } from '../../src/site/rpcids.js';
import { accountBaseUrl, albumPhotoUrl, partnerPhotoUrl, placeUrl, sharePhotoUrl, shareTargetOf, viewerScope } from '../../src/site/urls.js';

const dir = fileURLToPath(new URL('../fixtures/real-captures/', import.meta.url));
const load = (name: string): unknown => JSON.parse(readFileSync(dir + name, 'utf8'));
const ME = 'AF1QipdvWvRRxPwwblSArS0nyx3M5Rb_ovzfOsGh1uSi';

test('Z5xsfc.json: 57 albums with keys, titles, owners, modified times, counts; shared ones with their share id and short link', () => {
  const page = parseAlbumList(load('Z5xsfc.json'));
  expect(page.albums).toHaveLength(57);
  expect(page.nextPageId).toMatch(/^AH_uQ4/);
  const first = page.albums[0];
  expect(first).toEqual({
    albumKey: 'AF1QiproASJ0jNH5-foZupKnAad0huIgb5n8h33n8enj',
    title: 'location',
    ownerActor: ME,
    shared: false,
    itemCount: 1186,
    createdMs: 1769776943000,
    modifiedMs: 1769776943844,
    shareId: null,
    linkUrl: null,
  });
  const shared = page.albums.filter((a) => a.shared);
  expect(shared.map((a) => a.title)).toEqual(['TestUser8', 'Album 1', 'Album 2', 'Album 3']);
  for (const album of shared) {
    expect(album.shareId).toMatch(/^AF1Qip/);
    expect(album.linkUrl).toMatch(/^https:\/\/(goo\.gl\/photos|photos\.app\.goo\.gl)\//);
  }
  expect(page.albums.every((a) => a.ownerActor === ME && a.modifiedMs !== null && a.itemCount !== null)).toBe(true);
  // Titles are taken as given (digits, names), never guessed from.
  expect(page.albums.map((a) => a.title)).toContain('1998');
});

test('Z5xsfc: no albums is [null, null, [1], [1]] (an empty list); a row without its album info is a changed site', () => {
  expect(parseAlbumList([null, null, [1], [1]])).toEqual({ albums: [], nextPageId: null });
  const row = (load('Z5xsfc.json') as unknown[][])[0][0] as unknown[];
  expect(() => parseAlbumRow(row.slice(0, -1))).toThrow(SiteChangedError);
  expect(() => parseAlbumList({})).toThrow(SiteChangedError);
});

test('snAcKc.json: album-scoped items with their dedupKey and owner, and the album meta (owner, the account, members, count, modified)', () => {
  const page = parseAlbumItems(load('snAcKc.json'));
  expect(page.items).toHaveLength(3);
  expect(page.nextPageId).toBeNull();
  const [video] = page.items;
  expect(video.mediaKey).toBe('AF1Qip2mTIZGakCgGqW-3V0rvMUJ6FAqKuPZZmupWZRs');
  expect(video.dedupKey).toBe('qMF1xbKBxkHJhzLPoPlvv8sPPydb');
  expect(video.ownerActor).toBe(ME);
  expect(video.kind).toBe('video');
  expect(video.takenMs).toBe(1576201641000);
  for (const item of page.items) expect(item.dedupKey).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  expect(page.meta).toMatchObject({
    albumKey: 'AF1Qip-ZDaCNP_H0IQ9Y3ymHz2azr5l4Fb_FabCHu41l',
    title: 'ny',
    owner: { actor: ME, gaiaId: '100000000001', name: 'TestUser' },
    me: { actor: ME, gaiaId: '100000000001', name: 'TestUser' },
    authKey: null,
    itemCount: 3,
    modifiedMs: 1769777938628,
  });
  expect(page.meta!.members.map((m) => m.actor)).toEqual([ME]);
  // The album's list row and its own page agree on the modified time.
  const listed = parseAlbumList(load('Z5xsfc.json')).albums.find((a) => a.albumKey === page.meta!.albumKey)!;
  expect(listed.modifiedMs).toBe(page.meta!.modifiedMs);
  expect(listed.itemCount).toBe(page.items.length);
});

test('snAcKc: a page with more to come gives its page id; an empty album has no items; the two actor block forms both read', () => {
  const capture = load('snAcKc.json') as unknown[];
  expect(parseAlbumItems([null, capture[1], 'NEXT_PAGE_ID', capture[3], null, 0]).nextPageId).toBe('NEXT_PAGE_ID');
  expect(parseAlbumItems([null, null, '', capture[3], null, 0]).items).toEqual([]);
  const meta = capture[3] as unknown[];
  expect(parsePerson(meta[5])).toEqual({ actor: ME, gaiaId: '100000000001', name: 'TestUser' });
  expect(parsePerson(meta[27])).toEqual({ actor: ME, gaiaId: '100000000001', name: 'TestUser' });
  expect(parsePerson(null)).toBeNull();
});

test('fDcn4b.json [0][19]: the albums holding the item, read like Z5xsfc rows', () => {
  const albums = parseItemAlbums(load('fDcn4b.json'));
  expect(albums.map((a) => [a.albumKey, a.title, a.itemCount, a.modifiedMs])).toEqual([
    ['AF1QiproASJ0jNH5-foZupKnAad0huIgb5n8h33n8enj', 'location', 1186, 1769776943844],
    ['AF1Qip-ZDaCNP_H0IQ9Y3ymHz2azr5l4Fb_FabCHu41l', 'ny', 3, 1769777938628],
  ]);
  const listed = new Map(parseAlbumList(load('Z5xsfc.json')).albums.map((a) => [a.albumKey, a]));
  for (const album of albums) expect({ ...listed.get(album.albumKey)!, ownerActor: null }).toEqual(album);
});

test('zy0IHe (facts page: [items, nextPageId]): library rows with the trashed time; an empty trash is []', () => {
  const rows = (load('lcxiM.json') as unknown[][])[0].slice(0, 2) as unknown[][];
  const trashed = rows.map((row, i) => {
    const copy = structuredClone(row);
    (copy[copy.length - 1] as Record<string, unknown>)['225032867'] = [1_767_000_000_000 + i];
    return copy;
  });
  const page = parseTrashPage([trashed, 'NEXT']);
  expect(page.items.map((i) => [i.mediaKey, i.trashedMs])).toEqual([
    [rows[0][0], 1_767_000_000_000],
    [rows[1][0], 1_767_000_000_001],
  ]);
  expect(page.nextPageId).toBe('NEXT');
  expect(parseTrashPage([])).toEqual({ items: [], nextPageId: null });
  // A row without the field still parses (the time is then unknown).
  expect(parseTrashPage([[rows[0]], null]).items[0].trashedMs).toBeNull();
});

test('e9T5je (facts page: [nextPageId, items, members, _, partnerActorId, gaiaId]): the partner, its items and the people named', () => {
  const meta = (load('snAcKc.json') as unknown[])[3] as unknown[];
  const rows = (load('lcxiM.json') as unknown[][])[0].slice(0, 3) as unknown[][];
  const partnerRows = rows.map((row) => {
    const copy = structuredClone(row);
    copy[6] = ['AF1QipPartnerActor0000000000000000000000000'];
    return copy;
  });
  const page = parsePartnerPage(['NEXT', partnerRows, [meta[5]], null, 'AF1QipPartnerActor0000000000000000000000000', '100000000002']);
  expect(page.items).toHaveLength(3);
  expect(page.items.every((i) => i.ownerActor === 'AF1QipPartnerActor0000000000000000000000000')).toBe(true);
  expect(page.partnerActor).toBe('AF1QipPartnerActor0000000000000000000000000');
  expect(page.gaiaId).toBe('100000000002');
  expect(page.members.map((m) => m.name)).toEqual(['TestUser']);
  expect(page.nextPageId).toBe('NEXT');
  // No partner: [].
  expect(parsePartnerPage([])).toEqual({ items: [], nextPageId: null, members: [], partnerActor: null, gaiaId: null });
});

test('args: each album, sharing and trash call is built exactly as the facts page writes it', () => {
  expect(args.albums(null)).toEqual([null, null, null, null, 1, null, null, 100, [2], 5]);
  expect(args.albumItems('AF1QipAlbum', 'PAGE', null)).toEqual(['AF1QipAlbum', 'PAGE', null, null]);
  expect(args.partnerItems(null, 'AF1QipActor', '1000')).toEqual([null, null, [null, [[[2, 1]]], ['AF1QipActor'], [null, '1000'], 1]]);
  expect(args.trash('PAGE')).toEqual(['PAGE']);
  expect(args.favorites(null)).toEqual(['Favorites', [[5, '8', 0, 9]], null]);
  expect(args.itemDownloadIn('KEY', 'AUTH', 'ALBUM')).toEqual(['KEY', null, 'AUTH', null, 'ALBUM']);
  expect(args.itemInfoIn('KEY', 'AUTH')).toEqual(['KEY', 1, 'AUTH', null, 1]);
});

test('URLs: /u/<n>/ for the n-th account, album, shared-album and partner viewers, and where a share link leads', () => {
  const base = 'https://photos.google.com';
  expect(accountBaseUrl(base, null)).toBe(base);
  expect(accountBaseUrl(`${base}/`, 1)).toBe(`${base}/u/1`);
  expect(accountBaseUrl(`${base}/u/1`, 2)).toBe(`${base}/u/2`);
  const u1 = accountBaseUrl(base, 1);
  expect(albumPhotoUrl(u1, 'ALBUM', 'KEY')).toBe(`${base}/u/1/album/ALBUM/photo/KEY?hl=en`);
  expect(sharePhotoUrl(base, 'SHARE', 'KEY', 'AUTH')).toBe(`${base}/share/SHARE/photo/KEY?key=AUTH&hl=en`);
  expect(partnerPhotoUrl(base, 'ACTOR', 'KEY')).toBe(`${base}/partner/ACTOR/photo/KEY?hl=en`);
  expect(placeUrl(u1, { kind: 'library', key: 'KEY' })).toBe(`${base}/u/1/photo/KEY?hl=en`);
  expect(shareTargetOf(`${base}/share/AF1QipShare?key=AUTHKEY`, base)).toEqual({ shareId: 'AF1QipShare', authKey: 'AUTHKEY' });
  expect(shareTargetOf(`${base}/u/1/share/AF1QipShare?key=AUTHKEY`, u1)).toEqual({ shareId: 'AF1QipShare', authKey: 'AUTHKEY' });
  expect(shareTargetOf(`${base}/share/AF1QipShare`, base)).toBeNull();
  expect(shareTargetOf('https://elsewhere.example/share/X?key=Y', base)).toBeNull();
  // Moving between items in the document works only inside one view.
  expect(viewerScope(`${base}/photo/A?hl=en`)).toBe(viewerScope(`${base}/photo/B?hl=en`));
  expect(viewerScope(`${base}/photo/A?hl=en`)).not.toBe(viewerScope(albumPhotoUrl(base, 'ALBUM', 'B')));
  expect(viewerScope(sharePhotoUrl(base, 'S', 'A', 'K1'))).not.toBe(viewerScope(sharePhotoUrl(base, 'S', 'B', 'K2')));
});
