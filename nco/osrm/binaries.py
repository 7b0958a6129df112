"""Finding and installing the OSRM command-line tools.

The binaries come from the ``osrm-bindings`` wheel on PyPI, which ships static builds of
``osrm-extract``, ``osrm-partition``, ``osrm-customize`` and ``osrm-routed`` together with the
lua profiles. We only unpack those files into the user cache; the wheel's Python module is
never installed, so any Python version can use them.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from nco.errors import OsrmError
from nco.paths import CACHE_DIR

TOOLS = ("osrm-extract", "osrm-partition", "osrm-customize", "osrm-routed")
OSRM_CACHE = CACHE_DIR / "osrm"

# The wheel is abi3 for CPython >= 3.12 but we only unpack its static binaries, so we ask
# pip for that tag explicitly whatever interpreter runs nco.
_WHEEL_ARGS = (
    "--no-deps", "--only-binary=:all:", "--python-version", "3.12",
    "--platform", "manylinux_2_28_x86_64",
)


@dataclass(frozen=True)
class Toolchain:
    """Where the OSRM binaries and the lua profiles live."""

    bin_dir: Path
    profiles_dir: Path

    def tool(self, name: str) -> Path:
        """Path of the binary ``name`` (e.g. ``"osrm-routed"``)."""
        return self.bin_dir / name

    @property
    def car_profile(self) -> Path:
        return self.profiles_dir / "car.lua"

    def version(self) -> str:
        """What ``osrm-routed --version`` prints, e.g. ``v26.10.0``."""
        proc = subprocess.run([str(self.tool("osrm-routed")), "--version"], capture_output=True, text=True)
        return proc.stdout.strip() or "unknown"


def _has_tools(folder: Path) -> bool:
    return all(os.access(folder / name, os.X_OK) for name in TOOLS)


def _find_bin_dir() -> Path | None:
    """Binaries in order: ``$NCO_OSRM_BIN``, then ``PATH``, then the cache."""
    env = os.environ.get("NCO_OSRM_BIN")
    if env:
        if not _has_tools(Path(env)):
            raise OsrmError(f"NCO_OSRM_BIN={env} does not contain {', '.join(TOOLS)}")
        return Path(env)
    on_path = shutil.which("osrm-routed")
    if on_path and _has_tools(Path(on_path).parent):
        return Path(on_path).parent
    if _has_tools(OSRM_CACHE / "bin"):
        return OSRM_CACHE / "bin"
    return None


def _find_profiles_dir(bin_dir: Path) -> Path | None:
    # Packaged installs keep profiles in share/osrm/profiles next to bin/; the wheel uses
    # share/profiles; our cache keeps them in profiles/.
    for folder in (
        bin_dir.parent / "share" / "osrm" / "profiles",
        bin_dir.parent / "share" / "profiles",
        OSRM_CACHE / "profiles",
    ):
        if (folder / "car.lua").is_file():
            return folder
    return None


def find_toolchain() -> Toolchain:
    """Locate installed OSRM binaries and profiles.

    Raises
    ------
    OsrmError
        When no complete toolchain is found; ``nco osrm install`` fixes that.
    """
    bin_dir = _find_bin_dir()
    profiles = _find_profiles_dir(bin_dir) if bin_dir else None
    if bin_dir is None or profiles is None:
        raise OsrmError("OSRM binaries not found; run `nco osrm install`")
    return Toolchain(bin_dir, profiles)


def _download(args: tuple[str, ...], dest: Path, what: str) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "-q", *args, "-d", str(dest)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    files = sorted(dest.iterdir())
    if proc.returncode != 0 or not files:
        detail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise OsrmError(f"could not download {what} from the package index: {detail}")
    return files[0]


def _unpack_wheel(wheel: Path, target: Path) -> None:
    """Copy ``osrm/bin/*`` and ``osrm/share/profiles/**`` out of ``wheel`` into ``target``."""
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.endswith("/"):
                continue
            if member.startswith("osrm/bin/"):
                out = staging / "bin" / member.removeprefix("osrm/bin/")
            elif member.startswith("osrm/share/profiles/"):
                out = staging / "profiles" / member.removeprefix("osrm/share/profiles/")
            else:
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(archive.read(member))
            if out.parent.name == "bin":
                out.chmod(out.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    # Swap in atomically so an interrupted install never leaves half a toolchain behind.
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def install(force: bool = False) -> Toolchain:
    """Make sure an OSRM toolchain is available, downloading it if needed.

    Idempotent: existing binaries (``$NCO_OSRM_BIN``, ``PATH`` or the cache) are used as
    they are unless ``force`` is set, which re-downloads into the cache.

    Raises
    ------
    OsrmError
        When nothing is installed and the wheel cannot be fetched.
    """
    if not force:
        bin_dir = _find_bin_dir()  # a bad $NCO_OSRM_BIN is an error, not a reason to download
        profiles = _find_profiles_dir(bin_dir) if bin_dir else None
        if bin_dir and profiles:
            return Toolchain(bin_dir, profiles)
    OSRM_CACHE.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nco-osrm-") as tmp:
        wheel = _download((*_WHEEL_ARGS, "osrm-bindings"), Path(tmp), "the osrm-bindings wheel")
        _unpack_wheel(wheel, OSRM_CACHE)
    return find_toolchain()


def example_extract() -> Path:
    """The Monaco extract from the osrm-bindings source distribution, cached.

    A fresh machine thereby always has one real OpenStreetMap extract to build.
    """
    target = CACHE_DIR / "examples" / "monaco.osm.pbf"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nco-osrm-") as tmp:
        sdist = _download(
            ("--no-deps", "--no-binary=osrm-bindings", "osrm-bindings"),
            Path(tmp), "the osrm-bindings source distribution",
        )
        with tarfile.open(sdist) as archive:
            member = next(
                (m for m in archive.getmembers() if m.name.endswith("test/data/monaco.osm.pbf")),
                None,
            )
            if member is None:
                raise OsrmError(f"{sdist.name} has no test/data/monaco.osm.pbf")
            source = archive.extractfile(member)
            assert source is not None
            partial = target.with_suffix(".partial")
            partial.write_bytes(source.read())
            partial.rename(target)
    return target
