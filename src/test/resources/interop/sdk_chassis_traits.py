"""Drives Anvil's chassis and node traits with openstacksdk, as a client application would.

Run by io.anvil.interop.OpenStackSdkInteropTest with OS_CLIENT_CONFIG_FILE pointing at a clouds.yaml whose
cloud "anvil" uses auth_type none. Every step asserts what Ironic would answer; the last line printed is a JSON
report the Java test checks again.
"""
import json
import sys

import openstack
from openstack import exceptions

conn = openstack.connect(cloud="anvil")
bm = conn.baremetal
report = {}


def expect_error(kind, fragment, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except kind as e:
        message = str(e) + " " + str(getattr(e, "details", ""))
        assert fragment in message, "%r not in %r" % (fragment, message)
        return getattr(e, "status_code", None)
    raise AssertionError("%s did not fail" % call.__name__)


# ---- chassis: create, list, show, update, delete ----
chassis = bm.create_chassis(description="sdk rack", extra={"site": "lon1"})
assert chassis.id, chassis
assert chassis.description == "sdk rack", chassis
report["chassis_uuid"] = chassis.id

listed = [c.id for c in bm.chassis()]
assert chassis.id in listed, listed
detailed = {c.id: c for c in bm.chassis(details=True)}
assert detailed[chassis.id].extra == {"site": "lon1"}, detailed[chassis.id]

shown = bm.get_chassis(chassis.id)
assert shown.description == "sdk rack"
updated = bm.update_chassis(chassis, description="sdk rack 2")
assert updated.description == "sdk rack 2", updated
patched = bm.patch_chassis(chassis, [{"op": "add", "path": "/extra/row", "value": "c"}])
assert patched.extra == {"site": "lon1", "row": "c"}, patched.extra
report["chassis_description"] = bm.get_chassis(chassis.id).description

# ---- a node in the chassis ----
node = bm.create_node(driver="fake-hardware", name="sdk-node", chassis_uuid=chassis.id)
assert node.chassis_id == chassis.id, node
assert node.power_state is None, node.power_state
report["node_power_state"] = node.power_state
in_chassis = [n.id for n in bm.nodes(details=True) if n.chassis_id == chassis.id]
assert in_chassis == [node.id], in_chassis

report["delete_nonempty_status"] = expect_error(
    exceptions.BadRequestException, "contains nodes", bm.delete_chassis, chassis)
expect_error(exceptions.BadRequestException, "could not be found",
             bm.create_node, driver="fake-hardware", chassis_uuid="11111111-2222-3333-4444-555555555555")

# ---- traits ----
bm.add_node_trait(node, "CUSTOM_SDK")
bm.add_node_trait(node, "HW_CPU_X86_AVX2")
traits = sorted(bm.get_node(node.id).traits)
assert traits == ["CUSTOM_SDK", "HW_CPU_X86_AVX2"], traits
bm.set_node_traits(node, ["CUSTOM_A", "CUSTOM_B", "CUSTOM_A"])
assert sorted(bm.get_node(node.id).traits) == ["CUSTOM_A", "CUSTOM_B"]
assert bm.remove_node_trait(node, "CUSTOM_A") is True
# Ironic answers a missing trait with 404 (NodeTraitNotFound); this SDK's ignore_missing looks for a 400, so it
# raises ResourceNotFound either way, against Ironic as against Anvil
expect_error(exceptions.ResourceNotFound, "doesn't have a trait",
             bm.remove_node_trait, node, "CUSTOM_NOT_THERE", ignore_missing=False)
expect_error(exceptions.BadRequestException, "custom_bad", bm.add_node_trait, node, "custom_bad")
expect_error(exceptions.BadRequestException, "maximum number of traits",
             bm.set_node_traits, node, ["CUSTOM_T%d" % i for i in range(51)])
details = {n.id: n for n in bm.nodes(details=True)}
report["traits"] = sorted(details[node.id].traits)

# ---- retired cannot be set on an available node ----
bm.set_node_provision_state(node, "manage", wait=True, timeout=60)
bm.set_node_provision_state(node, "provide", wait=True, timeout=60)
report["retire_available_status"] = expect_error(
    exceptions.ConflictException, "can not have 'retired' set", bm.update_node, node, is_retired=True)

# ---- clean up; a deleted chassis is gone ----
bm.delete_node(node)
bm.delete_chassis(chassis)
assert bm.delete_chassis(chassis.id, ignore_missing=True) is None
expect_error(exceptions.ResourceNotFound, "could not be found", bm.get_chassis, chassis.id)
report["chassis_left"] = [c.id for c in bm.chassis() if c.id == chassis.id]

print(json.dumps(report))
sys.exit(0)
