// UI text the program looks for, English (`?hl=en`, `--lang=en-US`). Other locales would be
// new rows here, never new branches elsewhere.

export const labels = {
  moreOptions: 'More options',
  download: 'Download - Shift+D',
  downloadOriginal: 'Download original',
  openInfo: 'Open info',
  infoFilename: 'Filename:',
  infoDateTaken: 'Date taken:',
  infoTimeTaken: 'Time taken:',
  infoFileSize: 'File size:',
  processing: ['Video is still processing', 'Your video will be ready soon'],
  tileKinds: ['Photo', 'Video', 'Burst'],
} as const;

export const selectors = {
  gridScroller: '[role="main"]',
  tile: 'a[href^="./photo/"]',
  viewerFor: (mediaKey: string) => `c-wiz[data-media-key="${cssString(mediaKey)}"]`,
  moreOptions: `[aria-label="${labels.moreOptions}"]`,
  downloadItem: `[aria-label="${labels.download}"]`,
  downloadOriginalItem: `[aria-label="${labels.downloadOriginal}"]`,
  openInfo: `[aria-label="${labels.openInfo}"]`,
  locationLink: 'a[href*="q=loc:"]',
} as const;

export const keys = {
  download: 'Shift+D',
  newer: 'ArrowLeft',
  older: 'ArrowRight',
} as const;

function cssString(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}
