package io.anvil.driver;

import io.anvil.driver.fake.FakeDeploy;
import io.anvil.driver.fake.FakeInspect;
import io.anvil.driver.fake.FakeManagement;
import io.anvil.driver.fake.FakePower;
import io.anvil.driver.fake.FakeRaid;
import io.anvil.driver.fake.FakeRescue;
import io.anvil.driver.fake.FakeVendor;
import io.anvil.driver.network.FlatNetwork;
import io.anvil.driver.network.NoopNetwork;
import io.anvil.errors.DriverNotFound;
import io.anvil.errors.InterfaceNotFound;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a node's {@link Driver} from its {@code driver} and {@code *_interface} fields. Implementations are
 * stateless singletons registered by name; a hardware type may register more (the ipmi type adds ipmitool).
 */
public final class DriverFactory {
    private final HardwareTypes types;
    private final Map<String, PowerInterface> power = new HashMap<>();
    private final Map<String, ManagementInterface> management = new HashMap<>();
    private final Map<String, DeployInterface> deploy = new HashMap<>();
    private final Map<String, InspectInterface> inspect = new HashMap<>();
    private final Map<String, RescueInterface> rescue = new HashMap<>();
    private final Map<String, BiosInterface> bios = new HashMap<>();
    private final Map<String, RaidInterface> raid = new HashMap<>();
    private final Map<String, VendorInterface> vendor = new HashMap<>();
    // boot interfaces are registered beside the others but not yet part of Driver: the step engine adds them there
    private final Map<String, BootInterface> boot = new HashMap<>();
    // network interfaces likewise stay outside Driver: only the VIF routes and switch_to_tenant_network use them
    private final Map<String, NetworkInterface> network = new HashMap<>();

    public DriverFactory(HardwareTypes types) {
        this.types = types;
        power.put("fake", new FakePower());
        management.put("fake", new FakeManagement());
        deploy.put("fake", new FakeDeploy());
        inspect.put("fake", new FakeInspect());
        rescue.put("fake", new FakeRescue());
        raid.put("fake", new FakeRaid());
        vendor.put("fake", new FakeVendor());
        network.put("flat", new FlatNetwork());
        network.put("noop", new NoopNetwork());
    }

    /** The fake BIOS interface needs the settings store, so the composition root registers it. */
    public DriverFactory registerBios(String name, BiosInterface impl) {
        bios.put(name, impl);
        return this;
    }

    public DriverFactory registerRaid(String name, RaidInterface impl) {
        raid.put(name, impl);
        return this;
    }

    public DriverFactory registerVendor(String name, VendorInterface impl) {
        vendor.put(name, impl);
        return this;
    }

    /** The raid implementation registered as {@code name}, or null (a {@code no-raid} or unknown name). */
    public RaidInterface raidImplementation(String name) {
        return name == null ? null : raid.get(name);
    }

    /** The vendor implementation registered as {@code name}, or null. */
    public VendorInterface vendorImplementation(String name) {
        return name == null ? null : vendor.get(name);
    }

    public DriverFactory registerPower(String name, PowerInterface impl) {
        power.put(name, impl);
        return this;
    }

    public DriverFactory registerManagement(String name, ManagementInterface impl) {
        management.put(name, impl);
        return this;
    }

    public DriverFactory registerDeploy(String name, DeployInterface impl) {
        deploy.put(name, impl);
        return this;
    }

    public DriverFactory registerInspect(String name, InspectInterface impl) {
        inspect.put(name, impl);
        return this;
    }

    public DriverFactory registerRescue(String name, RescueInterface impl) {
        rescue.put(name, impl);
        return this;
    }

    public DriverFactory registerBoot(String name, BootInterface impl) {
        boot.put(name, impl);
        return this;
    }

    /** The node's boot interface, or null for {@code fake} and unknown names (nothing to boot over the network). */
    public BootInterface bootFor(JsonObject node) {
        return boot.get(node.getString("boot_interface"));
    }

    /**
     * The node's network interface ({@code flat} or {@code noop}); InterfaceNotFound (400) for a name no implementation
     * is registered under, and DriverNotFound for a hardware type that is not enabled.
     */
    public NetworkInterface networkFor(JsonObject node) {
        String driver = node.getString("driver");
        types.get(driver).orElseThrow(() -> new DriverNotFound(driver));
        return required("network", node, network);
    }

    /**
     * Every registered implementation that some enabled hardware type supports, one per class (the objects whose
     * {@code @Periodic} methods the conductor runs). A driver author adds a periodic task by annotating a method of
     * an implementation and registering it here; nothing in the conductor changes.
     */
    public List<Object> enabledImplementations() {
        Map<Class<?>, Object> out = new LinkedHashMap<>();
        collect("power", power, out);
        collect("management", management, out);
        collect("deploy", deploy, out);
        collect("inspect", inspect, out);
        collect("rescue", rescue, out);
        collect("boot", boot, out);
        collect("bios", bios, out);
        collect("raid", raid, out);
        collect("vendor", vendor, out);
        return List.copyOf(out.values());
    }

    private void collect(String iface, Map<String, ?> impls, Map<Class<?>, Object> out) {
        impls.forEach((name, impl) -> {
            if (types.all().stream().anyMatch(t -> t.supports(iface, name))) {
                out.putIfAbsent(impl.getClass(), impl);
            }
        });
    }

    /** The deploy implementation registered as {@code name}, or null: the agent intake asks it without a task. */
    public DeployInterface deployImplementation(String name) {
        return name == null ? null : deploy.get(name);
    }

    public Driver forNode(JsonObject node) {
        String driver = node.getString("driver");
        HardwareType type = types.get(driver).orElseThrow(() -> new DriverNotFound(driver));
        return new Driver(
                type,
                required("power", node, power),
                required("management", node, management),
                required("deploy", node, deploy),
                optional("inspect", node, inspect),
                optional("rescue", node, rescue),
                optional("bios", node, bios),
                optional("raid", node, raid),
                optional("vendor", node, vendor),
                boot.get(node.getString("boot_interface")));
    }

    private static <T> T required(String iface, JsonObject node, Map<String, T> impls) {
        String name = node.getString(iface + "_interface");
        T impl = impls.get(name);
        if (impl == null) {
            throw new InterfaceNotFound(iface, name);
        }
        return impl;
    }

    private static <T> T optional(String iface, JsonObject node, Map<String, T> impls) {
        String name = node.getString(iface + "_interface");
        return name == null || name.startsWith("no-") ? null : required(iface, node, impls);
    }
}
