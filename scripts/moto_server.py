"""The local AWS emulator: moto's server with one patch that makes it behave like AWS.

AWS releases a NAT Gateway's network interface when the gateway is deleted, and with it the Elastic IP's
association, so the same allocation can go to a replacement gateway. moto (5.2.5) keeps the address
associated, and a replacement that keeps its Elastic IP then fails with Resource.AlreadyAssociated.
README ("Known differences from AWS") describes it; __tests__/e2e/guard.test.ts pins it.
Usage: python scripts/moto_server.py [moto_server arguments]   (scripts/emulator.sh starts it)
"""
import sys

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

if __name__ == "__main__":
    main(sys.argv[1:])
