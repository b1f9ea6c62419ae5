// The webview contract's guards: a message is accepted only with its type's fields, of the right kinds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FromWebview,
  ToWebview,
  isDatasetPageMessage,
  isDicomHostMessage,
  isDicomPageMessage,
  isRunHostMessage,
  isRunPageMessage,
} from '../../webview/contract';

const galleryQuery = {
  page: 2,
  sort: 'confidence',
  mistakesOnly: true,
  trueGrade: null,
  predictedGrade: null,
  level: null,
};

describe('page → host message guards', () => {
  it('accept the handshake and well-formed requests', () => {
    assert.equal(isRunPageMessage({ type: 'ready' }), true);
    assert.equal(isRunPageMessage({ type: 'gallery-page', query: galleryQuery }), true);
    assert.equal(
      isRunPageMessage({
        type: 'gallery-page',
        query: { ...galleryQuery, sort: 'loss', trueGrade: 'Severe', predictedGrade: 'Moderate', level: 'L4/L5' },
      }),
      true,
    );
    assert.equal(isRunPageMessage({ type: 'open-slice', rowId: '4003253_spinal_canal_stenosis_l1_l2' }), true);
    assert.equal(isDicomPageMessage({ type: 'step-instance', index: 0 }), true);
    assert.equal(isDicomPageMessage({ type: 'predict-study' }), true);
    assert.equal(
      isDatasetPageMessage({ type: 'open-dataset-slice', studyId: '1', seriesId: '2', instanceNumber: 7 }),
      true,
    );
  });

  it('reject missing, mistyped or out-of-range fields', () => {
    assert.equal(isRunPageMessage({ type: 'gallery-page', page: 2, mistakesOnly: true }), false);
    for (const wrong of [
      { page: -1 },
      { page: 1.5 },
      { sort: 'random' },
      { mistakesOnly: 'yes' },
      { trueGrade: 'Mild' },
      { predictedGrade: 2 },
      { level: 3 },
    ]) {
      assert.equal(isRunPageMessage({ type: 'gallery-page', query: { ...galleryQuery, ...wrong } }), false);
    }
    assert.equal(isRunPageMessage({ type: 'open-slice', rowId: 7 }), false);
    assert.equal(isDicomPageMessage({ type: 'step-instance', index: '3' }), false);
    assert.equal(isDatasetPageMessage({ type: 'open-series', studyId: '1' }), false);
  });

  it("reject another panel's messages, unknown types and non-objects", () => {
    assert.equal(isDicomPageMessage({ type: 'gallery-page', page: 0, mistakesOnly: false }), false);
    assert.equal(isRunPageMessage({ type: 'step-instance', index: 0 }), false);
    assert.equal(isRunPageMessage({ type: 'launch-missiles' }), false);
    for (const value of [null, undefined, 'ready', 42, ['ready'], {}]) assert.equal(isRunPageMessage(value), false);
  });

  it("accept a gallery row's Explain (a grade or null for the predicted one) and Open in DICOM viewer", () => {
    const rowId = '4003253_spinal_canal_stenosis_l4_l5';
    assert.equal(isRunPageMessage({ type: 'explain-item', rowId, grade: null }), true);
    assert.equal(isRunPageMessage({ type: 'explain-item', rowId, grade: 'Severe' }), true);
    assert.equal(isRunPageMessage({ type: 'open-in-dicom-viewer', rowId }), true);
    assert.equal(isRunPageMessage({ type: 'explain-item', rowId }), false);
    assert.equal(isRunPageMessage({ type: 'explain-item', rowId, grade: 'Mild' }), false);
    assert.equal(isRunPageMessage({ type: 'explain-item', rowId, grade: 2 }), false);
    assert.equal(isRunPageMessage({ type: 'explain-item', rowId: 7, grade: null }), false);
    assert.equal(isRunPageMessage({ type: 'open-in-dicom-viewer' }), false);
    assert.equal(isDicomPageMessage({ type: 'open-in-dicom-viewer', rowId }), false);
  });

  it('use the enum spellings on both sides', () => {
    assert.equal(isRunPageMessage({ type: FromWebview.Ready }), true);
    assert.equal(FromWebview.Ready, 'ready');
  });
});

describe('host → page message guards', () => {
  it('accept a message with its payload object and errors with a text', () => {
    assert.equal(isRunHostMessage({ type: ToWebview.RunModel, model: {} }), true);
    assert.equal(isRunHostMessage({ type: ToWebview.Error, message: 'no metrics' }), true);
    assert.equal(isDicomHostMessage({ type: ToWebview.DicomInstance, instance: {} }), true);
    assert.equal(isDicomHostMessage({ type: ToWebview.SeriesPoints, points: {} }), true);
    assert.equal(isDicomHostMessage({ type: ToWebview.SeriesPoints }), false);
    assert.equal(isRunHostMessage({ type: 'saliency', saliency: {} }), true);
    assert.equal(isDicomHostMessage({ type: 'dicom-focus', focus: {} }), true);
    assert.equal(isRunHostMessage({ type: 'saliency' }), false);
    assert.equal(isDicomHostMessage({ type: 'dicom-focus', focus: 'L4/L5' }), false);
  });

  it('reject a missing payload or a message meant for another page', () => {
    assert.equal(isRunHostMessage({ type: ToWebview.RunModel }), false);
    assert.equal(isRunHostMessage({ type: ToWebview.Error }), false);
    assert.equal(isRunHostMessage({ type: ToWebview.DicomInstance, instance: {} }), false);
    assert.equal(isDicomHostMessage({ type: ToWebview.RunModel, model: {} }), false);
    assert.equal(isDicomHostMessage({ type: ToWebview.Saliency, saliency: {} }), false);
    assert.equal(isRunHostMessage({ type: ToWebview.DicomFocus, focus: {} }), false);
  });
});
