// Permissions of what gphotos-keep creates in the backup folder. Photos carry GPS positions and
// the state folder the account's e-mail, so by default folders are 0700 and files 0600 whatever
// the umask says; --follow-umask gives them the process umask instead, for a folder shared on
// purpose (e.g. with a media server on a NAS). One setting per process, set once by the CLI.
import { readFileSync } from 'node:fs';

let followUmask = false;

/** --follow-umask: folders and files take the process umask instead of being private. */
export function setFollowUmask(on: boolean): void {
  followUmask = on;
}

/** The umask of this process, read without changing it (Linux says it in /proc; elsewhere the common 022). */
function currentUmask(): number {
  try {
    const match = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number.parseInt(match[1], 8);
  } catch {
    // no /proc
  }
  return 0o022;
}

/** The mode a new folder of the backup gets (mkdir applies the umask on top: 0700 stays 0700). */
export function folderMode(): number {
  return followUmask ? 0o777 : 0o700;
}

/** The mode a file of the backup gets once written (set explicitly: a download or a copy brings its own). */
export function fileMode(): number {
  return followUmask ? 0o666 & ~currentUmask() : 0o600;
}
