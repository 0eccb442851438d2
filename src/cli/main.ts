// Process entry: wires signals and exit codes around runCli.
import { runCli } from './program.js';

const controller = new AbortController();
let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    signals += 1;
    // First signal: stop taking work and finish cleanly (the run says so at once). Second: leave
    // now, with the shell's code for death by that signal (128 + 2, 128 + 15).
    if (signals > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
    controller.abort(new Error(`received ${signal}`));
  });
}

const code = await runCli({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
process.exitCode = code;
// Some libraries keep handles open (child processes, sockets); a CLI run ends here.
setTimeout(() => process.exit(code), 50).unref();
