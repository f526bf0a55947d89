package io.anvil.sim.redfish;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one simulated BMC's HTTP requests (on the BMC's context): faults first (a slow answer, a 503), then
 * authentication (a session's {@code X-Auth-Token} or HTTP Basic; the service root, {@code /redfish},
 * {@code /redfish/v1/odata}, {@code $metadata} and the login itself need none), then the resource the path names.
 * Every error is a Redfish error body ({@link RedfishError}).
 */
final class RedfishHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RedfishHandler.class);
    private static final String V1 = RedfishResources.ROOT;
    private static final Pattern VERSION = Pattern.compile("(\\d+(?:\\.\\d+)+)");
    private static final Set<String> SYSTEM_READ_ONLY = Set.of(
            "@odata.id",
            "@odata.type",
            "Id",
            "Name",
            "PowerState",
            "UUID",
            "SerialNumber",
            "Manufacturer",
            "Model",
            "Status",
            "ProcessorSummary",
            "MemorySummary",
            "BiosVersion",
            "SystemType",
            "SKU",
            "PartNumber");

    /** An answer: status, body (null: none) and headers. */
    private static final class Reply {
        final int status;
        final JsonObject body;
        final Map<String, String> headers = new LinkedHashMap<>();

        Reply(int status, JsonObject body) {
            this.status = status;
            this.body = body;
        }

        Reply header(String name, String value) {
            headers.put(name, value);
            return this;
        }
    }

    private final RedfishFleet fleet;

    RedfishHandler(RedfishFleet fleet) {
        this.fleet = fleet;
    }

    void handle(SimulatedRedfishBmc bmc, HttpServerRequest req) {
        bmc.countRequest();
        req.body().onComplete(ar -> {
            Buffer body = ar.succeeded() ? ar.result() : Buffer.buffer();
            RedfishFaults faults = bmc.faults();
            long delay = faults.responseDelay().toMillis();
            if (delay > 0) {
                fleet.vertx().setTimer(delay, id -> answer(bmc, req, body, faults));
            } else {
                answer(bmc, req, body, faults);
            }
        });
    }

    private void answer(SimulatedRedfishBmc bmc, HttpServerRequest req, Buffer body, RedfishFaults faults) {
        Reply reply;
        try {
            if (faults.unavailableNow()) {
                throw new RedfishError(
                        503,
                        "ServiceTemporarilyUnavailable",
                        "The service is temporarily unavailable. Retry in 1 seconds.");
            }
            reply = dispatch(bmc, req, body);
        } catch (RedfishError e) {
            reply = new Reply(e.status, e.body());
            if (e.status == 503) {
                reply.header("Retry-After", "1");
            }
            if (e.status == 401) {
                reply.header("WWW-Authenticate", "Basic realm=\"Redfish\"");
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: {} {} failed", bmc, req.method(), req.path(), e);
            reply = new Reply(
                    500,
                    new RedfishError(500, "InternalError", "The request failed due to an internal service error.")
                            .body());
        }
        send(req, reply);
    }

    private static void send(HttpServerRequest req, Reply reply) {
        HttpServerResponse resp = req.response();
        if (resp.closed() || resp.ended()) {
            return;
        }
        resp.setStatusCode(reply.status);
        resp.putHeader("OData-Version", "4.0");
        resp.putHeader("Cache-Control", "no-cache");
        reply.headers.forEach(resp::putHeader);
        if (reply.body == null) {
            resp.end();
        } else {
            resp.putHeader("Content-Type", "application/json; charset=utf-8");
            resp.end(reply.body.toBuffer());
        }
    }

    // ---- routing ----

    private Reply dispatch(SimulatedRedfishBmc bmc, HttpServerRequest req, Buffer body) {
        String path = req.path();
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        HttpMethod method = req.method();
        if (path.equals("/redfish")) {
            requireGet(method, path);
            return ok(new JsonObject().put("v1", V1 + "/"));
        }
        if (!path.equals(V1) && !path.startsWith(V1 + "/")) {
            throw RedfishError.notFound(path);
        }
        List<String> s = segments(path.substring(V1.length()));
        // open to anyone, as on real BMCs: discovery and the login
        if (s.isEmpty()) {
            requireGet(method, path);
            return ok(RedfishResources.serviceRoot(bmc));
        }
        if (s.size() == 1 && s.get(0).equals("odata")) {
            requireGet(method, path);
            return ok(RedfishResources.odata());
        }
        if (s.size() == 1 && s.get(0).equals("$metadata")) {
            requireGet(method, path);
            return new Reply(200, null).header("Content-Type", "application/xml");
        }
        if (path.equals(V1 + "/SessionService/Sessions") && method == HttpMethod.POST) {
            return login(bmc, json(body));
        }
        authenticate(bmc, req);
        return switch (s.get(0)) {
            case "SessionService" -> sessionService(bmc, req, s, path);
            case "Systems" -> systems(bmc, req, s, path, body);
            case "Managers" -> managers(bmc, req, s, path, body);
            case "Chassis" -> chassis(bmc, method, s, path);
            case "UpdateService" -> updateService(bmc, method, s, path, body);
            case "TaskService" -> taskService(bmc, method, s, path);
            case "Registries" -> registries(method, s, path);
            default -> throw RedfishError.notFound(path);
        };
    }

    private static List<String> segments(String rest) {
        List<String> out = new ArrayList<>();
        for (String p : rest.split("/")) {
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }

    private static void requireGet(HttpMethod method, String path) {
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            throw RedfishError.notAllowed(method.name(), path);
        }
    }

    private static void require(HttpMethod method, HttpMethod expected, String path) {
        if (method != expected) {
            throw RedfishError.notAllowed(method.name(), path);
        }
    }

    private static Reply ok(JsonObject body) {
        return new Reply(200, body);
    }

    private static Reply noContent() {
        return new Reply(204, null);
    }

    private static JsonObject json(Buffer body) {
        if (body == null || body.length() == 0) {
            return new JsonObject();
        }
        try {
            return new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            throw RedfishError.malformed(e.getMessage());
        }
    }

    // ---- authentication ----

    private void authenticate(SimulatedRedfishBmc bmc, HttpServerRequest req) {
        String token = req.getHeader("X-Auth-Token");
        if (token != null) {
            if (bmc.session(token) != null) {
                return;
            }
            throw new RedfishError(
                    401, "NoValidSession", "There is no valid session established with the implementation.");
        }
        String auth = req.getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded =
                        new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw SimulatedRedfishBmc.unauthorized();
            }
            int colon = decoded.indexOf(':');
            if (colon > 0 && bmc.credentialsValid(decoded.substring(0, colon), decoded.substring(colon + 1))) {
                return;
            }
            throw SimulatedRedfishBmc.unauthorized();
        }
        throw new RedfishError(401, "NoValidSession", "There is no valid session established with the implementation.");
    }

    private Reply login(SimulatedRedfishBmc bmc, JsonObject body) {
        Object user = body.getValue("UserName");
        Object password = body.getValue("Password");
        if (!(user instanceof String)) {
            throw RedfishError.missingParameter("UserName", "Session creation");
        }
        if (!(password instanceof String)) {
            throw RedfishError.missingParameter("Password", "Session creation");
        }
        SimulatedRedfishBmc.Session s = bmc.login((String) user, (String) password);
        return new Reply(201, RedfishResources.session(s))
                .header("X-Auth-Token", s.token)
                .header("Location", V1 + "/SessionService/Sessions/" + s.id);
    }

    // ---- SessionService ----

    private Reply sessionService(SimulatedRedfishBmc bmc, HttpServerRequest req, List<String> s, String path) {
        HttpMethod method = req.method();
        if (s.size() == 1) {
            requireGet(method, path);
            return ok(RedfishResources.sessionService(bmc));
        }
        if (!s.get(1).equals("Sessions") || s.size() > 3) {
            throw RedfishError.notFound(path);
        }
        if (s.size() == 2) {
            requireGet(method, path);
            List<String> members = new ArrayList<>();
            for (SimulatedRedfishBmc.Session x : bmc.sessionList()) {
                members.add(V1 + "/SessionService/Sessions/" + x.id);
            }
            return ok(RedfishResources.collection(
                    "#SessionCollection.SessionCollection", path, "Session Collection", members));
        }
        SimulatedRedfishBmc.Session session = bmc.sessionById(s.get(2));
        if (session == null) {
            throw RedfishError.notFound(path);
        }
        if (method == HttpMethod.DELETE) {
            bmc.endSession(session);
            return noContent();
        }
        requireGet(method, path);
        return ok(RedfishResources.session(session));
    }

    // ---- Systems ----

    private Reply systems(SimulatedRedfishBmc bmc, HttpServerRequest req, List<String> s, String path, Buffer body) {
        HttpMethod method = req.method();
        if (s.size() == 1) {
            requireGet(method, path);
            return ok(RedfishResources.collection(
                    "#ComputerSystemCollection.ComputerSystemCollection",
                    path,
                    "Computer System Collection",
                    List.of(bmc.systemPath())));
        }
        if (!s.get(1).equals(bmc.systemId())) {
            throw RedfishError.notFound(path);
        }
        if (s.size() == 2) {
            if (method == HttpMethod.PATCH) {
                SimulatedRedfishBmc.checkIfMatch(req.getHeader("If-Match"), bmc.systemEtag());
                patchSystem(bmc, json(body));
            } else {
                requireGet(method, path);
            }
            return ok(RedfishResources.system(bmc))
                    .header("ETag", bmc.systemEtag())
                    .header("Allow", "GET, PATCH");
        }
        String sub = s.get(2);
        switch (sub) {
            case "Actions" -> {
                if (s.size() == 4 && s.get(3).equals("ComputerSystem.Reset")) {
                    require(method, HttpMethod.POST, path);
                    Object type = json(body).getValue("ResetType");
                    if (type == null) {
                        throw RedfishError.missingParameter("ResetType", "ComputerSystem.Reset");
                    }
                    if (!(type instanceof String t) || !SimulatedRedfishBmc.RESET_TYPES.contains(t)) {
                        throw RedfishError.actionValueNotInList("ResetType", type, "ComputerSystem.Reset");
                    }
                    bmc.reset(t);
                    return noContent();
                }
                throw RedfishError.notFound(path);
            }
            case "ResetActionInfo" -> {
                onlyGet(method, s, 3, path);
                return ok(RedfishResources.resetActionInfo(bmc));
            }
            case "SecureBoot" -> {
                return secureBoot(bmc, method, s, path, body);
            }
            case "Processors" -> {
                int sockets = Hardware.sockets(bmc.index());
                if (s.size() == 3) {
                    requireGet(method, path);
                    List<String> members = new ArrayList<>();
                    for (int i = 0; i < sockets; i++) {
                        members.add(path + "/CPU" + (i + 1));
                    }
                    return ok(RedfishResources.collection(
                            "#ProcessorCollection.ProcessorCollection", path, "Processors Collection", members));
                }
                onlyGet(method, s, 4, path);
                int n = numbered(s.get(3), "CPU", sockets, path);
                return ok(RedfishResources.processor(bmc, n));
            }
            case "Memory" -> {
                int dimms = Hardware.dimms(bmc.index());
                if (s.size() == 3) {
                    requireGet(method, path);
                    List<String> members = new ArrayList<>();
                    for (int i = 0; i < dimms; i++) {
                        members.add(path + "/DIMM" + (i + 1));
                    }
                    return ok(RedfishResources.collection(
                            "#MemoryCollection.MemoryCollection", path, "Memory Module Collection", members));
                }
                onlyGet(method, s, 4, path);
                return ok(RedfishResources.memory(bmc, numbered(s.get(3), "DIMM", dimms, path)));
            }
            case "EthernetInterfaces" -> {
                if (s.size() == 3) {
                    requireGet(method, path);
                    return ok(RedfishResources.collection(
                            "#EthernetInterfaceCollection.EthernetInterfaceCollection",
                            path,
                            "Ethernet Network Interface Collection",
                            List.of(path + "/NIC1")));
                }
                onlyGet(method, s, 4, path);
                numbered(s.get(3), "NIC", 1, path);
                return ok(RedfishResources.ethernetInterface(bmc));
            }
            case "SimpleStorage" -> {
                if (s.size() == 3) {
                    requireGet(method, path);
                    return ok(RedfishResources.collection(
                            "#SimpleStorageCollection.SimpleStorageCollection",
                            path,
                            "Simple Storage Collection",
                            List.of(path + "/1")));
                }
                onlyGet(method, s, 4, path);
                if (!s.get(3).equals("1")) {
                    throw RedfishError.notFound(path);
                }
                return ok(RedfishResources.simpleStorage(bmc));
            }
            case "Storage" -> {
                return storage(bmc, method, s, path, body);
            }
            case "Bios" -> {
                return bios(bmc, req, s, path, body);
            }
            default -> throw RedfishError.notFound(path);
        }
    }

    private static void onlyGet(HttpMethod method, List<String> s, int size, String path) {
        if (s.size() != size) {
            throw RedfishError.notFound(path);
        }
        requireGet(method, path);
    }

    /** {@code prefix + n} with 1 ≤ n ≤ count, as a 0-based index; 404 otherwise. */
    private static int numbered(String id, String prefix, int count, String path) {
        if (id.startsWith(prefix)) {
            try {
                int n = Integer.parseInt(id.substring(prefix.length()));
                if (n >= 1 && n <= count) {
                    return n - 1;
                }
            } catch (NumberFormatException e) {
                // a 404 below
            }
        }
        throw RedfishError.notFound(path);
    }

    private void patchSystem(SimulatedRedfishBmc bmc, JsonObject patch) {
        String target = null;
        String enabled = null;
        String mode = null;
        boolean bootChange = false;
        String led = null;
        Boolean location = null;
        for (String key : patch.fieldNames()) {
            Object v = patch.getValue(key);
            switch (key) {
                case "Boot" -> {
                    if (!(v instanceof JsonObject boot)) {
                        throw RedfishError.typeError("Boot", v);
                    }
                    for (String b : boot.fieldNames()) {
                        Object bv = boot.getValue(b);
                        if (!(bv instanceof String str)) {
                            throw RedfishError.typeError("Boot/" + b, bv);
                        }
                        switch (b) {
                            case "BootSourceOverrideTarget" -> target = str;
                            case "BootSourceOverrideEnabled" -> enabled = str;
                            case "BootSourceOverrideMode" -> mode = str;
                            default -> throw RedfishError.unknownProperty("Boot/" + b);
                        }
                    }
                    bootChange = true;
                }
                case "IndicatorLED" -> {
                    if (!(v instanceof String str)) {
                        throw RedfishError.typeError(key, v);
                    }
                    led = str;
                }
                case "LocationIndicatorActive" -> {
                    if (!(v instanceof Boolean b)) {
                        throw RedfishError.typeError(key, v);
                    }
                    location = b;
                }
                case "AssetTag", "HostName" -> {
                    // accepted and forgotten: nothing in the simulation depends on them
                }
                default -> {
                    if (SYSTEM_READ_ONLY.contains(key)) {
                        throw RedfishError.notWritable(key);
                    }
                    throw RedfishError.unknownProperty(key);
                }
            }
        }
        // validate everything before changing anything
        if (led != null && !SimulatedRedfishBmc.LED_STATES.contains(led)) {
            throw RedfishError.notInList("IndicatorLED", led);
        }
        if (bootChange) {
            bmc.setBoot(target, enabled, mode);
        }
        if (led != null || location != null) {
            bmc.setIndicator(led, location);
        }
    }

    private Reply secureBoot(SimulatedRedfishBmc bmc, HttpMethod method, List<String> s, String path, Buffer body) {
        if (s.size() == 3) {
            if (method == HttpMethod.PATCH) {
                JsonObject patch = json(body);
                for (String key : patch.fieldNames()) {
                    if (!key.equals("SecureBootEnable")) {
                        throw key.equals("SecureBootCurrentBoot") || key.equals("SecureBootMode")
                                ? RedfishError.notWritable(key)
                                : RedfishError.unknownProperty(key);
                    }
                }
                Object v = patch.getValue("SecureBootEnable");
                if (v != null) {
                    if (!(v instanceof Boolean b)) {
                        throw RedfishError.typeError("SecureBootEnable", v);
                    }
                    bmc.setSecureBoot(b);
                }
            } else {
                requireGet(method, path);
            }
            return ok(RedfishResources.secureBoot(bmc)).header("Allow", "GET, PATCH");
        }
        if (s.size() == 5 && s.get(3).equals("Actions") && s.get(4).equals("SecureBoot.ResetKeys")) {
            require(method, HttpMethod.POST, path);
            return noContent();
        }
        throw RedfishError.notFound(path);
    }

    private Reply storage(SimulatedRedfishBmc bmc, HttpMethod method, List<String> s, String path, Buffer body) {
        if (s.size() == 3) {
            requireGet(method, path);
            return ok(RedfishResources.collection(
                    "#StorageCollection.StorageCollection",
                    path,
                    "Storage Collection",
                    List.of(RedfishResources.storagePath(bmc))));
        }
        if (!s.get(3).equals(RedfishResources.STORAGE_ID)) {
            throw RedfishError.notFound(path);
        }
        if (s.size() == 4) {
            requireGet(method, path);
            return ok(RedfishResources.storage(bmc));
        }
        switch (s.get(4)) {
            case "Drives" -> {
                if (s.size() == 6) {
                    requireGet(method, path);
                    if (s.get(5).equals("0") || s.get(5).equals("1")) {
                        return ok(RedfishResources.drive(bmc, Integer.parseInt(s.get(5))));
                    }
                }
                throw RedfishError.notFound(path);
            }
            case "Volumes" -> {
                if (s.size() == 5) {
                    if (method == HttpMethod.POST) {
                        SimulatedRedfishBmc.Volume v = createVolume(bmc, json(body));
                        String location = RedfishResources.storagePath(bmc) + "/Volumes/" + v.id();
                        return new Reply(201, RedfishResources.volume(bmc, v)).header("Location", location);
                    }
                    requireGet(method, path);
                    return ok(RedfishResources.volumes(bmc)).header("Allow", "GET, POST");
                }
                if (s.size() == 6) {
                    SimulatedRedfishBmc.Volume v = bmc.volume(s.get(5));
                    if (v == null) {
                        throw RedfishError.notFound(path);
                    }
                    if (method == HttpMethod.DELETE) {
                        bmc.deleteVolume(v);
                        return noContent();
                    }
                    requireGet(method, path);
                    return ok(RedfishResources.volume(bmc, v)).header("Allow", "GET, DELETE");
                }
                throw RedfishError.notFound(path);
            }
            default -> throw RedfishError.notFound(path);
        }
    }

    private SimulatedRedfishBmc.Volume createVolume(SimulatedRedfishBmc bmc, JsonObject body) {
        Object raid = body.getValue("RAIDType");
        if (raid == null) {
            throw RedfishError.missingParameter("RAIDType", "Volume creation");
        }
        if (!(raid instanceof String raidType)) {
            throw RedfishError.typeError("RAIDType", raid);
        }
        Object capacity = body.getValue("CapacityBytes");
        if (capacity != null && !(capacity instanceof Number)) {
            throw RedfishError.typeError("CapacityBytes", capacity);
        }
        Object name = body.getValue("Name");
        List<Integer> drives = new ArrayList<>();
        JsonObject links = body.getJsonObject("Links");
        JsonArray refs = links == null ? null : links.getJsonArray("Drives");
        String drivesPrefix = RedfishResources.storagePath(bmc) + "/Drives/";
        if (refs != null) {
            for (Object o : refs) {
                String id = o instanceof JsonObject j ? j.getString("@odata.id") : null;
                if (id == null || !id.startsWith(drivesPrefix)) {
                    throw RedfishError.notInList("Links/Drives", o);
                }
                String n = id.substring(drivesPrefix.length());
                if (!n.equals("0") && !n.equals("1")) {
                    throw RedfishError.notInList("Links/Drives", id);
                }
                drives.add(Integer.parseInt(n));
            }
        } else {
            drives.add(0); // no drives named: the controller picks the first
            if ("RAID1".equals(raidType)) {
                drives.add(1);
            }
        }
        return bmc.createVolume(
                name instanceof String n ? n : null,
                raidType,
                capacity == null ? null : ((Number) capacity).longValue(),
                drives);
    }

    private Reply bios(SimulatedRedfishBmc bmc, HttpServerRequest req, List<String> s, String path, Buffer body) {
        HttpMethod method = req.method();
        if (s.size() == 3) {
            requireGet(method, path);
            return ok(RedfishResources.bios(bmc));
        }
        switch (s.get(3)) {
            case "Settings" -> {
                if (s.size() != 4) {
                    throw RedfishError.notFound(path);
                }
                if (method == HttpMethod.PATCH || method == HttpMethod.PUT) {
                    JsonObject patch = json(body);
                    for (String key : patch.fieldNames()) {
                        if (!key.equals("Attributes") && !key.equals("@Redfish.SettingsApplyTime")) {
                            throw RedfishError.unknownProperty(key);
                        }
                    }
                    JsonObject attributes = patch.getJsonObject("Attributes");
                    if (attributes == null) {
                        throw RedfishError.missingParameter("Attributes", "Bios settings");
                    }
                    bmc.setBiosPending(attributes.getMap());
                    return noContent();
                }
                requireGet(method, path);
                return ok(RedfishResources.biosSettings(bmc)).header("Allow", "GET, PATCH");
            }
            case "Actions" -> {
                if (s.size() == 5) {
                    require(method, HttpMethod.POST, path);
                    switch (s.get(4)) {
                        case "Bios.ResetBios" -> {
                            bmc.resetBios();
                            return noContent();
                        }
                        case "Bios.ChangePassword" -> {
                            return noContent();
                        }
                        default -> throw RedfishError.notFound(path);
                    }
                }
                throw RedfishError.notFound(path);
            }
            default -> throw RedfishError.notFound(path);
        }
    }

    // ---- Managers, VirtualMedia ----

    private Reply managers(SimulatedRedfishBmc bmc, HttpServerRequest req, List<String> s, String path, Buffer body) {
        HttpMethod method = req.method();
        if (s.size() == 1) {
            requireGet(method, path);
            return ok(RedfishResources.collection(
                    "#ManagerCollection.ManagerCollection",
                    path,
                    "Manager Collection",
                    List.of(RedfishResources.MANAGER)));
        }
        if (!s.get(1).equals("BMC")) {
            throw RedfishError.notFound(path);
        }
        if (s.size() == 2) {
            requireGet(method, path);
            return ok(RedfishResources.manager(bmc));
        }
        if (s.get(2).equals("Actions") && s.size() == 4 && s.get(3).equals("Manager.Reset")) {
            require(method, HttpMethod.POST, path);
            bmc.dropSessions();
            bmc.event("manager reset");
            return noContent();
        }
        if (!s.get(2).equals("VirtualMedia")) {
            throw RedfishError.notFound(path);
        }
        if (s.size() == 3) {
            requireGet(method, path);
            List<String> members = new ArrayList<>();
            for (String id : SimulatedRedfishBmc.MEDIA_IDS) {
                members.add(path + "/" + id);
            }
            return ok(RedfishResources.collection(
                    "#VirtualMediaCollection.VirtualMediaCollection", path, "Virtual Media Services", members));
        }
        SimulatedRedfishBmc.Media m = bmc.media(s.get(3));
        if (m == null) {
            throw RedfishError.notFound(path);
        }
        if (s.size() == 4) {
            if (method == HttpMethod.PATCH) {
                SimulatedRedfishBmc.checkIfMatch(req.getHeader("If-Match"), bmc.mediaEtag());
                patchMedia(bmc, m, json(body));
            } else {
                requireGet(method, path);
            }
            return ok(RedfishResources.virtualMedia(m))
                    .header("ETag", bmc.mediaEtag())
                    .header("Allow", "GET, PATCH");
        }
        if (s.size() == 5 && s.get(4).equals("InsertMediaActionInfo")) {
            requireGet(method, path);
            return ok(RedfishResources.insertMediaActionInfo(m.id));
        }
        if (s.size() == 6 && s.get(4).equals("Actions")) {
            require(method, HttpMethod.POST, path);
            switch (s.get(5)) {
                case "VirtualMedia.InsertMedia" -> {
                    insertMedia(bmc, m, json(body));
                    return noContent();
                }
                case "VirtualMedia.EjectMedia" -> {
                    bmc.ejectMedia(m);
                    return noContent();
                }
                default -> throw RedfishError.notFound(path);
            }
        }
        throw RedfishError.notFound(path);
    }

    private static void insertMedia(SimulatedRedfishBmc bmc, SimulatedRedfishBmc.Media m, JsonObject body) {
        String action = "VirtualMedia.InsertMedia";
        Object image = body.getValue("Image");
        if (image == null) {
            throw RedfishError.missingParameter("Image", action);
        }
        if (!(image instanceof String url) || !(url.startsWith("http://") || url.startsWith("https://"))) {
            throw new RedfishError(
                    400,
                    "ActionParameterValueFormatError",
                    "The value " + image + " for the parameter Image in the action " + action
                            + " is not an http(s) URL.",
                    "#/Image");
        }
        Object protocol = body.getValue("TransferProtocolType");
        if (protocol != null && !"HTTP".equals(protocol) && !"HTTPS".equals(protocol)) {
            throw RedfishError.actionValueNotInList("TransferProtocolType", protocol, action);
        }
        Object method = body.getValue("TransferMethod");
        if (method != null && !"Stream".equals(method) && !"Upload".equals(method)) {
            throw RedfishError.actionValueNotInList("TransferMethod", method, action);
        }
        if (m.inserted) {
            // real BMCs refuse a second image in a busy drive (Ironic ejects first)
            throw new RedfishError(
                    409,
                    "ResourceInUse",
                    "Virtual media " + m.id + " already has an image inserted; eject it first.",
                    "#/Image");
        }
        Object user = body.getValue("UserName");
        bmc.insertMedia(
                m,
                url,
                body.getBoolean("Inserted", true),
                body.getBoolean("WriteProtected", true),
                user instanceof String u ? u : null,
                method instanceof String x ? x : null);
    }

    private static void patchMedia(SimulatedRedfishBmc bmc, SimulatedRedfishBmc.Media m, JsonObject patch) {
        for (String key : patch.fieldNames()) {
            if (!Set.of(
                            "Image",
                            "Inserted",
                            "WriteProtected",
                            "UserName",
                            "Password",
                            "TransferProtocolType",
                            "TransferMethod")
                    .contains(key)) {
                throw RedfishError.unknownProperty(key);
            }
        }
        Object image = patch.getValue("Image");
        if (image == null && patch.containsKey("Image")) {
            bmc.ejectMedia(m);
            return;
        }
        if (image instanceof String url) {
            if (m.inserted) {
                bmc.ejectMedia(m);
            }
            JsonObject insert = patch.copy();
            insert.remove("Password");
            insertMedia(bmc, m, insert);
            return;
        }
        if (Boolean.FALSE.equals(patch.getValue("Inserted"))) {
            bmc.ejectMedia(m);
        }
    }

    // ---- Chassis ----

    private Reply chassis(SimulatedRedfishBmc bmc, HttpMethod method, List<String> s, String path) {
        requireGet(method, path);
        if (s.size() == 1) {
            return ok(RedfishResources.collection(
                    "#ChassisCollection.ChassisCollection",
                    path,
                    "Chassis Collection",
                    List.of(RedfishResources.CHASSIS)));
        }
        if (!s.get(1).equals("1U")) {
            throw RedfishError.notFound(path);
        }
        if (s.size() == 2) {
            return ok(RedfishResources.chassis(bmc));
        }
        if (s.size() == 3 && s.get(2).equals("Thermal")) {
            return ok(RedfishResources.thermal(bmc));
        }
        if (s.size() == 3 && s.get(2).equals("Power")) {
            return ok(RedfishResources.power(bmc));
        }
        throw RedfishError.notFound(path);
    }

    // ---- UpdateService, TaskService, Registries ----

    private Reply updateService(SimulatedRedfishBmc bmc, HttpMethod method, List<String> s, String path, Buffer body) {
        if (s.size() == 1) {
            requireGet(method, path);
            return ok(RedfishResources.updateService());
        }
        switch (s.get(1)) {
            case "SimpleUpdateActionInfo" -> {
                onlyGet(method, s, 2, path);
                return ok(RedfishResources.simpleUpdateActionInfo());
            }
            case "FirmwareInventory" -> {
                if (s.size() == 2) {
                    requireGet(method, path);
                    return ok(RedfishResources.firmwareInventory());
                }
                onlyGet(method, s, 3, path);
                if (!s.get(2).equals("BIOS") && !s.get(2).equals("BMC")) {
                    throw RedfishError.notFound(path);
                }
                return ok(RedfishResources.firmware(bmc, s.get(2)));
            }
            case "Actions" -> {
                if (s.size() == 3 && s.get(2).equals("UpdateService.SimpleUpdate")) {
                    require(method, HttpMethod.POST, path);
                    return simpleUpdate(bmc, json(body));
                }
                throw RedfishError.notFound(path);
            }
            default -> throw RedfishError.notFound(path);
        }
    }

    /**
     * SimpleUpdate: a task that fetches the image (an unreachable URL ends it in Exception with the reason), then
     * "flashes" for {@code taskDuration} and sets the component's version from the image's file name (the first
     * dotted number in it, e.g. {@code bios-2.1.0.bin} → 2.1.0; else the patch level goes up by one).
     */
    private Reply simpleUpdate(SimulatedRedfishBmc bmc, JsonObject body) {
        String action = "UpdateService.SimpleUpdate";
        Object image = body.getValue("ImageURI");
        if (image == null) {
            throw RedfishError.missingParameter("ImageURI", action);
        }
        if (!(image instanceof String uri)) {
            throw RedfishError.typeError("ImageURI", image);
        }
        Object protocol = body.getValue("TransferProtocol");
        if (protocol != null && !"HTTP".equals(protocol) && !"HTTPS".equals(protocol)) {
            throw RedfishError.actionValueNotInList("TransferProtocol", protocol, action);
        }
        String component = "BIOS";
        JsonArray targets = body.getJsonArray("Targets");
        if (targets != null) {
            for (Object t : targets) {
                if (String.valueOf(t).contains("/Managers/")
                        || String.valueOf(t).endsWith("FirmwareInventory/BMC")) {
                    component = "BMC";
                }
            }
        }
        String target = component;
        SimulatedRedfishBmc.Task task = bmc.newTask("Firmware update of " + component);
        bmc.event("task " + task.id + " started: update " + component + " from " + uri);
        fleet.fetch(uri).onComplete(ar -> {
            if (ar.failed()) {
                bmc.failTask(
                        task,
                        "Update.1.0.TransferFailed",
                        "Transfer of image '" + uri + "' to '" + target + "' failed: "
                                + ar.cause().getMessage());
                return;
            }
            task.percent = 50;
            fleet.vertx()
                    .setTimer(
                            Math.max(1, fleet.options().taskDuration().toMillis()),
                            id -> bmc.finishUpdate(task, target, nextVersion(uri, bmc, target), uri));
        });
        return new Reply(202, RedfishResources.task(task))
                .header("Location", RedfishResources.taskMonitorPath(task))
                .header("Retry-After", "1");
    }

    private static String nextVersion(String uri, SimulatedRedfishBmc bmc, String component) {
        String name = uri.substring(uri.lastIndexOf('/') + 1);
        Matcher m = VERSION.matcher(name);
        if (m.find()) {
            return m.group(1);
        }
        String current = "BMC".equals(component) ? bmc.bmcVersion() : bmc.biosVersion();
        int dot = current.lastIndexOf('.');
        try {
            return current.substring(0, dot + 1) + (Integer.parseInt(current.substring(dot + 1)) + 1);
        } catch (NumberFormatException e) {
            return current + ".1";
        }
    }

    private Reply taskService(SimulatedRedfishBmc bmc, HttpMethod method, List<String> s, String path) {
        requireGet(method, path);
        if (s.size() == 1) {
            return ok(RedfishResources.taskService());
        }
        if (s.get(1).equals("Tasks") && s.size() == 2) {
            List<String> members = new ArrayList<>();
            for (SimulatedRedfishBmc.Task t : bmc.tasks()) {
                members.add(RedfishResources.taskPath(t));
            }
            return ok(RedfishResources.collection("#TaskCollection.TaskCollection", path, "Task Collection", members));
        }
        if (s.size() != 3 || !(s.get(1).equals("Tasks") || s.get(1).equals("TaskMonitors"))) {
            throw RedfishError.notFound(path);
        }
        SimulatedRedfishBmc.Task t = bmc.task(s.get(2));
        if (t == null) {
            throw RedfishError.notFound(path);
        }
        if (!t.done()) {
            // a task monitor answers 202 while the operation runs (DSP0266 "Asynchronous operations"); the task's
            // own URI does too, as on many BMCs: sushy follows the body's @odata.id rather than Location
            return new Reply(202, RedfishResources.task(t))
                    .header("Location", RedfishResources.taskMonitorPath(t))
                    .header("Retry-After", "1");
        }
        return ok(RedfishResources.task(t));
    }

    private Reply registries(HttpMethod method, List<String> s, String path) {
        requireGet(method, path);
        if (s.size() == 1) {
            return ok(RedfishResources.registries());
        }
        if (!s.get(1).equals("BiosAttributeRegistry.v1_0_0")) {
            throw RedfishError.notFound(path);
        }
        if (s.size() == 2) {
            return ok(RedfishResources.registryFile());
        }
        if (s.size() == 3 && s.get(2).equals("BiosAttributeRegistry")) {
            return ok(RedfishResources.attributeRegistry());
        }
        throw RedfishError.notFound(path);
    }
}
