"""DynamoDB tables as deploy resources: one per logical table the deployed services use.

Each table has exactly the partition key the storage layer queries
(the app's ``tables``), a string, and on-demand billing. A key schema cannot be
changed in place, and replacing a table would lose its data, so a mismatch stops deploy with
a message instead of recreating anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orderflow._errors import DeployError
from orderflow.deploy._adopt import create_or_adopt, require_ours
from orderflow.deploy._aws import Aws, calling, error_code
from orderflow.deploy._plan import View
from orderflow.deploy._tags import as_key_value, from_key_value, tag_changes

BILLING_MODE = "PAY_PER_REQUEST"


@dataclass(frozen=True)
class TableResource:
    """One DynamoDB table.

    Attributes:
        name: the physical table name (``shop-users``).
        arn: its ARN.
        prefix: the stack prefix.
        key: the partition key attribute (a string).
        tags: the table's tags.
    """

    name: str
    arn: str
    prefix: str
    key: str
    tags: Mapping[str, str]
    kind: str = field(default="DynamoDB table", init=False)

    @property
    def _label(self) -> str:
        return f"{self.kind} {self.name}"

    def desired(self) -> View:
        return {
            "KeySchema": [{"AttributeName": self.key, "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": self.key, "AttributeType": "S"}],
            "BillingMode": BILLING_MODE,
            "Tags": dict(self.tags),
        }

    def _describe(self, aws: Aws) -> dict[str, Any] | None:
        try:
            table: dict[str, Any] = aws.client("dynamodb").describe_table(TableName=self.name)[
                "Table"
            ]
        except Exception as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            with calling(self._label, "dynamodb:DescribeTable"):
                raise
        return table

    def read(self, aws: Aws) -> View | None:
        client = aws.client("dynamodb")
        table = self._describe(aws)
        # Right after a destroy the table may still be going away: wait, then create anew.
        with aws.waiting(f"{self._label} to be deleted") as wait:
            for _ in range(60):
                if table is None or table.get("TableStatus") != "DELETING":
                    break
                wait(2.0)
                table = self._describe(aws)
        if table is None:
            return None
        if table.get("TableStatus") == "DELETING":
            raise DeployError(f"{self._label} is still being deleted; try again later")
        with calling(self._label, "dynamodb:ListTagsOfResource"):
            tags = from_key_value(
                client.list_tags_of_resource(ResourceArn=table["TableArn"]).get("Tags", [])
            )
        require_ours(self.kind, self.name, tags, self.prefix)
        return {
            "KeySchema": table["KeySchema"],
            "AttributeDefinitions": sorted(
                table["AttributeDefinitions"], key=lambda a: a["AttributeName"]
            ),
            "BillingMode": (table.get("BillingModeSummary") or {}).get(
                "BillingMode", "PROVISIONED"
            ),
            "Tags": tags,
        }

    def create(self, aws: Aws) -> None:
        client = aws.client("dynamodb")
        create_or_adopt(
            aws,
            self,
            "dynamodb:CreateTable",
            lambda: client.create_table(
                TableName=self.name,
                KeySchema=[{"AttributeName": self.key, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": self.key, "AttributeType": "S"}],
                BillingMode=BILLING_MODE,
                Tags=as_key_value(self.tags),
            ),
            codes={"ResourceInUseException"},
        )
        self._wait_active(aws)

    def refusal(self, actual: View) -> str | None:
        desired = self.desired()
        if actual["KeySchema"] != desired["KeySchema"]:
            return (
                f"{self._label} has key {actual['KeySchema']}, the services query "
                f"{desired['KeySchema']}; DynamoDB cannot change a key in place and recreating "
                "the table would lose its data: back it up and run `orderflow destroy` first"
            )
        return None

    def update(self, aws: Aws, actual: View) -> None:
        client = aws.client("dynamodb")
        reason = self.refusal(actual)
        if reason:
            raise DeployError(reason)
        if actual["BillingMode"] != BILLING_MODE:
            with calling(self._label, "dynamodb:UpdateTable"):
                client.update_table(TableName=self.name, BillingMode=BILLING_MODE)
            self._wait_active(aws)
        to_set, to_remove = tag_changes(self.tags, actual["Tags"])
        if to_set:
            with calling(self._label, "dynamodb:TagResource"):
                client.tag_resource(ResourceArn=self.arn, Tags=as_key_value(to_set))
        if to_remove:
            with calling(self._label, "dynamodb:UntagResource"):
                client.untag_resource(ResourceArn=self.arn, TagKeys=to_remove)

    def _wait_active(self, aws: Aws, *, attempts: int = 60, delay: float = 2.0) -> None:
        client = aws.client("dynamodb")
        with aws.waiting(f"{self._label} to become ACTIVE") as wait:
            for _ in range(attempts):
                with calling(self._label, "dynamodb:DescribeTable"):
                    status = client.describe_table(TableName=self.name)["Table"]["TableStatus"]
                if status == "ACTIVE":
                    return
                wait(delay)
        raise DeployError(f"{self._label}: still not ACTIVE after {attempts * delay:.0f}s")


def delete_table(aws: Aws, name: str) -> None:
    """Delete a table (already-deleted is fine)."""
    try:
        aws.client("dynamodb").delete_table(TableName=name)
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return
        with calling(f"DynamoDB table {name}", "dynamodb:DeleteTable"):
            raise


__all__ = ["BILLING_MODE", "TableResource", "delete_table"]
