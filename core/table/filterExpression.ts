// The Experiments table's filter: conditions on columns joined with and, or and not, grouped by parentheses, e.g.
//   test.macro_f1 > 0.6 and (backbone = convnext_tiny or backbone = resnet18)
// A column is named by its key or, when that is unambiguous, by its last part (`backbone` for model.backbone).
// Operators: = != < <= > >= and ~ (contains, ignoring case). Values: numbers, true/false, bare words or quoted text.
// A run that has no value in a column matches no condition on it. A bad expression is an error that says what is
// wrong and where (a 0-based offset into the text), never a silently empty table.
import { didYouMean } from '../experiment/didYouMean';
import { cellValue, type Column } from './tableColumns';
import type { Scalar, TableRun } from './tableRun';

export interface FilterError {
  message: string;
  /** Offset into the expression where the problem starts. */
  at: number;
}

export type RunFilter = (run: TableRun) => boolean;

export type CompiledFilter = { ok: true; matches: RunFilter } | { ok: false; error: FilterError };

type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';
type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'quoted'; text: string; at: number }
  | { kind: 'operator'; text: Operator; at: number }
  | { kind: 'open' | 'close'; at: number }
  | { kind: 'end'; at: number };

class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const OPERATORS: readonly string[] = ['<=', '>=', '!=', '==', '=', '<', '>', '~'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'open' : 'close', at: i });
      i++;
    } else if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) throw new FilterSyntaxError(`the quote opened at ${i} is not closed`, i);
      tokens.push({ kind: 'quoted', text: text.slice(i + 1, close), at: i });
      i = close + 1;
    } else {
      const operator = OPERATORS.find((op) => text.startsWith(op, i));
      if (operator !== undefined) {
        tokens.push({ kind: 'operator', text: (operator === '==' ? '=' : operator) as Operator, at: i });
        i += operator.length;
      } else {
        const word = /^[^\s()"'=<>!~]+/.exec(text.slice(i));
        if (word === null) throw new FilterSyntaxError(`"${c}" is not part of a condition`, i);
        tokens.push({ kind: 'word', text: word[0], at: i });
        i += word[0].length;
      }
    }
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end';
    case 'open':
      return '"("';
    case 'close':
      return '")"';
    default:
      return `"${token.text}"`;
  }
}

function isKeyword(token: Token, keyword: 'and' | 'or' | 'not'): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === keyword;
}

/** The column a name in the expression means: its key, or the one column whose key ends with `.name`. */
function resolveColumn(name: string, at: number, columns: readonly Column[]): Column {
  const exact = columns.find((column) => column.key === name);
  if (exact !== undefined) return exact;
  const bySuffix = columns.filter((column) => column.key.endsWith(`.${name}`));
  if (bySuffix.length === 1) return bySuffix[0]!;
  if (bySuffix.length > 1) {
    throw new FilterSyntaxError(
      `"${name}" could be ${bySuffix.map((c) => c.key).join(' or ')}: write the whole column name`,
      at,
    );
  }
  const suggestion = didYouMean(name, [...columns.map((c) => c.key), ...columns.map((c) => c.key.split('.').pop()!)]);
  throw new FilterSyntaxError(
    `no column is named "${name}"${suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : ''}`,
    at,
  );
}

function literal(token: Token): Scalar {
  if (token.kind === 'quoted') return token.text;
  const text = (token as { text: string }).text;
  if (text === 'true' || text === 'false') return text === 'true';
  const number = Number(text);
  return text !== '' && Number.isFinite(number) ? number : text;
}

function compare(cell: Scalar | undefined, operator: Operator, value: Scalar): boolean {
  if (cell === undefined || cell === null) return false;
  if (operator === '~') return String(cell).toLowerCase().includes(String(value).toLowerCase());
  let order: number;
  if (typeof cell === 'number' && typeof value === 'number') order = cell - value;
  else if (typeof cell === 'boolean' || typeof value === 'boolean') order = cell === value ? 0 : Number.NaN;
  else order = String(cell).localeCompare(String(value), 'en', { numeric: true });
  switch (operator) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

/** Recursive descent over: or := and ("or" and)*; and := unary ("and" unary)*; unary := "not" unary | "(" or ")" | condition. */
class Parser {
  private next = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly columns: readonly Column[],
  ) {}

  parse(): RunFilter {
    const filter = this.or();
    const rest = this.peek();
    if (rest.kind !== 'end') {
      throw new FilterSyntaxError(
        rest.kind === 'close' ? 'this ")" closes nothing' : `expected "and" or "or" before ${describe(rest)}`,
        rest.at,
      );
    }
    return filter;
  }

  private peek(): Token {
    return this.tokens[this.next]!;
  }

  private take(): Token {
    return this.tokens[this.next++]!;
  }

  private or(): RunFilter {
    const parts = [this.and()];
    while (isKeyword(this.peek(), 'or')) {
      this.take();
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0]! : (run) => parts.some((part) => part(run));
  }

  private and(): RunFilter {
    const parts = [this.unary()];
    while (isKeyword(this.peek(), 'and')) {
      this.take();
      parts.push(this.unary());
    }
    return parts.length === 1 ? parts[0]! : (run) => parts.every((part) => part(run));
  }

  private unary(): RunFilter {
    const token = this.peek();
    if (isKeyword(token, 'not')) {
      this.take();
      const inner = this.unary();
      return (run) => !inner(run);
    }
    if (token.kind === 'open') {
      this.take();
      const inner = this.or();
      const close = this.take();
      if (close.kind !== 'close') throw new FilterSyntaxError(`the "(" at ${token.at} is not closed`, close.at);
      return inner;
    }
    return this.condition();
  }

  private condition(): RunFilter {
    const name = this.take();
    if (name.kind !== 'word' || isKeyword(name, 'and') || isKeyword(name, 'or')) {
      throw new FilterSyntaxError(`expected a column name, found ${describe(name)}`, name.at);
    }
    const column = resolveColumn(name.text, name.at, this.columns);
    const operator = this.take();
    if (operator.kind !== 'operator') {
      throw new FilterSyntaxError(
        `expected an operator (= != < <= > >= ~) after "${name.text}", found ${describe(operator)}`,
        operator.at,
      );
    }
    const valueToken = this.take();
    if (valueToken.kind !== 'word' && valueToken.kind !== 'quoted') {
      throw new FilterSyntaxError(
        `expected a value after "${operator.text}", found ${describe(valueToken)}`,
        valueToken.at,
      );
    }
    const value = literal(valueToken);
    const op = operator.text;
    return (run) => compare(cellValue(run, column), op, value);
  }
}

/** The filter an expression means over these columns; an empty expression keeps every run. */
export function compileFilter(expression: string, columns: readonly Column[]): CompiledFilter {
  if (expression.trim() === '') return { ok: true, matches: () => true };
  try {
    return { ok: true, matches: new Parser(tokenize(expression), columns).parse() };
  } catch (error) {
    if (error instanceof FilterSyntaxError) return { ok: false, error: { message: error.message, at: error.at } };
    throw error;
  }
}
