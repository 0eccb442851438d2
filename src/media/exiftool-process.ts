// Starts exiftool so that it cannot outlive the Node process that uses it. exiftool's
// `-stay_open True -@ -` keeps polling stdin after EOF, so a `kill -9` of the run would
// otherwise leave a perl process behind for good. A tiny perl parent watches for the
// death of its own parent (the Node process) and ends exiftool then.
// It runs in its own process group: Ctrl-C in a terminal signals the whole foreground group,
// and exiftool must outlive that signal so the run can finish the files in flight. Ending it
// is the run's job (MediaInspector.end) or, if the run dies, the guard's.
import { spawn, type ChildProcess } from 'node:child_process';
import { DefaultExiftoolArgs, exiftoolPath } from 'exiftool-vendored';

const GUARD = `
use strict; use POSIX ":sys_wait_h";
my ($tool, @args) = @ARGV;
my $owner = getppid();
my $pid = fork();
die "fork: $!" unless defined $pid;
if ($pid == 0) { exec($^X, $tool, @args) or die "exec: $!"; }
for my $sig (qw(TERM INT HUP)) { $SIG{$sig} = sub { kill 'TERM', $pid; }; }
while (1) {
  my $done = waitpid($pid, WNOHANG);
  exit($? >> 8) if $done == $pid;
  if (getppid() != $owner) { kill 'TERM', $pid; sleep 2; kill 'KILL', $pid; exit 1; }
  select(undef, undef, undef, 0.5);
}
`;

/** A processFactory for exiftool-vendored's ExifTool options. */
export function guardedExiftoolFactory(args: string[] = DefaultExiftoolArgs): () => Promise<ChildProcess> {
  return async () => {
    const tool = await exiftoolPath();
    return spawn('perl', ['-e', GUARD, tool, ...args], { stdio: 'pipe', shell: false, detached: true, env: { ...process.env, LANG: 'C' } });
  };
}
