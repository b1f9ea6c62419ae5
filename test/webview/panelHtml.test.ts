// The HTML every panel starts from: a strict CSP, the script allowed by its nonce only, nothing remote.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNonce, panelHtml } from '../../extension/panels/panelHtml';

const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';
const html = panelHtml({
  cspSource,
  scriptUri: `${cspSource}/ext/dist/webview/run.panel.js`,
  styleUri: `${cspSource}/ext/dist/webview/run.panel.css`,
  title: 'Run <b>1</b>',
  nonce: 'abc123',
});

function policy(text: string): Map<string, string[]> {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(text)?.[1];
  assert.ok(content, 'the page has a CSP meta tag');
  return new Map(
    content
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('panel HTML', () => {
  it('has a CSP that denies by default and allows scripts by nonce only', () => {
    const csp = policy(html);
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.deepEqual(csp.get('script-src'), ["'nonce-abc123'"]);
    assert.deepEqual(csp.get('style-src'), [cspSource, "'nonce-abc123'"]);
    assert.deepEqual(csp.get('img-src'), [cspSource, 'data:']);
    assert.ok(![...csp.values()].flat().some((value) => value.includes('unsafe')), 'no unsafe-inline or unsafe-eval');
  });

  it('hands the nonce to the toolkit, which reads it from <meta property="csp-nonce">', () => {
    assert.match(html, /<meta property="csp-nonce" content="abc123">/);
  });

  it('puts the nonce on every script and inlines none', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    for (const [, attributes, body] of scripts) {
      assert.match(attributes!, /nonce="abc123"/);
      assert.equal(body!.trim(), '');
    }
  });

  it('loads only from the webview resource origin', () => {
    const urls = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    assert.equal(urls.length, 2);
    for (const url of urls) assert.ok(url.startsWith(cspSource), url);
    assert.doesNotMatch(html.replace(new RegExp(cspSource.replace(/[.+]/g, '\\$&'), 'g'), ''), /https?:\/\//);
  });

  it('escapes the title', () => {
    assert.match(html, /<title>Run &#60;b&#62;1&#60;\/b&#62;<\/title>/);
  });

  it('makes a fresh, unguessable nonce each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, createNonce));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) assert.equal(Buffer.from(nonce, 'base64').length, 16);
  });
});
