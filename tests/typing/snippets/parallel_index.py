"""A mis-wiring snippet: each line marked `# E:` must fail mypy with that error."""

# ruff: noqa: E501, RUF059 - each marked line holds the code and the error mypy must report
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, OrderRequest, User, get_user


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    def one(b: Flow[OrderRequest]) -> User:
        return b.task("One", get_user).call(GetUserInput, user_id=b.input.user_id)

    def two(b: Flow[OrderRequest]) -> User:
        return b.task("Two", get_user).call(GetUserInput, user_id=b.input.user_id)

    def three(b: Flow[OrderRequest]) -> User:
        return b.task("Three", get_user).call(GetUserInput, user_id=b.input.user_id)

    result = flow.parallel("P", one, two, three)
    # fmt: off
    flow.task("Use", get_user).call(GetUserInput, user_id=result[3].user_id)  # E: misc Tuple index out of range
    a, b, c, d = flow.parallel("Q", one, two, three)  # E: misc Need more than 3 values to unpack (4 expected)
