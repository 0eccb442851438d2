// The site adapter's parsers against every real, anonymised capture: a parser that fails
// on these fails on Google.
import { test, expect } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseBulkInfo, parseBulkInfoRows, parseExtendedInfo, parseHashLookup, parseItemDownload, parseLibraryItem, parseLibraryPage, parseUploadPage } from '../../src/site/payloads.js';
import { decodeResponse, encodeRequestBody } from '../../src/site/batchexecute.js';

const dir = fileURLToPath(new URL('../fixtures/real-captures/', import.meta.url));
const load = (name: string): unknown => JSON.parse(readFileSync(dir + name, 'utf8'));

test('every capture in the fixtures folder has a parser test below', () => {
  const names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  expect(names).toEqual(['EWgK9e.json', 'EzkLib.json', 'VrseUb.json', 'VrseUb_short.json', 'Z5xsfc.json', 'dnv2s.json', 'dnv2s_pending.json', 'fDcn4b.json', 'lcxiM.json', 'snAcKc.json', 'swbisb.json']);
});

test('lcxiM: 500 items newest first, 28 videos, a next page id', () => {
  const page = parseLibraryPage(load('lcxiM.json'));
  expect(page.items).toHaveLength(500);
  expect(page.items.filter((i) => i.kind === 'video')).toHaveLength(28);
  expect(page.nextPageId).toMatch(/^AH_uQ4/);
  const first = page.items[0];
  expect(first.mediaKey).toBe('AF1QipUTORt0UuUoEnf3LUfylqNvwB42tg6aR7tBD7nY');
  expect(first.takenMs).toBe(1761753048000);
  expect(first.tzOffsetMs).toBe(3600000);
  expect(first.uploadedMs).toBe(1761755803160);
  expect(first.width).toBe(1080);
  expect(first.kind).toBe('video');
  expect(first.videoDurationMs).toBe(22932);
  for (let i = 1; i < page.items.length; i++) expect(page.items[i].takenMs).toBeLessThanOrEqual(page.items[i - 1].takenMs);
  expect(page.items.every((i) => i.archived === false)).toBe(true);
  expect(page.items.filter((i) => i.caption !== null).length).toBeGreaterThan(0);
});

test('EzkLib: 100 items in upload order and a next page id', () => {
  const page = parseUploadPage(load('EzkLib.json'));
  expect(page.items).toHaveLength(100);
  expect(page.nextPageId).toMatch(/^AH_uQ4/);
  expect(page.items.every((i) => i.uploadedMs !== null)).toBe(true);
});

test('VrseUb (full and short): the item and its download URL', () => {
  for (const name of ['VrseUb.json', 'VrseUb_short.json']) {
    const info = parseItemDownload(load(name));
    expect(info.item.mediaKey).toBe('AF1Qip2mTIZGakCgGqW-3V0rvMUJ6FAqKuPZZmupWZRs');
    expect(info.item.kind).toBe('video');
    expect(info.item.notOwned).toBe(true);
    expect(info.downloadUrl).toBe('https://anon-google-url.example.com/ANON_595');
    expect(info.originalUrl).toBeNull();
  }
});

test('VrseUb: JSPB-packed fields past the array come from the trailing object (description is field 11)', () => {
  const capture = load('VrseUb.json') as unknown[];
  const packed = [...capture.slice(0, 4), { ...(capture[4] as object), '11': 'A caption' }];
  expect(parseItemDownload(packed).description).toBe('A caption');
  const edited = [...capture.slice(0, 4), null, null, null, 'https://example.invalid/original', { '11': '' }];
  const info = parseItemDownload(edited);
  expect(info.originalUrl).toBe('https://example.invalid/original');
  expect(info.description).toBeNull();
});

test('fDcn4b: file name, size, time zone and geo in degrees', () => {
  const info = parseExtendedInfo(load('fDcn4b.json'));
  expect(info).toMatchObject({ mediaKey: 'AF1Qip2mTIZGakCgGqW-3V0rvMUJ6FAqKuPZZmupWZRs', fileName: 'file_286.mov', takenMs: 1576201641000, tzOffsetMs: -18000000, sizeBytes: 908786, width: 1440, height: 1080 });
  expect(info.latitude).toBeCloseTo(40.7696, 4);
  expect(info.longitude).toBeCloseTo(-73.9964, 4);
});

test('EWgK9e: file names and sizes for 16 keys', () => {
  const rows = parseBulkInfoRows(load('EWgK9e.json'));
  expect(rows).toHaveLength(16);
  expect(rows[0]).toMatchObject({ fileName: 'file_164.mp4', sizeBytes: 39680079, takenMs: 1761753048000, tzOffsetMs: 3600000 });
});

test('EWgK9e: the whole answer holds the rows at [0][1], as the facts page says (the capture is that inner list)', () => {
  const capture = load('EWgK9e.json');
  expect(parseBulkInfo([[null, capture]])).toHaveLength(16);
  expect(parseBulkInfo([[null, capture]])[0].fileName).toBe('file_164.mp4');
  // The rows at the top level are not the answer: read there, nothing would parse as a row.
  expect(() => parseBulkInfo(capture)).toThrow(/EWgK9e/);
  // No known key: no rows.
  expect(parseBulkInfo([[null, null]])).toEqual([]);
  expect(parseBulkInfo([])).toEqual([]);
});

test('fDcn4b: geo also read from [0][13][0] when [0][9] is empty', () => {
  const info = structuredClone(load('fDcn4b.json')) as unknown[][];
  const geo = info[0][9];
  info[0][9] = null;
  info[0][13] = geo;
  const parsed = parseExtendedInfo(info);
  expect(parsed.latitude).toBeCloseTo(40.7696, 4);
  expect(parsed.longitude).toBeCloseTo(-73.9964, 4);
});

test('swbisb: four SHA-1 hashes map to media keys', () => {
  const found = parseHashLookup(load('swbisb.json'));
  expect(found.size).toBe(4);
  expect(found.get('bOmN91IO001JMzaKS96XuMu6yT8=')?.mediaKey).toBe('AF1QipcCV2peehAtAHwS1JC8ChoTcqk1qiR7vRZIZVqq');
});

test('album payloads: Z5xsfc rows and snAcKc items parse as library rows', () => {
  const albums = load('Z5xsfc.json') as unknown[][];
  expect(albums[0].length).toBe(57);
  const album = load('snAcKc.json') as unknown[][];
  const items = (album[1] as unknown[]).map(parseLibraryItem);
  expect(items.length).toBe(3);
  expect(items[0].mediaKey).toBe('AF1Qip2mTIZGakCgGqW-3V0rvMUJ6FAqKuPZZmupWZRs');
});

test('dnv2s: the multi-item zip token, done and pending', () => {
  const done = load('dnv2s.json') as any;
  expect(done[0][0][0][2][0][0]).toBe('file_0.zip');
  const pending = load('dnv2s_pending.json') as any;
  expect(pending[0][0][0][1]).toBe(1);
});

test('batchexecute envelope: encodes the request and decodes a wrapped capture', () => {
  const body = encodeRequestBody('lcxiM', [null, null, 500, null, 1, 3], 'AT:TOKEN');
  const form = new URLSearchParams(body);
  expect(JSON.parse(form.get('f.req')!)).toEqual([[['lcxiM', '[null,null,500,null,1,3]', null, 'generic']]]);
  expect(form.get('at')).toBe('AT:TOKEN');
  const inner = readFileSync(dir + 'lcxiM.json', 'utf8');
  const chunk = JSON.stringify([['wrb.fr', 'lcxiM', JSON.stringify(JSON.parse(inner)), null, null, null, 'generic'], ['di', 42]]);
  const wire = `)]}'\n\n${chunk.length}\n${chunk}\n25\n[["e",4,null,null,123]]\n`;
  expect(parseLibraryPage(decodeResponse(wire, 'lcxiM')).items).toHaveLength(500);
  expect(() => decodeResponse(")]}'\n\n", 'lcxiM')).toThrow(/empty/);
  expect(() => decodeResponse(")]}'\n\n10\n[[\"di\",1]]\n", 'lcxiM')).toThrow(/no wrb.fr/);
});
