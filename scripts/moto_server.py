"""The local AWS emulator: moto's server with three patches that make it behave like AWS.

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
README ("Known differences from AWS") describes both; __tests__/e2e/main-job.test.ts and
__tests__/e2e/nat-instance.test.ts and __tests__/e2e/adopt.test.ts pin them.
Usage: python scripts/moto_server.py [moto_server arguments]   (scripts/emulator.sh starts it)
"""
import sys

from moto.ec2.models.instances import Instance
from moto.ec2.models.nat_gateways import NatGatewayBackend
from moto.server import main

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


def create_nat_gateway(self, subnet_id, allocation_id, tags=None, connectivity_type="public"):
    return _create_nat_gateway(self, subnet_id, allocation_id, tags, connectivity_type or "public")


NatGatewayBackend.create_nat_gateway = create_nat_gateway

if __name__ == "__main__":
    main(sys.argv[1:])
