"""The fixed, seeded test sets in ``data/testsets/`` and their reference costs.

Each set is one :func:`nco.io.save_batch` file named ``<problem>_n<size>_<split>.npz``:
``in`` draws from the training cities, ``unseen`` from the held-out ones. Reference costs
(the best of a long PyVRP run per ACVRP instance, see ``bench/references.py``) live in
``refs.json`` as ``{set name: [cost or null per instance]}``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nco.envs.generator import CityGenerator
from nco.errors import InputError
from nco.instance import Instance
from nco.io import load_batch, save_batch
from nco.paths import TESTSETS_DIR

REFS_FILE = "refs.json"
SPLITS = {"in": "train", "unseen": "test"}  # test-set split -> nco.pools.split() key
# (problem, customers, instances); each in both splits.
SIZES = (
    *[("acvrp", n, count) for n, count in ((50, 32), (100, 32), (200, 16), (500, 8))],
    *[("atsp", n, count) for n, count in ((50, 32), (100, 32), (200, 16), (500, 8))],
    ("acvrptw", 100, 32),
)


@dataclass(frozen=True)
class TestSet:
    """One test set: what to sample and with which seed."""

    __test__ = False  # not a pytest class, despite the name

    problem: str
    size: int
    count: int
    split: str

    @property
    def name(self) -> str:
        return f"{self.problem}_n{self.size}_{self.split}"

    @property
    def seed(self) -> int:
        """Fixed seed derived from the name, so that each set can be rebuilt on its own."""
        return zlib.crc32(self.name.encode())


TESTSETS = [TestSet(problem, size, count, split) for problem, size, count in SIZES for split in SPLITS]


def testset_names() -> list[str]:
    """Names of all shipped test sets."""
    return [spec.name for spec in TESTSETS]


def build_testset(spec: TestSet) -> list[Instance]:
    """Sample the instances of ``spec`` from the pools of its split (mixed uniform/clustered)."""
    from nco.pools import split

    generator = CityGenerator(spec.size, spec.problem, split()[SPLITS[spec.split]], seed=spec.seed)
    return generator.instances(spec.count, name=spec.name)


def make_testsets(
    directory: str | Path = TESTSETS_DIR,
    names: list[str] | None = None,
    overwrite: bool = False,
    progress: Callable[[str], None] = print,
) -> list[Path]:
    """Write the test sets (all, or ``names``) into ``directory``; existing files are kept
    unless ``overwrite``, which also drops the rebuilt sets' reference costs. Returns the
    paths of all requested sets."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    specs = [_spec(name) for name in names] if names else TESTSETS
    paths = []
    for spec in specs:
        path = directory / f"{spec.name}.npz"
        if overwrite or not path.is_file():
            save_batch(build_testset(spec), path)
            _drop_refs(directory, spec.name)
            progress(f"{spec.name}: {spec.count} instances, n={spec.size}, seed {spec.seed} -> {path} ({_size(path)})")
        else:
            progress(f"{spec.name}: exists, kept ({_size(path)})")
        paths.append(path)
    return paths


def load_testset(name: str, directory: str | Path = TESTSETS_DIR) -> tuple[list[Instance], list[float | None] | None]:
    """Instances of a shipped test set and their reference costs.

    Returns
    -------
    instances, refs
        ``refs`` has one entry per instance (``None`` where not computed yet), or is ``None``
        when the set has no references at all (ATSP, ACVRPTW, or not run yet).

    Raises
    ------
    InputError
        When no such test set exists; the message lists the available ones.
    """
    path = Path(directory) / f"{name}.npz"
    if not path.is_file():
        available = sorted(p.stem for p in Path(directory).glob("*.npz"))
        raise InputError(
            "testset", f"no test set {name!r} in {directory} (run `nco data testsets`); available: {available}"
        )
    instances = load_batch(path)
    refs = load_refs(directory).get(name)
    if refs is not None and len(refs) != len(instances):
        raise InputError("refs", f"{REFS_FILE} has {len(refs)} costs for the {len(instances)} instances of {name}")
    return instances, refs


def load_refs(directory: str | Path = TESTSETS_DIR) -> dict[str, list[float | None]]:
    """All reference costs: ``{set name: [cost or None per instance]}`` (empty if none)."""
    path = Path(directory) / REFS_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def _drop_refs(directory: Path, name: str) -> None:
    refs = load_refs(directory)
    if refs.pop(name, None) is not None:
        (directory / REFS_FILE).write_text(json.dumps(refs, indent=1) + "\n")


def _spec(name: str) -> TestSet:
    for spec in TESTSETS:
        if spec.name == name:
            return spec
    raise InputError("testset", f"unknown test set {name!r}; known: {testset_names()}")


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"
