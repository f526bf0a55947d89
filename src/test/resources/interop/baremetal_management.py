"""openstacksdk against Anvil: validate, boot mode, secure boot, vendor passthru (and NMI / BIOS where this SDK
version has them). Run by io.anvil.interop.OpenStackSdkManagementTest with OS_CLIENT_CONFIG_FILE pointing at a
clouds.yaml whose cloud "anvil" has auth_type none; prints one JSON document of what the SDK returned.

usage: baremetal_management.py FAKE_NODE IPMI_NODE
"""
import json
import sys
import time

import openstack
from openstack import exceptions


def wait_for(conn, node, field, value, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        current = getattr(conn.baremetal.get_node(node), field)
        if current == value:
            return current
        if time.monotonic() > deadline:
            raise SystemExit("%s of %s stayed %r, expected %r" % (field, node, current, value))
        time.sleep(0.2)


def main(fake, ipmi):
    conn = openstack.connect(cloud="anvil")
    bm = conn.baremetal
    out = {"sdk_version": openstack.version.__version__}

    results = bm.validate_node(fake, required=())
    out["validate_fake"] = {k: {"result": r.result, "reason": r.reason} for k, r in results.items()}
    try:
        bm.validate_node(ipmi, required=("boot", "deploy", "power"))
        out["validate_ipmi_error"] = None
    except exceptions.ValidationException as e:
        out["validate_ipmi_error"] = str(e)

    bm.set_node_boot_mode(fake, "bios")
    out["boot_mode"] = wait_for(conn, fake, "boot_mode", "bios")
    bm.set_node_secure_boot(fake, True)
    out["secure_boot"] = wait_for(conn, fake, "is_secure_boot", True)

    out["methods"] = bm.list_node_vendor_passthru(ipmi)
    response = bm.call_node_vendor_passthru(ipmi, "POST", "send_raw", {"raw_bytes": "0x06 0x01"})
    out["send_raw_status"] = response.status_code
    out["send_raw"] = response.json()

    if hasattr(bm, "inject_nmi_to_node"):
        bm.inject_nmi_to_node(ipmi)
        out["inject_nmi"] = "called"
    if hasattr(bm, "list_node_bios_settings"):
        out["bios"] = [s.name for s in bm.list_node_bios_settings(fake)]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
