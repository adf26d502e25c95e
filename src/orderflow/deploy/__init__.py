"""Deploy an app's whole system to AWS with boto3, idempotently, and take it down again.

    from orderflow.deploy import Aws, deploy, destroy

    aws = Aws("eu-west-1")                      # or Aws(endpoint_url="http://127.0.0.1:5000")
    print(deploy(aws, app=app, prefix="shop", dry_run=True).render())
    deploy(aws, app=app, prefix="shop")         # create or update, one line per resource
    destroy(aws, prefix="shop", progress=print)

Modules, one concept each: ``_aws`` (session and clients, error translation), ``_names``
(names and ARNs), ``_tags``, ``_iam`` (policy documents), ``_package`` (reproducible
zips), ``_plan`` (desired vs actual), one module per resource kind (``_roles``,
``_lambda``, ``_dynamodb``, ``_logs``, ``_stepfunctions``, ``_events``), ``_adopt``
(adopting what a retried create finds already made, when its tags say it is ours),
``_deadline`` (``--timeout-total`` and the waits under it), ``_stack`` (the resource list),
``_deploy``, ``_destroy``, ``_executions`` and ``_tokens`` (answering task tokens:
``orderflow approve`` / ``reject``).
"""

from orderflow.deploy._adopt import ForeignResourceError
from orderflow.deploy._aws import Aws, ConnectionOptionError
from orderflow.deploy._deadline import DEFAULT_TIMEOUT_TOTAL, DeadlineExceeded
from orderflow.deploy._deploy import (
    PRE_DEPLOY_CHECKS,
    CheckContext,
    DslWorkflowSource,
    check_definition,
    default_packager,
    deploy,
    workflow_source,
)
from orderflow.deploy._destroy import destroy
from orderflow.deploy._events import INPUT_PATH, event_matches, event_pattern
from orderflow.deploy._executions import (
    ExecutionSummary,
    describe_execution,
    event_entry,
    execution_arn,
    execution_definition,
    execution_name,
    history,
    list_executions,
    send_event,
    start_execution,
    start_sync_execution,
    wait_for_execution,
)
from orderflow.deploy._grants import integration_grants, integration_statements
from orderflow.deploy._iam import deployer_policy, states_policy
from orderflow.deploy._names import StackNames
from orderflow.deploy._package import Packager, WheelDependencies, build_zip
from orderflow.deploy._plan import Action, Change, Plan
from orderflow.deploy._stack import Machine, StackConfig
from orderflow.deploy._tokens import send_task_failure, send_task_success

__all__ = [
    "DEFAULT_TIMEOUT_TOTAL",
    "INPUT_PATH",
    "PRE_DEPLOY_CHECKS",
    "Action",
    "Aws",
    "Change",
    "CheckContext",
    "ConnectionOptionError",
    "DeadlineExceeded",
    "DslWorkflowSource",
    "ExecutionSummary",
    "ForeignResourceError",
    "Machine",
    "Packager",
    "Plan",
    "StackConfig",
    "StackNames",
    "WheelDependencies",
    "build_zip",
    "check_definition",
    "default_packager",
    "deploy",
    "deployer_policy",
    "describe_execution",
    "destroy",
    "event_matches",
    "event_pattern",
    "execution_arn",
    "event_entry",
    "execution_definition",
    "execution_name",
    "history",
    "integration_grants",
    "integration_statements",
    "list_executions",
    "send_event",
    "send_task_failure",
    "send_task_success",
    "start_execution",
    "start_sync_execution",
    "states_policy",
    "wait_for_execution",
    "workflow_source",
]
