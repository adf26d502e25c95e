from __future__ import annotations

import pytest

from orderflow._errors import ContractError
from orderflow.orders import GetUserInput, User, UserInactive, UserNotFound, get_user
from orderflow.runtime import ServiceDeps


def test_known_active_user(deps: ServiceDeps) -> None:
    user = get_user(GetUserInput(user_id="u-100"), deps)
    assert user == User(user_id="u-100", email="ada@example.com", status="active", credit_score=720)


def test_unknown_user_is_user_not_found(deps: ServiceDeps) -> None:
    with pytest.raises(UserNotFound, match="u-404"):
        get_user(GetUserInput(user_id="u-404"), deps)


def test_suspended_user_is_user_inactive(deps: ServiceDeps) -> None:
    with pytest.raises(UserInactive, match="suspended") as info:
        get_user(GetUserInput(user_id="u-300"), deps)
    assert info.value.error_name == "UserInactive"


def test_contract_is_strict(deps: ServiceDeps) -> None:
    with pytest.raises(ContractError, match="user_id"):
        get_user.invoke_json({"user_id": 100}, deps)
    with pytest.raises(ContractError, match=r"(?i)extra"):
        get_user.invoke_json({"user_id": "u-100", "admin": True}, deps)
    with pytest.raises(ContractError):
        get_user.invoke_json({"user_id": ""}, deps)


def test_credit_score_bounds() -> None:
    with pytest.raises(ValueError):
        User(user_id="u", email="a@b.co", status="active", credit_score=299)
    with pytest.raises(ValueError):
        User.model_validate(
            {"user_id": "u", "email": "a@b.co", "status": "active", "credit_score": "700"}
        )
