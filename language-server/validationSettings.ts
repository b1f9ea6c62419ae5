// The one user setting the server honours, `radlab.validation.checkDataset`. Clients that answer
// workspace/configuration are asked per document (settings can differ per folder) and the answer is cached until
// the client says the configuration changed; other clients push settings with didChangeConfiguration.
import type { Connection } from 'vscode-languageserver/node';

export interface ValidationSettings {
  checkDataset: boolean;
}

const defaultSettings: ValidationSettings = { checkDataset: true };

/** Reads the `radlab.validation` section leniently: anything that is not a boolean keeps the default. */
function parseValidationSection(section: unknown): ValidationSettings {
  if (typeof section !== 'object' || section === null) return defaultSettings;
  const checkDataset = (section as { checkDataset?: unknown }).checkDataset;
  return { checkDataset: typeof checkDataset === 'boolean' ? checkDataset : defaultSettings.checkDataset };
}

export class ValidationSettingsStore {
  private readonly perDocument = new Map<string, Promise<ValidationSettings>>();
  private pushed: ValidationSettings = defaultSettings;

  constructor(
    private readonly connection: Connection,
    private readonly clientAnswersConfiguration: boolean,
  ) {}

  forDocument(uri: string): Promise<ValidationSettings> {
    if (!this.clientAnswersConfiguration) return Promise.resolve(this.pushed);
    let settings = this.perDocument.get(uri);
    if (settings === undefined) {
      settings = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'radlab.validation' })
        .then(parseValidationSection, (error: unknown) => {
          this.connection.console.error(`RadLab language server: reading radlab.validation failed: ${String(error)}`);
          return defaultSettings;
        });
      this.perDocument.set(uri, settings);
    }
    return settings;
  }

  /** `settings` is the payload of workspace/didChangeConfiguration (only meaningful for push-style clients). */
  configurationChanged(settings: unknown): void {
    this.perDocument.clear();
    const radlab = (settings as { radlab?: { validation?: unknown } } | null | undefined)?.radlab;
    this.pushed = parseValidationSection(radlab?.validation);
  }

  forget(uri: string): void {
    this.perDocument.delete(uri);
  }
}
