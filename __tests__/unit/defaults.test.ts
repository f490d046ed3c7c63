/** Every default and name pattern is written once, or this proves the copies agree. */
import schema from "../../config/schema.json";
import { LAMBDA_DEFAULTS, MAX_SECONDARY_ADDRESSES, NAT_INSTANCE_DEFAULTS, NAT_PLACEMENTS, NETWORK_DEFAULTS, awsIdPattern, planNetwork } from "../../constructs";
import { NAME_PATTERN } from "../../constructs/network-plan";
import { DEFAULT_PORTS, DEFAULT_TLS, TLS_MODES } from "../../lambda-src/settings";
import { DEFAULT_KEY_PREFIX, DEFAULT_NONCURRENT_VERSION_DAYS, loadConfig } from "../../stacks/config";
import { LOCAL_CONFIG } from "../helpers/config";

const props = schema.properties;
const lambda = props.lambda.properties;
const db = lambda.database.properties;

describe("one source of truth", () => {
  it("the schema's Lambda defaults are the construct's", () => {
    expect(lambda.memoryMb.default).toBe(LAMBDA_DEFAULTS.memoryMb);
    expect(lambda.timeoutSeconds.default).toBe(LAMBDA_DEFAULTS.timeoutSeconds);
    expect(lambda.logRetentionDays.default).toBe(LAMBDA_DEFAULTS.logRetentionDays);
  });

  it("the schema's TLS default and modes are the probe's", () => {
    expect(db.tls.default).toBe(DEFAULT_TLS);
    expect(db.tls.enum).toEqual([...TLS_MODES]);
    expect(db.engine.enum.sort()).toEqual(Object.keys(DEFAULT_PORTS).sort());
  });

  it("the schema's name pattern and NAT modes are the construct's", () => {
    expect(props.name.pattern).toBe(NAME_PATTERN.source);
    expect(props.network.properties.natPlacement.enum).toEqual([...NAT_PLACEMENTS]);
    expect(props.network.properties.natGateways.enum).toEqual([...NAT_PLACEMENTS]);
  });

  it("walks every network default: the schema gives the same, and the plan applies it when the prop is left out", () => {
    const net = props.network.properties as Record<string, { default?: unknown; description?: string; properties?: Record<string, { description?: string }> }>;
    // How the schema states each default: as its JSON Schema default, or in words where it depends on another key.
    const inSchema: Record<keyof typeof NETWORK_DEFAULTS, () => void> = {
      vpcCidr: () => expect(net.vpcCidr.description).toContain(`default ${NETWORK_DEFAULTS.vpcCidr}`),
      natPlacement: () => expect(net.natPlacement.default).toBe(NETWORK_DEFAULTS.natPlacement),
      natProvider: () => expect(net.natProvider.default).toBe(NETWORK_DEFAULTS.natProvider),
      protectEgressIps: () => expect(net.protectEgressIps.default).toBe(NETWORK_DEFAULTS.protectEgressIps),
      mapPublicIpOnLaunch: () => expect(net.mapPublicIpOnLaunch.default).toBe(NETWORK_DEFAULTS.mapPublicIpOnLaunch),
      s3Endpoint: () => expect(net.s3Endpoint.default).toBe(NETWORK_DEFAULTS.s3Endpoint),
      flowLogRetentionDays: () => expect(net.flowLogs.properties!.retentionDays.description).toContain(`Default: ${NETWORK_DEFAULTS.flowLogRetentionDays}`),
      natGatewaySecondaryEips: () => {
        expect(net.natGatewaySecondaryEips.default).toBe(NETWORK_DEFAULTS.natGatewaySecondaryEips);
        // AWS's ceiling, written once: the schema's maximum is the construct's.
        expect((net.natGatewaySecondaryEips as { maximum?: number }).maximum).toBe(MAX_SECONDARY_ADDRESSES);
      },
    };
    expect(Object.keys(inSchema).sort()).toEqual(Object.keys(NETWORK_DEFAULTS).sort());
    for (const check of Object.values(inSchema)) check();
    const plan = planNetwork({ name: "demo", availabilityZones: ["ap-northeast-1a"], publicSubnetCidrs: ["10.0.0.0/24"], privateSubnetCidrs: ["10.0.10.0/24"], flowLogs: {} });
    expect(plan).toMatchObject({
      vpcCidr: NETWORK_DEFAULTS.vpcCidr,
      natPlacement: NETWORK_DEFAULTS.natPlacement,
      natProvider: { kind: NETWORK_DEFAULTS.natProvider },
      protectEgressIps: NETWORK_DEFAULTS.protectEgressIps,
      mapPublicIpOnLaunch: NETWORK_DEFAULTS.mapPublicIpOnLaunch,
      s3Endpoint: NETWORK_DEFAULTS.s3Endpoint,
      flowLogs: { retentionDays: NETWORK_DEFAULTS.flowLogRetentionDays },
      natGatewaySecondaryEips: NETWORK_DEFAULTS.natGatewaySecondaryEips,
      problems: [],
    });
  });

  it("the schema's id patterns for adopted resources are the construct's", () => {
    const adopt = props.network.properties.adopt.properties;
    expect((adopt.publicSubnets.items.oneOf[0] as typeof adopt.privateSubnets.items).properties.id.pattern).toBe(awsIdPattern("subnet").source);
    expect(adopt.privateSubnets.items.properties.id.pattern).toBe(awsIdPattern("subnet").source);
    expect(adopt.publicRouteTables.items.properties.id.pattern).toBe(awsIdPattern("rtb").source);
    expect(adopt.privateRouteTables.items.properties.id.pattern).toBe(awsIdPattern("rtb").source);
    expect(adopt.natGateways.items.properties.id.pattern).toBe(awsIdPattern("nat").source);
    expect(adopt.natGateways.items.properties.allocationId.pattern).toBe(awsIdPattern("eipalloc").source);
  });

  it("the schema's NAT instance type default is the construct's", () => {
    expect(props.network.properties.natInstanceType.default).toBe(NAT_INSTANCE_DEFAULTS.instanceType);
    expect(props.network.properties.natProvider.default).toBe("gateway");
    expect(loadConfig(LOCAL_CONFIG).network).toMatchObject({ natProvider: "gateway", natInstanceType: NAT_INSTANCE_DEFAULTS.instanceType });
  });

  it("the loader applies the state defaults the schema describes", () => {
    const c = loadConfig(LOCAL_CONFIG);
    expect(c.backend).toMatchObject({ keyPrefix: DEFAULT_KEY_PREFIX, noncurrentVersionDays: DEFAULT_NONCURRENT_VERSION_DAYS });
    expect(props.backend.properties.keyPrefix.description).toContain(`Default: ${DEFAULT_KEY_PREFIX}`);
    expect(props.backend.properties.noncurrentVersionDays.description).toContain(`Default: ${DEFAULT_NONCURRENT_VERSION_DAYS}`);
  });
});
