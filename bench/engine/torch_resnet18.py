"""PyTorch baseline for bench/engine/resnet18.ts: torchvision ResNet-18 (random weights), one SGD training step
and a forward pass at the same batch, image size and thread count; prints one JSON line of images/s."""
import argparse
import json
import time

import torch
import torchvision


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=1000)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    images = torch.randn(args.batch, 3, args.size, args.size)
    labels = torch.randint(0, 1000, (args.batch,))

    def train_step() -> None:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()

    def forward() -> None:
        with torch.no_grad():
            model(images)

    def images_per_second(step) -> float:
        for _ in range(2):
            step()
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        return args.batch * args.steps / (time.perf_counter() - start)

    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "train_images_per_s": images_per_second(train_step),
        "forward_images_per_s": images_per_second(forward),
    }))


if __name__ == "__main__":
    main()
