"""The HTTP service: ``POST /solve`` (VROOM-shaped JSON in and out), ``GET /health``, ``/docs``.

Solving is CPU-bound, so it runs in worker threads (at most ``Limits.workers`` at once) and
the event loop stays free to answer ``/health`` and to queue requests. Each request builds
its own Instance and Solution; the only thing requests share is the policy loaded once at
start-up, which is only read.

The service sheds load instead of piling it up: at most ``Limits.queue`` requests are in it
(solving or waiting); the next is answered 503 with ``Retry-After`` before its body is
read. A body over ``Limits.big_body_bytes`` holds about ten times its size in memory while
parsed and solved, so only ``Limits.big_bodies`` such requests are in at once. A request
whose client hangs up is dropped from the queue, and a running ``nco`` search stops at its
next improvement.

Access: on a loopback bind, ``Host`` and ``Origin`` must name the loopback, so that a web
page under a rebound DNS name cannot reach the solver through the user's browser. With a
token, every request but ``/health`` and the web page's files needs ``Authorization: Bearer <token>``.

Every failure, from any route, is one JSON body ``{"code": 2, "error": "...", "field": "..."}``
with VROOM's code and the HTTP status :func:`nco.errors.failure` gives.
"""

from __future__ import annotations

import hmac
import logging
import math
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import Field, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from nco.api import METHODS, page
from nco.api.reading import parse_json
from nco.api.schema import ErrorBody, Options, Problem, field_path, validation_error
from nco.api.solve import default_policy, solve
from nco.errors import InputError, LimitExceeded, MalformedInput, NcoError, failure

log = logging.getLogger("nco.api")

# Host names a loopback bind answers to.
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Media types read as JSON; a missing Content-Type is read as JSON too, as FastAPI does.
JSON_TYPES = ("application/json", "")


@dataclass(frozen=True)
class Limits:
    """What one request may ask for, and how much the service takes in at once.

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
    queue
        Requests in the service at once, solving or waiting (503 above).
    big_body_bytes, big_bodies
        At most ``big_bodies`` requests with a body over ``big_body_bytes`` at once (503 above).
    """

    max_jobs: int = 1000
    max_vehicles: int = 200
    max_matrix_size: int = 2000
    max_body_bytes: int = 64 * 2**20
    max_time_limit: float = 30.0
    workers: int = max(1, os.cpu_count() or 1)
    queue: int = 32
    big_body_bytes: int = 2**20
    big_bodies: int = 2


@dataclass(frozen=True)
class Access:
    """Who may call the service.

    Attributes
    ----------
    hosts
        Host names the ``Host`` and ``Origin`` headers may carry; None accepts any.
    token
        When set, the bearer token every request but ``/health`` must carry.
    """

    hosts: tuple[str, ...] | None = LOOPBACK
    token: str | None = None

    @classmethod
    def for_bind(cls, host: str, token: str | None = None) -> Access:
        """Loopback binds check Host/Origin; others cannot know their public names."""
        return cls(tuple(dict.fromkeys([*LOOPBACK, host])) if is_loopback(host) else None, token)


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` serves this machine only."""
    return host in LOOPBACK or host.startswith("127.")


class Overloaded(NcoError):
    """The service is full; try again in ``retry_after`` seconds."""

    http_status = 503

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Forbidden(InputError):
    """A header names a host this service does not answer to."""

    http_status = 403


class Unauthorized(InputError):
    """The bearer token is missing or wrong."""

    http_status = 401


class SolveRequest(Problem):
    """A VROOM problem plus nco's ``options`` (method, time limit, seed)."""

    options: Options = Field(default_factory=Options)


def create_app(
    limits: Limits = Limits(),
    osrm_url: str | None = None,
    allow_haversine: bool = False,
    load_policy: bool = True,
    access: Access = Access(),
) -> FastAPI:
    """Build the FastAPI application.

    Parameters
    ----------
    limits
        Per-request limits and load shedding.
    osrm_url
        OSRM server for problems that give coordinates but no matrices.
    allow_haversine
        Without OSRM, answer such problems on great-circle estimates (labelled).
    load_policy
        Load the shipped policy checkpoint at start-up (once, shared read-only).
    access
        Host/Origin names and the optional token (default: loopback names, no token).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.policy, app.state.checkpoint = _load_policy() if load_policy else (None, None)
        app.state.limiter = anyio.CapacityLimiter(limits.workers)
        yield

    app = FastAPI(
        title="nco",
        summary="Neural vehicle routing on real road matrices, VROOM-shaped JSON in and out.",
        lifespan=lifespan,
    )
    app.add_middleware(_AccessGuard, access=access)
    app.include_router(page.router)  # the planning page at / and the city data it reads
    gate = _Gate(limits)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        return answer(exc)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(
            {"code": 2, "error": f"{request.method} {request.url.path}: {exc.detail}", "field": None},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        return answer(InputError(field_path(tuple(first.get("loc", ()))), first.get("msg", "invalid")))

    @app.get("/health")
    async def health() -> dict[str, Any]:
        """Liveness, the loaded checkpoint, the methods, the limits and the current load."""
        return {
            "status": "ok",
            "checkpoint": app.state.checkpoint,
            "methods": list(METHODS),
            "osrm_url": osrm_url,
            "limits": asdict(limits),
            "load": {"requests": gate.requests.held, "big_bodies": gate.big.held},
        }

    errors = {status: {"model": ErrorBody, "description": why} for status, why in ERROR_STATUSES.items()}

    @app.post(
        "/solve",
        responses=errors,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SolveRequest"}}},
            }
        },
    )
    async def solve_endpoint(request: Request) -> Response:
        """Solve a VROOM-shaped problem; the answer has VROOM's layout plus an ``nco`` key."""
        try:
            async with AsyncExitStack() as stack:
                stack.enter_context(gate.admit())
                raw = await _read_body(request, limits, gate, stack)
                body = await anyio.to_thread.run_sync(_parse_request, raw)
                _check_limits(body, limits)
                with gate.timed():
                    result = await _solve_unless_abandoned(request, body, app, osrm_url, allow_haversine)
        except ClientDisconnect:
            result = None
        except Exception as exc:
            return answer(exc)
        # Nobody is listening for an abandoned request's answer.
        return Response(status_code=499) if result is None else JSONResponse(result)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            _publish_request_schema(schema, limits)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


# Shown in /docs and sent by schemathesis: three stops on a 4x4 road matrix, two vehicles.
EXAMPLE = {
    "jobs": [{"id": k, "location_index": k, "delivery": [1]} for k in (1, 2, 3)],
    "vehicles": [{"id": v, "start_index": 0, "end_index": 0, "capacity": [2]} for v in (1, 2)],
    "matrices": {
        "car": {"distances": [[0, 900, 1500, 1200], [950, 0, 700, 1600], [1450, 650, 0, 800], [1300, 1550, 850, 0]]}
    },
    "options": {"method": "pyvrp", "time_limit": 0.1},
}

# What each error status means, for the published schema.
ERROR_STATUSES = {
    400: "malformed body: not UTF-8, not JSON, nested too deeply, not an object, or not sent as JSON",
    401: "missing or wrong bearer token",
    403: "Host or Origin is not this server",
    413: "body, jobs, vehicles or matrices over this server's limits",
    422: "bad input (code 2) or no feasible routes found in time (code 1)",
    502: "the OSRM server failed (code 3)",
    503: "the server is full; retry after Retry-After seconds",
}


def answer(exc: BaseException) -> JSONResponse:
    """The documented JSON answer for ``exc``; unexpected exceptions are logged with their traceback."""
    found = failure(exc)
    if not isinstance(exc, NcoError):
        log.error("request failed", exc_info=exc)
    headers = {}
    if isinstance(exc, Overloaded):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(found.body(), status_code=found.status, headers=headers)


class _Slots:
    """At most ``limit`` holders at once; one more is answered 503."""

    def __init__(self, limit: int, what: str):
        self.limit, self.what, self.held = limit, what, 0

    @contextmanager
    def take(self, retry_after: int) -> Iterator[None]:
        if self.held >= self.limit:
            raise Overloaded(f"server busy: {self.held} {self.what} in progress", retry_after)
        self.held += 1
        try:
            yield
        finally:
            self.held -= 1


class _Gate:
    """Admission control on the event loop (one thread: plain counters suffice)."""

    def __init__(self, limits: Limits):
        self.workers = limits.workers
        self.requests = _Slots(limits.queue, "requests")
        self.big = _Slots(limits.big_bodies, f"requests over {limits.big_body_bytes} bytes")
        # Moving average of a request's seconds in a worker, for Retry-After.
        self.seconds = 1.0

    def retry_after(self) -> int:
        return max(1, math.ceil(self.requests.held / self.workers * self.seconds))

    def admit(self) -> AbstractContextManager[None]:
        return self.requests.take(self.retry_after())

    def big_body(self) -> AbstractContextManager[None]:
        return self.big.take(self.retry_after())

    @contextmanager
    def timed(self) -> Iterator[None]:
        start = anyio.current_time()
        try:
            yield
        finally:
            self.seconds = 0.8 * self.seconds + 0.2 * (anyio.current_time() - start)


async def _read_body(request: Request, limits: Limits, gate: _Gate, stack: AsyncExitStack) -> bytes:
    """The body, refused early when it is not JSON or too large; big ones take a slot of ``gate``."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in JSON_TYPES and not media.endswith("+json"):
        raise MalformedInput("body", f"Content-Type {media!r} is not JSON; send application/json")
    declared = request.headers.get("content-length", "")
    size = int(declared) if declared.isdigit() else 0
    if size > limits.max_body_bytes:
        raise LimitExceeded("body", f"{size} bytes exceed this server's limit of {limits.max_body_bytes}")
    big = size > limits.big_body_bytes
    if big:
        stack.enter_context(gate.big_body())
    chunks, size = [], 0
    async for chunk in request.stream():  # chunked uploads without a Content-Length too
        size += len(chunk)
        if size > limits.max_body_bytes:
            raise LimitExceeded("body", f"larger than this server's limit of {limits.max_body_bytes} bytes")
        if not big and size > limits.big_body_bytes:
            big = True
            stack.enter_context(gate.big_body())
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_request(raw: bytes) -> SolveRequest:
    """Bytes -> a validated request (in a worker thread: big bodies take a while)."""
    try:
        return SolveRequest.model_validate(parse_json(raw, "body"))
    except ValidationError as exc:
        raise validation_error(exc) from None


def _check_limits(body: SolveRequest, limits: Limits) -> None:
    """Refuse what exceeds ``limits``; an omitted time limit becomes the default capped by them."""
    if "time_limit" not in body.options.model_fields_set:
        body.options.time_limit = min(body.options.time_limit, limits.max_time_limit)
    if len(body.jobs) > limits.max_jobs:
        raise LimitExceeded("jobs", f"{len(body.jobs)} jobs exceed this server's limit of {limits.max_jobs}")
    if len(body.vehicles) > limits.max_vehicles:
        raise LimitExceeded(
            "vehicles", f"{len(body.vehicles)} vehicles exceed this server's limit of {limits.max_vehicles}"
        )
    for profile, matrices in (body.matrices or {}).items():
        for name in ("distances", "durations"):
            matrix = getattr(matrices, name)
            if matrix is not None and len(matrix) > limits.max_matrix_size:
                raise LimitExceeded(
                    f"matrices.{profile}.{name}",
                    f"{len(matrix)} locations exceed this server's limit of {limits.max_matrix_size}",
                )
    if body.options.time_limit > limits.max_time_limit:
        raise InputError(
            "options.time_limit",
            f"{body.options.time_limit:g} s exceeds this server's cap of {limits.max_time_limit:g} s",
        )


class _Abandoned(Exception):
    """Raised inside a search whose client has hung up, to end it early."""


async def _solve_unless_abandoned(
    request: Request, body: SolveRequest, app: FastAPI, osrm_url: str | None, allow_haversine: bool
) -> dict[str, Any] | None:
    """Solve ``body`` in a worker thread; None when the client hung up first.

    A request still waiting for a worker is dropped at once; a running search is told
    through its progress callback, which the ``nco`` method calls on every improvement.
    """
    hung_up = threading.Event()

    def progress(elapsed: float, cost: float | None) -> None:
        if hung_up.is_set():
            raise _Abandoned

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
        progress=progress,
    )
    result = error = None
    async with anyio.create_task_group() as group:

        async def watch() -> None:
            while (await request.receive())["type"] != "http.disconnect":
                pass
            hung_up.set()
            group.cancel_scope.cancel()

        group.start_soon(watch)
        try:
            result = await anyio.to_thread.run_sync(run, limiter=app.state.limiter)
        except _Abandoned:
            pass
        except Exception as exc:  # raised after the group: inside, anyio would wrap it in a group
            error = exc
        group.cancel_scope.cancel()
    if error is not None:
        raise error
    return result


def _publish_request_schema(schema: dict[str, Any], limits: Limits) -> None:
    """Put the request body's schema, with this server's limits, into the OpenAPI document."""
    content = schema["paths"]["/solve"]["post"]["requestBody"]["content"]["application/json"]
    content["example"] = {**EXAMPLE, "options": {"method": "pyvrp", "time_limit": min(0.1, limits.max_time_limit)}}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    body = SolveRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(body.pop("$defs", {}))
    components["SolveRequest"] = body
    body["properties"]["jobs"]["maxItems"] = limits.max_jobs
    body["properties"]["vehicles"]["maxItems"] = limits.max_vehicles
    time_limit = components["Options"]["properties"]["time_limit"]
    time_limit["maximum"] = limits.max_time_limit
    time_limit["default"] = min(time_limit["default"], limits.max_time_limit)
    for name in ("distances", "durations"):
        matrix = components["ProfileMatrices"]["properties"][name]["anyOf"][0]
        matrix["maxItems"] = matrix["items"]["maxItems"] = limits.max_matrix_size


class _AccessGuard:
    """ASGI middleware: Host/Origin names and the bearer token, checked before any route runs."""

    def __init__(self, app: Any, access: Access):
        self.app = app
        self.access = access

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            try:
                self._check(scope)
            except NcoError as exc:
                await answer(exc)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _check(self, scope: dict) -> None:
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        hosts = self.access.hosts
        if hosts is not None:
            host = _hostname("//" + headers.get("host", ""))
            if host not in hosts:
                names = ", ".join(hosts)
                raise Forbidden("Host", f"{headers.get('host')!r} is not this server (it answers to {names})")
            origin = headers.get("origin")
            if origin is not None and _hostname(origin) not in hosts:
                raise Forbidden("Origin", f"{origin!r} may not call this server")
        token = self.access.token
        if token is not None and not _public(scope["path"]):
            given = headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                raise Unauthorized("Authorization", "a valid 'Bearer <token>' is required")


def _public(path: str) -> bool:
    """Paths open without the token: health, and the page's own files (a browser cannot add
    a header when it opens a page; the page then asks for the token and sends it itself)."""
    return path in ("/health", "/") or path.startswith("/static/")


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None


def _load_policy() -> tuple[Any, str | None]:
    """The shipped policy and its checkpoint id, or (None, None) when none is available."""
    policy, checkpoint, why_not = default_policy()
    if policy is None:
        log.warning("no policy loaded (%s); 'nco' seeds its refiner by construction heuristics", why_not)
    return policy, checkpoint


def run_server(host: str = "127.0.0.1", port: int = 8000, token: str | None = None, **app_options: Any) -> None:
    """Serve :func:`create_app` with uvicorn until interrupted.

    A loopback ``host`` checks Host and Origin; ``token`` requires a bearer token.
    """
    import uvicorn

    if not is_loopback(host) and token is None:
        log.warning("serving %s without a token: anyone who reaches this port can use the solver", host)
    uvicorn.run(create_app(access=Access.for_bind(host, token), **app_options), host=host, port=port, log_level="info")
