package io.anvil.api;

import io.anvil.cluster.ConductorRegistry.Conductor;
import io.anvil.driver.HardwareType;
import io.anvil.errors.AnvilException;
import io.anvil.store.Resources;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/** Version discovery ({@code /}, {@code /v1}), drivers and conductors. */
final class DiscoveryApi {
    private final ApiServices services;
    private final ConductorCache conductors;

    DiscoveryApi(ApiServices services, ConductorCache conductors) {
        this.services = services;
        this.conductors = conductors;
    }

    private String base(RoutingContext ctx) {
        return Links.base(ctx, services.config().api().publicUrl());
    }

    private static JsonObject version(String base) {
        return new JsonObject()
                .put("id", "v1")
                .put(
                        "links",
                        new JsonArray()
                                .add(new JsonObject().put("href", base + "/v1/").put("rel", "self")))
                .put("status", "CURRENT")
                .put("min_version", ApiVersion.MIN.toString())
                .put("version", ApiVersion.MAX.toString());
    }

    JsonObject root(RoutingContext ctx) {
        String base = base(ctx);
        return new JsonObject()
                .put("name", "OpenStack Ironic API")
                .put("description", "Anvil: a reactive bare-metal conductor speaking Ironic's v1 API.")
                .put("default_version", version(base))
                .put("versions", new JsonArray().add(version(base)));
    }

    JsonObject v1(RoutingContext ctx) {
        String base = base(ctx);
        JsonObject out = new JsonObject()
                .put("id", "v1")
                .put(
                        "links",
                        new JsonArray()
                                .add(new JsonObject().put("href", base + "/v1/").put("rel", "self"))
                                .add(new JsonObject()
                                        .put("href", "https://docs.openstack.org/ironic/latest/contributor/webapi.html")
                                        .put("rel", "describedby")
                                        .put("type", "text/html")))
                .put(
                        "media_types",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("base", "application/json")
                                        .put("type", "application/vnd.openstack.ironic.v1+json")));
        for (String r : List.of("chassis", "nodes", "ports", "portgroups", "drivers", "volume", "conductors")) {
            out.put(r, Links.of(base, r));
        }
        out.put("version", version(base));
        return out;
    }

    JsonObject drivers(RoutingContext ctx) {
        Requests.allowOnly(ctx, Set.of("type", "detail", "fields"));
        String type = Requests.query(ctx, "type");
        if (type != null && !type.equals("classic") && !type.equals("dynamic")) {
            throw AnvilException.invalid("Invalid driver type '" + type + "': it must be 'classic' or 'dynamic'.");
        }
        boolean detail = Boolean.TRUE.equals(Requests.boolQuery(ctx, "detail"));
        JsonArray list = new JsonArray();
        if (!"classic".equals(type)) {
            for (HardwareType t : services.hardwareTypes().all()) {
                List<String> hosts = hosts(t.name());
                if (!hosts.isEmpty()) {
                    list.add(driver(ctx, t, hosts, detail));
                }
            }
        }
        return new JsonObject().put("drivers", list);
    }

    JsonObject driver(RoutingContext ctx) {
        String name = ctx.pathParam("driver");
        HardwareType t = services.hardwareTypes()
                .get(name)
                .filter(x -> !hosts(name).isEmpty())
                .orElseThrow(() -> AnvilException.notFound(
                        "Could not find the following driver(s) or hardware type(s): " + name + "."));
        return driver(ctx, t, hosts(name), true);
    }

    JsonObject driverProperties(RoutingContext ctx) {
        String name = ctx.pathParam("driver");
        HardwareType t = services.hardwareTypes()
                .get(name)
                .orElseThrow(() -> AnvilException.notFound(
                        "Could not find the following driver(s) or hardware type(s): " + name + "."));
        JsonObject out = new JsonObject();
        t.properties().forEach(out::put);
        return out;
    }

    private List<String> hosts(String driver) {
        return conductors.current().stream()
                .filter(c -> c.alive() && c.drivers().contains(driver))
                .map(Conductor::hostname)
                .toList();
    }

    private JsonObject driver(RoutingContext ctx, HardwareType t, List<String> hosts, boolean detail) {
        String base = base(ctx);
        JsonObject d = new JsonObject()
                .put("hosts", new JsonArray(hosts))
                .put("name", t.name())
                .put("type", "dynamic")
                .put("links", Links.of(base, "drivers/" + t.name()))
                .put("properties", Links.of(base, "drivers/" + t.name() + "/properties"));
        ApiVersion v = Requests.version(ctx);
        if (detail && v.atLeast(30)) {
            for (String iface : Resources.INTERFACES) {
                d.put("default_" + iface + "_interface", t.defaultFor(iface));
                d.put(
                        "enabled_" + iface + "_interfaces",
                        new JsonArray(t.interfaces().get(iface)));
            }
        }
        return d;
    }

    JsonObject conductors(RoutingContext ctx) {
        checkConductorVersion(ctx);
        Requests.allowOnly(ctx, Set.of("detail", "fields", "limit", "marker", "sort_key", "sort_dir"));
        boolean detail = Boolean.TRUE.equals(Requests.boolQuery(ctx, "detail"));
        JsonArray list = new JsonArray();
        for (Conductor c : conductors.current()) {
            list.add(conductor(ctx, c, detail));
        }
        return new JsonObject().put("conductors", list);
    }

    JsonObject conductor(RoutingContext ctx) {
        checkConductorVersion(ctx);
        String host = ctx.pathParam("hostname");
        return conductors.current().stream()
                .filter(c -> c.hostname().equals(host))
                .findFirst()
                .map(c -> conductor(ctx, c, true))
                .orElseThrow(() -> AnvilException.notFound("Conductor " + host + " could not be found."));
    }

    private static void checkConductorVersion(RoutingContext ctx) {
        if (!Requests.version(ctx).atLeast(49)) {
            throw AnvilException.notFound("The resource could not be found.");
        }
    }

    private JsonObject conductor(RoutingContext ctx, Conductor c, boolean detail) {
        JsonObject o = new JsonObject()
                .put("hostname", c.hostname())
                .put("conductor_group", c.group())
                .put("alive", c.alive());
        if (detail) {
            o.put("drivers", new JsonArray(c.drivers()))
                    .put("created_at", c.createdAt())
                    .put("updated_at", c.updatedAt());
        }
        return o.put("links", Links.of(base(ctx), "conductors/" + c.hostname()));
    }
}
