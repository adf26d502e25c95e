"""``orderflow serve``: a durable local AWS Step Functions endpoint.

boto3, the AWS CLI and any SDK talk to it through ``--endpoint-url``; state machines,
executions, their histories and outstanding task tokens live in SQLite, so a waiting
execution (a Wait, a human approval) outlives the server process, and a server killed
in the middle of its work resumes every execution where it stood when restarted.

    orderflow serve --db flows.db --port 8083
    aws stepfunctions --endpoint-url http://127.0.0.1:8083 list-state-machines

From Python::

    from orderflow.serve import ServeOptions, serve
    serve(ServeOptions(db="flows.db", time_scale=0.001))
"""

from orderflow.serve._app import Binding, bind_app
from orderflow.serve._journal import spend_task_time
from orderflow.serve._server import (
    DEFAULT_PORT,
    ServeOptions,
    build_service,
    create_app,
    is_loopback,
    serve,
)

__all__ = [
    "DEFAULT_PORT",
    "Binding",
    "ServeOptions",
    "bind_app",
    "build_service",
    "create_app",
    "is_loopback",
    "serve",
    "spend_task_time",
]
