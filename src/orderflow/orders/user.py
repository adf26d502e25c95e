"""The user service: look a user up by id.

Contract: ``GetUserInput`` -> ``User``; errors ``UserNotFound`` (no such id) and
``UserInactive`` (the account is suspended). No money is involved.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from orderflow import ServiceError
from orderflow.orders._fields import CreditScore, Email, Id
from orderflow.orders._metrics import ORDERS_REJECTED, rejected
from orderflow.runtime import Service, ServiceDeps


class GetUserInput(BaseModel):
    """Request for ``get-user``."""

    model_config = ConfigDict(extra="forbid")

    user_id: Id = Field(description="The id of the user to look up.")


class User(BaseModel):
    """A user as the workflow sees it."""

    model_config = ConfigDict(extra="forbid")

    user_id: Id = Field(description="The user's id.")
    email: Email = Field(description="Where order confirmations are sent.")
    status: Literal["active", "suspended"] = Field(
        description="Only active users may place orders."
    )
    credit_score: CreditScore = Field(description="Credit score, 300..850; payment uses it.")


class UserNotFound(ServiceError):
    """No user has the requested id."""


class UserInactive(ServiceError):
    """The user exists but is suspended, so may not order."""


def _get_user(request: GetUserInput, deps: ServiceDeps) -> User:
    item = deps.store.table("users").get(request.user_id)
    if item is None:
        raise rejected(deps, UserNotFound(f"no user with id {request.user_id!r}"))
    user = User.model_validate(item)
    if user.status != "active":
        raise rejected(deps, UserInactive(f"user {user.user_id!r} is {user.status}"))
    return user


get_user: Service[GetUserInput, User] = Service(
    name="get-user",
    handler=_get_user,
    input_model=GetUserInput,
    output_model=User,
    errors=(UserNotFound, UserInactive),
    description="Look up an active user by id (email, status, credit score).",
    reads=("users",),
    metrics=(ORDERS_REJECTED,),
)

__all__ = ["GetUserInput", "User", "UserInactive", "UserNotFound", "get_user"]
