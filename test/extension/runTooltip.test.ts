// The Runs view tooltip, rendered by a CommonMark renderer: the sweep member (backbone and condition) is bold (not literal asterisks), facts that
// hold Markdown characters read as written, and times are local date-times worked out by hand for the zones below.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localTime, runTooltipMarkdown } from '../../extension/runs/runTooltip';
import type { RunRecord } from '../../extension/runs/runFolders';
import { renderedHtml, visibleText } from '../helpers/renderedMarkdown';

const run = {
  dir: '/ws/runs/demo/20261201-215207-resnet18-spinal_canal_stenosis',
  runId: '20261201-215207',
  backbone: 'resnet18',
  member: 'resnet18-spinal_canal_stenosis',
  state: 'failed',
  startedAt: '2026-12-01T21:52:07.000Z',
  endedAt: '2026-12-01T23:05:30.000Z',
  engine: 'wasm',
  error: 'weights <backbone>.pth not found in *cache*',
} as RunRecord;

describe('the Runs view tooltip', () => {
  const markdown = runTooltipMarkdown(run, 'failed', { locale: 'en-GB', timeZone: 'Europe/Berlin' });

  it('shows the member (backbone and condition) in bold, not as literal asterisks or underscores', () => {
    assert.match(
      renderedHtml(markdown),
      /<strong>resnet18-spinal_canal_stenosis<\/strong>, run 20261201-215207: failed/,
    );
    assert.doesNotMatch(visibleText(markdown), /\*\*/);
  });

  it('keeps angle brackets and asterisks of a message as written', () => {
    assert.match(visibleText(markdown), /Error: weights <backbone>\.pth not found in \*cache\*/);
  });

  it('gives start and end in the local time zone, not as ISO timestamps', () => {
    const text = visibleText(markdown);
    // 21:52:07 UTC is 22:52:07 in Berlin (UTC+1 in December); 23:05:30 UTC is 00:05:30 on the next day.
    assert.match(text, /Started: 1 Dec 2026, 22:52:07/);
    assert.match(text, /Ended: 2 Dec 2026, 00:05:30/);
    assert.doesNotMatch(text, /T21:52/);
  });

  it('leaves a timestamp it cannot read as written', () => {
    assert.equal(localTime('yesterday'), 'yesterday');
    assert.equal(
      localTime('2026-06-01T12:00:00Z', { locale: 'en-US', timeZone: 'America/New_York' }),
      'Jun 1, 2026, 8:00:00 AM',
    );
  });
});
