/**
 * The emulator refuses what AWS refuses (scripts/moto_server.py, patches 5 and 6): an Elastic IP a NAT Gateway
 * holds cannot be disassociated, released or associated elsewhere (AuthFailure) until the gateway lets go of it;
 * an address on an interface moves to another when AllowReassociation is left out, as "reassociation is
 * automatic" in a VPC, and only AllowReassociation=false refuses; and (patch 7) a NAT Gateway holds at most the
 * quota "Elastic IP addresses per public NAT gateway" (2 until an increase), which Service Quotas reports; and
 * (patch 8, scripts/moto_publishing.py) a prefix list keeps the size and name it was given and holds no more
 * entries than its size.
 */
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateManagedPrefixListCommand,
  CreateNatGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAddressesCommand,
  DescribeManagedPrefixListsCommand,
  DisassociateAddressCommand,
  DisassociateNatGatewayAddressCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
  ModifyManagedPrefixListCommand,
  ReleaseAddressCommand,
} from "@aws-sdk/client-ec2";
import { GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";

let emu: Emulator;
let ec2: EC2Client;
beforeAll(() => {
  emu = startEmulator();
  ec2 = new EC2Client(clientFor(emu.endpoint));
});
afterAll(() => emu?.stop());

const addressOf = async (allocationId: string) => (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }))).Addresses![0];

describe("the emulator, as strict as AWS", () => {
  it("refuses to disassociate, release or move an address a NAT Gateway holds, and releases it once the gateway lets go", async () => {
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId, CidrBlock: "10.9.0.0/24" }));
    const { InternetGateway } = await ec2.send(new CreateInternetGatewayCommand({}));
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: InternetGateway!.InternetGatewayId, VpcId: Vpc!.VpcId }));
    const [primary, secondary] = await Promise.all([0, 1].map(() => ec2.send(new AllocateAddressCommand({ Domain: "vpc" }))));
    const { NatGateway } = await ec2.send(new CreateNatGatewayCommand({ SubnetId: Subnet!.SubnetId, AllocationId: primary.AllocationId, SecondaryAllocationIds: [secondary.AllocationId!] }));
    const { NetworkInterface } = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: Subnet!.SubnetId }));

    await expect(ec2.send(new ReleaseAddressCommand({ AllocationId: secondary.AllocationId }))).rejects.toMatchObject({ name: "AuthFailure" });
    const held = await addressOf(primary.AllocationId!);
    await expect(ec2.send(new DisassociateAddressCommand({ AssociationId: held.AssociationId }))).rejects.toMatchObject({ name: "AuthFailure" });
    await expect(ec2.send(new AssociateAddressCommand({ AllocationId: primary.AllocationId, NetworkInterfaceId: NetworkInterface!.NetworkInterfaceId }))).rejects.toMatchObject({ name: "AuthFailure" });

    const second = await addressOf(secondary.AllocationId!);
    await ec2.send(new DisassociateNatGatewayAddressCommand({ NatGatewayId: NatGateway!.NatGatewayId, AssociationIds: [second.AssociationId!] }));
    await ec2.send(new ReleaseAddressCommand({ AllocationId: secondary.AllocationId }));
    await expect(addressOf(secondary.AllocationId!)).rejects.toThrow();
  });

  it("moves an address from one interface to another when AllowReassociation is left out, and refuses only when it is false", async () => {
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.8.0.0/16" }));
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId, CidrBlock: "10.8.0.0/24" }));
    const [one, two] = await Promise.all([0, 1].map(async () => (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: Subnet!.SubnetId }))).NetworkInterface!.NetworkInterfaceId!));
    const { AllocationId } = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    await ec2.send(new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: one }));
    await expect(ec2.send(new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: two, AllowReassociation: false }))).rejects.toMatchObject({ name: "Resource.AlreadyAssociated" });
    expect((await addressOf(AllocationId!)).NetworkInterfaceId).toBe(one);
    await ec2.send(new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: two }));
    expect((await addressOf(AllocationId!)).NetworkInterfaceId).toBe(two);
  });

  it("reports the NAT Gateway address quota through Service Quotas (2, as AWS) and refuses a gateway beyond it, creating nothing", async () => {
    const { Quota } = await new ServiceQuotasClient(clientFor(emu.endpoint)).send(new GetServiceQuotaCommand({ ServiceCode: "vpc", QuotaCode: "L-5F53652F" }));
    expect(Quota).toMatchObject({ QuotaName: "Elastic IP addresses per public NAT gateway", Value: 2 });
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.7.0.0/16" }));
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId, CidrBlock: "10.7.0.0/24" }));
    const ids = await Promise.all([0, 1, 2].map(async () => (await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }))).AllocationId!));
    await expect(ec2.send(new CreateNatGatewayCommand({ SubnetId: Subnet!.SubnetId, AllocationId: ids[0], SecondaryAllocationIds: ids.slice(1) }))).rejects.toMatchObject({ name: "AddressLimitExceeded" });
    for (const id of ids) expect((await addressOf(id)).AssociationId).toBeUndefined();
  });

  it("keeps a prefix list's size and name when MaxEntries alone is modified, refuses entries beyond the size, and entries and size in one request", async () => {
    const entry = (n: number) => ({ Cidr: `198.18.0.${n}/32`, Description: `ap-northeast-1a entry ${n}` });
    await expect(ec2.send(new CreateManagedPrefixListCommand({ PrefixListName: "too-small", AddressFamily: "IPv4", MaxEntries: 1, Entries: [entry(1), entry(2)] }))).rejects.toMatchObject({ name: "PrefixListMaxEntriesExceeded" });
    const { PrefixList } = await ec2.send(new CreateManagedPrefixListCommand({ PrefixListName: "egress-ips-pin", AddressFamily: "IPv4", MaxEntries: 1, Entries: [entry(1)] }));
    const id = PrefixList!.PrefixListId!;
    await expect(ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, CurrentVersion: 1, AddEntries: [entry(2)] }))).rejects.toMatchObject({ name: "PrefixListMaxEntriesExceeded" });
    await expect(ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, CurrentVersion: 1, AddEntries: [entry(2)], MaxEntries: 2 }))).rejects.toMatchObject({ name: "InvalidParameterCombination" });
    await ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, MaxEntries: 2 }));
    const [list] = (await ec2.send(new DescribeManagedPrefixListsCommand({ PrefixListIds: [id] }))).PrefixLists!;
    expect(list).toMatchObject({ MaxEntries: 2, PrefixListName: "egress-ips-pin", Version: 1 });
    await ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, CurrentVersion: 1, AddEntries: [entry(2)] }));
    expect((await ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: id }))).Entries).toEqual([entry(1), entry(2)]);
  });
});
