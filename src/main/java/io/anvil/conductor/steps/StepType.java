package io.anvil.conductor.steps;

import java.util.Comparator;
import java.util.Map;

/**
 * The kinds of step lists a node runs, with the names Ironic persists them under and the interface order that breaks
 * priority ties (ironic/conductor/steps.py: CLEANING_INTERFACE_PRIORITY, DEPLOYING_INTERFACE_PRIORITY,
 * SERVICING_INTERFACE_PRIORITY).
 */
public enum StepType {
    CLEAN("clean", InterfaceOrder.CLEANING),
    DEPLOY("deploy", InterfaceOrder.DEPLOYING),
    SERVICE("service", InterfaceOrder.SERVICING);

    private final String value;
    private final Map<String, Integer> interfacePriority;

    StepType(String value, Map<String, Integer> interfacePriority) {
        this.value = value;
        this.interfacePriority = interfacePriority;
    }

    /** {@code clean}, {@code deploy}, {@code service}: the word in Ironic's messages and keys. */
    public String value() {
        return value;
    }

    /** {@code driver_internal_info} key of the planned list: {@code clean_steps}. */
    public String stepsKey() {
        return value + "_steps";
    }

    /** {@code driver_internal_info} key of the current step's index: {@code clean_step_index}. */
    public String indexKey() {
        return value + "_step_index";
    }

    /** The node field holding the current step: {@code clean_step}. */
    public String nodeField() {
        return value + "_step";
    }

    /** {@code driver_internal_info} key of the agent's reported steps: {@code agent_cached_clean_steps}. */
    public String agentCacheKey() {
        return "agent_cached_" + value + "_steps";
    }

    /** The agent command that lists steps: {@code get_clean_steps}. */
    public String agentListCommand() {
        return "get_" + value + "_steps";
    }

    /** The agent command that runs one step: {@code execute_clean_step}. */
    public String agentExecuteCommand() {
        return "execute_" + value + "_step";
    }

    /** The interfaces whose steps this type may hold, by tie-break rank (higher runs first). */
    public Map<String, Integer> interfacePriority() {
        return interfacePriority;
    }

    public boolean knowsInterface(String iface) {
        return interfacePriority.containsKey(iface);
    }

    /**
     * Ironic's order: priority descending, then interface rank descending; steps equal on both keep their input order
     * (Python's sorted(reverse=True) is stable, and so is List.sort). An interface outside the table ranks lowest.
     */
    public Comparator<Step> executionOrder() {
        Comparator<Step> byPriority = Comparator.comparingInt(Step::priority);
        Comparator<Step> byInterface = Comparator.comparingInt(s -> interfacePriority.getOrDefault(s.iface(), 0));
        return byPriority.thenComparing(byInterface).reversed();
    }

    private static final class InterfaceOrder {
        static final Map<String, Integer> CLEANING =
                Map.of("vendor", 7, "power", 6, "management", 5, "firmware", 4, "deploy", 3, "bios", 2, "raid", 1);
        static final Map<String, Integer> DEPLOYING = CLEANING;
        static final Map<String, Integer> SERVICING = Map.of(
                "network", 8,
                "vendor", 7,
                "power", 6,
                "management", 5,
                "firmware", 4,
                "deploy", 3,
                "bios", 2,
                "raid", 1);
    }
}
