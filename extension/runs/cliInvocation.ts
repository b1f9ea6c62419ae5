// How the extension runs the radlab CLI (dist/cli.js): with the Node.js the user configured, or else with the
// editor's own executable switched into plain Node mode, so training works without a separate Node install.

export interface CliInvocation {
  command: string;
  /** Arguments before the subcommand: the CLI script itself. */
  baseArgs: string[];
  env: NodeJS.ProcessEnv;
}

export interface CliInvocationInputs {
  /** The `radlab.nodePath` setting; empty or blank means "use the editor's runtime". */
  nodePath: string;
  /** The extension host's executable (process.execPath): Electron, or Node under code-server. */
  hostExecutable: string;
  cliScript: string;
  env: NodeJS.ProcessEnv;
}

export function cliInvocation(inputs: CliInvocationInputs): CliInvocation {
  const configured = inputs.nodePath.trim();
  if (configured !== '') return { command: configured, baseArgs: [inputs.cliScript], env: { ...inputs.env } };
  // ELECTRON_RUN_AS_NODE makes Electron behave as Node; plain Node ignores it.
  return { command: inputs.hostExecutable, baseArgs: [inputs.cliScript], env: { ...inputs.env, ELECTRON_RUN_AS_NODE: '1' } };
}
