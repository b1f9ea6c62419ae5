#!/usr/bin/python3
"""The Python twin of bench/dicom/slices.ts: pydicom + numpy + Pillow doing the same per-slice work (read, decode,
window, crop, resize to 224), timed in CPU seconds so the figure is per core.

  pydicom_baseline.py make DIR COUNT     writes COUNT 512x512 signed 16-bit MR slices into DIR
  pydicom_baseline.py run DIR ROUNDS     prints one JSON line: slices, cpu_s, slices_per_cpu_s, peak_rss_kib
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
CROP = (64, 64, 448, 448)  # left, top, right, bottom: a 384 x 384 region, as a level crop would be
OUT = 224


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


def process(path):
    ds = pydicom.dcmread(path)
    values = ds.pixel_array.astype(np.float32) * float(ds.get('RescaleSlope', 1)) + float(ds.get('RescaleIntercept', 0))
    center, width = float(ds.WindowCenter), float(ds.WindowWidth)
    low = center - 0.5 - (width - 1) / 2
    display = np.clip(((values - (center - 0.5)) / (width - 1) + 0.5) * 255, 0, 255)
    display[values <= low] = 0
    image = Image.fromarray(np.rint(display).astype(np.uint8), mode='L')
    return np.asarray(image.crop(CROP).resize((OUT, OUT), Image.BILINEAR))


def run(folder, rounds):
    files = sorted(glob.glob(os.path.join(folder, '*.dcm')))
    process(files[0])  # warm-up: imports and first-call costs
    start = time.process_time()
    checksum = 0
    for _ in range(rounds):
        for path in files:
            checksum += int(process(path)[OUT // 2, OUT // 2])
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
        run(sys.argv[2], int(sys.argv[3]))
