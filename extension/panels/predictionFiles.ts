// Where Predict Study writes a study's results, so the command that writes them and the viewer that draws them
// agree: `<root>/predictions/<study id>/`, one folder per study, replaced by each prediction of it.
import { basename, join } from 'node:path';

export interface PredictionFiles {
  folder: string;
  submission: string;
  positions: string;
}

export function studyPredictionFiles(root: string, studyFolder: string): PredictionFiles {
  const folder = join(root, 'predictions', basename(studyFolder));
  return { folder, submission: join(folder, 'submission.csv'), positions: join(folder, 'positions.json') };
}
