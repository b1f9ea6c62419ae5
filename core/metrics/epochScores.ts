// The scores reported for one split at the end of each epoch: the event log, the curves and the panels share them.

export interface EpochScores {
  loss: number;
  accuracy: number;
  macroF1: number;
}
