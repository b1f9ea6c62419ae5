// Running training executes code chosen by the workspace (experiment files, weights, the configured Node.js),
// so it needs a trusted workspace; viewing experiments and results does not.
import * as vscode from 'vscode';

/** True when the workspace is trusted; otherwise explains why `action` is refused and offers to manage trust. */
export async function requireTrust(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showErrorMessage(
    `RadLab: ${action} needs a trusted workspace, because it runs the trainer on this workspace's files. Results and experiments can still be viewed.`,
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
