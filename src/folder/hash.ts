// Hashing a file of the backup folder in one pass: sha256 is what the index records and
// verify compares, sha1 is what Google's own hash lookup takes.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface FileDigest {
  bytes: number;
  sha256: string;
  /** Base64, as Google's swbisb hash lookup takes it. */
  sha1: string;
}

export async function hashFile(file: string): Promise<FileDigest> {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const buffer = chunk as Buffer;
    sha256.update(buffer);
    sha1.update(buffer);
    bytes += buffer.length;
  }
  return { bytes, sha256: sha256.digest('hex'), sha1: sha1.digest('base64') };
}
