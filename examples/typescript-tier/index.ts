// A platform team's program: its VPC, subnet groups and security groups exist already; it adds
// dbtier's RDS database, Redis cluster and a DynamoDB table from the dbtier component package.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as dbtier from "@pulumi/dbtier";

const platform = new pulumi.StackReference("platform/network/prod");
const provider = new aws.Provider("aws", { region: "eu-west-1" });
const key = new aws.kms.Key("data", { description: "typescript-tier data", enableKeyRotation: true }, { provider });

const database = new dbtier.RelationalTier("orders-db", {
    subnetGroupName: platform.requireOutput("dbSubnetGroupName") as pulumi.Output<string>,
    securityGroupId: platform.requireOutput("dbSecurityGroupId") as pulumi.Output<string>,
    kmsKeyArn: key.arn,
    engine: "postgres",
    instanceClass: "db.m7g.large",
    allocatedStorage: 100,
    multiAz: true,
    readReplicas: 2,
    backupRetentionDays: 14,
    credentials: { mode: "generated", rotationDays: 30 },
    rotationSecurityGroupId: platform.requireOutput("rotationSecurityGroupId") as pulumi.Output<string>,
    rotationSubnetIds: platform.requireOutput("privateSubnetIds") as pulumi.Output<string[]>,
    parameters: { max_connections: 500 },
}, { providers: [provider] });

const cache = new dbtier.RedisCluster("sessions", {
    subnetGroupName: platform.requireOutput("cacheSubnetGroupName") as pulumi.Output<string>,
    securityGroupId: platform.requireOutput("cacheSecurityGroupId") as pulumi.Output<string>,
    kmsKeyArn: key.arn,
    engine: "valkey",
    nodes: 2,
}, { providers: [provider] });

const orders = new dbtier.DynamoTable("orders", {
    kmsKeyArn: key.arn,
    name: "Orders",
    hashKey: "customerId",
    rangeKey: "placedAt",
    attributes: { customerId: "S", placedAt: "N", status: "S" },
    indexes: [{ name: "ByStatus", hashKey: "status", rangeKey: "placedAt", readCapacity: 10, writeCapacity: 10 }],
    billingMode: "PROVISIONED",
    readCapacity: 10,
    writeCapacity: 10,
    autoscaling: { minCapacity: 5, maxCapacity: 100, targetUtilization: 70 },
}, { providers: [provider] });

export const databaseEndpoint = database.endpoint;
export const databaseSecretArn = database.secretArn;
export const cacheEndpoint = cache.primaryEndpoint;
export const ordersTable = orders.tableName;
export const ordersReadPolicy = orders.policies.apply(p => p["read"]);
