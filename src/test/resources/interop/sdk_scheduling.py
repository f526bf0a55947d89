"""openstacksdk against Anvil: VIFs, allocations and deploy templates.

Run by BaremetalSdkSchedulingTest as ``python3 sdk_scheduling.py ENDPOINT``. Writes its own clouds.yaml (no
authentication, Anvil's endpoint), drives conn.baremetal, and prints one JSON line describing what it saw; any failed
expectation exits non-zero with the reason on stderr.
"""
import json
import os
import sys
import tempfile


def check(condition, what):
    if not condition:
        sys.stderr.write("expectation failed: %s\n" % what)
        sys.exit(1)


def main():
    endpoint = sys.argv[1]
    config_dir = tempfile.mkdtemp(prefix="anvil-sdk-")
    config = os.path.join(config_dir, "clouds.yaml")
    with open(config, "w") as f:
        f.write("clouds:\n"
                "  anvil:\n"
                "    auth_type: none\n"
                "    auth:\n"
                "      endpoint: %s\n"
                "    baremetal_endpoint_override: %s\n" % (endpoint, endpoint))
    os.environ["OS_CLIENT_CONFIG_FILE"] = config

    import openstack

    conn = openstack.connect(cloud="anvil")
    bm = conn.baremetal
    seen = {}

    # VIFs: attach records the VIF on the node's port, list shows it, detach removes it
    vif_node = bm.create_node(driver="fake-hardware", name="sdk-vif")
    bm.create_port(node_uuid=vif_node.id, address="52:54:00:5d:00:01")
    bm.attach_vif_to_node(vif_node, "vif-sdk")
    seen["vifs"] = list(bm.list_node_vifs(vif_node))
    check(seen["vifs"] == ["vif-sdk"], "list_node_vifs after attach: %s" % seen["vifs"])
    bm.detach_vif_from_node(vif_node, "vif-sdk")
    check(list(bm.list_node_vifs(vif_node)) == [], "list_node_vifs after detach")

    # allocations: a node made available through the SDK is allocated, then freed
    node = bm.create_node(driver="fake-hardware", name="sdk-alloc-node", resource_class="rc-sdk")
    bm.set_node_provision_state(node, "manage", wait=True, timeout=60)
    bm.set_node_provision_state(node, "provide", wait=True, timeout=60)
    # Ironic allocates only nodes whose power state is known (allocations.py: with_power_state)
    bm.set_node_power_state(node, "power on", wait=True, timeout=60)
    allocation = bm.create_allocation(resource_class="rc-sdk", name="sdk-alloc")
    allocation = bm.wait_for_allocation(allocation, timeout=60)
    check(allocation.state == "active", "allocation state %s" % allocation.state)
    check(allocation.node_id == node.id, "allocated node %s" % allocation.node_id)
    check(bm.get_node(node.id).allocation_id == allocation.id, "node's allocation_uuid")
    updated = bm.update_allocation(allocation, extra={"rack": "r9"})
    check(updated.extra == {"rack": "r9"}, "updated extra %s" % updated.extra)
    seen["allocations"] = [a.name for a in bm.allocations()]
    check("sdk-alloc" in seen["allocations"], "allocations() lists it")
    failed = bm.create_allocation(resource_class="rc-none")
    try:
        bm.wait_for_allocation(failed, timeout=60)
        check(False, "wait_for_allocation should raise for a failed allocation")
    except openstack.exceptions.ResourceFailure as e:
        seen["failure"] = str(e)
    bm.delete_allocation(allocation)
    check(bm.get_node(node.id).allocation_id is None, "node freed")

    # deploy templates
    steps = [{"interface": "deploy", "step": "record_args", "args": {"message": "sdk"}, "priority": 40}]
    template = bm.create_deploy_template(name="CUSTOM_SDK", steps=steps)
    check(bm.get_deploy_template("CUSTOM_SDK").id == template.id, "get by name")
    template = bm.update_deploy_template(template, extra={"k": "v"})
    check(template.extra == {"k": "v"}, "updated template extra %s" % template.extra)
    seen["templates"] = [t.name for t in bm.deploy_templates(details=True)]
    check(seen["templates"] == ["CUSTOM_SDK"], "deploy_templates(): %s" % seen["templates"])
    bm.delete_deploy_template(template)
    check(list(bm.deploy_templates()) == [], "template deleted")

    print(json.dumps(seen))


if __name__ == "__main__":
    main()
