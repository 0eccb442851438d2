// The headed `login` under a virtual display (Xvfb), with a person's keyboard and mouse
// (xdotool): the window shows no automation to the sign-in page, the person signs in, the
// command reports the account and exits 0; a person who closes the window gets exit 4.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli, spawnCli } from '../helpers/cli.js';

function installed(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// A headed sign-in needs a display and a way to click in it. The test command installs both
// (scripts/setup.sh); the skip is for a developer running one file on a machine without them.
test.skip(!installed('Xvfb') || !installed('xdotool'), 'needs Xvfb and xdotool (Debian packages xvfb and xdotool; scripts/setup.sh installs them)');
test.use({ replicaOptions: { library: { synthetic: 2 } } });

interface Display {
  env: NodeJS.ProcessEnv;
  xdotool(...args: string[]): string;
  close(): void;
}

async function startDisplay(): Promise<Display> {
  const xvfb: ChildProcess = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1400x1100x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const number = await new Promise<string>((resolve, reject) => {
    let text = '';
    xvfb.stdout!.on('data', (d) => {
      text += d;
      if (text.includes('\n')) resolve(text.trim());
    });
    xvfb.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
  const env = cleanEnv({ DISPLAY: `:${number}` });
  delete env.WAYLAND_DISPLAY;
  return {
    env,
    xdotool: (...args) => execFileSync('xdotool', args, { env, encoding: 'utf8' }).trim(),
    close: () => void xvfb.kill('SIGTERM'),
  };
}

function collect(child: ChildProcess) {
  const out = { stdout: '', stderr: '', code: undefined as number | null | undefined };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  child.on('close', (code) => (out.code = code));
  return out;
}

/** The Chromium window whose title starts with `title`, once it is shown. */
async function windowTitled(display: Display, title: string): Promise<string> {
  let id = '';
  await expect
    .poll(
      () => {
        try {
          id = display.xdotool('search', '--onlyvisible', '--name', `^${title}`).split('\n')[0];
        } catch {
          id = '';
        }
        return id;
      },
      { timeout: 60_000 },
    )
    .not.toBe('');
  return id;
}

test('headed login: the person signs in by hand in the window; the command reports the account', async ({ replica, workDir }) => {
  const display = await startDisplay();
  const profile = path.join(workDir, 'profile');
  const child = spawnCli(['login', '--base-url', replica.baseUrl, '--profile', profile], { env: display.env });
  const out = collect(child);
  try {
    await expect.poll(() => out.stderr, { timeout: 60_000 }).toContain('A Chromium window has opened on Google Photos: sign in there by hand');
    // Signed out, Google Photos sends the browser to its about page.
    const win = await windowTitled(display, 'Google Photos: Edit, Organize');
    display.xdotool('windowfocus', '--sync', win);
    display.xdotool('mousemove', '--window', win, '700', '700', 'click', '1');
    // "Go to Google Photos"
    display.xdotool('key', 'Tab', 'Return');
    await windowTitled(display, 'Sign in - Google Accounts');
    // The e-mail is filled in; "Next". A browser showing automation is refused here.
    display.xdotool('key', 'Tab', 'Tab', 'Return');
    await new Promise((r) => setTimeout(r, 2_500));
    expect(display.xdotool('getwindowname', win)).toMatch(/^Sign in - Google Accounts/);
    display.xdotool('key', 'Tab');
    display.xdotool('type', '--delay', '30', 'correct horse battery staple');
    display.xdotool('key', 'Tab', 'Return');
    await expect.poll(() => out.code, { timeout: 60_000 }).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    display.close();
  }
  expect(out.stdout).toContain(`Signed in as ${replica.email}; profile ${profile}.`);
  const check = await runCli(['login', '--base-url', replica.baseUrl, '--profile', profile, '--check']);
  expect(check.code).toBe(0);
});

test('headed login: closing the window before signing in exits 4 with the next step', async ({ replica, workDir }) => {
  const display = await startDisplay();
  const child = spawnCli(['login', '--base-url', replica.baseUrl, '--profile', path.join(workDir, 'profile')], { env: display.env });
  const out = collect(child);
  try {
    const win = await windowTitled(display, 'Google Photos: Edit, Organize');
    display.xdotool('windowfocus', '--sync', win);
    display.xdotool('key', 'ctrl+shift+w');
    await expect.poll(() => out.code, { timeout: 60_000 }).toBe(4);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    display.close();
  }
  // The command to run again is this one's, with its profile and site.
  expect(out.stderr).toContain(`The browser was closed before sign-in finished: run \`gphotos-keep login --profile ${path.join(workDir, 'profile')} --base-url ${replica.baseUrl}\` again`);
});
