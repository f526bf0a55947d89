package io.anvil.driver.ipxe;

/**
 * The iPXE scripts Anvil serves (modelled on Ironic's boot.ipxe and ipxe_config.template). Every script starts with
 * {@code #!ipxe}; values come only from validated node fields and Anvil's own URL.
 */
public final class IpxeScripts {
    /** The kernel parameter that tells the agent to inspect and where to post (IPA's inspection_callback_url). */
    public static final String INSPECTION_CALLBACK_PARAM = "ipa-inspection-callback-url";

    /**
     * The script the chain loader falls back to when Anvil knows none of the machine's NICs (Ironic's
     * {@code [pxe]ipxe_fallback_script}, conventionally inspector.ipxe): the inspection ramdisk while a node waits in
     * unmanaged inspection, 404 otherwise.
     */
    public static final String INSPECTOR_SCRIPT = "inspector.ipxe";

    private IpxeScripts() {}

    /**
     * The entry point dnsmasq hands to iPXE: try each NIC's per-MAC script in turn (a 404 moves on to the next NIC),
     * and when Anvil knows none of them say so and ask again later instead of rebooting into a loop.
     *
     * @param bootUrl Anvil's boot base, e.g. {@code http://10.0.0.1:6385/boot}
     */
    public static String chainLoader(String bootUrl) {
        return """
                #!ipxe
                # Anvil: boot the script of the first NIC Anvil knows (docs/boot.md)
                :start
                set netid:int32 -1
                :loop
                inc netid || goto old_rom
                isset ${net${netid}/mac} || goto loop_done
                echo Anvil: asking for the boot script of ${net${netid}/mac}
                chain --autofree %1$s/${net${netid}/mac:hexhyp}.ipxe || goto loop
                # the chained script returned success: it handed the machine back to its next boot device
                exit 0

                :loop_done
                # a machine Anvil knows by no NIC may be a node inspected by its BMC alone (docs/agent.md)
                chain --autofree %1$s/%2$s && exit 0 ||
                echo Anvil knows none of this machine's NICs; enroll a port with one of their MAC addresses.
                echo Anvil: asking again in 30 seconds.
                sleep 30
                goto start

                :old_rom
                chain --autofree %1$s/${mac:hexhyp}.ipxe && exit 0 ||
                chain --autofree %1$s/%2$s && exit 0 ||
                echo Anvil does not know NIC ${mac}; enroll a port with this MAC address.
                echo Anvil: asking again in 30 seconds.
                sleep 30
                goto old_rom
                """
                .formatted(bootUrl, INSPECTOR_SCRIPT);
    }

    /** Boots a ramdisk, retrying failed downloads with a growing pause, then powering off (Ironic's behaviour). */
    public static String ramdisk(String kernel, String ramdisk, String initrdName, String params, int timeoutSeconds) {
        String timeout = timeoutSeconds > 0 ? "--timeout " + (timeoutSeconds * 1000) + " " : "";
        return """
                #!ipxe
                set attempts:int32 10
                set i:int32 0

                :boot
                imgfree
                kernel %1$s%2$s %3$s initrd=%4$s || goto retry
                initrd %1$s--name %4$s %5$s || goto retry
                boot

                :retry
                iseq ${i} ${attempts} && goto fail ||
                inc i
                echo No response, retrying in ${i} seconds.
                sleep ${i}
                goto boot

                :fail
                echo Failed to get a response after ${attempts} attempts
                echo Powering off in 30 seconds.
                sleep 30
                poweroff
                """
                .formatted(timeout, kernel, params, initrdName, ramdisk);
    }

    /**
     * The node has nothing to do over the network (active, available, ...): boot the local disk, or return to the
     * firmware so it tries its next boot device (Ironic's boot_whole_disk label).
     */
    public static String localDisk(String uuid, String state) {
        return """
                #!ipxe
                echo Anvil: node %s is %s; booting from local disk.
                sanboot --no-describe --drive 0x80 || exit 0
                """
                .formatted(uuid, sanitize(state));
    }

    /**
     * A node Anvil cannot boot yet (or a MAC it does not know): explain on the console, pause, then fail the chain so
     * the loader moves on and, having found nothing, asks again.
     */
    public static String retry(String reason) {
        return """
                #!ipxe
                echo Anvil: %s
                echo Anvil: asking again in 30 seconds.
                sleep 30
                exit 1
                """
                .formatted(sanitize(reason));
    }

    /** Text shown with echo: one line, no iPXE expansions. */
    static String sanitize(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n${}]", " ");
    }
}
