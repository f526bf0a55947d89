package io.anvil.conductor.steps;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the steps a node offers into the list it will run (ironic/conductor/steps.py: _get_steps,
 * set_node_cleaning_steps, _get_all_deployment_steps). Pure: the engine gathers the inputs (driver steps from
 * {@link DriverSteps}, agent steps from {@link AgentSteps}), calls one of these and stores the result with
 * {@link StepProgress#plan}.
 */
public final class StepPlanner {
    private StepPlanner() {}

    /**
     * Everything a node offers for one type, all priorities, in the order given: the driver's steps followed by the
     * agent's that no driver step shadows (an out-of-band step of the same interface and name wins, as Ironic's
     * agent deploy interface lets it). User steps are validated against this list; for clean steps pass it through
     * the configured {@link PriorityOverrides} first, as Ironic does (its overrides touch clean steps only).
     */
    public static List<Step> offered(List<Step> driverSteps, List<Step> agentSteps) {
        List<Step> all = new ArrayList<>(driverSteps);
        for (Step a : agentSteps) {
            if (driverSteps.stream().noneMatch(d -> d.sameStepAs(a))) {
                all.add(a);
            }
        }
        return List.copyOf(all);
    }

    /**
     * Automated cleaning ({@code provide}, tear-down): overrides applied first, then every step of priority 0
     * dropped (so an override can disable or enable a step), then Ironic's execution order.
     */
    public static List<Step> automatedClean(List<Step> offered, PriorityOverrides overrides) {
        return enabledSorted(StepType.CLEAN, overrides.apply(offered));
    }

    /** Manual cleaning and servicing run the validated user steps exactly in the user's order. */
    public static List<Step> manual(List<Step> validatedUserSteps) {
        return List.copyOf(validatedUserSteps);
    }

    /**
     * A deployment: the enabled driver/agent steps that no user step names, plus the user's enabled steps (a user
     * step re-prioritises the driver's step of the same name; priority 0 disables it), in execution order.
     */
    public static List<Step> deploy(List<Step> offered, List<Step> validatedUserSteps) {
        Set<String> named = new HashSet<>();
        validatedUserSteps.forEach(s -> named.add(s.id()));
        List<Step> steps = new ArrayList<>();
        for (Step s : offered) {
            if (s.isEnabled() && !named.contains(s.id())) {
                steps.add(s);
            }
        }
        for (Step s : validatedUserSteps) {
            if (s.isEnabled()) {
                steps.add(s);
            }
        }
        steps.sort(StepType.DEPLOY.executionOrder());
        return List.copyOf(steps);
    }

    /** Drops priority-0 steps and sorts in the type's execution order (stable for full ties). */
    public static List<Step> enabledSorted(StepType type, List<Step> steps) {
        List<Step> out = new ArrayList<>();
        for (Step s : steps) {
            if (s.isEnabled()) {
                out.add(s);
            }
        }
        out.sort(type.executionOrder());
        return List.copyOf(out);
    }

    /**
     * Whether every user step can run without the agent (Ironic's all_steps_disable_ramdisk): reserved steps always
     * can; a step the node does not offer cannot be known to, so it counts as needing the ramdisk.
     */
    public static boolean allOutOfBand(List<Step> userSteps, List<Step> offered) {
        for (Step u : userSteps) {
            if (ReservedStep.of(u).isPresent()) {
                continue;
            }
            Step known =
                    offered.stream().filter(o -> o.sameStepAs(u)).findFirst().orElse(null);
            if (known == null || known.needsRamdisk()) {
                return false;
            }
        }
        return true;
    }
}
