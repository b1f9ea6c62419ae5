"""PyTorch twin of RadLab's training step, for bench/engine/engineBench.ts.

The same step as core/train/trainStep.ts: uint8 crops stored larger than the model input (as the trainer's
cache stores them), scaled to [0, 1]; a random flip and rotation sampling the model input from them (bilinear,
zero fill) and optional brightness/contrast; ImageNet normalisation; a torchvision backbone without its final Linear
(random weights); the level head of core/models/levelHead.ts (nn.Embedding, then Linear, LayerNorm, GELU, Dropout
per hidden size, then a Linear); class-weighted cross-entropy with label smoothing; optional global-norm clipping;
torch.optim.AdamW or SGD; the loss and the softmax probabilities read back.

A worker: it builds the model from the JSON row given as its argument, prints one JSON line when ready, then
answers each stdin line {"steps": n} with one JSON line of per-step milliseconds and its peak RSS, and each
{"forwards": n} with the milliseconds of n evaluation batches, until stdin closes. Needs Debian's python3-torch and python3-torchvision.
"""
import json
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F
import torchvision

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def backbone_without_classifier(name: str, size: int) -> torch.nn.Module:
    """The torchvision model minus its final Linear, as RadLab's registry builds it."""
    if name.startswith("vit_"):
        model = getattr(torchvision.models, name)(image_size=size)
        model.heads = torch.nn.Identity()
    else:
        model = getattr(torchvision.models, name)()
    if name.startswith("resnet"):
        model.fc = torch.nn.Identity()
    elif name.startswith("convnext"):
        model.classifier[-1] = torch.nn.Identity()  # the LayerNorm before it stays, as in RadLab
    elif name.startswith("efficientnet"):
        model.classifier = torch.nn.Identity()  # RadLab leaves the classifier's dropout to the head
    elif not name.startswith("vit_"):
        raise SystemExit(f"torch_twin: no twin for backbone {name}")
    return model


class LevelHead(torch.nn.Module):
    def __init__(self, features: int, levels: int, embedding: int, hidden: list, dropout: float, classes: int):
        super().__init__()
        self.level_embedding = torch.nn.Embedding(levels, embedding)
        layers = []
        width = features + embedding
        for size in hidden:
            layers += [torch.nn.Linear(width, size), torch.nn.LayerNorm(size), torch.nn.GELU(), torch.nn.Dropout(dropout)]
            width = size
        self.mlp = torch.nn.Sequential(*layers)
        self.classifier = torch.nn.Linear(width, classes)

    def forward(self, features, levels):
        return self.classifier(self.mlp(torch.cat([features, self.level_embedding(levels)], 1)))


def feature_width(backbone: torch.nn.Module, size: int) -> int:
    with torch.no_grad():
        backbone.eval()
        width = backbone(torch.zeros(1, 3, size, size)).shape[1]
        backbone.train()
    return width


def augment(images: torch.Tensor, size: int, settings: dict, generator: torch.Generator) -> torch.Tensor:
    """Samples each size x size model input from the larger stored image, as RadLab's trainer does."""
    n, side = images.shape[0], images.shape[-1]
    scale = size / side
    flip = torch.rand(n, generator=generator) < settings["hflip"]
    angle = (2 * torch.rand(n, generator=generator) - 1) * math.radians(settings["rotateDeg"])
    cos, sin = torch.cos(angle), torch.sin(angle)
    sign = torch.where(flip, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = cos * sign * scale
    theta[:, 0, 1] = -sin * scale
    theta[:, 1, 0] = sin * sign * scale
    theta[:, 1, 1] = cos * scale
    jitter = settings["jitterPx"]
    if jitter > 0:
        theta[:, :, 2] = torch.randint(-jitter, jitter + 1, (n, 2), generator=generator) * 2.0 / side
    grid = F.affine_grid(theta, [n, images.shape[1], size, size], align_corners=False)
    moved = F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    if settings["brightness"] == 0 and settings["contrast"] == 0:
        return moved
    b = 1 + (2 * torch.rand(n, 1, 1, 1, generator=generator) - 1) * settings["brightness"]
    c = 1 + (2 * torch.rand(n, 1, 1, 1, generator=generator) - 1) * settings["contrast"]
    brightened = moved * b
    mean = brightened.mean(dim=(1, 2, 3), keepdim=True)
    return ((brightened - mean) * c + mean).clamp(0, 1)


def main() -> None:
    row = json.loads(sys.argv[1])
    torch.set_num_threads(row["threads"])
    torch.set_num_interop_threads(1)
    torch.manual_seed(row["seed"])
    size, batch = row["size"], row["batch"]
    backbone = backbone_without_classifier(row["backbone"], size)
    head_settings = row["head"]
    head = LevelHead(
        feature_width(backbone, size),
        head_settings["levels"],
        head_settings["embedding"],
        head_settings["hidden"],
        head_settings["dropout"],
        head_settings["classes"],
    )
    model = torch.nn.ModuleList([backbone, head]).train()
    opt = row["optimizer"]
    if opt["name"] == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=opt["lr"], momentum=opt["momentum"], weight_decay=opt["weightDecay"])
    else:
        optimizer = torch.optim.AdamW(model.parameters(), lr=opt["lr"], weight_decay=opt["weightDecay"])
    weights = row["classWeights"]
    loss_fn = torch.nn.CrossEntropyLoss(
        weight=None if weights is None else torch.tensor(weights, dtype=torch.float32),
        label_smoothing=row["labelSmoothing"],
    )
    generator = torch.Generator().manual_seed(row["seed"])
    side = row["side"]
    pixels = torch.randint(0, 256, (batch, 3, side, side), dtype=torch.uint8, generator=generator)
    levels = torch.tensor(row["levels"], dtype=torch.int64)
    grades = torch.tensor(row["grades"], dtype=torch.int64)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)

    def step() -> float:
        start = time.perf_counter()
        images = augment(pixels.float() / 255, size, row["augment"], generator)
        images = (images - mean) / std
        optimizer.zero_grad(set_to_none=True)
        logits = head(backbone(images), levels)
        loss = loss_fn(logits, grades)
        loss.backward()
        if row["gradClip"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), row["gradClip"])
        optimizer.step()
        loss.item()
        torch.softmax(logits.detach(), 1).tolist()
        return (time.perf_counter() - start) * 1000

    def forward() -> float:
        """Evaluation as RadLab's trainer runs it: the centre input, inference mode, probabilities read back."""
        start = time.perf_counter()
        offset = (side - size) // 2
        images = pixels[:, :, offset : offset + size, offset : offset + size].float() / 255
        images = (images - mean) / std
        model.eval()
        with torch.no_grad():
            torch.softmax(head(backbone(images), levels), 1).tolist()
        model.train()
        return (time.perf_counter() - start) * 1000

    def reply(message: dict) -> None:
        message["peakRssBytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(json.dumps(message), flush=True)

    reply({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()})
    for line in sys.stdin:
        request = json.loads(line)
        if "forwards" in request:
            reply({"forwardMs": [forward() for _ in range(request["forwards"])]})
        else:
            reply({"stepMs": [step() for _ in range(request["steps"])]})


if __name__ == "__main__":
    main()
