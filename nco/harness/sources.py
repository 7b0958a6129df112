"""Where compared instances come from: a named test set, an npz batch, or a VRPLIB folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from nco.errors import InputError
from nco.instance import Instance
from nco.io import load_batch, read_vrplib, read_vrplib_solution

Refs = list[float | None] | None
T = TypeVar("T")


def load_testset(name: str) -> tuple[list[Instance], Refs]:
    """Instances and reference costs of a shipped test set, or of an ``.npz`` batch file.

    ``name`` is either a test-set name known to :func:`nco.envs.testsets.load_testset`
    (e.g. ``acvrp_n100_unseen``) or a path to a file written by :func:`nco.io.save_batch`,
    which carries no reference costs.
    """
    path = Path(name)
    if path.suffix == ".npz":
        if not path.is_file():
            raise InputError("testset", f"no such file {path}")
        return _labelled(path.name, load_batch, path), None
    from nco.envs.testsets import load_testset as load_named  # torch-heavy: only when named

    instances, refs = load_named(name)
    return list(instances), None if refs is None else [None if r is None else float(r) for r in refs]


def load_vrplib_dir(folder: str | Path) -> tuple[list[Instance], Refs]:
    """Every ``*.vrp`` in ``folder`` (sorted by name), with the BKS of a same-named ``.sol``.

    Raises
    ------
    InputError
        When the folder holds no ``.vrp`` file, or an instance is unreadable or infeasible
        (the message names the file and the field).
    """
    folder = Path(folder)
    files = sorted(folder.glob("*.vrp")) if folder.is_dir() else []
    if not files:
        raise InputError("vrplib", f"no .vrp files in {folder}")
    instances, refs = [], []
    for file in files:
        instances.append(_labelled(file.name, read_vrplib, file))
        sol = file.with_suffix(".sol")
        refs.append(_labelled(sol.name, read_vrplib_solution, sol)[1] if sol.is_file() else None)
    return instances, refs


def _labelled(label: str, read: Callable[[Path], T], path: Path) -> T:
    """Call ``read(path)``, prefixing the file name to the field of any input error."""
    try:
        return read(path)
    except InputError as exc:
        field = exc.field if exc.field.startswith(str(path)) else f"{label}: {exc.field}"
        raise InputError(field, exc.message) from exc
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(label, f"unreadable ({exc})") from exc
