// Playwright fixtures: a fresh replica, a scratch folder and a signed-in profile per test.
import { test as base } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startReplica, type Replica, type ReplicaOptions } from '../replica/index.js';
import { signInProfile } from './profile.js';

export interface KeepFixtures {
  /** Options for the replica fixture; override with test.use({ replicaOptions: {...} }). */
  replicaOptions: ReplicaOptions;
  replica: Replica;
  /** A scratch folder, removed after the test unless it failed. */
  workDir: string;
  /** <workDir>/profile, holding a valid replica session. */
  profileDir: string;
  /** <workDir>/backup */
  outDir: string;
}

export const test = base.extend<KeepFixtures>({
  replicaOptions: [{}, { option: true }],
  replica: async ({ replicaOptions }, use) => {
    const replica = await startReplica(replicaOptions);
    await use(replica);
    await replica.close();
  },
  workDir: async ({}, use, testInfo) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-test-'));
    await use(dir);
    if (testInfo.status === testInfo.expectedStatus) rmSync(dir, { recursive: true, force: true });
    else testInfo.annotations.push({ type: 'workDir', description: dir });
  },
  profileDir: async ({ replica, workDir }, use) => {
    const dir = path.join(workDir, 'profile');
    await signInProfile(dir, replica.sessionCookie);
    await use(dir);
  },
  outDir: async ({ workDir }, use) => {
    await use(path.join(workDir, 'backup'));
  },
});

export { expect } from '@playwright/test';
