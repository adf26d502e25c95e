"""A correct snippet: a Parallel with more branches than the per-branch overloads cover."""

from collections.abc import Callable

from orderflow.asl import Definition
from orderflow.dsl import Flow, render, workflow
from orderflow.orders import GetUserInput, OrderRequest, User, get_user

BRANCHES = 8


def user_branch(state: str) -> Callable[[Flow[OrderRequest]], User]:
    def branch(flow: Flow[OrderRequest]) -> User:
        return flow.task(state, get_user).call(GetUserInput, user_id=flow.input.user_id)

    return branch


@workflow("many", input_model=OrderRequest)
def many(flow: Flow[OrderRequest]) -> None:
    results = flow.parallel(
        "P",
        user_branch("Get0"),
        user_branch("Get1"),
        user_branch("Get2"),
        user_branch("Get3"),
        user_branch("Get4"),
        user_branch("Get5"),
        user_branch("Get6"),
        user_branch("Get7"),
    )
    last: User = results[BRANCHES - 1]
    flow.task("Use", get_user).call(GetUserInput, user_id=last.user_id)


definition: Definition = render(many)
