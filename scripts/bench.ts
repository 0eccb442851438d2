// `npm run bench -- <name> [args]`: performance targets live in these scripts, never in
// timed tests. Each benchmark prints its table and exits 1 when a target is missed.
type Bench = (args: string[]) => Promise<boolean>;

const benches: Record<string, { summary: string; load: () => Promise<Bench> }> = {
  sync: {
    summary: 'items/min at concurrency 1 and 4 against the direct-HTTP limit, peak RSS of the process tree (replica: 100 ms, 2 MB/s, 200 items)',
    load: async () => (await import('./bench-sync.js')).benchSync,
  },
  items: {
    summary: 'per-item cost, tiny and phone libraries at concurrency 1, 3, 6: items/min, tree CPU per item, extra bytes, peak PSS, vs plain HTTP and vs --before <commit>',
    load: async () => (await import('./bench-items.js')).benchItems,
  },
  rescan: {
    summary: 'full-rescan enumeration rate and no-op incremental run at 10k and 100k items, and 100k items in 500 albums',
    load: async () => {
      const { benchRescan } = await import('./bench-rescan.js');
      return async () => benchRescan();
    },
  },
};

const [name, ...args] = process.argv.slice(2);
if (!name || !(name in benches)) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [args]\n`);
  for (const [key, bench] of Object.entries(benches)) process.stderr.write(`  ${key.padEnd(8)} ${bench.summary}\n`);
  process.exit(2);
}
const run = await benches[name].load();
const ok = await run(args);
process.exit(ok ? 0 : 1);
