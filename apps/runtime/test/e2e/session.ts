import { type RunningSandbox, startSandbox } from '@braid/sandbox';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../free-port.js';
import { createTestApp, type TestApp } from '../test-app.js';
import { launchChromium, watchPage } from './browser.js';
import { copyEditorBuild, ensureEditorBuilt } from './editor.build.js';

/** What a browser test works with: the runtime serving the editor, its sandbox, and one chromium page. */
export interface EditorSession {
  sandbox: RunningSandbox;
  t: TestApp;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  baseUrl: string;
  /** console errors and failed requests seen by the page */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Starts a sandbox, the runtime on a real port (webhook URLs handed to the sandbox must reach it) serving a
 * private copy of the editor build, and chromium. BRAID_E2E_EDITOR_DIR tests a build from elsewhere (else
 * apps/editor/dist, rebuilt when stale); the copy means a rebuild by someone else mid-run cannot break the pages.
 */
export async function startEditorSession(viewport: { width: number; height: number }): Promise<EditorSession> {
  if (!process.env.BRAID_E2E_EDITOR_DIR) ensureEditorBuilt();
  const editorBuild = copyEditorBuild(process.env.BRAID_E2E_EDITOR_DIR);
  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ env: { BRAID_SANDBOX_URL: sandbox.url, BRAID_PUBLIC_URL: baseUrl, BRAID_EDITOR_DIR: editorBuild.dir } });
  await new Promise<void>((resolve) => t.server.listen(port, '127.0.0.1', resolve));
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport });
  // Generous: the test machine's two cores are shared with the rest of the suite.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const problems = watchPage(page);
  return {
    sandbox, t, browser, context, page, baseUrl, problems,
    async close() {
      await context.close();
      await browser.close();
      await t.close();
      await sandbox.close();
      editorBuild.remove();
    },
  };
}
