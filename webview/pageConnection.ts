// The page side of the handshake: listen for the host's messages, check each against the contract, then say
// `ready`. Errors thrown while handling a message are reported to the host (which shows them) and on the page.
import { FromWebview } from './contract';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export function connectToHost<HostMessage, PageMessage extends { type: string }>(
  isHostMessage: (value: unknown) => value is HostMessage,
  handle: (message: HostMessage) => void,
): (message: PageMessage) => void {
  const api = acquireVsCodeApi();
  const send = (message: PageMessage) => api.postMessage(message);
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (!isHostMessage(event.data)) return;
    try {
      handle(event.data);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      showError(message);
      api.postMessage({ type: FromWebview.Failed, message });
    }
  });
  api.postMessage({ type: FromWebview.Ready });
  return send;
}

/** A banner at the top of the page; one at a time, the latest wins. */
export function showError(message: string): void {
  let banner = document.getElementById('error-banner');
  if (banner === null) {
    banner = document.createElement('div');
    banner.id = 'error-banner';
    banner.setAttribute('role', 'alert');
    document.body.prepend(banner);
  }
  banner.textContent = message;
}
