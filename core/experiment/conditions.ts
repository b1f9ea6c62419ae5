// The conditions an experiment's data.condition names: one condition, a list of them, or `all` (the five, in the
// competition's order). Anything else names none; the schema check reports it.
import { CONDITIONS, type Condition } from '../data/lsdcVocabulary';

const isCondition = (value: unknown): value is Condition => (CONDITIONS as readonly unknown[]).includes(value);

export function conditionsOf(value: unknown): Condition[] {
  if (value === 'all') return [...CONDITIONS];
  if (isCondition(value)) return [value];
  return Array.isArray(value) ? value.filter(isCondition) : [];
}

/** A condition graded on one side of the patient (left or right foramen or subarticular zone). */
export function isSidedCondition(condition: string): boolean {
  return /^(left|right)_/.test(condition);
}
