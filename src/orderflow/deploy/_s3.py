"""S3 buckets as deploy resources: one per bucket the app declares (``App(buckets=...)``).

Each bucket is named ``{prefix}-{bucket}``, tagged like every resource of the stack, and
closed to the public (all four public-access blocks on). Services get ``s3:PutObject`` on
their own key prefix only (see :func:`orderflow.deploy._iam.lambda_policy`). ``destroy``
empties a bucket (every object version) before deleting it, since S3 refuses to delete a
bucket that holds objects.

S3 API operations and IAM actions do not share names (``HeadBucket`` is authorised by
``s3:ListBucket``), so :data:`DEPLOYER_S3_ACTIONS` maps each operation deploy and destroy
call to the IAM action the deployer needs for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from orderflow._errors import DeployError
from orderflow.deploy._aws import Aws, calling, error_code
from orderflow.deploy._plan import View
from orderflow.deploy._tags import as_key_value, from_key_value, is_ours

PUBLIC_ACCESS_BLOCK: Final = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
"""Every bucket deploy makes is private."""

DEPLOYER_S3_ACTIONS: Final[Mapping[str, str]] = {
    "HeadBucket": "s3:ListBucket",
    "CreateBucket": "s3:CreateBucket",
    "DeleteBucket": "s3:DeleteBucket",
    "GetBucketTagging": "s3:GetBucketTagging",
    "PutBucketTagging": "s3:PutBucketTagging",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "ListObjectVersions": "s3:ListBucketVersions",
    "DeleteObjects": "s3:DeleteObject",
    "ListBuckets": "s3:ListAllMyBuckets",
}
"""S3 API operation deploy/destroy calls -> the IAM action that authorises it."""

_MISSING: Final = frozenset({"404", "NoSuchBucket", "NotFound"})


def bucket_arn(name: str, partition: str = "aws") -> str:
    """``arn:aws:s3:::{name}`` (bucket ARNs carry no region or account)."""
    return f"arn:{partition}:s3:::{name}"


@dataclass(frozen=True)
class BucketResource:
    """One S3 bucket.

    Attributes:
        name: the bucket name (``shop-archive``).
        prefix: the stack prefix.
        region: where it is created.
        tags: its tags.
    """

    name: str
    prefix: str
    region: str
    tags: Mapping[str, str]
    kind: str = field(default="S3 bucket", init=False)

    @property
    def _label(self) -> str:
        return f"{self.kind} {self.name}"

    def desired(self) -> View:
        return {"PublicAccessBlock": dict(PUBLIC_ACCESS_BLOCK), "Tags": dict(self.tags)}

    def read(self, aws: Aws) -> View | None:
        client = aws.client("s3")
        try:
            client.head_bucket(Bucket=self.name)
        except Exception as exc:
            if error_code(exc) in _MISSING:
                return None
            if error_code(exc) in ("403", "AccessDenied"):
                raise DeployError(
                    f"{self._label} exists and belongs to someone else (S3 bucket names are "
                    "global); choose another --prefix"
                ) from None
            with calling(self._label, "s3:HeadBucket"):
                raise
        tags = bucket_tags(aws, self.name)
        if not is_ours(tags, self.prefix):
            raise DeployError(
                f"{self._label} exists but was not made by orderflow for prefix "
                f"{self.prefix!r}; refusing to change it (choose another --prefix)"
            )
        try:
            block = client.get_public_access_block(Bucket=self.name)[
                "PublicAccessBlockConfiguration"
            ]
        except Exception as exc:
            if error_code(exc) != "NoSuchPublicAccessBlockConfiguration":
                with calling(self._label, "s3:GetPublicAccessBlock"):
                    raise
            block = {}
        return {"PublicAccessBlock": dict(block), "Tags": tags}

    def create(self, aws: Aws) -> None:
        client = aws.client("s3")
        kwargs: dict[str, Any] = {"Bucket": self.name}
        # us-east-1 is the one region that refuses an explicit LocationConstraint.
        if self.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        with calling(self._label, "s3:CreateBucket"):
            client.create_bucket(**kwargs)
        self._configure(aws)

    def refusal(self, actual: View) -> str | None:
        return None

    def update(self, aws: Aws, actual: View) -> None:
        self._configure(aws)

    def _configure(self, aws: Aws) -> None:
        client = aws.client("s3")
        with calling(self._label, "s3:PutBucketTagging"):
            client.put_bucket_tagging(Bucket=self.name, Tagging={"TagSet": as_key_value(self.tags)})
        with calling(self._label, "s3:PutPublicAccessBlock"):
            client.put_public_access_block(
                Bucket=self.name, PublicAccessBlockConfiguration=dict(PUBLIC_ACCESS_BLOCK)
            )


def bucket_tags(aws: Aws, name: str) -> dict[str, str]:
    """A bucket's tags (empty when it has none)."""
    try:
        response = aws.client("s3").get_bucket_tagging(Bucket=name)
    except Exception as exc:
        if error_code(exc) == "NoSuchTagSet":
            return {}
        with calling(f"S3 bucket {name}", "s3:GetBucketTagging"):
            raise
    return from_key_value(response.get("TagSet", []))


def stack_buckets(aws: Aws, prefix: str) -> list[str]:
    """The names of the buckets starting with ``{prefix}-``, sorted."""
    with calling(f"S3 buckets {prefix}-*", "s3:ListBuckets"):
        buckets = aws.client("s3").list_buckets().get("Buckets", [])
    return sorted(str(b["Name"]) for b in buckets if str(b["Name"]).startswith(f"{prefix}-"))


def delete_bucket(aws: Aws, name: str) -> int:
    """Delete every object version of a bucket, then the bucket; return how many objects
    were deleted (an already-deleted bucket is fine)."""
    client = aws.client("s3")
    deleted = 0
    try:
        paginator = client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=name):
            doomed = [
                {"Key": item["Key"], "VersionId": item["VersionId"]}
                for kind in ("Versions", "DeleteMarkers")
                for item in page.get(kind, [])
            ]
            # DeleteObjects takes at most 1000 keys; a page holds at most 1000.
            if doomed:
                client.delete_objects(Bucket=name, Delete={"Objects": doomed, "Quiet": True})
                deleted += len(doomed)
        client.delete_bucket(Bucket=name)
    except Exception as exc:
        if error_code(exc) in _MISSING:
            return deleted
        with calling(f"S3 bucket {name}", "s3:DeleteBucket"):
            raise
    return deleted


__all__ = [
    "DEPLOYER_S3_ACTIONS",
    "PUBLIC_ACCESS_BLOCK",
    "BucketResource",
    "bucket_arn",
    "bucket_tags",
    "delete_bucket",
    "stack_buckets",
]
