// `npm run replica`: the replica with the sample library (or a synthetic one) for hand testing.
import { sampleAlbums, startReplica, type ReplicaOptions } from './index.js';

function usage(): never {
  process.stderr.write('usage: npm run replica -- [--port N] [--synthetic N] [--seed N] [--latency MS] [--bytes-per-second N] [--email ADDR] [--allow-automated-sign-in] [--albums]\n');
  process.exit(2);
}

const options: ReplicaOptions = {};
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const flag = args[i];
  const value = (): string => {
    const v = args[++i];
    if (v === undefined) usage();
    return v;
  };
  const num = (): number => {
    const n = Number(value());
    if (!Number.isFinite(n) || n < 0) usage();
    return n;
  };
  switch (flag) {
    case '--port':
      options.port = num();
      break;
    case '--synthetic':
      options.library = { synthetic: num(), seed: (options.library as { seed?: number } | undefined)?.seed };
      break;
    case '--seed': {
      const seed = num();
      options.seed = seed;
      if (options.library && !Array.isArray(options.library)) options.library.seed = seed;
      break;
    }
    case '--latency':
      options.latencyMs = num();
      break;
    case '--bytes-per-second':
      options.bytesPerSecond = num();
      break;
    case '--email':
      options.email = value();
      break;
    case '--allow-automated-sign-in':
      options.rejectAutomatedSignIn = false;
      break;
    case '--albums':
      // sampleAlbums() names items of the sample library by index.
      Object.assign(options, sampleAlbums());
      break;
    case '-h':
    case '--help':
      usage();
      break;
    default:
      usage();
  }
}

const replica = await startReplica(options);
const c = replica.sessionCookie;
process.stdout.write(
  [
    `replica: ${replica.baseUrl}`,
    `sign-in origin: ${replica.signInOrigin}`,
    `account: ${replica.email}, ${replica.items.length} items, ${replica.albums.length} albums, ${replica.trashed.length} in the trash`,
    `cookie: ${c.name}=${c.value}; Domain=${c.domain}; Path=${c.path}; HttpOnly; SameSite=${c.sameSite}`,
    `sign in by hand: open ${replica.baseUrl}/login in a browser, press Next twice (or set the cookie above)`,
    '',
  ].join('\n'),
);
const stop = (): void => {
  void replica.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
