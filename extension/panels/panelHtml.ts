// The HTML document every RadLab webview starts from. It holds no content of its own: the panel's bundle builds
// the page. The policy allows only what the pages use: the bundle's script (by nonce, so an injected <script>
// cannot run), its stylesheet and images from the extension's folders or data: URLs (slices are sent as PNG data
// URLs). The toolkit styles itself through constructable stylesheets and element.style (CSSOM), which a
// style-src policy does not restrict, so no 'unsafe-inline' is needed; the one <style> element it adds (a probe
// for :focus-visible) carries the nonce it reads from <meta property="csp-nonce">, so styles allow it too.
import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  /** `webview.cspSource` of the webview the page loads into. */
  cspSource: string;
  /** Webview URIs (as strings) of dist/webview/<name>.panel.js and .css. */
  scriptUri: string;
  styleUri: string;
  title: string;
  nonce?: string;
}

/** 128 random bits, base64: a fresh one per page load, as CSP nonces must be unguessable. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

// Attribute values are double-quoted, so single quotes (the CSP keywords) need no escaping.
function escapeAttribute(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function panelHtml(options: PanelHtmlOptions): string {
  const nonce = options.nonce ?? createNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(options.cspSource, nonce))}">
<meta property="csp-nonce" content="${escapeAttribute(nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
<title>${escapeAttribute(options.title)}</title>
</head>
<body>
<main id="app" aria-busy="true"></main>
<script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>
`;
}
