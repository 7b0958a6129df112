"""Road distance and duration matrices from osrm-routed: osrm-py's Client plus ``/table``.

osrm-py 0.5 covers nearest, route and match but not the table service; :class:`TableRequest`
adds it on osrm-py's own request machinery, and :class:`OsrmClient` splits big tables into
blocks that respect the server's ``--max-table-size``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import numpy as np
import osrm
import requests

from nco.errors import InputError, OsrmError
from nco.osrm.server import DEFAULT_MAX_TABLE_SIZE

# Snapping further than this from a road means the point is not on this map.
DEFAULT_MAX_SNAP = 1000.0


class OsrmResponseError(OsrmError):
    """osrm-routed answered with an error ``code`` (TooBig, NoSegment, InvalidQuery...)."""

    def __init__(self, code: str, message: str, url: str):
        super().__init__(f"OSRM {code}: {message} ({url})")
        self.code = code


class UnreachableError(OsrmError):
    """Some pairs have no route (``null`` cells); ``pairs`` holds their (source, target)."""

    def __init__(self, pairs: np.ndarray):
        points = np.unique(pairs)
        shown = ", ".join(map(str, points[:20])) + (" ..." if len(points) > 20 else "")
        super().__init__(f"{len(pairs)} unreachable pairs involving points {shown}")
        self.pairs = pairs


class TableRequest(osrm.BaseRequest):
    """The OSRM table service with distance and duration annotations."""

    service = "table"

    def __init__(self, sources: Sequence[int], destinations: Sequence[int], **kwargs: Any):
        super().__init__(**kwargs)
        self.sources = list(sources)
        self.destinations = list(destinations)

    def get_options(self) -> dict[str, str]:
        options = super().get_options()
        # osrm-py's _encode_array drops falsy items, which would turn index 0 into "".
        # An empty value means "all coordinates" to OSRM (and the client then leaves it out).
        everything = list(range(len(self.coordinates)))
        if self.sources != everything:
            options["sources"] = ";".join(map(str, self.sources))
        if self.destinations != everything:
            options["destinations"] = ";".join(map(str, self.destinations))
        options["annotations"] = "duration,distance"
        return options


@dataclass
class Table:
    """Matrices from ``sources`` to ``destinations`` and where OSRM snapped each point.

    Attributes
    ----------
    distances, durations
        (S, D) int64 metres and seconds.
    source_locations, destination_locations
        (S, 2) and (D, 2) float64 lon/lat of the snapped points.
    """

    distances: np.ndarray
    durations: np.ndarray
    source_locations: np.ndarray
    destination_locations: np.ndarray


def _check_coordinates(coordinates: np.ndarray) -> None:
    if coordinates.ndim != 2 or coordinates.shape[1] != 2:
        raise InputError("coordinates", f"expected shape (n, 2) lon/lat, got {coordinates.shape}")
    if not np.isfinite(coordinates).all():
        raise InputError("coordinates", "must be finite numbers")
    bad = np.flatnonzero((np.abs(coordinates[:, 0]) > 180) | (np.abs(coordinates[:, 1]) > 90))
    if len(bad):
        raise InputError(f"coordinates[{bad[0]}]", "longitude must be in -180..180, latitude in -90..90")


def _indices(value: Sequence[int] | None, n: int, field: str) -> np.ndarray:
    if value is None:
        return np.arange(n)
    index = np.asarray(value, dtype=np.int64)
    if index.ndim != 1 or (len(index) and (index.min() < 0 or index.max() >= n)):
        raise InputError(field, f"must be indices into the {n} coordinates")
    return index


class OsrmClient(osrm.Client):
    """osrm-py's client for one osrm-routed, with :meth:`table` added.

    Parameters
    ----------
    host
        Base URL of the server, e.g. ``OsrmServer.url``.
    max_table_size
        The server's ``--max-table-size``: one request holds at most ``max_table_size**2``
        source-destination pairs, so :meth:`table` splits bigger tables into blocks.
    max_snap
        Metres; a point snapped further than this from its input is rejected as outside
        the map (OSRM itself snaps any coordinate, however far). None disables the check.
    timeout
        Seconds per HTTP request.
    """

    def __init__(
        self,
        host: str,
        max_table_size: int = DEFAULT_MAX_TABLE_SIZE,
        max_snap: float | None = DEFAULT_MAX_SNAP,
        timeout: float = 120.0,
    ):
        # One attempt: retrying a refused connection only delays the clear error.
        super().__init__(host=host, timeout=timeout, max_retries=1)
        if max_table_size < 1:
            raise InputError("max_table_size", "must be at least 1")
        self.max_table_size = max_table_size
        self.max_snap = max_snap

    def _build_request(self, request: osrm.BaseRequest) -> tuple[str, dict[str, str]]:
        # osrm-routed drops the connection on long lists of percent-encoded separators
        # (sources=0%3B1%3B...), so the query keeps ';' and ',' literal, as OSRM documents.
        url, params = super()._build_request(request)
        return f"{url}?{urlencode(params, safe=';,')}", {}

    def _request(self, request: osrm.BaseRequest) -> dict[str, Any]:
        """osrm-py's request, with its exceptions turned into :class:`OsrmError`."""
        try:
            return super()._request(request)
        except requests.ConnectionError as exc:
            if "refused" in str(exc).lower():
                raise OsrmError(f"OSRM server not reachable at {self.host} (is it running?)") from exc
            reason = type(exc.__context__ or exc).__name__
            raise OsrmError(f"connection to the OSRM server at {self.host} failed ({reason})") from exc
        except requests.Timeout as exc:
            raise OsrmError(f"OSRM server at {self.host} timed out after {self.timeout} s") from exc
        except osrm.OSRMClientException as exc:
            body = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
            raise OsrmResponseError(
                body.get("code", "Error"), body.get("message", str(exc)), self.host
            ) from exc
        except osrm.OSRMException as exc:
            raise OsrmError(f"OSRM server error at {self.host}: {exc}") from exc

    def snap(self, coordinates: np.ndarray | Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
        """Where routing snaps each point: (n, 2) lon/lat and (n,) distances in metres.

        Unlike the nearest service, routing avoids tiny road islands (parking aisles,
        private compounds) when a bigger road component is close, so this is where a
        table or route really starts.
        """
        coords = np.asarray(coordinates, dtype=np.float64)
        _check_coordinates(coords)
        locations, distances = np.zeros((len(coords), 2)), np.zeros(len(coords))
        # Sources only matter here; one extra destination (OSRM wants two coordinates at
        # least) keeps the matrix trivial.
        step = self.max_table_size**2
        for i in range(0, len(coords), step):
            chunk = coords[i : i + step]
            answer = self._request(TableRequest(
                coordinates=[*chunk.tolist(), chunk[0].tolist()],
                sources=range(len(chunk)),
                destinations=[len(chunk)],
            ))
            locations[i : i + len(chunk)] = [w["location"] for w in answer["sources"]]
            distances[i : i + len(chunk)] = [w["distance"] for w in answer["sources"]]
        return locations, distances

    def table(
        self,
        coordinates: np.ndarray | Sequence[Sequence[float]],
        sources: Sequence[int] | None = None,
        destinations: Sequence[int] | None = None,
    ) -> Table:
        """Road distances and durations between ``coordinates``.

        Parameters
        ----------
        coordinates
            (n, 2) lon/lat.
        sources, destinations
            Indices into ``coordinates`` (default: all of them).

        Raises
        ------
        InputError
            Bad coordinates or indices, or points snapped further than ``max_snap``.
        OsrmResponseError
            The server refused the request (``code`` says why, e.g. TooBig).
        UnreachableError
            Some pairs have no route; ``pairs`` are indices into ``coordinates``.
        """
        coords = np.asarray(coordinates, dtype=np.float64)
        _check_coordinates(coords)
        src = _indices(sources, len(coords), "sources")
        dst = _indices(destinations, len(coords), "destinations")
        # Blocks of up to max_table_size**2 pairs: all destinations per request when they
        # fit (the common case), then as many sources as keep the product under the limit.
        limit = self.max_table_size**2
        dst_block = min(len(dst), limit)
        src_block = max(1, limit // max(dst_block, 1))

        distances = np.full((len(src), len(dst)), np.nan)
        durations = np.full((len(src), len(dst)), np.nan)
        src_locations = np.zeros((len(src), 2))
        dst_locations = np.zeros((len(dst), 2))
        for i in range(0, len(src), src_block):
            for j in range(0, len(dst), dst_block):
                s, d = src[i : i + src_block], dst[j : j + dst_block]
                # Each point once per request: a square table sends n coordinates, not 2n.
                # (OSRM wants two coordinates at least, so a lone point goes twice.)
                points, position = np.unique(np.concatenate([s, d]), return_inverse=True)
                if len(points) < 2:
                    points, position = np.concatenate([s, d]), np.arange(len(s) + len(d))
                answer = self._request(TableRequest(
                    coordinates=coords[points].tolist(),
                    sources=position[: len(s)].tolist(),
                    destinations=position[len(s) :].tolist(),
                ))
                self._check_snaps(answer["sources"], s)
                self._check_snaps(answer["destinations"], d)
                block = (slice(i, i + len(s)), slice(j, j + len(d)))
                distances[block] = _as_float(answer["distances"])
                durations[block] = _as_float(answer["durations"])
                src_locations[i : i + len(s)] = [w["location"] for w in answer["sources"]]
                dst_locations[j : j + len(d)] = [w["location"] for w in answer["destinations"]]

        missing = np.argwhere(np.isnan(distances) | np.isnan(durations))
        if len(missing):
            raise UnreachableError(np.column_stack([src[missing[:, 0]], dst[missing[:, 1]]]))
        # OSRM reports -1 m (never worse) between two points a metre apart on one road
        # segment, a rounding artefact of its offsets; no road distance is negative.
        np.clip(distances, 0, None, out=distances)
        return Table(
            np.rint(distances).astype(np.int64),
            np.rint(durations).astype(np.int64),
            src_locations,
            dst_locations,
        )

    def _check_snaps(self, waypoints: list[dict[str, Any]], index: np.ndarray) -> None:
        if self.max_snap is None:
            return
        far = [int(k) for k, w in zip(index, waypoints) if w["distance"] > self.max_snap]
        if far:
            raise InputError(
                f"coordinates[{far[0]}]",
                f"{len(far)} point(s) lie more than {self.max_snap:.0f} m from any road of "
                f"this map (outside it?): {far[:20]}",
            )


def _as_float(rows: list[list[float | None]]) -> np.ndarray:
    """OSRM's JSON matrix with ``null`` (no route) as NaN."""
    return np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=np.float64)
