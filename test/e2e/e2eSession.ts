// One code-server session per e2e test file: a copy of the fixture workspace in a temporary folder, the packaged
// extension installed into a fresh code-server, chromium on its workbench, and `scenario`, which runs one user story
// under its own deadline, saves a screenshot after every step it names and, when it fails, the logs as well.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CodeServer } from './codeServer';
import { Workbench } from './workbench';

export const repoRoot = path.resolve(__dirname, '..', '..');
const vsixPath = process.env.RADLAB_E2E_VSIX ?? path.join(repoRoot, 'dist', 'radlab.vsix');
const fixtureWorkspace = path.join(repoRoot, 'test', 'fixtures', 'e2e', 'workspace');
const artifactsRoot = path.join(repoRoot, 'test', '.tmp', 'e2e');

const startupTimeoutMs = 120_000;
/** Time node:test allows past a scenario's own deadline, for saving its screenshot and logs. */
const recordingMarginMs = 15_000;

/** Saves a numbered screenshot for a step of the running scenario, e.g. `await step('status-bar-progress')`. */
export type Step = (name: string) => Promise<void>;

export interface Session {
  readonly workbench: Workbench;
  readonly server: CodeServer;
  /** The workspace folder open in the workbench (a copy of test/fixtures/e2e/workspace). */
  readonly workspace: string;
  /**
   * Declares a scenario. It fails if `body` has not finished within `timeoutMs`; either way the browser is still
   * open when it fails, so its screenshot and logs are saved under test/.tmp/e2e/<scenario>/.
   */
  scenario(name: string, timeoutMs: number, body: (step: Step) => Promise<void>): void;
}

export interface SessionOptions {
  /** Adds files to the workspace copy before the workbench opens it. */
  prepareWorkspace?(workspace: string): void;
  /**
   * Runs before the server stops, while the workspace still exists: ends what the scenarios started outside
   * code-server's process group (a trainer runs in its own group, so that it outlives a window reload).
   */
  beforeStop?(workspace: string): void;
}

function slugOf(name: string): string {
  return name
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

/** A `describe` block whose scenarios share one code-server and one browser, started before and stopped after. */
export function describeInCodeServer(title: string, options: SessionOptions, define: (session: Session) => void): void {
  describe(title, () => {
    let sessionDir = '';
    let server: CodeServer | undefined;
    let workbench: Workbench | undefined;

    async function recordFailure(dir: string, what: string): Promise<void> {
      await workbench?.saveFailureArtifacts(dir, 'failure');
      server?.collectLogs(dir);
      process.stderr.write(`e2e: artifacts of the failed ${what} are in ${dir}\n`);
    }

    const session: Session = {
      get workbench() {
        if (workbench === undefined) throw new Error('the workbench did not open (see the startup failure above)');
        return workbench;
      },
      get server() {
        if (server === undefined) throw new Error('code-server did not start (see the startup failure above)');
        return server;
      },
      get workspace() {
        return path.join(sessionDir, 'workspace');
      },
      scenario(name, timeoutMs, body) {
        it(name, { timeout: timeoutMs + recordingMarginMs }, async () => {
          // Each scenario clears only its own folder: test files run in parallel and share test/.tmp/e2e.
          const dir = path.join(artifactsRoot, slugOf(name));
          rmSync(dir, { recursive: true, force: true });
          let steps = 0;
          const step: Step = async (stepName) => {
            steps += 1;
            await session.workbench.screenshot(
              path.join(dir, `${String(steps).padStart(2, '0')}-${slugOf(stepName)}.png`),
            );
          };
          let timer: NodeJS.Timeout | undefined;
          const deadline = new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`scenario '${name}' did not finish within ${timeoutMs / 1000} s`)),
              timeoutMs,
            );
          });
          try {
            await session.workbench.dismissWidgets();
            await Promise.race([body(step), deadline]);
          } catch (error) {
            await recordFailure(dir, `scenario '${name}'`);
            throw error;
          } finally {
            clearTimeout(timer);
          }
        });
      },
    };

    before(
      async () => {
        sessionDir = mkdtempSync(path.join(tmpdir(), 'radlab-e2e-'));
        cpSync(fixtureWorkspace, session.workspace, { recursive: true });
        options.prepareWorkspace?.(session.workspace);
        try {
          server = await CodeServer.start({ vsixPath, sessionDir });
          workbench = await Workbench.open(
            server.workbenchUrl(session.workspace),
            path.join(sessionDir, 'chromium-profile'),
          );
        } catch (error) {
          await recordFailure(path.join(artifactsRoot, `${slugOf(title)}-startup`), `start-up of '${title}'`);
          throw error;
        }
      },
      { timeout: startupTimeoutMs },
    );

    after(async () => {
      try {
        options.beforeStop?.(session.workspace);
        await workbench?.close();
      } finally {
        await server?.stop();
        rmSync(sessionDir, { recursive: true, force: true });
      }
    });

    define(session);
  });
}

/** Polls `read` until `predicate` holds (for state outside the browser: files, logs), and returns the value. */
export async function waitForValue<T>(
  read: () => T,
  predicate: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (predicate(value)) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}; last seen: ${String(JSON.stringify(value)).slice(0, 500)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
