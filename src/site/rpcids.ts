// The page's own batchexecute RPCs and the argument shapes the web app sends. Each builder
// names its row of the facts page's rpcid table (args exactly as the public client sends them).

export const rpc = {
  libraryByTaken: 'lcxiM',
  libraryByUpload: 'EzkLib',
  itemDownload: 'VrseUb',
  itemInfo: 'fDcn4b',
  bulkInfo: 'EWgK9e',
  hashLookup: 'swbisb',
  albums: 'Z5xsfc',
  albumItems: 'snAcKc',
  partnerItems: 'e9T5je',
  trash: 'zy0IHe',
} as const;

export const LIBRARY_PAGE_SIZE = 500;

/** `lcxiM` source: 1 library, 2 archive, 3 both. */
export const LibrarySource = { library: 1, archive: 2, both: 3 } as const;

/** Keys per `EWgK9e` call: the facts page advises small bulk batches (null answers at large ones). */
export const BULK_INFO_BATCH = 100;

/** Albums per `Z5xsfc` page (the web app asks for 100). */
export const ALBUM_PAGE_SIZE = 100;

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
  /** Row `EzkLib` (favorites): `["Favorites", [[5,"8",0,9]], pageId]`. */
  favorites: (pageId: string | null) => ['Favorites', [[5, '8', 0, 9]], pageId],
  /** Row `Z5xsfc`: `[pageId, null, null, null, 1, null, null, 100, [2], 5]`. */
  albums: (pageId: string | null) => [pageId, null, null, null, 1, null, null, ALBUM_PAGE_SIZE, [2], 5],
  /** Row `snAcKc`: `[albumKey, pageId, null, authKey]` (authKey null for own albums). */
  albumItems: (albumKey: string, pageId: string | null, authKey: string | null) => [albumKey, pageId, null, authKey],
  /** Row `e9T5je`: `[pageId, null, [null, [[[2,1]]], [partnerActorId], [null, gaiaId], 1]]` (ids unset until an answer names them). */
  partnerItems: (pageId: string | null, partnerActor: string | null, gaiaId: string | null) => [pageId, null, [null, [[[2, 1]]], [partnerActor], [null, gaiaId], 1]],
  /** Row `zy0IHe`: `[pageId]`. */
  trash: (pageId: string | null) => [pageId],
  /** Row `VrseUb` in an album or a shared album: `[mediaKey, null, authKey, null, albumKey]`. */
  itemDownloadIn: (mediaKey: string, authKey: string | null, albumKey: string | null) => [mediaKey, null, authKey, null, albumKey],
  /** Row `fDcn4b` with the authKey of the shared album the key comes from: `[mediaKey, 1, authKey, null, 1]`. */
  itemInfoIn: (mediaKey: string, authKey: string | null) => [mediaKey, 1, authKey, null, 1],
} as const;

/**
 * Google deletes items from the trash 60 days after they were put there (Google Photos Help,
 * "Delete & restore photos & videos"); the trashed time comes with the item (`225032867`).
 */
export const TRASH_RETENTION_MS = 60 * 24 * 3_600_000;
