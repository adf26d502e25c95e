"""IAM roles as deploy resources: trust policy, inline policies and tags, kept in sync.

A stack role carries no managed policies: one attached by hand shows as drift
(``- ManagedPolicies[0]: …``) and deploy detaches it, and destroy detaches any before it
deletes the role (IAM refuses to delete a role with attached policies).

The policy documents themselves come from :mod:`orderflow.deploy._iam`; this module only
reads roles back from IAM and creates or updates them. Roles live under the stack's IAM
path (``/orderflow/<prefix>/``) so destroy can list exactly them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from orderflow._errors import DeployError
from orderflow.deploy._adopt import create_or_adopt, require_ours
from orderflow.deploy._aws import Aws, calling, error_code
from orderflow.deploy._iam import Policy
from orderflow.deploy._plan import View
from orderflow.deploy._tags import as_key_value, from_key_value, tag_changes

_NOT_FOUND = "NoSuchEntity"


@dataclass(frozen=True)
class RoleResource:
    """One IAM role of the stack.

    Attributes:
        name: the role name.
        path: the IAM path (``/orderflow/<prefix>/``).
        prefix: the stack prefix (to recognise a role as ours).
        trust: the trust (assume-role) policy.
        policies: inline policy name -> document.
        tags: the role's tags.
        description: shown in the IAM console.
    """

    name: str
    path: str
    prefix: str
    trust: Policy
    policies: Mapping[str, Policy]
    tags: Mapping[str, str]
    description: str = ""
    kind: str = field(default="IAM role", init=False)

    @property
    def _label(self) -> str:
        return f"{self.kind} {self.name}"

    def desired(self) -> View:
        return {
            "Path": self.path,
            "AssumeRolePolicyDocument": self.trust,
            "Policies": dict(self.policies),
            "ManagedPolicies": [],
            "Tags": dict(self.tags),
        }

    def read(self, aws: Aws) -> View | None:
        iam = aws.client("iam")
        try:
            role = iam.get_role(RoleName=self.name)["Role"]
        except Exception as exc:
            if error_code(exc) == _NOT_FOUND:
                return None
            with calling(self._label, "iam:GetRole"):
                raise
        with calling(self._label, "iam:ListRoleTags"):
            tags = from_key_value(iam.list_role_tags(RoleName=self.name).get("Tags", []))
        require_ours(self.kind, self.name, tags, self.prefix)
        policies: dict[str, Any] = {}
        with calling(self._label, "iam:ListRolePolicies"):
            names = iam.list_role_policies(RoleName=self.name).get("PolicyNames", [])
        for policy_name in names:
            with calling(self._label, "iam:GetRolePolicy"):
                document = iam.get_role_policy(RoleName=self.name, PolicyName=policy_name)
            policies[policy_name] = _document(document["PolicyDocument"])
        with calling(self._label, "iam:ListAttachedRolePolicies"):
            managed = attached_policies(aws, self.name)
        return {
            "Path": role["Path"],
            "AssumeRolePolicyDocument": _document(role["AssumeRolePolicyDocument"]),
            "Policies": policies,
            "ManagedPolicies": managed,
            "Tags": tags,
        }

    def create(self, aws: Aws) -> None:
        iam = aws.client("iam")
        adopted = create_or_adopt(
            aws,
            self,
            "iam:CreateRole",
            lambda: iam.create_role(
                RoleName=self.name,
                Path=self.path,
                AssumeRolePolicyDocument=_dumps(self.trust),
                Description=self.description,
                Tags=as_key_value(self.tags),
            ),
            codes={"EntityAlreadyExists"},
        )
        if adopted is None:
            self._put_policies(aws, {})

    def refusal(self, actual: View) -> str | None:
        if actual["Path"] != self.path:
            return (
                f"{self._label} has path {actual['Path']!r}, expected {self.path!r}; IAM cannot "
                "move a role: run `orderflow destroy` first"
            )
        return None

    def update(self, aws: Aws, actual: View) -> None:
        iam = aws.client("iam")
        reason = self.refusal(actual)
        if reason:
            raise DeployError(reason)
        if actual["AssumeRolePolicyDocument"] != self.trust:
            with calling(self._label, "iam:UpdateAssumeRolePolicy"):
                iam.update_assume_role_policy(RoleName=self.name, PolicyDocument=_dumps(self.trust))
        self._put_policies(aws, actual["Policies"])
        for policy_arn in actual.get("ManagedPolicies", []):
            with calling(self._label, "iam:DetachRolePolicy"):
                iam.detach_role_policy(RoleName=self.name, PolicyArn=policy_arn)
        sync_tags = tag_changes(self.tags, actual["Tags"])
        if sync_tags[0]:
            with calling(self._label, "iam:TagRole"):
                iam.tag_role(RoleName=self.name, Tags=as_key_value(sync_tags[0]))
        if sync_tags[1]:
            with calling(self._label, "iam:UntagRole"):
                iam.untag_role(RoleName=self.name, TagKeys=sync_tags[1])

    def _put_policies(self, aws: Aws, actual: Mapping[str, Any]) -> None:
        iam = aws.client("iam")
        for policy_name, document in sorted(self.policies.items()):
            if actual.get(policy_name) != document:
                with calling(self._label, "iam:PutRolePolicy"):
                    iam.put_role_policy(
                        RoleName=self.name, PolicyName=policy_name, PolicyDocument=_dumps(document)
                    )
        for policy_name in sorted(set(actual) - set(self.policies)):
            with calling(self._label, "iam:DeleteRolePolicy"):
                iam.delete_role_policy(RoleName=self.name, PolicyName=policy_name)


def _dumps(policy: Policy) -> str:
    return json.dumps(policy, sort_keys=True)


def _document(value: Any) -> Any:
    """A policy document as JSON data (boto3 decodes IAM's URL-encoded JSON; be sure)."""
    if isinstance(value, str):
        return json.loads(unquote(value))
    return value


def attached_policies(aws: Aws, name: str) -> list[str]:
    """The ARNs of the managed policies attached to role ``name``, sorted."""
    paginator = aws.client("iam").get_paginator("list_attached_role_policies")
    return sorted(
        policy["PolicyArn"]
        for page in paginator.paginate(RoleName=name)
        for policy in page.get("AttachedPolicies", [])
    )


def delete_role(aws: Aws, name: str) -> None:
    """Delete a role with its inline policies, after detaching any managed policies
    (already-deleted is fine)."""
    iam = aws.client("iam")
    label = f"IAM role {name}"
    try:
        for policy_arn in attached_policies(aws, name):
            iam.detach_role_policy(RoleName=name, PolicyArn=policy_arn)
        names = iam.list_role_policies(RoleName=name).get("PolicyNames", [])
        for policy_name in names:
            iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
        iam.delete_role(RoleName=name)
    except Exception as exc:
        if error_code(exc) == _NOT_FOUND:
            return
        with calling(label, "iam:DeleteRole"):
            raise


__all__ = ["RoleResource", "attached_policies", "delete_role"]
