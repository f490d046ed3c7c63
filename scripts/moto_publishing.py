"""Patches 8 and 9 of the emulator (scripts/moto_server.py imports this): what publishing the egress IPs needs.

8. AWS keeps a prefix list's MaxEntries as ModifyManagedPrefixList sets it, keeps its name when the request
   leaves PrefixListName out, refuses entries beyond MaxEntries and refuses a request that changes the entries
   and MaxEntries at once. moto (5.2.5) ignores MaxEntries on modify, empties the name when it is left out (the
   provider resizes a list with a request of MaxEntries alone) and admits any number of entries: a prefix list
   grown by a zone read back with its old size and no name, and a list past its size passed here and fails on
   AWS. Here it behaves as AWS (PrefixListMaxEntriesExceeded and InvalidParameterCombination are the emulator's
   codes; AWS's exact ones are not verified here).
9. AWS RAM has AssociateResourceShare and DisassociateResourceShare (the provider's aws_ram_resource_association
   and aws_ram_principal_association call them), ListResourceSharePermissions (a share holds the default
   permission of each resource type it shares; the provider reads it) and GetResourceShares answers only the
   shares asked for (resourceShareArns, name, status), with their tags (TagResource, UntagResource). moto (5.2.5)
   has none of these calls, drops a share's tags and answers every share it ever held: here principals and
   resources are associated and disassociated, a share lists the default permissions of what it shares and keeps
   its tags, and the answer is filtered.
"""
import json
from datetime import datetime, timezone

import moto.ram.urls as ram_urls
from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.managed_prefixes import ManagedPrefixListBackend
from moto.ec2.responses.vpcs import VPCs
from moto.ram.exceptions import UnknownResourceException
from moto.ram.models import ResourceAccessManagerBackend, ResourceShare
from moto.ram.responses import ResourceAccessManagerResponse


def _refuse_beyond(max_entries, count, prefix_list):
    if max_entries is not None and count > int(max_entries):
        raise EC2ClientError("PrefixListMaxEntriesExceeded", f"{prefix_list} would hold {count} entries; its MaxEntries is {max_entries}.")


_create_prefix_list = ManagedPrefixListBackend.create_managed_prefix_list


def create_managed_prefix_list(self, address_family=None, entry=None, max_entries=None, prefix_list_name=None, tags=None, owner_id=None):
    if owner_id is None:  # moto's own AWS-managed lists have no size
        _refuse_beyond(max_entries, len(entry or []), prefix_list_name)
    return _create_prefix_list(self, address_family=address_family, entry=entry, max_entries=max_entries, prefix_list_name=prefix_list_name, tags=tags, owner_id=owner_id)


_modify_prefix_list = ManagedPrefixListBackend.modify_managed_prefix_list


def modify_managed_prefix_list(self, add_entry, remove_entry, prefix_list_id=None, current_version=None, prefix_list_name=None, max_entries=None):
    pl = self.managed_prefix_lists.get(prefix_list_id)
    if pl is None:
        raise EC2ClientError("InvalidPrefixListID.NotFound", f"The prefix list ID '{prefix_list_id}' does not exist")
    if max_entries is not None and (add_entry or remove_entry):
        raise EC2ClientError("InvalidParameterCombination", "You cannot modify the entries of a prefix list and modify the size of a prefix list at the same time.")
    entries = pl.entries.get(pl.version, []) if pl.entries else []
    if max_entries is not None:
        _refuse_beyond(max_entries, len(entries), prefix_list_id)
        pl.max_entries = str(max_entries)
    removed = {e["Cidr"] for e in remove_entry}
    kept = [e for e in entries if e.get("Cidr") not in removed]
    _refuse_beyond(pl.max_entries, len(kept) + len([e for e in add_entry if e not in kept]), prefix_list_id)
    return _modify_prefix_list(self, add_entry=add_entry, remove_entry=remove_entry, prefix_list_id=prefix_list_id, current_version=current_version, prefix_list_name=prefix_list_name if prefix_list_name is not None else pl.prefix_list_name)


def modify_managed_prefix_list_response(self):
    max_entries = self._get_param("MaxEntries")
    version = self._get_param("CurrentVersion")
    pl = self.ec2_backend.modify_managed_prefix_list(
        add_entry=self._get_param("AddEntries", []),
        remove_entry=self._get_param("RemoveEntries", []),
        prefix_list_id=self._get_param("PrefixListId"),
        current_version=int(version) if version else None,
        prefix_list_name=self._get_param("PrefixListName"),
        max_entries=int(max_entries) if max_entries is not None else None,
    )
    return ActionResult({"PrefixList": pl})


ManagedPrefixListBackend.create_managed_prefix_list = create_managed_prefix_list
ManagedPrefixListBackend.modify_managed_prefix_list = modify_managed_prefix_list
VPCs.modify_managed_prefix_list = modify_managed_prefix_list_response


def _share(backend, arn):
    share = next((s for s in backend.resource_shares if s.arn == arn and s.status != "DELETED"), None)
    if share is None:
        raise UnknownResourceException(f"ResourceShare {arn} could not be found.")
    return share


def _associations(share, principals, resources, status):
    return [
        {"resourceShareArn": share.arn, "resourceShareName": share.name, "associatedEntity": entity, "associationType": kind, "status": status, "external": False}
        for kind, entities in (("PRINCIPAL", principals), ("RESOURCE", resources))
        for entity in entities
    ]


def associate_resource_share(self):
    body = self.request_params
    share = _share(self.ram_backend, body.get("resourceShareArn"))
    principals = [p for p in body.get("principals", []) if p not in share.principals]
    resources = [r for r in body.get("resourceArns", []) if r not in share.resource_arns]
    share.add_principals(principals)
    share.add_resources(resources)
    return json.dumps({"resourceShareAssociations": _associations(share, principals, resources, "ASSOCIATING")})


def disassociate_resource_share(self):
    body = self.request_params
    share = _share(self.ram_backend, body.get("resourceShareArn"))
    principals = [p for p in body.get("principals", []) if p in share.principals]
    resources = [r for r in body.get("resourceArns", []) if r in share.resource_arns]
    share.principals = [p for p in share.principals if p not in principals]
    share.resource_arns = [r for r in share.resource_arns if r not in resources]
    return json.dumps({"resourceShareAssociations": _associations(share, principals, resources, "DISASSOCIATING")})


def _kind(arn):
    """arn:aws:ec2:<region>:<account>:prefix-list/pl-1 → "ec2prefixlist", as RAM's resource types read ("ec2:PrefixList") without case or punctuation."""
    parts = arn.split(":")
    return (parts[2] + parts[5].split("/")[0]).replace("-", "").lower() if len(parts) > 5 else ""


def _epoch(permission):
    """moto keeps a permission's times as text; RAM's API gives epoch seconds (the SDKs refuse anything else)."""
    return {k: datetime.strptime(permission[k], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc).timestamp() for k in ("creationTime", "lastUpdatedTime") if isinstance(permission.get(k), str)}


def list_resource_share_permissions(self):
    share = _share(self.ram_backend, self.request_params.get("resourceShareArn"))
    kinds = {_kind(r) for r in share.resource_arns}
    permissions = [
        {**p.describe(), **_epoch(p.describe()), "status": "ASSOCIATED"}
        for p in self.ram_backend.managed_permissions
        if p.is_resource_type_default and p.resource_type.replace(":", "").lower() in kinds
    ]
    return json.dumps({"permissions": permissions})


_get_resource_shares = ResourceAccessManagerBackend.get_resource_shares


def get_resource_shares_response(self):
    body = self.request_params
    shares = _get_resource_shares(self.ram_backend, body.get("resourceOwner"))["resourceShares"]
    arns, name, status = body.get("resourceShareArns"), body.get("name"), body.get("resourceShareStatus")
    shares = [s for s in shares if (not arns or s["resourceShareArn"] in arns) and (not name or s["name"] == name) and (not status or s["status"] == status)]
    return json.dumps({"resourceShares": shares})


_describe_share = ResourceShare.describe


def describe_share(self):
    return {**_describe_share(self), "tags": [{"key": k, "value": v} for k, v in getattr(self, "tags", {}).items()]}


_create_share = ResourceAccessManagerBackend.create_resource_share


def create_resource_share(self, **kwargs):
    out = _create_share(self, **kwargs)
    self.resource_shares[-1].tags = {t["key"]: t["value"] for t in kwargs.get("tags", [])}
    return out


def tag_resource(self):
    body = self.request_params
    _share(self.ram_backend, body.get("resourceShareArn")).tags.update({t["key"]: t["value"] for t in body.get("tags", [])})
    return json.dumps({})


def untag_resource(self):
    body = self.request_params
    share = _share(self.ram_backend, body.get("resourceShareArn"))
    share.tags = {k: v for k, v in share.tags.items() if k not in body.get("tagKeys", [])}
    return json.dumps({})


ResourceShare.describe = describe_share
ResourceAccessManagerBackend.create_resource_share = create_resource_share
ResourceAccessManagerResponse.tag_resource = tag_resource
ResourceAccessManagerResponse.untag_resource = untag_resource
ResourceAccessManagerResponse.associate_resource_share = associate_resource_share
ResourceAccessManagerResponse.disassociate_resource_share = disassociate_resource_share
ResourceAccessManagerResponse.get_resource_shares = get_resource_shares_response
ResourceAccessManagerResponse.list_resource_share_permissions = list_resource_share_permissions
ram_urls.url_paths.update({
    "{0}/associateresourceshare$": ResourceAccessManagerResponse.dispatch,
    "{0}/disassociateresourceshare$": ResourceAccessManagerResponse.dispatch,
    "{0}/listresourcesharepermissions$": ResourceAccessManagerResponse.dispatch,
    "{0}/tagresource$": ResourceAccessManagerResponse.dispatch,
    "{0}/untagresource$": ResourceAccessManagerResponse.dispatch,
})
