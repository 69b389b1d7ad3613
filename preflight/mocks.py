"""The one fake cloud: Pulumi mocks that answer like AWS, shared by the preflight and the tests.

Every resource gets what the real provider would compute: ids in AWS's shapes, ARNs in the
stack's region and a fixed account, endpoints and ports per engine, and random results that
obey the RandomPassword/RandomId inputs. Values are derived from the resource name, so two runs
of the same stack give the same plan.
"""

from __future__ import annotations

import hashlib
import random
import string
from collections.abc import Callable
from typing import Any

import pulumi

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
DEFAULT_VPC_ID = "vpc-0a1b2c3d4e5f60718"
DEFAULT_VPC_CIDR = "172.31.0.0/16"
DEFAULT_SUBNETS = [
    "subnet-0aa11bb22cc33dd44",
    "subnet-0bb22cc33dd44ee55",
    "subnet-0cc33dd44ee55ff66",
]
RDS_DOMAIN = "c9akciq32xyz"
# Each default VPC subnet is associated implicitly with the main route table; one more is custom.
DEFAULT_ROUTE_TABLES = ["rtb-0a1b2c3d4e5f60718", "rtb-0b2c3d4e5f6071829"]
# AWS-managed prefix lists of the gateway services (us-east-1's ids; one per region in AWS).
MANAGED_PREFIX_LISTS = {"s3": "pl-63a5400a", "dynamodb": "pl-02cd2c6b"}


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def _ident(name: str) -> str:
    """An AWS-style physical name: Pulumi's auto-naming appends a random suffix."""
    return f"{name.lower()}-{_hex(name, 7)}"


def _random_password(name: str, inputs: dict[str, Any]) -> str:
    length = int(inputs.get("length", 16))
    rng = random.Random(name)
    pools = []
    if inputs.get("upper", True):
        pools.append(string.ascii_uppercase)
    if inputs.get("lower", True):
        pools.append(string.ascii_lowercase)
    if inputs.get("numeric", True):
        pools.append(string.digits)
    if inputs.get("special", True):
        pools.append(inputs.get("overrideSpecial") or "!@#$%&*()-_=+[]{}<>:?")
    chars = [rng.choice(pool) for pool in pools]
    alphabet = "".join(pools)
    chars += [rng.choice(alphabet) for _ in range(length - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


class DbtierMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and provider calls the way AWS and pulumi-random would."""

    def __init__(self, region: str = DEFAULT_REGION) -> None:
        self.region = region

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:aws:{service}:{self.region if region else ''}:"
            f"{ACCOUNT_ID if account else ''}:{resource}"
        )

    def _zone_index(self, subnet_id: str) -> int:
        """The default VPC has one subnet per AZ, in AZ order; other subnets by their id's hash."""
        if subnet_id in DEFAULT_SUBNETS:
            return DEFAULT_SUBNETS.index(subnet_id)
        return int(_hex(subnet_id, 4), 16) % 3

    def zone_of(self, subnet_id: str) -> str:
        return f"{self.region}{'abc'[self._zone_index(subnet_id)]}"

    # -- provider functions --------------------------------------------------------------------

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        return self._function_result(args), []

    def _function_result(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        token = args.token
        if token == "aws:ec2/getVpc:getVpc":
            vpc_id = args.args.get("id") or DEFAULT_VPC_ID
            return {
                "id": vpc_id,
                "arn": self.arn("ec2", f"vpc/{vpc_id}"),
                "cidrBlock": DEFAULT_VPC_CIDR,
                "default": not args.args.get("id"),
            }
        if token == "aws:ec2/getSubnets:getSubnets":
            return {"id": self.region, "ids": DEFAULT_SUBNETS}
        if token == "aws:ec2/getSubnet:getSubnet":
            subnet_id = args.args.get("id") or DEFAULT_SUBNETS[0]
            return {
                "id": subnet_id,
                "arn": self.arn("ec2", f"subnet/{subnet_id}"),
                "vpcId": DEFAULT_VPC_ID,
                "availabilityZone": self.zone_of(subnet_id),
                "availabilityZoneId": f"use1-az{1 + self._zone_index(subnet_id)}",
                "cidrBlock": f"172.31.{16 * self._zone_index(subnet_id)}.0/20",
                "state": "available",
            }
        if token == "aws:ec2/getRouteTables:getRouteTables":
            return {"id": self.region, "ids": DEFAULT_ROUTE_TABLES}
        if token == "aws:ec2/getManagedPrefixList:getManagedPrefixList":
            name = args.args.get("name") or f"com.amazonaws.{self.region}.s3"
            service = name.rsplit(".", 1)[-1]
            list_id = args.args.get("id") or MANAGED_PREFIX_LISTS.get(service, "pl-0123abcd")
            return {
                "id": list_id,
                "name": name,
                "arn": self.arn("ec2", f"prefix-list/{list_id}", account=False),
                "addressFamily": "IPv4",
                "maxEntries": 0,
                "ownerId": "AWS",
                "entries": [],
            }
        if token == "aws:ec2/getVpcEndpoint:getVpcEndpoint":
            endpoint_id = args.args.get("id") or "vpce-0123456789abcdef0"
            return {
                "id": endpoint_id,
                "arn": self.arn("ec2", f"vpc-endpoint/{endpoint_id}"),
                "vpcId": args.args.get("vpcId") or DEFAULT_VPC_ID,
                "serviceName": args.args.get("serviceName") or "",
                "state": "available",
            }
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/dbtier",
                "id": ACCOUNT_ID,
                "userId": "AIDAEXAMPLEUSERID",
            }
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        if token == "aws:index/getRegion:getRegion":
            return {"region": self.region, "name": self.region, "id": self.region}
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            zones = [f"{self.region}{z}" for z in "abc"]
            return {
                "names": zones,
                "zoneIds": [f"use1-az{i}" for i in (1, 2, 4)],
                "id": self.region,
            }
        return {}

    # -- resources -------------------------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        inputs = dict(args.inputs)
        builder = _BUILDERS.get(args.typ)
        if builder is None:
            return f"{_ident(args.name)}", {**inputs, "arn": self._generic_arn(args.typ, args.name)}
        resource_id, outputs = builder(self, args.name, inputs)
        return resource_id, {**inputs, **outputs}

    def _generic_arn(self, typ: str, name: str) -> str:
        # "aws:sqs/queue:Queue" -> service "sqs", resource "queue/<name>"
        module = typ.split(":")[1].split("/", maxsplit=1)[0] if typ.startswith("aws:") else "pulumi"
        kind = typ.rsplit(":", 1)[-1].lower()
        return self.arn(module, f"{kind}/{_ident(name)}")


Builder = Callable[[DbtierMocks, str, dict[str, Any]], tuple[str, dict[str, Any]]]


def _random_password_builder(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    result = _random_password(name, i)
    return "none", {"result": result, "bcryptHash": "$2a$10$" + _hex(result, 53)}


def _random_id_builder(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    raw = bytes.fromhex(_hex(name, int(i.get("byteLength", 8)) * 2))
    return raw.hex(), {
        "hex": raw.hex(),
        "b64Url": raw.hex(),
        "b64Std": raw.hex(),
        "dec": str(int(raw.hex(), 16)),
    }


def _kms_key(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    key_id = f"{_hex(name, 8)}-{_hex(name + '1', 4)}-{_hex(name + '2', 4)}-{_hex(name + '3', 4)}-{_hex(name + '4', 12)}"
    return key_id, {"keyId": key_id, "arn": m.arn("kms", f"key/{key_id}")}


def _security_group(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    sg = f"sg-{_hex(name, 17)}"
    return sg, {"arn": m.arn("ec2", f"security-group/{sg}"), "name": i.get("name") or _ident(name)}


def _named(service: str, kind: str, name_key: str = "name") -> Builder:
    def build(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
        physical = i.get(name_key) or _ident(name)
        return physical, {name_key: physical, "arn": m.arn(service, f"{kind}{physical}")}

    return build


def _vpc_endpoint(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    endpoint_id = f"vpce-{_hex(name, 17)}"
    service = str(i.get("serviceName") or "")
    out: dict[str, Any] = {
        "arn": m.arn("ec2", f"vpc-endpoint/{endpoint_id}"),
        "state": "available",
        "ownerId": ACCOUNT_ID,
        "requesterManaged": False,
    }
    if (i.get("vpcEndpointType") or "Gateway") == "Gateway":
        out["prefixListId"] = MANAGED_PREFIX_LISTS.get(service.rsplit(".", 1)[-1], "pl-0123abcd")
        out["dnsEntries"] = []
        out["networkInterfaceIds"] = []
    else:
        dns = f"{endpoint_id}-{_hex(name + 'dns', 8)}.{service.rsplit('.', 1)[-1]}.{m.region}.vpce.amazonaws.com"
        out["dnsEntries"] = [{"dnsName": dns, "hostedZoneId": "Z7HUB22UULQXV"}]
        out["networkInterfaceIds"] = [
            f"eni-{_hex(name + str(n), 17)}" for n, _ in enumerate(i.get("subnetIds") or [])
        ]
    return endpoint_id, out


def _security_group_rule(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    rule = f"sgr-{_hex(name, 17)}"
    return rule, {"arn": m.arn("ec2", f"security-group-rule/{rule}"), "securityGroupRuleId": rule}


def _rds_instance(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    ident = i.get("identifier") or _ident(name)
    address = f"{ident}.{RDS_DOMAIN}.{m.region}.rds.amazonaws.com"
    return ident, {
        "identifier": ident,
        "address": address,
        "port": 3306,
        "endpoint": f"{address}:3306",
        "arn": m.arn("rds", f"db:{ident}"),
        "resourceId": f"db-{_hex(name, 26).upper()}",
        "engine": i.get("engine") or "mysql",
        # Where RDS put it: the requested zone, or one it picks.
        "availabilityZone": i.get("availabilityZone") or f"{m.region}a",
        **_master_user_secrets(m, "db", name, i),
    }


def _managed_secret_arn(m: DbtierMocks, prefix: str, name: str) -> str:
    """The ARN of a secret a service manages (RDS names them rds!db-<uuid>, rds!cluster-<uuid>)."""
    h = _hex(name + "managed", 32)
    uuid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    return m.arn("secretsmanager", f"secret:{prefix}-{uuid}-{_hex(name, 6)}")


def _master_user_secrets(m: DbtierMocks, kind: str, name: str, i: dict[str, Any]) -> dict:
    """RDS's managed master secret, present only with manageMasterUserPassword."""
    if not i.get("manageMasterUserPassword"):
        return {"masterUserSecrets": []}
    return {
        "masterUserSecrets": [
            {
                "secretArn": _managed_secret_arn(m, f"rds!{kind}", name),
                "kmsKeyId": i.get("masterUserSecretKmsKeyId") or "alias/aws/secretsmanager",
                "secretStatus": "active",
            }
        ]
    }


def _rds_cluster(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    ident = i.get("clusterIdentifier") or _ident(name)
    port = 5432 if i.get("engine") == "aurora-postgresql" else 3306
    return ident, {
        "clusterIdentifier": ident,
        "endpoint": f"{ident}.cluster-{RDS_DOMAIN}.{m.region}.rds.amazonaws.com",
        "readerEndpoint": f"{ident}.cluster-ro-{RDS_DOMAIN}.{m.region}.rds.amazonaws.com",
        "port": port,
        "arn": m.arn("rds", f"cluster:{ident}"),
        "clusterResourceId": f"cluster-{_hex(name, 26).upper()}",
        **_master_user_secrets(m, "cluster", name, i),
    }


def _rds_cluster_instance(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    ident = i.get("identifier") or _ident(name)
    return ident, {
        "identifier": ident,
        "endpoint": f"{ident}.{RDS_DOMAIN}.{m.region}.rds.amazonaws.com",
        "arn": m.arn("rds", f"db:{ident}"),
        "writer": i.get("promotionTier", 0) == 0,
        "availabilityZone": i.get("availabilityZone") or f"{m.region}a",
    }


def _redshift_cluster(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    ident = i.get("clusterIdentifier") or _ident(name)
    dns = f"{ident}.{_hex(name, 12)}.{m.region}.redshift.amazonaws.com"
    return ident, {
        "dnsName": dns,
        "endpoint": f"{dns}:5439",
        "port": 5439,
        "arn": m.arn("redshift", f"cluster:{ident}"),
        **(
            {"masterPasswordSecretArn": _managed_secret_arn(m, "redshift!cluster", name)}
            if i.get("manageMasterPassword")
            else {}
        ),
    }


def _redshift_workgroup(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    wg = i.get("workgroupName") or _ident(name)
    address = f"{wg}.{ACCOUNT_ID}.{m.region}.redshift-serverless.amazonaws.com"
    return wg, {
        "workgroupId": _hex(name, 32),
        "endpoints": [{"address": address, "port": 5439, "vpcEndpoints": []}],
        "port": 5439,
        "arn": m.arn("redshift-serverless", f"workgroup/{_hex(name, 32)}"),
    }


def _redshift_namespace(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    ns = i.get("namespaceName") or _ident(name)
    return ns, {
        "namespaceId": _hex(name, 32),
        "arn": m.arn("redshift-serverless", f"namespace/{_hex(name, 32)}"),
        **(
            {"adminPasswordSecretArn": _managed_secret_arn(m, "redshift!namespace", name)}
            if i.get("manageAdminPassword")
            else {}
        ),
    }


def _sar_stack(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    """A Serverless Application Repository stack: a CloudFormation stack named serverlessrepo-*;
    AWS's rotation applications output the function's ARN."""
    stack = f"serverlessrepo-{i.get('name') or _ident(name)}"
    stack_id = m.arn("cloudformation", f"stack/{stack}/{_hex(name, 8)}-{_hex(name + 's', 4)}")
    function = (i.get("parameters") or {}).get("functionName") or _ident(name)
    return stack_id, {
        "name": i.get("name") or _ident(name),
        "outputs": {"RotationLambdaARN": m.arn("lambda", f"function:{function}")},
    }


def _secret_rotation(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    return str(i.get("secretId") or _ident(name)), {"rotationEnabled": True}


def _iam_role(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    role = i.get("name") or _ident(name)
    return role, {
        "name": role,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{role}",
        "uniqueId": "AROA" + _hex(name, 17).upper(),
    }


def _secret(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    arn = m.arn("secretsmanager", f"secret:{_ident(name)}-{_hex(name, 6)}")
    return arn, {"arn": arn, "name": i.get("name") or _ident(name)}


def _dynamo_table(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    table = i.get("name") or _ident(name)
    arn = m.arn("dynamodb", f"table/{table}")
    out: dict[str, Any] = {"name": table, "arn": arn}
    if i.get("streamEnabled"):
        out["streamArn"] = f"{arn}/stream/2026-11-25T00:00:00.000"
        out["streamLabel"] = "2026-11-25T00:00:00.000"
    return table, out


def _replication_group(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    group = i.get("replicationGroupId") or _ident(name)
    host = f"{group}.{_hex(name, 6)}.ng.0001.use1.cache.amazonaws.com"
    cluster_mode = bool(i.get("clusterModeEnabled")) or i.get("clusterMode") == "enabled"
    if cluster_mode:
        shards = int(i.get("numNodeGroups") or 1)
        per_shard = 1 + int(i.get("replicasPerNodeGroup") or 0)
        members = [
            f"{group}-{s + 1:04d}-{n + 1:03d}" for s in range(shards) for n in range(per_shard)
        ]
    else:
        members = [f"{group}-{n + 1:03d}" for n in range(int(i.get("numCacheClusters") or 1))]
    out: dict[str, Any] = {
        "arn": m.arn("elasticache", f"replicationgroup:{group}"),
        "port": i.get("port") or 6379,
        "memberClusters": members,
    }
    if cluster_mode:
        out["configurationEndpointAddress"] = f"clustercfg.{host}"
    else:
        out["primaryEndpointAddress"] = f"master.{host}"
        out["readerEndpointAddress"] = f"replica.{host}"
    return group, out


def _lambda_function(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    fn = i.get("name") or _ident(name)
    arn = m.arn("lambda", f"function:{fn}")
    return fn, {
        "name": fn,
        "arn": arn,
        "invokeArn": arn,
        "qualifiedArn": f"{arn}:$LATEST",
        "version": "$LATEST",
    }


def _event_source_mapping(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    h = _hex(name, 32)
    uuid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    return uuid, {
        "uuid": uuid,
        "arn": m.arn("lambda", f"event-source-mapping:{uuid}"),
        "functionArn": i.get("functionName"),
        "state": "Enabled",
    }


def _metric_alarm(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    alarm = i.get("name") or _ident(name)
    return alarm, {"name": alarm, "arn": m.arn("cloudwatch", f"alarm:{alarm}")}


def _dashboard(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    board = i.get("dashboardName") or _ident(name)
    return board, {"dashboardArn": m.arn("cloudwatch", f"dashboard/{board}", region=False)}


def _sqs_queue(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    queue = i.get("name") or _ident(name)
    url = f"https://sqs.{m.region}.amazonaws.com/{ACCOUNT_ID}/{queue}"
    return url, {"name": queue, "arn": m.arn("sqs", queue), "url": url}


def _log_group(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    group = i.get("name") or _ident(name)
    return group, {"name": group, "arn": m.arn("logs", f"log-group:{group}")}


def _sns_topic(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    topic = i.get("name") or _ident(name)
    arn = m.arn("sns", topic)
    return arn, {"name": topic, "arn": arn}


def _signing_profile(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    # Signer appends a generated suffix to the prefix; a fixed one keeps the plan stable.
    profile = i.get("name") or f"{i.get('namePrefix') or 'profile_'}20260101000000000000000001"
    arn = m.arn("signer", f"/signing-profiles/{profile}")
    return profile, {
        "name": profile,
        "arn": arn,
        "version": "Ab12Cd34Ef",
        "versionArn": f"{arn}/Ab12Cd34Ef",
    }


def _s3_bucket(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    # S3 appends a generated suffix to bucket_prefix (26 characters); a fixed one keeps the plan
    # stable. A bucket's ARN has neither region nor account.
    bucket = i.get("bucket") or f"{i.get('bucketPrefix') or 'terraform-'}20260101000000000000000001"
    return bucket, {
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{m.region}.amazonaws.com",
        "region": m.region,
    }


def _s3_object(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    bucket, key = i.get("bucket") or _ident(name), i.get("key") or name
    return key, {
        "arn": f"arn:aws:s3:::{bucket}/{key}",
        # A versioned bucket gives every upload a 32-character version id.
        "versionId": _hex(f"{name}/version", 32),
        "etag": _hex(f"{name}/etag", 32),
    }


def _signing_job(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    job_id = f"{_hex(name, 8)}-{_hex(name + '1', 4)}-{_hex(name + '2', 4)}-{_hex(name + '3', 4)}-{_hex(name + '4', 12)}"
    destination = (i.get("destination") or {}).get("s3") or {}
    # Signer writes the signed copy as <prefix><job id>.zip in the destination bucket.
    signed = {
        "bucket": destination.get("bucket"),
        "key": f"{destination.get('prefix', '')}{job_id}.zip",
    }
    return job_id, {
        "jobId": job_id,
        "status": "Succeeded",
        "platformId": "AWSLambda-SHA384-ECDSA",
        "signedObjects": [{"s3s": [signed]}],
        "jobOwner": ACCOUNT_ID,
        "jobInvoker": ACCOUNT_ID,
    }


def _code_signing_config(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    config_id = f"csc-{_hex(name, 17)}"
    return m.arn("lambda", f"code-signing-config:{config_id}"), {
        "arn": m.arn("lambda", f"code-signing-config:{config_id}"),
        "configId": config_id,
    }


def _dms_instance(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    ident = i.get("replicationInstanceId") or _ident(name)
    arn = m.arn("dms", f"rep:{_hex(name, 26).upper()}")
    return ident, {"replicationInstanceArn": arn, "replicationInstancePrivateIps": ["10.0.1.25"]}


def _dms_endpoint(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    ident = i.get("endpointId") or _ident(name)
    return ident, {"endpointArn": m.arn("dms", f"endpoint:{_hex(name, 26).upper()}")}


def _dms_task(m: DbtierMocks, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    ident = i.get("replicationTaskId") or _ident(name)
    return ident, {
        "replicationTaskArn": m.arn("dms", f"task:{_hex(name, 26).upper()}"),
        "status": "ready",
    }


_BUILDERS: dict[str, Builder] = {
    "random:index/randomPassword:RandomPassword": _random_password_builder,
    "random:index/randomId:RandomId": _random_id_builder,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _named("kms", "", "name"),
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _security_group_rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _security_group_rule,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:rds/subnetGroup:SubnetGroup": _named("rds", "subgrp:"),
    "aws:backup/vault:Vault": _named("backup", "backup-vault:"),
    "aws:rds/parameterGroup:ParameterGroup": _named("rds", "pg:"),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": _named("rds", "cluster-pg:"),
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/cluster:Cluster": _rds_cluster,
    "aws:rds/clusterInstance:ClusterInstance": _rds_cluster_instance,
    "aws:redshift/cluster:Cluster": _redshift_cluster,
    "aws:redshift/subnetGroup:SubnetGroup": _named("redshift", "subnetgroup:"),
    "aws:redshift/parameterGroup:ParameterGroup": _named("redshift", "parametergroup:"),
    "aws:redshiftserverless/namespace:Namespace": _redshift_namespace,
    "aws:redshiftserverless/workgroup:Workgroup": _redshift_workgroup,
    "aws:elasticache/subnetGroup:SubnetGroup": _named("elasticache", "subnetgroup:"),
    "aws:elasticache/parameterGroup:ParameterGroup": _named("elasticache", "parametergroup:"),
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:iam/role:Role": _iam_role,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:secretsmanager/secretRotation:SecretRotation": _secret_rotation,
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": _sar_stack,
    "aws:dynamodb/table:Table": _dynamo_table,
    "aws:lambda/function:Function": _lambda_function,
    "aws:lambda/codeSigningConfig:CodeSigningConfig": _code_signing_config,
    "aws:signer/signingProfile:SigningProfile": _signing_profile,
    "aws:signer/signingJob:SigningJob": _signing_job,
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:s3/bucketObjectv2:BucketObjectv2": _s3_object,
    "aws:sqs/queue:Queue": _sqs_queue,
    "aws:lambda/eventSourceMapping:EventSourceMapping": _event_source_mapping,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:sns/topic:Topic": _sns_topic,
    "aws:dms/replicationInstance:ReplicationInstance": _dms_instance,
    "aws:dms/endpoint:Endpoint": _dms_endpoint,
    "aws:dms/replicationTask:ReplicationTask": _dms_task,
}
