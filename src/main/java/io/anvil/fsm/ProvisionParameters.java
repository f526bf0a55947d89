package io.anvil.fsm;

import java.util.List;

/**
 * The optional fields of a provision request body that some verbs require
 * ({@code ironic/api/controllers/v1/node.py: NodeStatesController.provision}). Each is {@code null} when absent from
 * the body; the step lists are opaque here (their schema is the API's job).
 *
 * @param cleanSteps     {@code clean_steps}
 * @param serviceSteps   {@code service_steps}
 * @param rescuePassword {@code rescue_password}
 */
public record ProvisionParameters(List<?> cleanSteps, List<?> serviceSteps, String rescuePassword) {

    private static final ProvisionParameters NONE = new ProvisionParameters(null, null, null);

    /** A body with none of these fields. */
    public static ProvisionParameters none() {
        return NONE;
    }

    public static ProvisionParameters withCleanSteps(List<?> cleanSteps) {
        return new ProvisionParameters(cleanSteps, null, null);
    }

    public static ProvisionParameters withServiceSteps(List<?> serviceSteps) {
        return new ProvisionParameters(null, serviceSteps, null);
    }

    public static ProvisionParameters withRescuePassword(String rescuePassword) {
        return new ProvisionParameters(null, null, rescuePassword);
    }

    boolean hasCleanSteps() {
        return cleanSteps != null && !cleanSteps.isEmpty();
    }

    boolean hasServiceSteps() {
        return serviceSteps != null && !serviceSteps.isEmpty();
    }

    boolean hasUsableRescuePassword() {
        return rescuePassword != null && !rescuePassword.isBlank();
    }
}
