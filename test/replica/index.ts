// The local replica of photos.google.com every test stands on. See README.md for the facts it
// reproduces and the test proving each. Independent of src/ on purpose.
export { startReplica, contentDisposition, envelope } from './server.js';
export type { Replica, ReplicaOptions, Faults, SessionCookie, Counters } from './server.js';
export { sampleLibrary } from './library.js';
export { sampleAlbums } from './albums.js';
export type { AlbumEntry, AlbumSpec, ForeignItemSpec, ItemRef, PartnerSpec, Person, ReplicaAlbum, TrashSpec } from './albums.js';
export type { ReplicaItem, ReplicaItemSpec, ExpectedFile, FileRole, Variant } from './library.js';
export { UNKNOWN_DEFAULTS, UNKNOWN_VARIANTS, VARIANT_MATRIX, VARIANT_MATRIX_COMPACT } from './unknowns.js';
export type { Unknowns, UnknownVariant, VariantCase } from './unknowns.js';
export { ARG_SHAPES, argsRefusal, bulkInfoArgs } from './args.js';
export { SAMPLES, MEDIA_DIR } from './samples.js';
export type { SampleInfo } from './samples.js';
