"""The local AWS emulator: moto's server with nine patches that make it behave like AWS.

1. AWS releases a NAT Gateway's network interface when the gateway is deleted, and with it the Elastic IP's
   association, so the same allocation can go to a replacement gateway. moto (5.2.5) keeps the address
   associated, and a replacement that keeps its Elastic IP then fails with Resource.AlreadyAssociated.
2. AWS detaches an instance's network interfaces that outlive it (DeleteOnTermination false, such as a NAT
   instance's interface at device index 0) when the instance terminates, and they become available. moto
   keeps them attached and refuses to detach index 0, so a NAT-instance network could not be destroyed:
   here they are free once the instance terminates.
3. AWS creates a NAT Gateway with ConnectivityType "public" when the request leaves it out (as the console and
   most hand-built networks do) and always reports it. moto stores and reports nothing, so importing such a
   gateway into Terraform (make adopt) planned a replacement: here it defaults to "public".
4. AWS gives a public NAT Gateway secondary Elastic IPs (CreateNatGateway's SecondaryAllocationIds,
   AssociateNatGatewayAddress, DisassociateNatGatewayAddress) and reports every address with IsPrimary and its
   Status; an allocation another interface holds is refused (Resource.AlreadyAssociated), and the primary
   cannot be disassociated. moto (5.x) neither stores nor reports secondary addresses, nor IsPrimary: here it
   does, so Terraform's secondary_allocation_ids and make adopt's reading of IsPrimary run as on AWS.
5. AWS refuses to disassociate or release an Elastic IP a NAT Gateway holds (AuthFailure, on every retry: only
   DisassociateNatGatewayAddress or the gateway's deletion frees it), and refuses to associate it elsewhere.
   moto (5.x) lets both happen, so an apply that releases an address before its gateway lets go of it passed
   here and failed on AWS.
6. AWS moves an Elastic IP that an interface or instance holds when AssociateAddress leaves AllowReassociation
   out ("Reassociation is automatic" in a VPC); only AllowReassociation=false refuses. moto refuses unless it
   is true: here the default is AWS's.
7. AWS allows 2 Elastic IPs per public NAT Gateway until a quota increase (Service Quotas: vpc L-5F53652F,
   "Elastic IP addresses per public NAT gateway") and refuses more. moto neither enforces nor reports that
   quota: here GetServiceQuota answers it (FIXED_EGRESS_EMULATOR_NAT_ADDRESS_QUOTA, 2 by default, standing for
   an increase) and CreateNatGateway / AssociateNatGatewayAddress beyond it fail (AddressLimitExceeded: the
   emulator's code; AWS's exact one is not verified here).
8 and 9 (prefix lists keep their size and refuse entries beyond it; RAM associates principals and resources) are in
scripts/moto_publishing.py, imported here.
docs/emulator.md ("Known differences from AWS") describes them; __tests__/e2e/emulator-patches.test.ts pins 5, 6 and 7; __tests__/e2e/main-job.test.ts and
__tests__/e2e/nat-instance.test.ts and __tests__/e2e/adopt.test.ts pin them.
Usage: python scripts/moto_server.py [moto_server arguments]   (scripts/emulator.sh starts it)
"""
import sys

from moto.core.responses import ActionResult
import os
import threading

from moto.ec2.exceptions import EC2ClientError, InvalidAssociationIdError, InvalidParameterValueError
from moto.ec2.models.elastic_ip_addresses import ElasticAddressBackend
from moto.ec2.responses.elastic_ip_addresses import ElasticIPAddresses
from moto.ec2.models.instances import Instance
from moto.ec2.models.nat_gateways import NatGatewayBackend
from moto.ec2.responses.nat_gateways import NatGateways
from moto.ec2.utils import add_tag_specification, random_private_ip
from moto.server import main
from moto.servicequotas.resources.default_quotas.vpc import VPC_DEFAULT_QUOTAS

import moto_publishing  # noqa: F401  (patches 8 and 9)

_delete_nat_gateway = NatGatewayBackend.delete_nat_gateway


def delete_nat_gateway(self, nat_gateway_id):
    nat = _delete_nat_gateway(self, nat_gateway_id)
    eni = nat._eni
    for address in self.describe_addresses():
        if address.eni is not None and address.eni.id == eni.id:
            self.disassociate_address(association_id=address.association_id)
    try:
        self.delete_network_interface(eni.id)
    except Exception:  # already gone
        pass
    return nat


NatGatewayBackend.delete_nat_gateway = delete_nat_gateway

_terminate = Instance.terminate


def terminate(self):
    state = _terminate(self)
    for eni in self.nics.values():
        if not eni.delete_on_termination:
            # Free, as on AWS; the terminated instance keeps its own record of the interface (moto reads it).
            eni.instance = None
            eni.attachment_id = None
            eni.attach_time = None
            eni.status = "available"
            eni.device_index = None
    return state


Instance.terminate = terminate

_create_nat_gateway = NatGatewayBackend.create_nat_gateway


def create_nat_gateway(self, subnet_id, allocation_id, tags=None, connectivity_type="public", secondary_allocation_ids=()):
    if 1 + len(secondary_allocation_ids or ()) > NAT_ADDRESS_QUOTA:
        raise EC2ClientError("AddressLimitExceeded", f"a NAT Gateway with {1 + len(secondary_allocation_ids)} Elastic IPs; the quota Elastic IP addresses per public NAT gateway ({NAT_ADDRESS_QUOTA_CODE}) is {NAT_ADDRESS_QUOTA}.")
    nat = _create_nat_gateway(self, subnet_id, allocation_id, tags, connectivity_type or "public")
    for address in nat.address_set:
        address.update(isPrimary=True, status="succeeded")
    associate_nat_gateway_addresses(self, nat, secondary_allocation_ids)
    return nat


NAT_ADDRESS_QUOTA_CODE = "L-5F53652F"
NAT_ADDRESS_QUOTA = int(os.environ.get("FIXED_EGRESS_EMULATOR_NAT_ADDRESS_QUOTA", "2"))
VPC_DEFAULT_QUOTAS.append({
    "Adjustable": True,
    "GlobalQuota": False,
    "QuotaArn": f"arn:aws:servicequotas:::vpc/{NAT_ADDRESS_QUOTA_CODE}",
    "QuotaCode": NAT_ADDRESS_QUOTA_CODE,
    "QuotaName": "Elastic IP addresses per public NAT gateway",
    "ServiceCode": "vpc",
    "ServiceName": "Amazon Virtual Private Cloud (Amazon VPC)",
    "Unit": "None",
    "Value": float(NAT_ADDRESS_QUOTA),
})


def associate_nat_gateway_addresses(backend, nat, allocation_ids):
    """Secondary addresses: each Elastic IP on the gateway's interface (refused if held elsewhere), a private IP of its own."""
    if len(nat.address_set) + len(allocation_ids) > NAT_ADDRESS_QUOTA:
        raise EC2ClientError("AddressLimitExceeded", f"{nat.id} would have {len(nat.address_set) + len(allocation_ids)} Elastic IPs; the quota Elastic IP addresses per public NAT gateway ({NAT_ADDRESS_QUOTA_CODE}) is {NAT_ADDRESS_QUOTA}.")
    added = []
    for allocation_id in allocation_ids:
        eip = backend.associate_address(eni=nat._eni, allocation_id=allocation_id)
        added.append({
            "allocationId": allocation_id,
            "publicIp": eip.public_ip,
            "associationId": eip.association_id,
            "networkInterfaceId": nat._eni.id,
            "privateIp": random_private_ip(),
            "isPrimary": False,
            "status": "succeeded",
        })
    nat.address_set.extend(added)
    return added


NatGatewayBackend.create_nat_gateway = create_nat_gateway


def create_nat_gateway_response(self):
    nat = self.ec2_backend.create_nat_gateway(
        subnet_id=self._get_param("SubnetId"),
        allocation_id=self._get_param("AllocationId"),
        tags=add_tag_specification(self._get_param("TagSpecifications", [])),
        connectivity_type=self._get_param("ConnectivityType"),
        secondary_allocation_ids=self._get_param("SecondaryAllocationIds", []),
    )
    return ActionResult({"NatGateway": nat})


def associate_nat_gateway_address(self):
    nat = self.ec2_backend.nat_gateways[self._get_param("NatGatewayId")]
    added = associate_nat_gateway_addresses(self.ec2_backend, nat, self._get_param("AllocationIds", []))
    return ActionResult({"NatGatewayId": nat.id, "NatGatewayAddresses": added})


def disassociate_nat_gateway_address(self):
    nat = self.ec2_backend.nat_gateways[self._get_param("NatGatewayId")]
    gone = []
    for association_id in self._get_param("AssociationIds", []):
        address = next((a for a in nat.address_set if a.get("associationId") == association_id), None)
        if address is None:
            raise InvalidAssociationIdError(association_id)
        if address.get("isPrimary"):
            raise InvalidParameterValueError(f"{association_id} is the primary address of {nat.id}; it cannot be disassociated")
        self.ec2_backend.disassociate_address(association_id=association_id)
        nat.address_set.remove(address)
        gone.append({**address, "status": "disassociating"})
    return ActionResult({"NatGatewayId": nat.id, "NatGatewayAddresses": gone})


NatGateways.create_nat_gateway = create_nat_gateway_response
NatGateways.associate_nat_gateway_address = associate_nat_gateway_address
NatGateways.disassociate_nat_gateway_address = disassociate_nat_gateway_address

_api = threading.local()


def _nat_holding(backend, eip):
    """The NAT Gateway whose interface holds this Elastic IP, if any."""
    if eip is None or eip.eni is None:
        return None
    return next((n for n in backend.nat_gateways.values() if n._eni is not None and n._eni.id == eip.eni.id and n.state != "deleted"), None)


def _requested_address(self):
    params = self._get_params()
    backend = self.ec2_backend
    if "AllocationId" in params:
        return next((a for a in backend.addresses if a.allocation_id == params["AllocationId"]), None)
    if "AssociationId" in params:
        return next((a for a in backend.addresses if a.association_id == params["AssociationId"]), None)
    if "PublicIp" in params:
        return next((a for a in backend.addresses if a.public_ip == params["PublicIp"]), None)
    return None


def _refuse_if_nat_holds(self, action):
    eip = _requested_address(self)
    nat = _nat_holding(self.ec2_backend, eip)
    if nat is not None:
        raise EC2ClientError("AuthFailure", f"You do not have permission to access the specified resource ({action} of {eip.allocation_id}, which NAT Gateway {nat.id} holds).")


def _guarded(original, action):
    def handler(self):
        _refuse_if_nat_holds(self, action)
        return original(self)
    return handler


_associate_response = ElasticIPAddresses.associate_address


def associate_address_response(self):
    _refuse_if_nat_holds(self, "AssociateAddress")
    allow = self._get_param("AllowReassociation")
    _api.reassociate = allow is None or str(allow).lower() == "true"
    try:
        return _associate_response(self)
    finally:
        _api.reassociate = None


_associate_backend = ElasticAddressBackend.associate_address


def associate_address_backend(self, instance=None, eni=None, address=None, allocation_id=None, reassociate=False):
    # Only an API request sets the flag; this emulator's own NAT Gateway patches keep moto's rule.
    api = getattr(_api, "reassociate", None)
    return _associate_backend(self, instance=instance, eni=eni, address=address, allocation_id=allocation_id, reassociate=reassociate if api is None else api)


ElasticIPAddresses.disassociate_address = _guarded(ElasticIPAddresses.disassociate_address, "DisassociateAddress")
ElasticIPAddresses.release_address = _guarded(ElasticIPAddresses.release_address, "ReleaseAddress")
ElasticIPAddresses.associate_address = associate_address_response
ElasticAddressBackend.associate_address = associate_address_backend

if __name__ == "__main__":
    main(sys.argv[1:])
