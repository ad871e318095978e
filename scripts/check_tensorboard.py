"""Read the TensorBoard event file(s) in a folder with TensorBoard's own reader and check that
the scalars, histograms and prediction image that `cnn-lab train --tensorboard` writes are there.

    python scripts/check_tensorboard.py LOGDIR EPOCHS
"""
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

logdir, epochs = sys.argv[1], int(sys.argv[2])
acc = EventAccumulator(logdir, size_guidance={"scalars": 0, "histograms": 0, "images": 0})
acc.Reload()
tags = acc.Tags()
problems = []
for tag in ["loss", "accuracy", "val_loss", "val_accuracy", "seconds"]:
    if tag not in tags["scalars"]:
        problems.append(f"scalar {tag!r} missing")
    elif [e.step for e in acc.Scalars(tag)] != list(range(1, epochs + 1)):
        problems.append(f"scalar {tag!r} steps {[e.step for e in acc.Scalars(tag)]}")
for tag in ["conv2d/kernel", "conv2d/bias", "dense/kernel", "dense_1/bias"]:
    if tag not in tags["histograms"]:
        problems.append(f"histogram {tag!r} missing (have {tags['histograms']})")
    else:
        h = acc.Histograms(tag)[-1].histogram_value
        if h.num <= 0 or not h.min <= h.max or sum(h.bucket) != h.num:
            problems.append(f"histogram {tag!r} is inconsistent: num {h.num}, buckets sum {sum(h.bucket)}")
        # Buckets must span the values, not a fixed ±1e20 (TensorBoard then draws a spike).
        span = max(abs(h.min), abs(h.max)) + 1.0
        if max(abs(x) for x in h.bucket_limit) > span:
            problems.append(f"histogram {tag!r} has buckets out to {max(abs(x) for x in h.bucket_limit):g}, values within ±{span:g}")
if "predictions" not in tags["images"]:
    problems.append("image 'predictions' missing")
else:
    img = acc.Images("predictions")[-1]
    if not img.encoded_image_string.startswith(b"\x89PNG") or img.width < 100:
        problems.append(f"image 'predictions' is not a PNG of a sensible size ({img.width}x{img.height})")
if problems:
    sys.exit("TensorBoard check failed in " + logdir + ":\n  " + "\n  ".join(problems))
print(f"TensorBoard logs OK: {len(tags['scalars'])} scalars, {len(tags['histograms'])} histograms, "
      f"{len(tags['images'])} image tag(s), {epochs} epochs")
