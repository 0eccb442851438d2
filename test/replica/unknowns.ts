// The facts page's "What nobody has documented": each plausible answer is a variant the replica
// can serve, switchable at start (ReplicaOptions.unknowns) and at run time (replica.unknowns.x = …).
// A client must work under every one; VARIANT_MATRIX lists them for tests that loop over them.

export interface Unknowns {
  /** What the listed size of a Live Photo counts (row `[1][9][0]`, fDcn4b `[0][5]`, EWgK9e `[1][9]`); 'absent' = not listed. */
  liveListedSize: 'still' | 'still+video' | 'zip' | 'absent';
  /** For an item edited in Google: the listed size is that of the edited bytes or of the original. */
  editedListedSize: 'edited' | 'original';
  /** Which file-name parameters the download's Content-Disposition carries. */
  contentDisposition: 'filename' | 'filename*' | 'both';
  /** Member order in a Live Photo zip. */
  liveZipOrder: 'still-first' | 'video-first';
  /** A Live Photo zip also holds an `.AAE` edit file (`<base>.AAE`, an XML plist). */
  liveZipAae: boolean;
  /**
   * An unknown mediaKey (VrseUb, fDcn4b): a wrb.fr error entry without payload and `[3]`; a
   * wrb.fr whose payload is `[]` (an empty JSPB message: every field unset); or HTTP 400 / 500
   * with an `er` entry.
   */
  unknownKey: 'error-entry' | 'empty-payload' | 'http-400' | 'http-500';
  /**
   * The order of the Favorites view (EzkLib "Favorites"): as the library, newest taken first,
   * or the most recently favorited first. The facts page names the view, not its order.
   */
  favoritesOrder: 'taken' | 'favorited';
}

/** What the replica serves unless told otherwise (its behaviour before these became switches). */
export const UNKNOWN_DEFAULTS: Readonly<Unknowns> = Object.freeze({
  liveListedSize: 'still',
  editedListedSize: 'edited',
  contentDisposition: 'both',
  liveZipOrder: 'still-first',
  liveZipAae: false,
  unknownKey: 'error-entry',
  favoritesOrder: 'taken',
});

export interface UnknownVariant<K extends keyof Unknowns = keyof Unknowns> {
  switch: K;
  values: readonly Unknowns[K][];
  /** The facts-page question it stands for. */
  standsFor: string;
}

/** Every switch and its values (the README's variant table is this list). */
export const UNKNOWN_VARIANTS: readonly UnknownVariant[] = [
  { switch: 'liveListedSize', values: ['still', 'still+video', 'zip', 'absent'], standsFor: 'what the listed size counts for a Live Photo, and whether it is there at all' },
  { switch: 'editedListedSize', values: ['edited', 'original'], standsFor: 'what the listed size counts for an item edited in Google' },
  { switch: 'contentDisposition', values: ['filename', 'filename*', 'both'], standsFor: 'whether Content-Disposition carries filename=, filename*= or both' },
  { switch: 'liveZipOrder', values: ['still-first', 'video-first'], standsFor: 'the order of a Live Photo zip\u2019s members' },
  { switch: 'liveZipAae', values: [false, true], standsFor: 'an .AAE edit file coming with a Live Photo\u2019s members' },
  { switch: 'unknownKey', values: ['error-entry', 'empty-payload', 'http-400', 'http-500'], standsFor: 'the exact error answer for an unknown key' },
  { switch: 'favoritesOrder', values: ['taken', 'favorited'], standsFor: 'the order of the Favorites view (newest taken, or most recently favorited, first)' },
];

export interface VariantCase {
  name: string;
  unknowns: Partial<Unknowns>;
}

/** One run per non-default value of each switch, plus the defaults: a failure names its switch. */
export const VARIANT_MATRIX: readonly VariantCase[] = [
  { name: 'defaults', unknowns: {} },
  ...UNKNOWN_VARIANTS.flatMap((v) =>
    (v.values as readonly unknown[])
      .filter((value) => value !== UNKNOWN_DEFAULTS[v.switch])
      .map((value) => ({ name: `${v.switch}=${String(value)}`, unknowns: { [v.switch]: value } as Partial<Unknowns> })),
  ),
];

/** Every value of every switch in as few runs as the longest switch has values (4): cheaper, coarser. */
export const VARIANT_MATRIX_COMPACT: readonly VariantCase[] = (() => {
  const runs = Math.max(...UNKNOWN_VARIANTS.map((v) => v.values.length));
  return Array.from({ length: runs }, (_, i) => {
    const unknowns: Record<string, unknown> = {};
    for (const v of UNKNOWN_VARIANTS) unknowns[v.switch] = v.values[i % v.values.length];
    return { name: UNKNOWN_VARIANTS.map((v) => `${v.switch}=${String(unknowns[v.switch])}`).join(' '), unknowns: unknowns as Partial<Unknowns> };
  });
})();
