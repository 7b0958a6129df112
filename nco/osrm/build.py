"""Turning an OpenStreetMap extract into an OSRM dataset (car profile, MLD pipeline)."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from nco.errors import OsrmError
from nco.osrm.binaries import Toolchain, find_toolchain
from nco.paths import CACHE_DIR

DATASETS_DIR = CACHE_DIR / "datasets"
_SUFFIXES = (".osm.pbf", ".osm.gz", ".osm", ".pbf")
# The last file customize writes: its presence means a complete MLD dataset.
_DONE_MARKER = ".osrm.cell_metrics"


@dataclass
class BuildResult:
    """An OSRM dataset on disk and how long each step took (seconds; 0 when reused)."""

    dataset: Path
    timings: dict[str, float] = field(default_factory=dict)


def city_name(extract: str | Path) -> str:
    """The city name of an extract: its file name without ``.osm.pbf`` and friends."""
    name = Path(extract).name
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem


def _stage(extract: Path, workdir: Path) -> Path:
    """Put the extract into ``workdir`` so OSRM writes its outputs there.

    osrm-extract writes next to its input and strips ``.osm`` from the *whole* path, and
    shared extracts may be read-only, so we link (or gunzip) into a folder of our own.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    name = city_name(extract)
    if extract.name.endswith(".osm.gz"):
        staged = workdir / f"{name}.osm"
        with gzip.open(extract, "rb") as src, staged.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        return staged
    staged = workdir / f"{name}{'.osm' if extract.suffix == '.osm' else '.osm.pbf'}"
    if staged.is_symlink() or staged.exists():
        staged.unlink()
    staged.symlink_to(extract.resolve())
    return staged


def _run(step: str, cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = (proc.stderr + proc.stdout).strip().splitlines()
        # osrm-extract reports bad input through "[error]" lines or an uncaught exception's
        # "what():" line; fall back to its last lines.
        errors = [
            line.strip() for line in lines
            if "error" in line.lower() and "[info]" not in line and "[warn]" not in line
        ] or lines[-3:]
        raise OsrmError(f"{step} failed (exit {proc.returncode}): {' | '.join(errors)}")
    return time.perf_counter() - start


def build(
    extract: str | Path,
    workdir: str | Path | None = None,
    force: bool = False,
    toolchain: Toolchain | None = None,
) -> BuildResult:
    """Run osrm-extract (car profile), osrm-partition and osrm-customize on ``extract``.

    Parameters
    ----------
    extract
        An OpenStreetMap extract (``.osm.pbf``, ``.osm`` or ``.osm.gz``).
    workdir
        Where the dataset goes; defaults to ``~/.cache/nco/datasets/<city>``.
    force
        Rebuild even when a complete dataset newer than the extract exists.
    toolchain
        OSRM binaries to use; found with :func:`find_toolchain` by default.

    Returns
    -------
    BuildResult
        ``dataset`` is the ``<city>.osrm`` base path that ``osrm-routed`` takes.

    Raises
    ------
    OsrmError
        When the extract is missing or a step fails (e.g. a corrupt file).
    """
    extract = Path(extract)
    if not extract.is_file():
        raise OsrmError(f"extract not found: {extract}")
    name = city_name(extract)
    if ".osm" in name:  # see _stage: osrm-extract would mangle the output path
        raise OsrmError(f"extract name {extract.name!r} must not contain '.osm' before the suffix")
    workdir = Path(workdir) if workdir is not None else DATASETS_DIR / name
    dataset = workdir / f"{name}.osrm"
    done = workdir / f"{name}{_DONE_MARKER}"
    if not force and done.is_file() and done.stat().st_mtime >= extract.stat().st_mtime:
        return BuildResult(dataset, {"extract": 0.0, "partition": 0.0, "customize": 0.0})

    tools = toolchain or find_toolchain()
    staged = _stage(extract, workdir)
    done.unlink(missing_ok=True)
    timings = {
        "extract": _run(
            "osrm-extract",
            [str(tools.tool("osrm-extract")), "-p", str(tools.car_profile), staged.name],
            workdir,
        ),
        "partition": _run("osrm-partition", [str(tools.tool("osrm-partition")), dataset.name], workdir),
        "customize": _run("osrm-customize", [str(tools.tool("osrm-customize")), dataset.name], workdir),
    }
    return BuildResult(dataset, timings)
