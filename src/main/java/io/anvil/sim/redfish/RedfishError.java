package io.anvil.sim.redfish;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A Redfish error answer (DMTF DSP0266 §9.6 "Error responses"): an HTTP status and the {@code error} object with a
 * {@code Base} registry message id, as sushy parses it ({@code error.code}, {@code error.message},
 * {@code @Message.ExtendedInfo[].MessageId/Message/RelatedProperties}).
 */
final class RedfishError extends RuntimeException {
    static final String BASE = "Base.1.8.";

    final int status;
    final String messageId;
    final String relatedProperty;

    RedfishError(int status, String messageId, String message, String relatedProperty) {
        super(message, null, false, false);
        this.status = status;
        this.messageId = messageId;
        this.relatedProperty = relatedProperty;
    }

    RedfishError(int status, String messageId, String message) {
        this(status, messageId, message, null);
    }

    static RedfishError notFound(String path) {
        return new RedfishError(404, "ResourceMissingAtURI", "The resource at the URI " + path + " was not found.");
    }

    static RedfishError notAllowed(String method, String path) {
        return new RedfishError(
                405, "OperationNotAllowed", "The HTTP method " + method + " is not allowed on " + path + ".");
    }

    static RedfishError malformed(String detail) {
        return new RedfishError(400, "MalformedJSON", "The request body submitted was malformed JSON: " + detail);
    }

    static RedfishError missingParameter(String parameter, String action) {
        return new RedfishError(
                400,
                "ActionParameterMissing",
                "The action " + action + " requires the parameter " + parameter + " to be present in the request body.",
                "#/" + parameter);
    }

    static RedfishError notInList(String property, Object value) {
        return new RedfishError(
                400,
                "PropertyValueNotInList",
                "The value " + value + " for the property " + property + " is not in the list of acceptable values.",
                "#/" + property);
    }

    static RedfishError actionValueNotInList(String parameter, Object value, String action) {
        return new RedfishError(
                400,
                "ActionParameterValueNotInList",
                "The value " + value + " for the parameter " + parameter + " in the action " + action
                        + " is not in the list of acceptable values.",
                "#/" + parameter);
    }

    static RedfishError unknownProperty(String property) {
        return new RedfishError(
                400,
                "PropertyUnknown",
                "The property " + property + " is not in the list of valid properties for the resource.",
                "#/" + property);
    }

    static RedfishError notWritable(String property) {
        return new RedfishError(
                400,
                "PropertyNotWritable",
                "The property " + property + " is a read only property and cannot be assigned a value.",
                "#/" + property);
    }

    static RedfishError typeError(String property, Object value) {
        return new RedfishError(
                400,
                "PropertyValueTypeError",
                "The value " + value + " for the property " + property + " is of a different type than the property"
                        + " can accept.",
                "#/" + property);
    }

    JsonObject body() {
        JsonObject info = new JsonObject()
                .put("@odata.type", "#Message.v1_1_1.Message")
                .put("MessageId", BASE + messageId)
                .put("Message", getMessage())
                .put("Severity", status >= 500 ? "Critical" : "Warning")
                .put("Resolution", resolution());
        if (relatedProperty != null) {
            info.put("RelatedProperties", new JsonArray().add(relatedProperty));
        }
        return new JsonObject()
                .put(
                        "error",
                        new JsonObject()
                                .put("code", status >= 500 || status == 400 ? BASE + "GeneralError" : BASE + messageId)
                                .put(
                                        "message",
                                        status >= 500 || status == 400
                                                ? "A general error has occurred. See ExtendedInfo for more"
                                                        + " information."
                                                : getMessage())
                                .put("@Message.ExtendedInfo", new JsonArray().add(info)));
    }

    private String resolution() {
        return switch (messageId) {
            case "NoValidSession", "ResourceAtUriUnauthorized" ->
                "Establish a valid session or provide valid" + " credentials, and resubmit the request.";
            case "PreconditionFailed" -> "Try the operation again using the appropriate ETag.";
            case "ServiceTemporarilyUnavailable" -> "Wait for the indicated retry duration and retry the operation.";
            default -> "Correct the request and resubmit it if the operation failed.";
        };
    }
}
