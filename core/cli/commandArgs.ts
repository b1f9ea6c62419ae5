// Command-line options for every radlab subcommand: Node's parseArgs, with a bad option reported the same way
// everywhere (the command, what was wrong, its usage) instead of a stack trace.
import { stderr } from 'node:process';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed options and positionals, or undefined after telling the user what was wrong (exit status 2). */
export function parseCommandArgs<O extends Options>(
  command: string,
  usage: string,
  args: string[],
  options: O,
  writeError: (text: string) => void = (text) => stderr.write(text),
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    writeError(`radlab ${command}: ${(error as Error).message}\n${usage}\n`);
    return undefined;
  }
}
