// Google's SHA-1 lookup (`swbisb`, batches, back-off) is the site's typed call, re-exported here
// for adopt/ callers. Marking a sync's kept files as originals is the download queue's
// (src/download/confirm.ts).
export { confirmOriginals, lookupHashes, type LookupOptions } from '../site/calls.js';
export { HASH_BATCH } from '../site/rpcids.js';
