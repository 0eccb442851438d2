// A backup's index as if every item of the replica were backed up, without a download: for
// runs that measure or test what a sync does beyond downloads (listings, flag views, albums)
// on libraries too large to download in a test. Done with no file on record.
import { openIndex } from '../../src/store/database.js';
import { recordDownloaded } from '../../src/store/files.js';
import { upsertItems } from '../../src/store/items.js';
import type { RemoteItem } from '../../src/model/remote-item.js';
import type { ReplicaItem } from '../replica/index.js';

function asRemoteItem(item: ReplicaItem): RemoteItem {
  return {
    mediaKey: item.mediaKey,
    dedupKey: item.dedupKey,
    takenMs: item.takenMs,
    tzOffsetMs: item.tzOffsetMs,
    uploadedMs: item.uploadedMs,
    width: item.width,
    height: item.height,
    kind: item.kind,
    videoDurationMs: item.durationMs || null,
    favorite: item.favorite,
    archived: item.archived,
    notOwned: false,
    hasGeo: item.location !== null,
    caption: item.description || null,
    sizeBytes: null,
  };
}

export function prefillIndex(outDir: string, items: ReplicaItem[]): void {
  const db = openIndex(outDir);
  try {
    const now = Date.now();
    for (let i = 0; i < items.length; i += 1000) {
      const batch = items.slice(i, i + 1000);
      db.transaction(() => {
        upsertItems(db, batch.map(asRemoteItem), now);
        for (const item of batch) recordDownloaded(db, item.mediaKey, [], {}, now);
      })();
    }
  } finally {
    db.close();
  }
}
