// The one class that owns a webview's life for every RadLab panel (run, experiments table, dataset preview and the
// DICOM editor): the HTML and its CSP, the folders the page may load from, the handshake and disposal. A feature panel
// supplies its data (`onReady`) and handles its page's messages (`onMessage`); it never touches the webview.
//
// Handshake: the page posts `ready` once its script listens. Messages posted before that would be lost, so they
// wait in a queue; `ready` flushes it after `onReady` has sent the first data. A page that reloads (VS Code
// restores hidden webviews) posts `ready` again and gets its data again.
import * as vscode from 'vscode';
import { FromWebview, ToWebview } from '../../webview/contract';
import { Disposer } from './disposer';
import { pageFailureText } from './pageFailureText';
import { panelHtml } from './panelHtml';

export type PanelBundle = 'run' | 'dicom' | 'dataset' | 'experiments';

export interface PanelHostOptions<PageMessage> {
  extensionUri: vscode.Uri;
  bundle: PanelBundle;
  title: string;
  /** Folders besides dist/webview the page may load from (a run folder, a dataset folder). */
  resourceRoots?: vscode.Uri[];
  isPageMessage: (value: unknown) => value is PageMessage;
}

/** The webview folder every panel loads its bundle from. */
export function webviewDistUri(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/** Options for createWebviewPanel / a custom editor's webview: scripts on, local roots only. */
export function webviewOptions(
  extensionUri: vscode.Uri,
  resourceRoots: vscode.Uri[] = [],
): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [webviewDistUri(extensionUri), ...resourceRoots],
    retainContextWhenHidden: false,
  };
}

export abstract class WebviewPanelHost<HostMessage extends { type: string }, PageMessage extends { type: string }>
  implements vscode.Disposable
{
  protected readonly disposer = new Disposer();
  private ready = false;
  private readonly queue: HostMessage[] = [];
  private readonly isPageMessage: (value: unknown) => value is PageMessage;

  constructor(
    protected readonly panel: vscode.WebviewPanel,
    options: PanelHostOptions<PageMessage>,
  ) {
    this.isPageMessage = options.isPageMessage;
    const webview = panel.webview;
    webview.options = webviewOptions(options.extensionUri, options.resourceRoots);
    const dist = webviewDistUri(options.extensionUri);
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${options.bundle}.panel.js`)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${options.bundle}.panel.css`)).toString(),
      title: options.title,
    });
    this.disposer.track(webview.onDidReceiveMessage((message: unknown) => void this.receive(message)));
    this.disposer.track(panel.onDidDispose(() => this.dispose()));
  }

  /** Sends the panel's data: called on every `ready` (first load and each reload of the page). */
  protected abstract onReady(): Promise<void> | void;

  protected abstract onMessage(message: PageMessage): Promise<void> | void;

  /** Posts to the page, or queues until it is ready. */
  protected post(message: HostMessage): void {
    if (this.disposer.isDisposed) return;
    if (!this.ready) {
      this.queue.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  protected postError(message: string): void {
    this.post({ type: ToWebview.Error, message } as unknown as HostMessage);
  }

  private async receive(raw: unknown): Promise<void> {
    if (!this.isPageMessage(raw)) {
      console.warn(
        `RadLab: ignored a malformed message from the ${this.panel.title} page: ${JSON.stringify(raw)?.slice(0, 200)}`,
      );
      return;
    }
    try {
      if (raw.type === FromWebview.Ready) {
        this.ready = false;
        try {
          await this.onReady();
        } finally {
          // Flushed even when onReady failed, so the error posted below reaches the page after what was sent.
          this.ready = true;
          for (const queued of this.queue.splice(0)) void this.panel.webview.postMessage(queued);
        }
        return;
      }
      if (raw.type === FromWebview.Failed) {
        void vscode.window.showErrorMessage(
          `RadLab ${this.panel.title}: ${pageFailureText((raw as unknown as { message: string }).message)}`,
        );
        return;
      }
      await this.onMessage(raw);
    } catch (error) {
      this.postError(error instanceof Error ? error.message : String(error));
    }
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    if (this.disposer.isDisposed) return;
    this.disposer.dispose();
    this.panel.dispose();
  }
}
