package io.anvil.conductor.steps;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One step as Ironic persists it in {@code driver_internal_info.<type>_steps} and in the node's
 * {@code clean_step}/{@code deploy_step} field: {@code {"interface", "step", "priority", "args", "argsinfo",
 * "abortable", "requires_ramdisk", "reboot_requested", "abort_after"}}. Optional keys are absent when unset, so a
 * round trip through JSON gives back what was stored.
 *
 * @param iface           the hardware interface that runs it ({@code deploy}, {@code power}, ...)
 * @param name            the step's name ({@code erase_devices_metadata})
 * @param priority        0 means "only when asked for"
 * @param args            the arguments a user gave, or null
 * @param argsinfo        what arguments the step accepts ({@code {name: {"description", "required"}}}), or null
 * @param abortable       whether {@code abort} may interrupt it while it runs
 * @param requiresRamdisk null when the source did not say (deploy steps); false for out-of-band clean steps
 * @param rebootRequested the agent asks to reboot the node once the step succeeded
 * @param abortAfter      an abort arrived while this non-abortable step ran: fail once it finishes
 */
public record Step(
        String iface,
        String name,
        int priority,
        JsonObject args,
        JsonObject argsinfo,
        boolean abortable,
        Boolean requiresRamdisk,
        boolean rebootRequested,
        boolean abortAfter) {

    public Step {
        Objects.requireNonNull(iface, "interface");
        Objects.requireNonNull(name, "step");
    }

    /** A bare step, as a user or a test writes it. */
    public static Step of(String iface, String name, int priority) {
        return new Step(iface, name, priority, null, null, false, null, false, false);
    }

    /** Ironic's step_id: {@code <interface>.<step>}. */
    public String id() {
        return iface + "." + name;
    }

    /** Same interface and name, whatever the priority or arguments (Ironic's is_equivalent). */
    public boolean sameStepAs(Step other) {
        return iface.equals(other.iface) && name.equals(other.name);
    }

    public boolean isEnabled() {
        return priority > 0;
    }

    /** True when the step needs the agent ramdisk (Ironic's default when a step does not say). */
    public boolean needsRamdisk() {
        return requiresRamdisk == null || requiresRamdisk;
    }

    public Step withPriority(int p) {
        return new Step(iface, name, p, args, argsinfo, abortable, requiresRamdisk, rebootRequested, abortAfter);
    }

    public Step withArgs(JsonObject a) {
        return new Step(iface, name, priority, a, argsinfo, abortable, requiresRamdisk, rebootRequested, abortAfter);
    }

    public Step withAbortable(boolean a) {
        return new Step(iface, name, priority, args, argsinfo, a, requiresRamdisk, rebootRequested, abortAfter);
    }

    public Step withRequiresRamdisk(Boolean r) {
        return new Step(iface, name, priority, args, argsinfo, abortable, r, rebootRequested, abortAfter);
    }

    public Step withArgsinfo(JsonObject info) {
        return new Step(iface, name, priority, args, info, abortable, requiresRamdisk, rebootRequested, abortAfter);
    }

    /** Marks a running non-abortable step so the engine fails the node once the step ends (scenario: abort in wait). */
    public Step withAbortAfter(boolean a) {
        return new Step(iface, name, priority, args, argsinfo, abortable, requiresRamdisk, rebootRequested, a);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject()
                .put("interface", iface)
                .put("step", name)
                .put("priority", priority)
                .put("abortable", abortable);
        if (args != null) {
            o.put("args", args.copy());
        }
        if (argsinfo != null) {
            o.put("argsinfo", argsinfo.copy());
        }
        if (requiresRamdisk != null) {
            o.put("requires_ramdisk", requiresRamdisk);
        }
        if (rebootRequested) {
            o.put("reboot_requested", true);
        }
        if (abortAfter) {
            o.put("abort_after", true);
        }
        return o;
    }

    /**
     * Reads a stored or agent-reported step. Tolerant of what Ironic tolerates: a missing priority is 0, a priority
     * given as a string of digits (the API schema allows it) is parsed.
     *
     * @throws IllegalArgumentException when interface or step is missing or the priority is not a number
     */
    public static Step fromJson(JsonObject o) {
        Object iface = o.getValue("interface");
        Object name = o.getValue("step");
        if (!(iface instanceof String i) || !(name instanceof String n)) {
            throw new IllegalArgumentException("a step needs string 'interface' and 'step' keys: " + o.encode());
        }
        return new Step(
                i,
                n,
                priorityOf(o.getValue("priority")),
                o.getValue("args") instanceof JsonObject a ? a.copy() : null,
                o.getValue("argsinfo") instanceof JsonObject ai ? ai.copy() : null,
                Boolean.TRUE.equals(o.getValue("abortable")),
                o.getValue("requires_ramdisk") instanceof Boolean b ? b : null,
                Boolean.TRUE.equals(o.getValue("reboot_requested")),
                Boolean.TRUE.equals(o.getValue("abort_after")));
    }

    static int priorityOf(Object p) {
        if (p == null) {
            return 0;
        }
        if (p instanceof Number n) {
            return n.intValue();
        }
        if (p instanceof String s && s.matches("[0-9]+")) {
            return Integer.parseInt(s);
        }
        throw new IllegalArgumentException("a step's priority must be an integer, got " + p);
    }

    @Override
    public String toString() {
        return toJson().encode();
    }
}
