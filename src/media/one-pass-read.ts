// One exiftool pass per file for both things a kept file is read for: its structure check
// (`-validate`, which walks a JPEG to its end marker and every QuickTime/HEIF atom, with every
// warning kept: `-a -G4`) and its metadata, read with exiftool-vendored's own arguments and
// parsed by its own parser (dates with their time zones, GPS, orientation). Two reads of the
// same file cost twice exiftool's fixed cost per file, which on small files is most of it.
import { ExifToolTask, type ExifTool, type Tags } from 'exiftool-vendored';
import { ReadTask, ReadTaskOptionFields, type ReadTaskOptions } from 'exiftool-vendored/dist/ReadTask.js';

export interface OnePassRead {
  /** As `ExifTool.read` gives them (the first copy of each tag, which is exiftool's preferred one). */
  tags: Tags;
  /** Every `Warning` and `Error` exiftool reported for the file, each copy, by key (`:Warning`, `Copy1:Warning`, …). */
  notes: Record<string, string>;
  /** exiftool's file type (`JPEG`, `HEIC`, `MOV`, …), null when it did not recognise the format. */
  fileType: string | null;
}

/** `-a -G4` output: each duplicate under `Copy<n>:`; the first (preferred) copy under `:`. */
const FIRST_COPY = /^:/;
const NOTE = /(^|:)(Warning|Error)$/;

class OnePassTask extends ExifToolTask<OnePassRead> {
  constructor(private readonly read: ReadTask) {
    super(read.args, read.options);
  }

  protected parse(data: string, error?: Error): OnePassRead {
    if (error && !data.trim()) throw error;
    const raw = (JSON.parse(data) as Record<string, unknown>[])[0] ?? {};
    const first: Record<string, unknown> = {};
    const notes: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (NOTE.test(key) && typeof value === 'string') notes[key] = value;
      if (key === 'SourceFile') first[key] = value;
      else if (FIRST_COPY.test(key)) first[key.slice(1)] = value;
    }
    const tags = this.read.parse(JSON.stringify([first]), error);
    // What exiftool wrote to stderr for this file came to this task, not to the inner one.
    tags.errors = [...new Set([...(tags.errors ?? []), ...this.errors])];
    tags.warnings = [...new Set([...(tags.warnings ?? []), ...this.warnings])];
    const fileType = typeof first.FileType === 'string' && first.FileType.trim() !== '' ? first.FileType : null;
    return { tags, notes, fileType };
  }
}

/** Reads `file` once: its metadata as `exiftool.read(file)` would (without `-fast`, which stops before the end) and every structural warning. */
export function readOnePass(exiftool: ExifTool, file: string): Promise<OnePassRead> {
  const base = exiftool.options as unknown as Record<string, unknown>;
  const options: Record<string, unknown> = {};
  for (const field of ReadTaskOptionFields) if (field in base) options[field] = base[field];
  options.readArgs = ['-validate', '-a', '-G4'];
  return exiftool.enqueueTask(() => new OnePassTask(ReadTask.for(file, options as ReadTaskOptions)));
}
