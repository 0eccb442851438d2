// The page's own batchexecute RPCs and the argument shapes the web app sends. Each builder
// names its row of the facts page's rpcid table (args exactly as the public client sends them).

export const rpc = {
  libraryByTaken: 'lcxiM',
  libraryByUpload: 'EzkLib',
  itemDownload: 'VrseUb',
  itemInfo: 'fDcn4b',
  bulkInfo: 'EWgK9e',
  hashLookup: 'swbisb',
} as const;

export const LIBRARY_PAGE_SIZE = 500;

/** `lcxiM` source: 1 library, 2 archive, 3 both. */
export const LibrarySource = { library: 1, archive: 2, both: 3 } as const;

/** Keys per `EWgK9e` call: the facts page advises small bulk batches (null answers at large ones). */
export const BULK_INFO_BATCH = 100;

/** Hashes per `swbisb` call: small enough for one request body, large enough to be cheap. */
export const HASH_BATCH = 100;

/** `EWgK9e`'s field mask: 36 entries, all null but `[]` at indexes 24 and 35. */
function bulkInfoMask(): unknown[] {
  const mask: unknown[] = new Array(36).fill(null);
  mask[24] = [];
  mask[35] = [];
  return mask;
}

export const args = {
  /** Row `lcxiM`: `[pageId, timestamp, 500, null, 1, source]`; `timestampMs` starts a listing (no pageId) at the items taken at or before it. */
  libraryByTaken: (pageId: string | null, source: number = LibrarySource.both, timestampMs: number | null = null) => [pageId, timestampMs, LIBRARY_PAGE_SIZE, null, 1, source],
  /** Row `EzkLib` (recently uploaded): `["", [[4,"ra",0,0]], pageId]`. */
  libraryByUpload: (pageId: string | null) => ['', [[4, 'ra', 0, 0]], pageId],
  /** Row `VrseUb`: `[mediaKey, null, authKey, null, albumKey]` (nulls outside shared albums). */
  itemDownload: (mediaKey: string) => [mediaKey, null, null, null, null],
  /** Row `fDcn4b`: `[mediaKey, 1, authKey, null, 1]`. */
  itemInfo: (mediaKey: string) => [mediaKey, 1, null, null, 1],
  /** Row `EWgK9e`: `[[[ [[key1],[key2],…] ], [MASK]]]`. */
  bulkInfo: (mediaKeys: string[]) => [[[mediaKeys.map((key) => [key])], [bulkInfoMask()]]],
  /** Row `swbisb`: `[[hash,…], null, 3, 0]`. */
  hashLookup: (sha1Base64: string[]) => [sha1Base64, null, 3, 0],
} as const;
