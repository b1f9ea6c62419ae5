// A run's grading model as its experiment states it: the backbone and the level head, initialised from the run's
// seed (random weights; pretrained ones are loaded over them afterwards).
import { GRADES, LEVELS } from '../data/lsdcVocabulary';
import type { ResolvedRun } from '../experiment/resolvedRun';
import { LevelClassifier } from '../models/classifier';

export function classifierFor(run: ResolvedRun): LevelClassifier {
  return LevelClassifier.create(
    run.model.backbone,
    {
      levels: LEVELS.length,
      embedding: run.model.level_embedding,
      hidden: run.model.head.hidden,
      dropout: run.model.head.dropout,
      classes: GRADES.length,
    },
    run.train.seed,
  );
}
