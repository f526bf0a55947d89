package io.anvil.errors;

/**
 * Base of every error a user can see. Carries the HTTP status Ironic uses for the same condition, so the one
 * failure handler of the API maps any of them without knowing the subclass.
 */
public class AnvilException extends RuntimeException {
    private final int status;

    public AnvilException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public AnvilException(int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** 400: Ironic's Invalid / InvalidParameterValue / InvalidStateRequested family. */
    public static AnvilException invalid(String message) {
        return new AnvilException(400, message);
    }

    /** 404: Ironic's NotFound family (NodeNotFound, PortNotFound, ...). */
    public static AnvilException notFound(String message) {
        return new AnvilException(404, message);
    }

    /** 409: Conflict, duplicates, InvalidState, NodeAssociated. */
    public static AnvilException conflict(String message) {
        return new AnvilException(409, message);
    }

    /** 406: microversion out of range, or a feature newer than the requested microversion. */
    public static AnvilException notAcceptable(String message) {
        return new AnvilException(406, message);
    }

    /** 503: no free worker, no conductor, a concurrency limit. */
    public static AnvilException unavailable(String message) {
        return new AnvilException(503, message);
    }
}
