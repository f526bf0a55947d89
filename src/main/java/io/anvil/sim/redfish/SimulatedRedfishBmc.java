package io.anvil.sim.redfish;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One simulated Redfish BMC and the machine it manages: power, boot override, BIOS (current and pending), secure boot,
 * indicator LED, virtual media, RAID volumes, firmware versions, update tasks and login sessions.
 *
 * <p>All state lives on the BMC's Vert.x context (the event loop its HTTP server runs on): the request handlers
 * change it there without locks; other threads read it through the volatile getters and change it through the
 * {@code Future}-returning methods, which hop onto that context. Maps and lists are made on first use, so an idle
 * BMC holds a few hundred bytes.
 */
public final class SimulatedRedfishBmc {

    /** Redfish {@code PowerState}. */
    public enum Power {
        On,
        Off,
        PoweringOn,
        PoweringOff
    }

    static final List<String> RESET_TYPES = List.of(
            "On",
            "ForceOff",
            "GracefulShutdown",
            "GracefulRestart",
            "ForceRestart",
            "Nmi",
            "ForceOn",
            "PushPowerButton");
    static final List<String> BOOT_TARGETS =
            List.of("None", "Pxe", "Floppy", "Cd", "Usb", "Hdd", "BiosSetup", "UefiHttp");
    static final List<String> BOOT_ENABLED = List.of("Disabled", "Once", "Continuous");
    static final List<String> BOOT_MODES = List.of("UEFI", "Legacy");
    static final List<String> LED_STATES = List.of("Lit", "Blinking", "Off");
    static final List<String> MEDIA_IDS = List.of("Cd", "Floppy");
    static final List<String> RAID_TYPES = List.of("RAID0", "RAID1");
    private static final int TASKS_KEPT = 32;

    /** A login session. */
    static final class Session {
        final String id;
        final String token;
        final String user;
        final Instant created;
        long lastUsedNanos;
        int uses;

        Session(String id, String token, String user) {
            this.id = id;
            this.token = token;
            this.user = user;
            this.created = Instant.now();
            this.lastUsedNanos = System.nanoTime();
        }
    }

    /** One virtual media device (a Cd or a Floppy/USB stick). */
    static final class Media {
        final String id;
        volatile String image;
        volatile boolean inserted;
        volatile boolean writeProtected = true;
        volatile String userName;
        volatile String transferMethod;

        Media(String id) {
            this.id = id;
        }

        String imageName() {
            if (image == null) {
                return null;
            }
            String path = image.contains("?") ? image.substring(0, image.indexOf('?')) : image;
            return path.substring(path.lastIndexOf('/') + 1);
        }
    }

    /** A RAID volume on the storage controller. */
    record Volume(String id, String name, String raidType, long capacityBytes, List<Integer> drives) {}

    /** A task (firmware update). */
    static final class Task {
        final int id;
        final String name;
        final Instant start = Instant.now();
        volatile String state = "Running";
        volatile String status = "OK";
        volatile int percent;
        volatile Instant end;
        volatile String messageId;
        volatile String message;

        Task(int id, String name) {
            this.id = id;
            this.name = name;
        }

        boolean done() {
            return end != null;
        }
    }

    private final RedfishFleet fleet;
    private final int index;
    private final String systemId;
    private final Context context;
    private volatile String host;
    private volatile int port;

    private volatile Power power = Power.Off;
    private volatile String bootTarget = "None";
    private volatile String bootEnabled = "Disabled";
    private volatile String bootMode = "UEFI";
    private volatile long boots;
    private volatile String lastBootSource;
    private volatile String lastBootImage;
    private volatile long nmis;
    private volatile String indicatorLed = "Off";
    private volatile boolean secureBootEnable;
    private volatile boolean secureBootCurrent;
    private volatile String biosVersion = "1.0.0";
    private volatile String bmcVersion = "1.0.0";
    private int systemVersion = 1;
    private int mediaVersion = 1;

    /** Current BIOS values that differ from the defaults (null: none). */
    private Map<String, Object> bios;
    /** Values set through Bios/Settings, applied at the next boot (null: none). */
    private volatile Map<String, Object> biosPending;

    private Instant biosAppliedAt;
    /** BIOS attributes whose pending values the firmware drops at boot instead of applying them. */
    private final Set<String> biosRefused = ConcurrentHashMap.newKeySet();
    /** True: a boot stops in POST until released (a slow firmware); the boot held, if any. */
    private boolean holdBoots;

    private Runnable heldBoot;
    /** ComputerSystem.BootProgress.LastState: None when off, SystemHardwareInitializationComplete in POST. */
    private volatile String bootProgress = "None";

    private Media[] media;
    private Map<String, Session> sessions;
    private int nextSession = 1;
    private List<Volume> volumes;
    private int nextVolume = 1;
    private ArrayDeque<Task> tasks;
    private int nextTask = 1;
    private long powerTimer = -1;

    private volatile RedfishFaults faults;
    private volatile long requests;
    private volatile long logins;
    // written on the BMC's context only
    private volatile int openConnections;
    private volatile long connections;
    private volatile long loginFailures;
    private volatile long resets;

    SimulatedRedfishBmc(RedfishFleet fleet, int index, String systemId, Context context) {
        this.fleet = fleet;
        this.index = index;
        this.systemId = systemId;
        this.context = context;
    }

    void bound(String host, int port) {
        this.host = host;
        this.port = port;
    }

    // ---- identity ----

    public int index() {
        return index;
    }

    /** The id in {@code /redfish/v1/Systems/<id>} (Ironic's {@code redfish_system_id} is the whole path). */
    public String systemId() {
        return systemId;
    }

    /** {@code /redfish/v1/Systems/<id>}. */
    public String systemPath() {
        return "/redfish/v1/Systems/" + systemId;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** {@code https://host:port} (or http), Ironic's {@code redfish_address}. */
    public String address() {
        return (fleet.tls() ? "https://" : "http://") + host + ":" + port;
    }

    public String uuid() {
        return Hardware.systemUuid(index);
    }

    Context context() {
        return context;
    }

    RedfishFleet fleet() {
        return fleet;
    }

    // ---- state for tests (any thread) ----

    public Power power() {
        return power;
    }

    public String bootTarget() {
        return bootTarget;
    }

    public String bootEnabled() {
        return bootEnabled;
    }

    public String bootMode() {
        return bootMode;
    }

    /** Boots so far (power-ons and restarts). */
    public long boots() {
        return boots;
    }

    /** What the last boot booted from (Pxe, Cd, Hdd, BiosSetup, …), or null before the first. */
    public String lastBootSource() {
        return lastBootSource;
    }

    /** The image the last boot from virtual media booted, or null. */
    public String lastBootImage() {
        return lastBootImage;
    }

    public long nmis() {
        return nmis;
    }

    public String indicatorLed() {
        return indicatorLed;
    }

    public boolean secureBootEnable() {
        return secureBootEnable;
    }

    public boolean secureBootCurrentBoot() {
        return secureBootCurrent;
    }

    public String biosVersion() {
        return biosVersion;
    }

    public String bmcVersion() {
        return bmcVersion;
    }

    /** The BIOS's current value of {@code attribute}. */
    public Object biosAttribute(String attribute) {
        Map<String, Object> b = bios;
        if (b != null && b.containsKey(attribute)) {
            return b.get(attribute);
        }
        BiosAttribute a = BiosAttribute.BY_NAME.get(attribute);
        return a == null ? null : a.dflt();
    }

    /** Values waiting for the next boot (a copy; empty when none). */
    public Map<String, Object> biosPending() {
        Map<String, Object> p = biosPending;
        return p == null ? Map.of() : Map.copyOf(p);
    }

    /** The image inserted in virtual media {@code id} ("Cd" or "Floppy"), or null. */
    public String mediaImage(String id) {
        Media m = mediaOrNull(id);
        return m != null && m.inserted ? m.image : null;
    }

    public int volumeCount() {
        List<Volume> v = volumes;
        return v == null ? 0 : v.size();
    }

    public long requests() {
        return requests;
    }

    public long logins() {
        return logins;
    }

    /** Client connections open now, and accepted so far. */
    public int openConnections() {
        return openConnections;
    }

    public long connections() {
        return connections;
    }

    /** Counts a client connection while it is open; called on this BMC's context. */
    void connected(io.vertx.core.http.HttpConnection c) {
        openConnections++;
        connections++;
        c.closeHandler(v -> openConnections--);
    }

    public long loginFailures() {
        return loginFailures;
    }

    public long resets() {
        return resets;
    }

    /** Sessions open now (expired ones included until they are next looked at). */
    public Future<Integer> sessionCount() {
        return onContext(() -> sessions == null ? 0 : sessions.size());
    }

    public RedfishFaults faults() {
        RedfishFaults f = faults;
        return f != null ? f : fleet.faults();
    }

    /** This BMC's faults, overriding the fleet's; null returns to the fleet's. */
    public void faults(RedfishFaults f) {
        faults = f;
    }

    // ---- control for tests (any thread) ----

    /** Powers on or off as a power button would (a power-on boots per the override). */
    public Future<Void> power(boolean on) {
        return onContext(() -> {
            if (on) {
                powerOn();
            } else {
                powerOff();
            }
            return null;
        });
    }

    /**
     * While held, a boot stops in POST (BootProgress SystemHardwareInitializationComplete): pending BIOS settings
     * are not applied yet and nothing boots. Releasing finishes a held boot (the firmware applies the settings and
     * boots; BootProgress OSBootStarted).
     */
    public Future<Void> holdBoots(boolean hold) {
        return onContext(() -> {
            holdBoots = hold;
            Runnable held = heldBoot;
            heldBoot = null;
            if (!hold && held != null) {
                held.run();
            }
            return null;
        });
    }

    /** The firmware refuses {@code attribute}: its pending value is dropped at the next boot, the current one kept. */
    public void refuseBiosSetting(String attribute) {
        biosRefused.add(attribute);
    }

    /** ComputerSystem.BootProgress.LastState now. */
    public String bootProgress() {
        return bootProgress;
    }

    /** Every session ends, as when the BMC reboots: clients must log in again. */
    public Future<Void> dropSessions() {
        return onContext(() -> {
            sessions = null;
            return null;
        });
    }

    /** Runs {@code work} on this BMC's context. */
    <T> Future<T> onContext(Supplier<T> work) {
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> {
            try {
                p.complete(work.get());
            } catch (RuntimeException e) {
                p.fail(e);
            }
        });
        return p.future();
    }

    // ---- request bookkeeping (on the context) ----

    void countRequest() {
        requests++;
    }

    // ---- sessions (on the context) ----

    /** Checks a login; the session made, or a 401/503 {@link RedfishError}. */
    Session login(String user, String password) {
        if (!credentialsValid(user, password)) {
            loginFailures++;
            throw unauthorized();
        }
        purgeExpired();
        if (sessions == null) {
            sessions = new LinkedHashMap<>();
        }
        if (sessions.size() >= fleet.options().maxSessions()) {
            loginFailures++;
            throw new RedfishError(
                    503,
                    "SessionLimitExceeded",
                    "The session establishment failed due to the number of simultaneous sessions exceeding the limit"
                            + " of the implementation.");
        }
        Session s = new Session(Integer.toString(nextSession++), fleet.newToken(), user);
        sessions.put(s.token, s);
        logins++;
        event("session " + s.id + " created");
        return s;
    }

    boolean credentialsValid(String user, String password) {
        return !faults().rejectPassword()
                && fleet.options().user().equals(user)
                && fleet.options().password().equals(password);
    }

    /** The session of {@code token} if it is valid now (its idle clock restarts), else null. */
    Session session(String token) {
        if (sessions == null || token == null) {
            return null;
        }
        Session s = sessions.get(token);
        if (s == null) {
            return null;
        }
        long now = System.nanoTime();
        int maxUses = faults().sessionMaxUses();
        if (now - s.lastUsedNanos > sessionTtl().toNanos() || (maxUses > 0 && s.uses >= maxUses)) {
            sessions.remove(token);
            event("session " + s.id + " expired");
            return null;
        }
        s.lastUsedNanos = now;
        s.uses++;
        return s;
    }

    Duration sessionTtl() {
        Duration ttl = faults().sessionTtl();
        return ttl != null ? ttl : fleet.options().sessionTimeout();
    }

    List<Session> sessionList() {
        purgeExpired();
        return sessions == null ? List.of() : new ArrayList<>(sessions.values());
    }

    Session sessionById(String id) {
        purgeExpired();
        if (sessions != null) {
            for (Session s : sessions.values()) {
                if (s.id.equals(id)) {
                    return s;
                }
            }
        }
        return null;
    }

    void endSession(Session s) {
        sessions.remove(s.token);
        event("session " + s.id + " deleted");
    }

    private void purgeExpired() {
        if (sessions == null) {
            return;
        }
        long now = System.nanoTime();
        long ttl = sessionTtl().toNanos();
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            if (now - it.next().lastUsedNanos > ttl) {
                it.remove();
            }
        }
        if (sessions.isEmpty()) {
            sessions = null;
        }
    }

    static RedfishError unauthorized() {
        return new RedfishError(
                401,
                "ResourceAtUriUnauthorized",
                "While accessing the resource, the service received an authorization error: invalid user name or"
                        + " password.");
    }

    // ---- ETags ----

    String systemEtag() {
        return "\"sys-" + systemVersion + "\"";
    }

    String mediaEtag() {
        return "\"vm-" + mediaVersion + "\"";
    }

    /** 412 unless {@code ifMatch} is absent, {@code *}, or names {@code etag} (weak or strong). */
    static void checkIfMatch(String ifMatch, String etag) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return;
        }
        for (String candidate : ifMatch.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || strip(c).equals(strip(etag))) {
                return;
            }
        }
        throw new RedfishError(
                412,
                "PreconditionFailed",
                "The ETag supplied did not match the ETag required to change this resource.");
    }

    private static String strip(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }

    // ---- power (on the context) ----

    /** ComputerSystem.Reset. */
    void reset(String type) {
        resets++;
        switch (type) {
            case "On", "ForceOn" -> powerOn();
            case "ForceOff", "GracefulShutdown" -> powerOff();
            case "PushPowerButton" -> {
                if (power == Power.Off || power == Power.PoweringOff) {
                    powerOn();
                } else {
                    powerOff();
                }
            }
            case "GracefulRestart", "ForceRestart" -> {
                // a restart of a machine that is off powers it on (a lenient BMC; some answer 409 instead)
                if (power == Power.On) {
                    event("power restart");
                    boot();
                } else {
                    powerOn();
                }
            }
            case "Nmi" -> {
                if (power == Power.On) {
                    nmis++;
                    event("nmi");
                }
            }
            default -> throw RedfishError.actionValueNotInList("ResetType", type, "ComputerSystem.Reset");
        }
    }

    private void powerOn() {
        if (power == Power.On || power == Power.PoweringOn) {
            return;
        }
        cancelPowerTimer();
        Duration delay = fleet.options().powerDelay();
        if (delay.isZero()) {
            power = Power.On;
            event("power On");
            boot();
            return;
        }
        power = Power.PoweringOn;
        systemVersion++;
        powerTimer = fleet.vertx().setTimer(delay.toMillis(), id -> {
            powerTimer = -1;
            power = Power.On;
            systemVersion++;
            event("power On");
            boot();
        });
    }

    private void powerOff() {
        if (power == Power.Off || power == Power.PoweringOff) {
            return;
        }
        cancelPowerTimer();
        Duration delay = fleet.options().powerDelay();
        if (delay.isZero()) {
            power = Power.Off;
            secureBootCurrent = false;
            bootProgress = "None";
            heldBoot = null;
            systemVersion++;
            event("power Off");
            return;
        }
        power = Power.PoweringOff;
        systemVersion++;
        powerTimer = fleet.vertx().setTimer(delay.toMillis(), id -> {
            powerTimer = -1;
            power = Power.Off;
            secureBootCurrent = false;
            bootProgress = "None";
            heldBoot = null;
            systemVersion++;
            event("power Off");
        });
    }

    private void cancelPowerTimer() {
        if (powerTimer >= 0) {
            fleet.vertx().cancelTimer(powerTimer);
            powerTimer = -1;
        }
    }

    /**
     * The machine boots: pending BIOS settings apply, secure boot takes its new state, and the firmware boots the
     * override's target (a one-time override is then cleared to Disabled) or, without one, the local disk.
     */
    private void boot() {
        if (holdBoots) {
            bootProgress = "SystemHardwareInitializationComplete";
            systemVersion++;
            event("boot held in POST");
            heldBoot = this::boot;
            return;
        }
        bootProgress = "OSBootStarted";
        applyPendingBios();
        secureBootCurrent = secureBootEnable && "UEFI".equals(bootMode);
        String source = "Hdd";
        if (!"Disabled".equals(bootEnabled) && !"None".equals(bootTarget)) {
            source = bootTarget;
            if ("Once".equals(bootEnabled)) {
                bootEnabled = "Disabled";
            }
        }
        boots++;
        lastBootSource = source;
        lastBootImage = null;
        if ("Cd".equals(source)) {
            lastBootImage = mediaImage("Cd");
        } else if ("Floppy".equals(source) || "Usb".equals(source)) {
            lastBootImage = mediaImage("Floppy");
        }
        systemVersion++;
        event("boot " + source + (lastBootImage != null ? " " + lastBootImage : ""));
    }

    // ---- boot override, LED, secure boot (on the context) ----

    void setBoot(String target, String enabled, String mode) {
        if (target != null) {
            if (!BOOT_TARGETS.contains(target)) {
                throw RedfishError.notInList("Boot/BootSourceOverrideTarget", target);
            }
        }
        if (enabled != null && !BOOT_ENABLED.contains(enabled)) {
            throw RedfishError.notInList("Boot/BootSourceOverrideEnabled", enabled);
        }
        if (mode != null && !BOOT_MODES.contains(mode)) {
            throw RedfishError.notInList("Boot/BootSourceOverrideMode", mode);
        }
        if (target != null) {
            bootTarget = target;
            if (enabled == null && "Disabled".equals(bootEnabled) && !"None".equals(target)) {
                bootEnabled = "Once"; // a target alone means "next boot", as most BMCs take it
            }
        }
        if (enabled != null) {
            bootEnabled = enabled;
        }
        if (mode != null && !mode.equals(bootMode)) {
            bootMode = mode;
            setBiosNow("BootMode", "UEFI".equals(mode) ? "Uefi" : "Bios");
        }
        systemVersion++;
        event("boot override " + bootTarget + " " + bootEnabled + " " + bootMode);
    }

    void setIndicator(String led, Boolean locationActive) {
        if (led != null) {
            if (!LED_STATES.contains(led)) {
                throw RedfishError.notInList("IndicatorLED", led);
            }
            indicatorLed = led;
        }
        if (locationActive != null) {
            indicatorLed = locationActive ? "Lit" : "Off";
        }
        systemVersion++;
        event("indicator " + indicatorLed);
    }

    void setSecureBoot(boolean enable) {
        if (enable && !"UEFI".equals(bootMode)) {
            throw new RedfishError(
                    409,
                    "ActionNotSupported",
                    "Secure boot needs the UEFI boot mode; the system boots in Legacy mode.",
                    "#/SecureBootEnable");
        }
        secureBootEnable = enable;
        event("secure boot " + (enable ? "enabled" : "disabled") + " (from the next boot)");
    }

    // ---- BIOS (on the context) ----

    Map<String, Object> biosCurrent() {
        Map<String, Object> all = new LinkedHashMap<>();
        for (BiosAttribute a : BiosAttribute.ALL) {
            all.put(a.name(), biosAttribute(a.name()));
        }
        all.put("SystemServiceTag", Hardware.serial(index));
        return all;
    }

    Map<String, Object> biosPendingMap() {
        return biosPending == null ? Map.of() : biosPending;
    }

    Instant biosAppliedAt() {
        return biosAppliedAt;
    }

    /** PATCH Bios/Settings: validates every attribute, then stores them for the next boot. */
    void setBiosPending(Map<String, Object> attributes) {
        Map<String, Object> accepted = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : attributes.entrySet()) {
            BiosAttribute a = BiosAttribute.BY_NAME.get(e.getKey());
            if (a == null) {
                throw RedfishError.unknownProperty("Attributes/" + e.getKey());
            }
            accepted.put(a.name(), a.accept(e.getValue()));
        }
        Map<String, Object> pending = biosPending == null ? new LinkedHashMap<>() : new LinkedHashMap<>(biosPending);
        pending.putAll(accepted);
        biosPending = pending;
        event("bios pending " + accepted.keySet());
    }

    /** Bios.ResetBios: every attribute back to its default at the next boot. */
    void resetBios() {
        Map<String, Object> pending = new LinkedHashMap<>();
        for (BiosAttribute a : BiosAttribute.ALL) {
            if (!a.readOnly()) {
                pending.put(a.name(), a.dflt());
            }
        }
        biosPending = pending;
        event("bios reset pending");
    }

    private void applyPendingBios() {
        Map<String, Object> pending = biosPending;
        if (pending == null) {
            return;
        }
        for (Map.Entry<String, Object> e : pending.entrySet()) {
            if (!biosRefused.contains(e.getKey())) {
                setBiosNow(e.getKey(), e.getValue());
            }
        }
        Object mode = biosAttribute("BootMode");
        bootMode = "Bios".equals(mode) ? "Legacy" : "UEFI";
        biosPending = null;
        biosAppliedAt = Instant.now();
        event("bios applied " + pending.keySet());
    }

    private void setBiosNow(String name, Object value) {
        BiosAttribute a = BiosAttribute.BY_NAME.get(name);
        if (a == null) {
            return;
        }
        if (bios == null) {
            bios = new LinkedHashMap<>();
        }
        if (value.equals(a.dflt())) {
            bios.remove(name);
        } else {
            bios.put(name, value);
        }
        if (bios.isEmpty()) {
            bios = null;
        }
    }

    // ---- virtual media (on the context) ----

    Media media(String id) {
        if (!MEDIA_IDS.contains(id)) {
            return null;
        }
        if (media == null) {
            media = new Media[MEDIA_IDS.size()];
        }
        int i = MEDIA_IDS.indexOf(id);
        if (media[i] == null) {
            media[i] = new Media(id);
        }
        return media[i];
    }

    private Media mediaOrNull(String id) {
        Media[] m = media;
        int i = MEDIA_IDS.indexOf(id);
        return m == null || i < 0 ? null : m[i];
    }

    void insertMedia(Media m, String image, boolean inserted, boolean writeProtected, String user, String method) {
        m.image = image;
        m.inserted = inserted;
        m.writeProtected = writeProtected;
        m.userName = user;
        m.transferMethod = method;
        mediaVersion++;
        event("media " + m.id + " inserted " + image);
    }

    void ejectMedia(Media m) {
        m.image = null;
        m.inserted = false;
        m.userName = null;
        m.transferMethod = null;
        mediaVersion++;
        event("media " + m.id + " ejected");
    }

    // ---- RAID volumes (on the context) ----

    List<Volume> volumes() {
        return volumes == null ? List.of() : volumes;
    }

    Volume volume(String id) {
        for (Volume v : volumes()) {
            if (v.id().equals(id)) {
                return v;
            }
        }
        return null;
    }

    Volume createVolume(String name, String raidType, Long capacity, List<Integer> drives) {
        if (!RAID_TYPES.contains(raidType)) {
            throw RedfishError.notInList("RAIDType", raidType);
        }
        if (drives.isEmpty() || ("RAID1".equals(raidType) && drives.size() != 2)) {
            throw new RedfishError(
                    400,
                    "PropertyValueIncorrect",
                    raidType + " needs " + ("RAID1".equals(raidType) ? "2 drives" : "at least one drive") + ", got "
                            + drives.size() + ".",
                    "#/Links/Drives");
        }
        long smallest = Long.MAX_VALUE;
        long sum = 0;
        for (int d : drives) {
            long size = Hardware.driveBytes(index, d);
            smallest = Math.min(smallest, size);
            sum += size;
        }
        long max = "RAID1".equals(raidType) ? smallest : sum;
        long size = capacity == null ? max : capacity;
        if (size <= 0 || size > max) {
            throw new RedfishError(
                    400,
                    "PropertyValueIncorrect",
                    "CapacityBytes " + size + " does not fit on the drives (at most " + max + ").",
                    "#/CapacityBytes");
        }
        if (volumes == null) {
            volumes = new ArrayList<>();
        }
        String id = Integer.toString(nextVolume++);
        Volume v = new Volume(id, name == null ? "Volume " + id : name, raidType, size, List.copyOf(drives));
        volumes.add(v);
        event("volume " + id + " created " + raidType);
        return v;
    }

    void deleteVolume(Volume v) {
        volumes.remove(v);
        if (volumes.isEmpty()) {
            volumes = null;
        }
        event("volume " + v.id() + " deleted");
    }

    // ---- tasks (on the context) ----

    Task newTask(String name) {
        if (tasks == null) {
            tasks = new ArrayDeque<>();
        }
        if (tasks.size() >= TASKS_KEPT) {
            tasks.removeFirst();
        }
        Task t = new Task(nextTask++, name);
        tasks.addLast(t);
        return t;
    }

    Task task(String id) {
        if (tasks != null) {
            for (Task t : tasks) {
                if (Integer.toString(t.id).equals(id)) {
                    return t;
                }
            }
        }
        return null;
    }

    List<Task> tasks() {
        return tasks == null ? List.of() : new ArrayList<>(tasks);
    }

    void finishUpdate(Task t, String component, String version, String image) {
        if ("BMC".equals(component)) {
            bmcVersion = version;
        } else {
            biosVersion = version;
            systemVersion++;
        }
        t.percent = 100;
        t.state = "Completed";
        t.status = "OK";
        t.messageId = "Update.1.0.UpdateSuccessful";
        t.message = "Device '" + component + "' successfully updated with image '" + image + "'.";
        t.end = Instant.now();
        event("firmware " + component + " " + version);
    }

    void failTask(Task t, String messageId, String message) {
        t.state = "Exception";
        t.status = "Critical";
        t.messageId = messageId;
        t.message = message;
        t.end = Instant.now();
        event("task " + t.id + " failed: " + message);
    }

    // ---- events ----

    void event(String what) {
        var listener = fleet.options().eventListener();
        if (listener != null) {
            listener.accept(this, what);
        }
    }

    @Override
    public String toString() {
        return "redfish bmc " + index + " (" + address() + systemPath() + ")";
    }
}
