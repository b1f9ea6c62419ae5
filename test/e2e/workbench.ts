// Drives the VS Code workbench that code-server serves, in Debian's chromium through playwright-core, the way a user
// would: keyboard shortcuts, quick open, the command palette, and what the editor, Problems view, suggest widget,
// hover and code action menu show. Every helper waits for a visible condition (polling it where the UI gives no
// event), never for a fixed delay.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';

export const chromiumPath = process.env.RADLAB_E2E_CHROMIUM ?? '/usr/bin/chromium';

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const uiTimeoutMs = 15_000;

export interface ProblemRow {
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** 1-based, as the Problems view shows it. */
  line: number;
  column: number;
}

export class Workbench {
  private readonly consoleLines: string[] = [];

  private constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('console', (message) => this.consoleLines.push(`[${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => this.consoleLines.push(`[pageerror] ${error.stack ?? error.message}`));
  }

  /** Opens `url` in a fresh chromium profile under `profileDir` and waits until the workbench has rendered. */
  static async open(url: string, profileDir: string): Promise<Workbench> {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `chromium is not installed at ${chromiumPath}: run test/e2e/setup.sh first (or set RADLAB_E2E_CHROMIUM)`,
      );
    }
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1600, height: 1000 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(uiTimeoutMs);
    const workbench = new Workbench(context, page);
    // The first load fetches the whole workbench from the server: on a busy machine that takes longer than a UI step.
    await page.goto(url, { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    // The explorer shows the folder's entries once the workspace has been resolved on the server.
    await page
      .locator('.explorer-folders-view .monaco-list-row')
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });
    return workbench;
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  /** Opens a workspace text file by its path relative to the folder, through quick open (Ctrl+P). */
  async openFile(relativePath: string): Promise<void> {
    await this.openWithQuickOpen(relativePath);
    await this.activeEditor().locator('.view-lines').waitFor({ state: 'visible' });
  }

  /**
   * Opens a workspace file through quick open in the editor VS Code chooses for it (a custom editor's webview for
   * the types an extension claims) and waits for its tab to become the active one.
   */
  async openWithQuickOpen(relativePath: string): Promise<void> {
    const fileName = path.posix.basename(relativePath);
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(relativePath);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
    await this.activeTab(fileName).waitFor({ state: 'visible' });
  }

  /**
   * Runs a command palette entry by its full title, e.g. `RadLab: New Experiment`. The palette lists what was
   * registered when it opened, and an extension's commands appear only once the extension host has scanned it, so
   * a palette without the entry is closed and opened again until the deadline.
   */
  async runCommand(title: string, timeoutMs = uiTimeoutMs): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    const row = this.page
      .locator('.quick-input-list .monaco-list-row', {
        has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
      })
      .first();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible' });
      await input.fill(`>${title}`);
      try {
        await row.waitFor({ state: 'visible', timeout: 2_000 });
        await row.click();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`the command palette has no entry '${title}'`, { cause: error });
        await input.press('Escape');
      }
    }
  }

  /**
   * The palette entries whose title starts with `prefix` (e.g. `RadLab:`), as the palette lists them the moment it
   * opens, without running any. The palette stays open for a screenshot; Escape closes it.
   */
  async paletteEntries(prefix: string): Promise<string[]> {
    const input = this.page.locator('.quick-input-widget input');
    await this.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${prefix}`);
    const rows = this.page.locator('.quick-input-list .monaco-list-row .label-name');
    try {
      await rows.first().waitFor({ state: 'visible', timeout: 2_000 });
    } catch {
      return []; // no entry matches (yet)
    }
    const titles = await rows.evaluateAll((names) => names.map((name) => (name.textContent ?? '').trim()));
    return titles.filter((title) => title.startsWith(prefix));
  }

  /** The rows of the open quick pick: each row's label and its description. */
  async quickPickRows(): Promise<{ label: string; description: string }[]> {
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible' });
    return rows.evaluateAll((elements) =>
      elements.map((row) => ({
        label: (row.querySelector('.label-name')?.textContent ?? '').trim(),
        description: (row.querySelector('.label-description')?.textContent ?? '').trim(),
      })),
    );
  }

  /** The value the open input box was given before anyone typed. */
  async quickInputValue(): Promise<string> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    return input.inputValue();
  }

  /** A button of a view's welcome content (the empty state of a view), by its text. */
  welcomeButton(text: string): Locator {
    return this.page.locator('.welcome-view-content .monaco-button', {
      hasText: new RegExp(`^${escapeRegExp(text)}$`),
    });
  }

  /** Closes every editor (tabs, webview panels, custom editors), so the next scenario starts from an empty editor area. */
  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
    await this.page.locator('.editor-group-container .tab').first().waitFor({ state: 'detached' });
  }

  /** Clears the notification toasts that earlier steps left behind. */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
    await this.page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached' });
  }

  /** Answers the quick input (input box or pick) that a command opened. */
  async answerQuickInput(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(text);
    await input.press('Enter');
  }

  /** Picks the row of the open quick pick whose label starts with `label`. */
  async pickQuickInput(label: string): Promise<void> {
    const row = this.page.locator('.quick-input-list .monaco-list-row', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}`) }),
    });
    await row.first().click();
  }

  /** The active tab of the active editor group, located by its file name. */
  activeTab(fileName: string): Locator {
    return this.page.locator('.editor-group-container.active .tab.active', { hasText: fileName });
  }

  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** The active editor tab whose label contains `title` (editors that are not files, such as webview panels). */
  activeTabTitled(title: string): Locator {
    return this.page.locator('.editor-group-container.active .tab.active', { hasText: title });
  }

  /**
   * The page inside the visible webview (a webview panel or a custom editor). VS Code hosts it two frames deep: an
   * outer frame it marks `ready` once loaded, and the extension's page in that frame's `active-frame`.
   * Webviews in background tabs stay in the DOM, hidden, so only the visible one is taken.
   */
  webview(): FrameLocator {
    return this.page
      .locator('iframe.webview.ready')
      .filter({ visible: true })
      .contentFrame()
      .locator('iframe#active-frame')
      .contentFrame();
  }

  /** A status bar entry by its DOM id: `<extension id>.<entry id>` for an extension's entry. */
  statusBarEntry(id: string): Locator {
    return this.page.locator(`.part.statusbar [id="${id}"]`);
  }

  /** The notification toast whose message matches `message`. */
  notification(message: RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', {
      has: this.page.locator('.notification-list-item-message', { hasText: message }),
    });
  }

  /** A row of a tree view by its accessible name (a tree item's aria label). */
  treeItem(name: RegExp): Locator {
    return this.page.getByRole('treeitem', { name });
  }

  /**
   * Expands the tree row whose label is `label` when it is collapsed. A tree keeps a node collapsed once it has been
   * shown without children, even after children arrive, so a view's new entries can need a click to be seen.
   */
  async expandTreeItem(label: string): Promise<void> {
    const row = this.page.locator('.monaco-list-row[role="treeitem"]', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
    });
    await row.waitFor({ state: 'visible' });
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
    await row.and(this.page.locator('[aria-expanded="true"]')).waitFor({ state: 'visible' });
  }

  /** The status bar's language mode entry for the active editor, e.g. `RadLab Experiment`. */
  async languageMode(): Promise<string> {
    return (await this.page.locator('[id="status.editor.mode"]').innerText()).trim();
  }

  /** Moves the cursor to a 1-based line and column with Go to Line (Ctrl+G) and checks the status bar agrees. */
  async goTo(line: number, column: number): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    // ':' is Go to Line's quick access prefix: without it the input becomes a file search.
    await input.fill(`:${line}:${column}`);
    await input.press('Enter');
    // The status bar check alone passes at once when the cursor already sits there; wait for the input to close too.
    await input.waitFor({ state: 'hidden' });
    await this.page
      .locator('[id="status.editor.selection"]', { hasText: `Ln ${line}, Col ${column}` })
      .waitFor({ state: 'visible' });
  }

  /** The text of a 1-based line in the active editor, as rendered (spaces normalised). */
  async lineText(line: number): Promise<string> {
    return this.activeEditor()
      .evaluate((editor, wanted) => {
        for (const number of Array.from(editor.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers'))) {
          if (Number(number.textContent) !== wanted) continue;
          const top = (number.parentElement as HTMLElement).style.top;
          for (const view of Array.from(editor.querySelectorAll<HTMLElement>('.view-lines .view-line'))) {
            if (view.style.top === top) return (view.textContent ?? '').replace(/\u00a0/g, ' ');
          }
        }
        return null;
      }, line)
      .then((text) => {
        if (text === null) throw new Error(`line ${line} is not rendered in the active editor`);
        return text;
      });
  }

  /**
   * The 1-based lines that carry a squiggle of `kind` in the active editor. Monaco draws each squiggle inside the
   * overlay row of its line; the line number is read from the margin row at the same vertical offset.
   */
  async squiggleLines(kind: 'error' | 'warning' = 'error'): Promise<number[]> {
    return this.activeEditor().evaluate((editor, squiggleClass) => {
      const numberAtTop = new Map<string, number>();
      for (const number of Array.from(editor.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers'))) {
        numberAtTop.set((number.parentElement as HTMLElement).style.top, Number(number.textContent));
      }
      const lines = new Set<number>();
      for (const squiggle of Array.from(editor.querySelectorAll<HTMLElement>(`.view-overlays .${squiggleClass}`))) {
        const line = numberAtTop.get((squiggle.parentElement as HTMLElement).style.top);
        if (line !== undefined) lines.add(line);
      }
      return [...lines].sort((a, b) => a - b);
    }, `squiggly-${kind}`);
  }

  /** Waits until `predicate` holds for the squiggled lines, and returns them. */
  async waitForSquiggles(
    predicate: (lines: number[]) => boolean,
    kind: 'error' | 'warning' = 'error',
  ): Promise<number[]> {
    return this.waitFor(() => this.squiggleLines(kind), predicate, `${kind} squiggles`);
  }

  /**
   * Opens the Problems view and returns the markers it lists for `fileName` (Problems groups them by file). The view
   * is virtualised, so this reads the rows it renders: all of them for the handful of markers a scenario makes.
   */
  async problems(fileName: string): Promise<ProblemRow[]> {
    await this.showProblems();
    return this.page.locator('.markers-panel .monaco-list-row').evaluateAll((rows, wantedFile) => {
      const result: { severity: 'error' | 'warning' | 'info'; message: string; line: number; column: number }[] = [];
      let currentFile: string | null = null;
      for (const row of rows) {
        const resource = row.querySelector('.resource-label-container .label-name');
        if (resource) {
          currentFile = (resource.textContent ?? '').trim();
          continue;
        }
        const position = /\[Ln (\d+), Col (\d+)\]/.exec(row.querySelector('.marker-line')?.textContent ?? '');
        if (currentFile !== wantedFile || !position) continue;
        const iconClass = row.querySelector('.marker-icon')?.className ?? '';
        const severity = iconClass.includes('error') ? 'error' : iconClass.includes('warning') ? 'warning' : 'info';
        const message = (row.querySelector('.marker-message')?.textContent ?? '').trim();
        result.push({ severity, message, line: Number(position[1]), column: Number(position[2]) });
      }
      return result;
    }, fileName);
  }

  /** Waits until `predicate` holds for the Problems rows of `fileName`, and returns them. */
  async waitForProblems(
    fileName: string,
    predicate: (rows: ProblemRow[]) => boolean,
    timeoutMs = uiTimeoutMs,
  ): Promise<ProblemRow[]> {
    return this.waitFor(() => this.problems(fileName), predicate, `problems of ${fileName}`, timeoutMs);
  }

  private async showProblems(): Promise<void> {
    const panel = this.page.locator('.markers-panel');
    if (await panel.isVisible()) return;
    // Ctrl+Shift+M toggles the view, so it is only pressed while the view is hidden.
    await this.page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'visible' });
  }

  /**
   * Triggers completion (Ctrl+Space) at the cursor and returns the labels the suggest widget renders (its list is
   * virtualised: about a dozen rows are in the page at once).
   */
  async completionLabels(): Promise<string[]> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+Space');
    const rows = this.page.locator('.editor-widget.suggest-widget.visible .monaco-list-row');
    await rows.first().waitFor({ state: 'visible' });
    return rows.evaluateAll((elements) =>
      elements.map((row) => (row.querySelector('.label-name')?.textContent ?? '').trim()),
    );
  }

  /**
   * Shows the hover at the cursor (Ctrl+K Ctrl+I) and returns its text once it matches `expected` (the hover first
   * says "Loading..." while the language server answers).
   */
  async hoverText(expected: RegExp): Promise<string> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+K');
    await this.page.keyboard.press('Control+I');
    const hover = this.page.locator('.monaco-editor .monaco-hover:not(.hidden) .monaco-hover-content').first();
    await hover.waitFor({ state: 'visible' });
    return this.waitFor(
      () => hover.innerText(),
      (text) => expected.test(text),
      `a hover matching ${expected}`,
    );
  }

  /**
   * Opens the code action menu at the cursor (Ctrl+.) and applies the first action whose title matches, choosing it
   * with the keyboard (the menu sits under a pointer-blocking layer that swallows synthetic clicks).
   */
  async applyCodeAction(title: RegExp): Promise<string> {
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    const wanted = rows.filter({ hasText: title }).first();
    // The server answers from the diagnostics of the document version it last validated: asked in the moment an
    // edit is still being validated, it offers nothing, and VS Code does not ask again by itself — as a user
    // would, the menu is opened again.
    for (let attempt = 1; ; attempt++) {
      await this.focusEditor();
      await this.page.keyboard.press('Control+.');
      const shown = await wanted.waitFor({ state: 'visible', timeout: 5_000 }).then(
        () => true,
        () => false,
      );
      if (shown) break;
      if (attempt === 3) throw new Error(`no code action matching ${title} was offered in three tries`);
      await this.page.keyboard.press('Escape');
    }
    const applied = (await wanted.innerText()).trim();
    const count = await rows.count();
    for (let step = 0; step < count && !(await wanted.evaluate((row) => row.classList.contains('focused'))); step++) {
      await this.page.keyboard.press('ArrowDown');
    }
    if (!(await wanted.evaluate((row) => row.classList.contains('focused')))) {
      throw new Error(`could not select the code action '${applied}' with the keyboard`);
    }
    await this.page.keyboard.press('Enter');
    await wanted.waitFor({ state: 'hidden' });
    return applied;
  }

  /** Closes whatever transient widget (quick input, suggest, hover, menu) a previous step may have left open. */
  async dismissWidgets(): Promise<void> {
    for (const widget of [
      '.quick-input-widget',
      '.action-widget',
      '.editor-widget.suggest-widget.visible',
      '.monaco-hover:not(.hidden)',
    ]) {
      if (await this.page.locator(widget).first().isVisible()) await this.page.keyboard.press('Escape');
    }
  }

  async pressEscape(): Promise<void> {
    await this.page.keyboard.press('Escape');
  }

  /** Saves what the window shows now to `file` (a scenario's record of each step). */
  async screenshot(file: string): Promise<void> {
    mkdirSync(path.dirname(file), { recursive: true });
    await this.page.screenshot({ path: file });
  }

  /** Saves a screenshot and the browser console into `dir` (used when a scenario fails). */
  async saveFailureArtifacts(dir: string, name: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    await this.page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true }).catch(() => undefined);
    writeFileSync(path.join(dir, `${name}.browser-console.log`), this.consoleLines.join('\n'));
  }

  private async focusEditor(): Promise<void> {
    const editor = this.activeEditor();
    if (await editor.evaluate((node) => node.classList.contains('focused'))) return;
    // Ctrl+1 focuses the first editor group without moving its cursor (a click would).
    await this.page.keyboard.press('Control+1');
    await this.page.locator('.editor-group-container.active .monaco-editor.focused').waitFor({ state: 'visible' });
  }

  private async waitFor<T>(
    read: () => Promise<T>,
    predicate: (value: T) => boolean,
    what: string,
    timeoutMs = uiTimeoutMs,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T = await read();
    while (!predicate(last)) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs / 1000} s waiting for ${what}; last seen: ${JSON.stringify(last)}`,
        );
      }
      await this.page.waitForTimeout(150);
      last = await read();
    }
    return last;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
