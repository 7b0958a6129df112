"""The HTTP service: ``POST /solve`` (VROOM-shaped JSON in and out), ``GET /health``, ``/docs``.

Solving is CPU-bound, so it runs in worker threads (at most ``Limits.workers`` at once) and
the event loop stays free to answer ``/health`` and to queue requests. Each request builds
its own Instance and Solution; the only thing requests share is the policy loaded once at
start-up, which is only read.

Errors are JSON bodies with VROOM's codes: ``{"code": 2, "error": "...", "field": "..."}``
(2 = bad input, 3 = routing/OSRM error, 1 = internal or no solution found).
"""

from __future__ import annotations

import json
import logging
import os
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import Field

from nco.api.output import INPUT_ERROR, error_body
from nco.api.schema import Options, Problem, field_path
from nco.api import METHODS
from nco.api.solve import SolveFailed, default_policy, limit_torch_threads, solve
from nco.errors import InputError, NcoError, OsrmError

log = logging.getLogger("nco.api")


@dataclass(frozen=True)
class Limits:
    """What one request may ask for; larger requests are refused before any work.

    Attributes
    ----------
    max_jobs
        Jobs per problem (413 above).
    max_vehicles
        Vehicles per problem (413 above).
    max_matrix_size
        Rows of given matrices (413 above); they may cover more locations than the jobs.
    max_body_bytes
        Request body size (413 above).
    max_time_limit
        Seconds of search one request may ask for (422 above).
    workers
        Problems solved at once; further requests wait their turn.
    """

    max_jobs: int = 1000
    max_vehicles: int = 200
    max_matrix_size: int = 2000
    max_body_bytes: int = 64 * 2**20
    max_time_limit: float = 30.0
    workers: int = max(1, os.cpu_count() or 1)


class SolveRequest(Problem):
    """A VROOM problem plus nco's ``options`` (method, time limit, seed)."""

    options: Options = Field(default_factory=Options)


def create_app(
    limits: Limits = Limits(),
    osrm_url: str | None = None,
    allow_haversine: bool = False,
    load_policy: bool = True,
) -> FastAPI:
    """Build the FastAPI application.

    Parameters
    ----------
    limits
        Per-request limits.
    osrm_url
        OSRM server for problems that give coordinates but no matrices.
    allow_haversine
        Without OSRM, answer such problems on great-circle estimates (labelled).
    load_policy
        Load the shipped policy checkpoint at start-up (once, shared read-only).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if load_policy:
            limit_torch_threads()
        app.state.policy, app.state.checkpoint = _load_policy() if load_policy else (None, None)
        app.state.limiter = anyio.CapacityLimiter(limits.workers)
        yield

    app = FastAPI(
        title="nco",
        summary="Neural vehicle routing on real road matrices, VROOM-shaped JSON in and out.",
        lifespan=lifespan,
    )
    app.add_middleware(_BodyLimit, max_bytes=limits.max_body_bytes)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        if first.get("type") == "json_invalid":
            return _error(400, {"code": INPUT_ERROR, "error": f"malformed JSON: {first.get('msg')}", "field": "body"})
        # FastAPI prefixes "body"; the caller wrote the fields without it.
        loc = tuple(first.get("loc", ()))
        field = field_path(loc[1:] if loc[:1] == ("body",) else loc)
        return _error(422, {"code": INPUT_ERROR, "error": f"{field}: {first.get('msg')}", "field": field})

    @app.get("/health")
    async def health() -> dict[str, Any]:
        """Liveness, the loaded checkpoint, the methods and the limits."""
        return {
            "status": "ok",
            "checkpoint": app.state.checkpoint,
            "methods": list(METHODS),
            "osrm_url": osrm_url,
            "limits": asdict(limits),
        }

    @app.post("/solve", responses={400: {}, 413: {}, 422: {}, 502: {}})
    async def solve_endpoint(body: SolveRequest) -> JSONResponse:
        """Solve a VROOM-shaped problem; the answer has VROOM's layout plus an ``nco`` key."""
        try:
            _check_limits(body, limits)
        except _TooLarge as exc:
            return _error(413, error_body(exc.error))
        except InputError as exc:
            return _error(422, error_body(exc))
        options = body.options
        problem = Problem.model_construct(**{name: getattr(body, name) for name in Problem.model_fields})
        run = partial(
            solve,
            problem,
            time_limit=options.time_limit,
            method=options.method,
            seed=options.seed,
            osrm_url=osrm_url,
            allow_haversine=allow_haversine,
            policy=app.state.policy,
        )
        try:
            result = await anyio.to_thread.run_sync(run, limiter=app.state.limiter)
        except (InputError, SolveFailed) as exc:
            return _error(422, error_body(exc))
        except OsrmError as exc:
            return _error(502, error_body(exc))
        except Exception as exc:  # a bug: answer in JSON, keep serving, log the traceback
            log.exception("solve failed")
            return _error(500, error_body(exc if isinstance(exc, NcoError) else RuntimeError()))
        return JSONResponse(result)

    return app


class _TooLarge(Exception):
    def __init__(self, field: str, message: str):
        self.error = InputError(field, message)


def _check_limits(body: SolveRequest, limits: Limits) -> None:
    if len(body.jobs) > limits.max_jobs:
        raise _TooLarge("jobs", f"{len(body.jobs)} jobs exceed this server's limit of {limits.max_jobs}")
    if len(body.vehicles) > limits.max_vehicles:
        raise _TooLarge(
            "vehicles", f"{len(body.vehicles)} vehicles exceed this server's limit of {limits.max_vehicles}"
        )
    for profile, matrices in (body.matrices or {}).items():
        for name in ("distances", "durations"):
            matrix = getattr(matrices, name)
            if matrix is not None and len(matrix) > limits.max_matrix_size:
                raise _TooLarge(
                    f"matrices.{profile}.{name}",
                    f"{len(matrix)} locations exceed this server's limit of {limits.max_matrix_size}",
                )
    if body.options.time_limit > limits.max_time_limit:
        raise InputError(
            "options.time_limit",
            f"{body.options.time_limit:g} s exceeds this server's cap of {limits.max_time_limit:g} s",
        )


def _error(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _load_policy() -> tuple[Any, str | None]:
    """The shipped policy and its checkpoint id, or (None, None) when none is available."""
    policy, checkpoint, why_not = default_policy()
    if policy is None:
        log.warning("no policy loaded (%s); 'nco' seeds its refiner by construction heuristics", why_not)
    return policy, checkpoint


class _BodyLimit:
    """ASGI middleware: refuse bodies over ``max_bytes`` with 413 before anything parses them.

    Reads the body (up to the limit) and replays it downstream, so chunked uploads without
    a Content-Length are bounded too.
    """

    def __init__(self, app: Any, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Any) -> None:
        body = json.dumps(
            {"code": INPUT_ERROR, "error": f"body: larger than {self.max_bytes} bytes", "field": "body"}
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def run_server(host: str = "127.0.0.1", port: int = 8000, **app_options: Any) -> None:
    """Serve :func:`create_app` with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(**app_options), host=host, port=port, log_level="info")
