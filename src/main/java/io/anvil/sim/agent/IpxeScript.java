package io.anvil.sim.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a machine's firmware makes of the iPXE script Anvil serves it (docs/boot.md): a {@code kernel} line boots a
 * ramdisk whose kernel parameters ({@code key=value} words) configure the agent; {@code sanboot} hands the machine to
 * its local disk; anything else fails the chain, and the loader asks again later.
 */
record IpxeScript(Action action, Map<String, String> params) {
    enum Action {
        RAMDISK,
        LOCAL_DISK,
        RETRY
    }

    String param(String key) {
        return params.get(key);
    }

    static IpxeScript parse(String text) {
        if (text == null || !text.stripLeading().startsWith("#!ipxe")) {
            return new IpxeScript(Action.RETRY, Map.of());
        }
        boolean sanboot = false;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("kernel ")) {
                Map<String, String> params = new LinkedHashMap<>();
                String[] words = line.split("\\s+");
                boolean image = false;
                for (int i = 1; i < words.length; i++) {
                    String w = words[i];
                    if (w.equals("||") || w.equals("&&")) {
                        break; // the rest is iPXE control flow, not kernel arguments
                    }
                    if (w.startsWith("--")) {
                        if (!w.contains("=") && i + 1 < words.length && !words[i + 1].contains("://")) {
                            i++; // an option with a separate value (--timeout 60000)
                        }
                        continue;
                    }
                    if (!image) {
                        image = true; // the kernel's URL
                        continue;
                    }
                    int eq = w.indexOf('=');
                    if (eq > 0) {
                        params.put(w.substring(0, eq), w.substring(eq + 1));
                    } else {
                        params.put(w, "");
                    }
                }
                return new IpxeScript(Action.RAMDISK, params);
            }
            if (line.startsWith("sanboot")) {
                sanboot = true;
            }
        }
        return new IpxeScript(sanboot ? Action.LOCAL_DISK : Action.RETRY, Map.of());
    }
}
