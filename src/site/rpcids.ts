// The page's own batchexecute RPCs and the argument shapes the web app sends.

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

export const args = {
  /** `timestampMs` starts a listing (no pageId) at the items taken at or before it, as the web app's date jumps do. */
  libraryByTaken: (pageId: string | null, source: number = LibrarySource.both, timestampMs: number | null = null) => [pageId, timestampMs, LIBRARY_PAGE_SIZE, null, 1, source],
  libraryByUpload: (pageId: string | null) => ['', [[4, 'ra', 0, 0]], pageId],
  itemDownload: (mediaKey: string) => [mediaKey, null, null, null, null],
  itemInfo: (mediaKey: string) => [mediaKey, 1, null, null, 1],
  bulkInfo: (mediaKeys: string[]) => [mediaKeys.map((key) => [key])],
  hashLookup: (sha1Base64: string[]) => [sha1Base64, null, 3, 0],
} as const;
