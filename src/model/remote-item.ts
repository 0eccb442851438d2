// What Google holds about an item, as plain data: the site adapter reads it from Google's
// answers, the index stores it, the listings pass it on. No Google shapes, no imports of src.

export type MediaKind = 'photo' | 'video' | 'live';

export interface RemoteItem {
  mediaKey: string;
  dedupKey: string | null;
  takenMs: number;
  /** Offset of the place it was taken from UTC, in ms (Google's `[4]`). */
  tzOffsetMs: number;
  uploadedMs: number | null;
  width: number | null;
  height: number | null;
  kind: MediaKind;
  videoDurationMs: number | null;
  favorite: boolean;
  archived: boolean;
  /** Shared with the user, not theirs: Download may be unavailable. */
  notOwned: boolean;
  hasGeo: boolean;
  /**
   * Where Google places the item, from the row's geo extension: null when the row says it has
   * no location, absent when the row does not say (rows without the extension, such as the
   * upload view's).
   */
  location?: { latitude: number; longitude: number } | null;
  caption: string | null;
  /** File size Google lists with the row (`[1][9][0]`, present on most rows of the capture). */
  sizeBytes?: number | null;
}

export interface RemotePage {
  items: RemoteItem[];
  nextPageId: string | null;
}

export interface ItemDownloadInfo {
  item: RemoteItem;
  downloadUrl: string | null;
  /** Present only for items edited inside Google Photos. */
  originalUrl: string | null;
  description: string | null;
}

export interface ExtendedInfo {
  mediaKey: string;
  description: string | null;
  fileName: string | null;
  takenMs: number | null;
  tzOffsetMs: number | null;
  sizeBytes: number | null;
  width: number | null;
  height: number | null;
  /** Degrees, from Google's 1e-7 fixed point. */
  latitude: number | null;
  longitude: number | null;
}

export interface BulkInfo {
  mediaKey: string;
  fileName: string | null;
  takenMs: number | null;
  tzOffsetMs: number | null;
  uploadedMs: number | null;
  sizeBytes: number | null;
}
