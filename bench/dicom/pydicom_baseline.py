#!/usr/bin/python3
"""The Python twin of bench/dicom/slices.ts: pydicom + numpy + Pillow doing the same per-slice work (read, decode,
crop, window, resize to 224), timed in CPU seconds so the figure is per core.

  pydicom_baseline.py make DIR COUNT                       writes COUNT 512x512 signed 16-bit MR slices into DIR
  pydicom_baseline.py run DIR ROUNDS L,T,W,H linear|lanczos3
      prints one JSON line: slices, cpu_s, slices_per_cpu_s, peak_rss_kib, checksum
"""
import datetime
import glob
import json
import os
import resource
import sys
import time

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

SIZE = 512
OUT = 224
# sharp's kernel names (bench/dicom/slices.ts) to Pillow's filters of the same family.
FILTERS = {'linear': Image.BILINEAR, 'lanczos3': Image.LANCZOS}


def make(folder, count):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    series = generate_uid()
    for i in range(count):
        anatomy = 600 + 500 * np.sin(xx / (23 + i)) * np.cos(yy / 31) + 300 * np.exp(-((xx - 256) ** 2 + (yy - 256) ** 2) / 8000)
        pixels = (anatomy + rng.normal(0, 40, (SIZE, SIZE))).clip(-1000, 4000).astype(np.int16)
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = MRImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(None, {}, file_meta=meta, preamble=b'\0' * 128)
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.SOPClassUID, ds.SOPInstanceUID = MRImageStorage, meta.MediaStorageSOPInstanceUID
        ds.Modality, ds.SeriesInstanceUID, ds.StudyInstanceUID = 'MR', series, generate_uid()
        ds.ContentDate = datetime.date.today().strftime('%Y%m%d')
        ds.Rows = ds.Columns = SIZE
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.PixelSpacing, ds.SliceThickness, ds.InstanceNumber = [0.6875, 0.6875], 4.0, i + 1
        ds.ImagePositionPatient, ds.ImageOrientationPatient = [0, 0, 4.0 * i], [1, 0, 0, 0, 1, 0]
        ds.WindowCenter, ds.WindowWidth = 800, 1600
        ds.PixelData = pixels.tobytes()
        ds.save_as(os.path.join(folder, f'slice_{i:03d}.dcm'), write_like_original=False)


def process(path, region, resample):
    """Decodes the frame, windows only the crop (a numpy slice of the stored values costs nothing), resizes it."""
    left, top, width, height = region
    ds = pydicom.dcmread(path)
    stored = ds.pixel_array[top:top + height, left:left + width]
    values = stored.astype(np.float32) * float(ds.get('RescaleSlope', 1)) + float(ds.get('RescaleIntercept', 0))
    center, window_width = float(ds.WindowCenter), float(ds.WindowWidth)
    low = center - 0.5 - (window_width - 1) / 2
    display = np.clip(((values - (center - 0.5)) / (window_width - 1) + 0.5) * 255, 0, 255)
    display[values <= low] = 0
    image = Image.fromarray(np.rint(display).astype(np.uint8), mode='L')
    return np.asarray(image.resize((OUT, OUT), resample))


def run(folder, rounds, region, kernel):
    files = sorted(glob.glob(os.path.join(folder, '*.dcm')))
    resample = FILTERS[kernel]
    process(files[0], region, resample)  # warm-up: imports and first-call costs
    start = time.process_time()
    checksum = 0
    for _ in range(rounds):
        for path in files:
            checksum += int(process(path, region, resample)[OUT // 2, OUT // 2])
    cpu = time.process_time() - start
    slices = rounds * len(files)
    print(json.dumps({
        'slices': slices,
        'cpu_s': cpu,
        'slices_per_cpu_s': slices / cpu,
        'peak_rss_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        'checksum': checksum,
    }))


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2], int(sys.argv[3]))
    else:
        run(sys.argv[2], int(sys.argv[3]), [int(v) for v in sys.argv[4].split(',')], sys.argv[5])
