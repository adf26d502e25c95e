"""The HTTP side: an ASGI app (Starlette) served by uvicorn.

Why Starlette + uvicorn: both are maintained, small, typed, and standard (the stack under
FastAPI); the protocol needs one POST route, a JSON body and a lifespan hook, which
Starlette gives without a framework on top; uvicorn's h11 server is pure Python, so the
server installs anywhere orderflow does. Operations are plain synchronous functions run in
Starlette's thread pool: SQLite calls and the executor are synchronous, and the executions
themselves run on the runner's own threads, not in requests.

Every host name is served: botocore sends ``StartSyncExecution`` to a ``sync-`` prefixed
host, which reaches this server when the name resolves (or with host-prefix injection off:
``AWS_DISABLE_HOST_PREFIX_INJECTION=true`` or ``Config(inject_host_prefix=False)``).
``sts:GetCallerIdentity`` is answered too, so tools that ask for the account first (such
as ``orderflow start-execution``) work against the endpoint.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from orderflow._errors import OrderflowError
from orderflow.serve import _executions, _machines, _tasks, _test_state  # noqa: F401 (register)
from orderflow.serve._app import bind_app
from orderflow.serve._journal import TimeBase
from orderflow.serve._protocol import CONTENT_TYPE, OPERATIONS, TARGET_PREFIX, ApiError, Service
from orderflow.serve._runner import Runner
from orderflow.serve._store import Store

DEFAULT_PORT = 8083
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


def _error(code: str, message: str, status: int = 400) -> Response:
    body = json.dumps({"__type": code, "message": message})
    return Response(body, status_code=status, media_type=CONTENT_TYPE)


def _caller_identity(svc: Service) -> Response:
    xml = (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        "<GetCallerIdentityResult>"
        f"<Arn>arn:aws:iam::{svc.account}:user/orderflow-local</Arn>"
        "<UserId>AIDAORDERFLOWLOCAL</UserId>"
        f"<Account>{svc.account}</Account>"
        "</GetCallerIdentityResult>"
        "<ResponseMetadata><RequestId>orderflow-local</RequestId></ResponseMetadata>"
        "</GetCallerIdentityResponse>"
    )
    return Response(xml, media_type="text/xml")


def _dispatch(svc: Service, operation: str, body: bytes) -> Response:
    handler = OPERATIONS.get(operation)
    if handler is None:
        return _error("UnknownOperationException", f"Unknown operation {operation!r}")
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return _error("SerializationException", "The request body is not JSON")
    if not isinstance(request, dict):
        return _error("SerializationException", "The request body is not a JSON object")
    try:
        result = handler(svc, request)
    except ApiError as exc:
        return _error(exc.code, exc.message, exc.status)
    except OrderflowError as exc:
        return _error("ValidationException", str(exc))
    return Response(json.dumps(result), media_type=CONTENT_TYPE)


def create_app(svc: Service) -> Starlette:
    """The ASGI application answering the Step Functions API for ``svc``."""

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        target = request.headers.get("x-amz-target", "")
        if target.startswith(TARGET_PREFIX):
            return await run_in_threadpool(_dispatch, svc, target[len(TARGET_PREFIX) :], body)
        if request.method == "POST" and "GetCallerIdentity" in parse_qs(body.decode()).get(
            "Action", []
        ):
            return _caller_identity(svc)
        return _error("UnknownOperationException", "expected X-Amz-Target: AWSStepFunctions.*")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(svc.runner.stop)

    return Starlette(
        routes=[Route("/{path:path}", endpoint, methods=["GET", "POST"])], lifespan=lifespan
    )


@dataclass
class ServeOptions:
    """``orderflow serve``'s options.

    Attributes:
        app: ``MODULE:ATTR`` of the app whose services answer tasks (``None``: the
            bundled order services).
        host: the address to bind (loopback unless ``allow_remote``).
        port: the TCP port.
        db: the SQLite database file.
        time_scale: real seconds per logical second (``0.001`` for tests).
        allow_remote: allow a non-loopback ``host``.
        account: the account in ARNs.
        region: the region in ARNs.
        workers: threads running executions.
    """

    app: str | None = None
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    db: str = "orderflow-serve.db"
    time_scale: float = 1.0
    allow_remote: bool = False
    account: str = DEFAULT_ACCOUNT
    region: str = DEFAULT_REGION
    workers: int = 8


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_service(options: ServeOptions) -> Service:
    """Open the database, bind the app and make the runner (not started yet).

    Raises:
        orderflow.OrderflowError: the app cannot be loaded or the options are unusable.
    """
    from orderflow._errors import ExecutionError

    if options.time_scale <= 0:
        raise ExecutionError(f"--time-scale must be positive, not {options.time_scale}")
    if options.db != ":memory:":
        Path(options.db).parent.mkdir(parents=True, exist_ok=True)
    binding = bind_app(options.app)
    store = Store(options.db)
    try:
        store.claim()
    except OrderflowError:
        store.close()
        raise
    base = TimeBase(store.origin(), options.time_scale)
    runner = Runner(
        store,
        binding,
        base,
        account=options.account,
        region=options.region,
        workers=options.workers,
    )
    return Service(store, runner, base, options.account, options.region)


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port``, bound before anything starts, so a port
    in use is a clear error and no execution resumes on a server that cannot serve."""
    from orderflow._errors import ExecutionError

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(1024)
    except OSError as exc:
        raise ExecutionError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return listener


def serve(options: ServeOptions) -> None:
    """Run the server until interrupted (Ctrl-C or SIGTERM).

    Raises:
        orderflow.OrderflowError: a non-loopback host without ``allow_remote``, the port
            cannot be bound, or the app cannot be loaded.
    """
    import uvicorn

    from orderflow._errors import ExecutionError

    if not is_loopback(options.host):
        if not options.allow_remote:
            raise ExecutionError(
                f"--host {options.host} is not a loopback address: the server has no "
                "authentication, so anyone who can reach it can run your services; pass "
                "--allow-remote to serve it anyway"
            )
        print(
            f"warning: serving on {options.host}: the Step Functions endpoint is reachable "
            "from other machines and has no authentication",
            file=sys.stderr,
        )
    listener = _listen(options.host, options.port)
    port = listener.getsockname()[1]
    svc = build_service(options)
    resumed = svc.runner.start()
    print(
        f"orderflow serve: http://{options.host}:{port} "
        f"(db {options.db}, {resumed} running execution(s) resumed, "
        f"tasks answered by {svc.runner.binding.description}, time scale {options.time_scale})",
        file=sys.stderr,
        flush=True,
    )
    config: Any = uvicorn.Config(
        create_app(svc),
        host=options.host,
        port=options.port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    try:
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        listener.close()
        svc.runner.stop()
        svc.store.close()


__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_PORT",
    "DEFAULT_REGION",
    "ServeOptions",
    "build_service",
    "create_app",
    "is_loopback",
    "serve",
]
