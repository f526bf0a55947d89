package io.anvil.driver;

import java.util.List;
import java.util.Map;

/**
 * A hardware type (Ironic's dynamic driver): for every interface, the implementations it supports, the first
 * being the default a new node gets. {@code properties} documents the driver_info keys it reads.
 */
public record HardwareType(String name, Map<String, List<String>> interfaces, Map<String, String> properties) {

    public String defaultFor(String iface) {
        return interfaces.get(iface).get(0);
    }

    public boolean supports(String iface, String impl) {
        return interfaces.getOrDefault(iface, List.of()).contains(impl);
    }
}
