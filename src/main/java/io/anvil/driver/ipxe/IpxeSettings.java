package io.anvil.driver.ipxe;

import io.anvil.config.AnvilConfig;

/**
 * The configuration the iPXE boot interface reads: fallback agent images ({@code conductor.deploy_kernel} ... as
 * Ironic's [conductor] options), the agent's kernel parameters and iPXE's download timeout ([pxe] section).
 */
public record IpxeSettings(
        String deployKernel,
        String deployRamdisk,
        String rescueKernel,
        String rescueRamdisk,
        String kernelAppendParams,
        int ipxeTimeout) {

    public static IpxeSettings defaults() {
        return new IpxeSettings("", "", "", "", "nofb vga=normal", 0);
    }

    public static IpxeSettings from(AnvilConfig config) {
        return new IpxeSettings(
                text(config, "conductor.deploy_kernel"),
                text(config, "conductor.deploy_ramdisk"),
                text(config, "conductor.rescue_kernel"),
                text(config, "conductor.rescue_ramdisk"),
                text(config, "pxe.kernel_append_params"),
                config.setting("pxe.ipxe_timeout")
                        .map(o -> o instanceof Number n
                                ? n.intValue()
                                : Integer.parseInt(o.toString().trim()))
                        .orElse(0));
    }

    private static String text(AnvilConfig config, String key) {
        return config.setting(key).map(Object::toString).orElse("");
    }
}
