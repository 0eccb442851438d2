// The small pictures cameras and phones embed in their files (EXIF ThumbnailImage, a larger
// PreviewImage), read with exiftool: a report can show a kept photo without decoding it.
import { ExifTool } from 'exiftool-vendored';
import { guardedExiftoolFactory } from './exiftool-process.js';

/** Tags tried in order: the small one first (it is all a strip of thumbnails needs). */
const PREVIEW_TAGS = ['ThumbnailImage', 'PreviewImage', 'JpgFromRaw'] as const;

export class PreviewReader {
  private tool: ExifTool | null = null;

  /** The first embedded preview of a file (JPEG bytes), or null when it has none. */
  async embedded(file: string): Promise<Buffer | null> {
    this.tool ??= new ExifTool({ maxProcs: 1, taskTimeoutMillis: 30_000, processFactory: guardedExiftoolFactory() });
    for (const tag of PREVIEW_TAGS) {
      try {
        const bytes = await this.tool.extractBinaryTagToBuffer(tag, file);
        if (bytes.length > 0) return bytes;
      } catch {
        // not in this file: the next tag
      }
    }
    return null;
  }

  async end(): Promise<void> {
    await this.tool?.end();
    this.tool = null;
  }
}
