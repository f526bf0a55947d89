package io.anvil.sim.agent;

import io.vertx.core.json.JsonObject;

/**
 * An ironic-python-agent error as it travels in a command result's {@code command_error} ({@code type}, {@code code},
 * {@code message}, {@code details}; ironic_python_agent/errors.py RESTError) or, raised by the API itself, as a fault
 * body ({@code faultstring} = "message: details", api/app.py format_exception). Messages and details are IPA's.
 */
final class IpaError extends RuntimeException {
    final String type;
    final int code;
    final String ipaMessage;
    final String details;

    IpaError(String type, int code, String message, String details) {
        super(message + ": " + details, null, false, false);
        this.type = type;
        this.code = code;
        this.ipaMessage = message;
        this.details = details;
    }

    /** IPA's InvalidContentError family (bad command, bad parameters): raised to the API caller as a 400. */
    boolean isInvalidContent() {
        return type.equals("InvalidCommandError")
                || type.equals("InvalidCommandParamsError")
                || type.equals("InvalidContentError");
    }

    JsonObject toJson() {
        return new JsonObject()
                .put("type", type)
                .put("code", code)
                .put("message", ipaMessage)
                .put("details", details);
    }

    /** The body the API answers when this error is raised instead of recorded (4xx: Client, else Server). */
    JsonObject fault() {
        return new JsonObject()
                .put("faultcode", code >= 500 ? "Server" : "Client")
                .put("faultstring", getMessage());
    }

    // ---- IPA's error classes used by the simulator ----

    static IpaError invalidCommand(String details) {
        return new IpaError("InvalidCommandError", 400, "Invalid command", details);
    }

    static IpaError invalidParams(String details) {
        return new IpaError("InvalidCommandParamsError", 400, "Invalid command parameters", details);
    }

    static IpaError notFound(String what, String id) {
        return new IpaError("RequestedObjectNotFoundError", 404, "Not found", what + " with id " + id + " not found.");
    }

    static IpaError busy(String runningCommand) {
        return new IpaError("AgentIsBusy", 409, "Agent is busy", "executing command " + runningCommand);
    }

    static IpaError commandExecution(String details) {
        return new IpaError("CommandExecutionError", 500, "Command execution failed", details);
    }

    /** A RESTError raised with only details (standby.py, unusable checksum information). */
    static IpaError rest(String details) {
        return new IpaError("RESTError", 500, "An error occurred", details);
    }

    static IpaError imageDownload(String imageId, String msg) {
        return new IpaError(
                "ImageDownloadError",
                500,
                "Error downloading image",
                "Download of image " + imageId + " failed: " + msg);
    }

    /** A 4xx answer from the image server: IPA does not retry it. */
    static IpaError imageDownloadFatal(String imageId, String msg) {
        return new IpaError(
                "ImageDownloadFatalError",
                500,
                "Error downloading image",
                "Download of image " + imageId + " failed: " + msg);
    }

    /**
     * IPA's ImageChecksumError. IPA's verify_image passes (location, image id) into a constructor declared (image id,
     * location), so the real details read "location: &lt;image id&gt;; image ID: &lt;location&gt;"; kept as IPA
     * sends it, since that is what Ironic shows in last_error.
     */
    static IpaError imageChecksum(String imageId, String location, String expected, String actual) {
        return new IpaError(
                "ImageChecksumError",
                500,
                "Error verifying image checksum",
                "Image failed to verify against checksum. location: " + imageId + "; image ID: " + location
                        + "; image checksum: " + expected + "; verification checksum: " + actual);
    }

    static IpaError methodNotFound(String method) {
        return new IpaError(
                "HardwareManagerMethodNotFound",
                500,
                "No HardwareManager found to handle method",
                "Could not find method: " + method);
    }

    static IpaError versionMismatch(JsonObject agent, Object node) {
        return new IpaError(
                "VersionMismatch",
                409,
                "Hardware managers version mismatch, reload agent with correct version",
                "Current versions: " + agent.encode() + ", versions used by ironic: " + node);
    }

    static IpaError cleaning(String details) {
        return new IpaError("CleaningError", 500, "Clean step failed", details);
    }

    static IpaError deployment(String details) {
        return new IpaError("DeploymentError", 500, "Deploy step failed", details);
    }

    static IpaError servicing(String details) {
        return new IpaError("ServicingError", 500, "Service step failed", details);
    }

    /** Any other failure inside an asynchronous command becomes a CommandExecutionError (base.py). */
    static IpaError of(Throwable t) {
        return t instanceof IpaError e ? e : commandExecution(String.valueOf(t.getMessage()));
    }
}
