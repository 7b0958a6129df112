"""Training ingredients at equal CPU time, on one validation metric.

Every arm is a training run (``nco imitate`` or ``nco train``) started from the same checkpoint
on one niced core; an arm's checkpoint is measured by the metric ``nco imitate`` selects on:
the mean greedy gap to the refiner's labels of the held-out label shards (training cities,
never the test sets). Rows give each arm's gap after the CPU minutes it ran, so ingredients
compare at equal time. Writes ``bench/results/training_ablation.{json,md}``.

    .venv/bin/python bench/training_ablation.py --labels runs/labels/acvrp \\
        --arm "imitation, routes shuffled" runs/imitation/order_shuffle/policy_best.pt 38 \\
        --arm "imitation, routes swept" runs/imitation/order_sweep/policy_best.pt 38

An arm is ``NAME CHECKPOINT MINUTES`` (its wall minutes on one core, from its curve). The
starting checkpoint can be an arm with 0 minutes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from nco.policies.checkpoint import read_policy
from nco.policies.imitation import greedy_gap
from nco.policies.labels import VAL_SHARDS, LabelShard, held_out

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, required=True, help="label shard folder (nco labels)")
    parser.add_argument("--val-shards", type=int, default=VAL_SHARDS, help="its first shards: nco imitate's held-out ones")
    parser.add_argument("--arm", nargs=3, action="append", metavar=("NAME", "CHECKPOINT", "MINUTES"), required=True)
    parser.add_argument("--out", type=Path, default=RESULTS / "training_ablation.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    paths = held_out(args.labels, args.val_shards)[0]
    shards = [LabelShard.load(path) for path in paths]
    rows = []
    for name, checkpoint, minutes in args.arm:
        policy, meta = read_policy(checkpoint)
        rows.append(
            {
                "arm": name,
                "checkpoint": checkpoint,
                "cpu_minutes": float(minutes),
                "val_gap": round(greedy_gap(policy, shards), 3),
                "meta": meta,
            }
        )
        print(f"{name}: {rows[-1]['val_gap']:.2f} %", flush=True)
    result = {"val_shards": [str(p) for p in paths],
              "val_instances": sum(len(s) for s in shards), "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"Greedy gap to the refiner's labels on {result['val_instances']} held-out training-city instances "
        "(the first label shards; sizes 50-200), per arm and the CPU minutes it trained (one niced core).",
        "",
        "| arm | CPU minutes | greedy gap to labels |",
        "|---|---:|---:|",
    ]
    lines += [f"| {r['arm']} | {r['cpu_minutes']:.0f} | {r['val_gap']:.2f} % |" for r in rows]
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
