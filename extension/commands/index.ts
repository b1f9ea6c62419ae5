// Every RadLab command, registered once at activation. Command ids appear as literals in registerCommand calls
// (test/extension/manifest.test.ts matches them against package.json).
import * as vscode from 'vscode';
import { newExperiment } from '../newExperiment/newExperimentCommand';
import type { RunsFeature } from '../runs/runsFeature';
import { registerExperimentCodeLens } from './experimentCodeLens';
import { registerEngineSetupCommand } from './engineSetupCommand';
import { registerPanelCommands } from './panelCommands';
import { registerPredictStudyCommand } from './predictStudyCommand';
import { registerRunCommands } from './runCommands';
import { registerSynthCommand } from './synthCommand';

export function registerCommands(context: vscode.ExtensionContext, feature: RunsFeature): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('radlab.newExperiment', newExperiment),
    ...registerRunCommands(feature),
    ...registerPanelCommands(context, feature),
    registerSynthCommand(context, feature),
    registerPredictStudyCommand(context, feature),
    registerEngineSetupCommand(context, feature),
    registerExperimentCodeLens(),
  );
}
