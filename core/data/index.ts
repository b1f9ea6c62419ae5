/**
 * core/data: the RSNA 2024 LSDC dataset as model inputs.
 *
 *   const index = await indexDataset(root, { condition, levels, series })   // samples + skipped (with reasons)
 *   const split = splitDataset(tables, { train, val, test, stratify, seed, folds, fold })   // split.splitOf.get(studyId)
 *   const cache = await SampleCache.open(index, run.data.input, { threads: run.train.threads })
 *   const input = await cache.read(i)        // uint8 HWC size x size x channels; cache.samples[i] is its label
 *   await cache.close()
 *
 * Inputs (sampleInput.ts): mode crop = crop_mm around the labelled point (PixelSpacing), mode slice = the whole
 * slice; channels = 3 (grey repeated) for slices 1, else `slices` neighbouring slices in position order with
 * the labelled one in the middle. Windowing: data.input.window, resolved on the labelled slice for the stack.
 * CSV problems throw DatasetCsvError (file, line, column); unusable samples are skipped and counted; irregular
 * data handled by a documented choice (several series of a type, unlabelled studies) is listed in index.notes,
 * and surveySeries gives the spread of series geometry and irregular instance numbering.
 * Previews: labelledSlicePng / datasetSlicePng (preview.ts), inputContactSheetPng (previewInputs.ts).
 * Worker threads: the bundle needs dist/dataWorker.js built from core/data/sampleWorker.ts (inputBuilder.ts).
 */
export { DatasetCsvError, readDatasetTables, type DatasetTables } from './datasetTables';
export { indexDataset, indexTables, countIndex, SKIP_REASONS, type DatasetIndex, type Sample, type SkippedSample, type SkipReason } from './datasetIndex';
export { NOTE_REASONS, type IndexNote, type NoteReason } from './datasetIndex';
export { surveySeries, SERIES_NOTE_REASONS, type SeriesSurvey } from './seriesSurvey';
export { splitDataset, countSamplesBySplit, splitCsv, SPLIT_NAMES, type DatasetSplit, type SplitName } from './splits';
export { SampleCache, cacheKey, DEFAULT_CACHE_FOLDER, type CachedSample, type CacheOptions } from './sampleCache';
export { buildSampleInput, inputBytes, inputChannels, inputRegion, type InputSettings } from './sampleInput';
export { buildInputs, resolveThreads, WORKER_BUNDLE_FILE } from './inputBuilder';
export { SeriesImages, defaultDicomReader, type DicomReader } from './seriesImages';
export { labelledSlicePng, datasetSlicePng, markersForInstance, GRADE_COLOURS, type SliceMarker } from './preview';
export { inputContactSheetPng, type SheetEntry } from './previewInputs';
