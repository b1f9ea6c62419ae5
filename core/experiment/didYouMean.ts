import { closest, distance } from 'fastest-levenshtein';

/**
 * The candidate a misspelt word most likely meant, or undefined when none is close enough to be a typo.
 * Close enough: at most a third of the word's letters differ (at least one), or one contains the other.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || word.length === 0) return undefined;
  const lower = word.toLowerCase();
  const best = closest(lower, candidates as string[]);
  const allowed = Math.max(1, Math.floor(Math.max(lower.length, best.length) / 3));
  if (distance(lower, best.toLowerCase()) <= allowed) return best;
  const containing = candidates.filter((c) => c.toLowerCase().includes(lower) || lower.includes(c.toLowerCase()));
  return containing.length === 1 ? containing[0] : undefined;
}
