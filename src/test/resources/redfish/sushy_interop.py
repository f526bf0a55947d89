"""Drives one simulated Redfish BMC with sushy, the library Ironic's redfish driver uses.

Run by io.anvil.sim.redfish.SushyRedfishSimInteropTest (docs/redfish.md, "Interop with sushy"). Each step prints
one JSON line {"step": ..., ...}; the first failure prints {"step": ..., "error": ...} and exits 1.
"""
import argparse
import json
import sys
import time

import sushy
from sushy import auth as sushy_auth


def out(step, **fields):
    fields["step"] = step
    print(json.dumps(fields, default=str), flush=True)


def check(step, condition, **fields):
    if not condition:
        out(step, error="check failed", **fields)
        sys.exit(1)
    out(step, **fields)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--system", required=True)
    p.add_argument("--ca", default=None)
    p.add_argument("--user", default="admin")
    p.add_argument("--password", default="password")
    p.add_argument("--image", required=True)
    p.add_argument("--firmware", default=None)
    a = p.parse_args()

    verify = a.ca if a.ca else False
    # session authentication only: a BMC that refused sessions would fail here instead of falling back to Basic
    conn = sushy.Sushy(a.url, verify=verify,
                       auth=sushy_auth.SessionAuth(username=a.user, password=a.password))
    check("session", conn._auth.get_session_key() is not None,
          redfish_version=conn.redfish_version, uuid=conn.uuid)

    system = conn.get_system(a.system)
    out("system", identity=system.identity, uuid=system.uuid, power=system.power_state.value)

    # power off, then on, as Ironic's redfish power interface does
    system.reset_system(sushy.ResetType.FORCE_OFF)
    system.refresh()
    check("power_off", system.power_state == sushy.PowerState.OFF, power=system.power_state.value)
    system.reset_system(sushy.ResetType.ON)
    system.refresh()
    check("power_on", system.power_state == sushy.PowerState.ON, power=system.power_state.value)
    allowed = sorted(v.value for v in system.get_allowed_reset_system_values())
    check("reset_values", "ForceRestart" in allowed and "Nmi" in allowed, values=allowed)

    # boot override: PXE once (sushy sends the system's ETag in If-Match)
    system.set_system_boot_options(target=sushy.BootSource.PXE,
                                   enabled=sushy.BootSourceOverrideEnabled.ONCE,
                                   mode=sushy.BootSourceOverrideMode.UEFI)
    system.refresh()
    check("boot_override", system.boot.target == sushy.BootSource.PXE
          and system.boot.enabled == sushy.BootSourceOverrideEnabled.ONCE,
          target=system.boot.target.value, enabled=system.boot.enabled.value,
          mode=system.boot.mode.value)

    # virtual media: insert into the CD drive, then eject
    manager = system.managers[0]
    cd = None
    for vm in manager.virtual_media.get_members():
        if sushy.VirtualMediaType.CD in vm.media_types:
            cd = vm
    check("virtual_media_found", cd is not None, identity=cd.identity if cd else None)
    cd.insert_media(a.image, inserted=True, write_protected=True)
    cd.refresh()
    check("media_inserted", cd.inserted and cd.image == a.image, image=cd.image, inserted=cd.inserted)
    cd.eject_media()
    cd.refresh()
    check("media_ejected", not cd.inserted and not cd.image, inserted=cd.inserted)

    # BIOS: read, set through @Redfish.Settings, applied at the next reboot
    bios = system.bios
    before = bios.attributes.get("ProcHyperthreading")
    bios.set_attributes({"ProcHyperthreading": "Disabled"})
    pending = bios.pending_attributes
    check("bios_pending", pending.get("ProcHyperthreading") == "Disabled", before=before, pending=pending)
    system.reset_system(sushy.ResetType.FORCE_RESTART)
    bios.refresh()
    check("bios_applied", bios.attributes.get("ProcHyperthreading") == "Disabled",
          value=bios.attributes.get("ProcHyperthreading"))
    system.refresh()
    check("boot_override_used", system.boot.enabled == sushy.BootSourceOverrideEnabled.DISABLED,
          enabled=system.boot.enabled.value)

    # inventory, as Ironic's redfish inspect reads it
    cpus = system.processors.summary
    macs = sorted(system.ethernet_interfaces.summary.keys())
    out("inventory", cpus=cpus.count, arch=cpus.architecture.value if cpus.architecture else None,
        memory_gib=system.memory_summary.size_gib, macs=macs,
        disks=sorted(system.simple_storage.disks_sizes_bytes),
        drives=[d.capacity_bytes for s in system.storage.get_members() for d in s.drives])

    if a.firmware:
        updates = conn.get_update_service()
        monitor = updates.simple_update(a.firmware)
        deadline = time.time() + 60
        while monitor.check_is_processing and time.time() < deadline:
            time.sleep(0.2)
        task = monitor.get_task()
        check("firmware", task.task_state == sushy.TaskState.COMPLETED,
              state=task.task_state.value, messages=[m.message for m in task.messages])

    conn._auth.close()
    out("done")


if __name__ == "__main__":
    main()
