// The panels the extension opens: run results, run comparison, dataset preview, and the DICOM custom editor.
export { openRunPanel } from './runPanel';
export { openComparePanel } from './comparePanel';
export { openDatasetPreview } from './datasetPreviewPanel';
export { registerDicomEditor, DICOM_VIEW_TYPE } from './dicomEditor';
