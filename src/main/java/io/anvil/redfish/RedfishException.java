package io.anvil.redfish;

import io.anvil.errors.AnvilException;

/**
 * A Redfish call failed. The subclasses name the cause the way the IPMI client's exceptions do (bad credentials,
 * unreachable, certificate, unsupported action, a BMC task that failed); the message never carries a password or a
 * session token. HTTP status 500 as Ironic's RedfishError/RedfishConnectionError, so last_error and the API's error
 * body carry the message unchanged.
 */
public class RedfishException extends AnvilException {
    private final String bmc;

    public RedfishException(String bmc, String message, Throwable cause) {
        super(500, message, cause);
        this.bmc = bmc;
    }

    public RedfishException(String bmc, String message) {
        this(bmc, message, null);
    }

    /** The BMC's base URL (scheme://host:port), never with credentials. */
    public String bmc() {
        return bmc;
    }

    /** The BMC refused the user name or password (HTTP 401 on a session login or a basic-auth request). */
    public static final class BadCredentials extends RedfishException {
        public BadCredentials(String bmc, String user) {
            super(
                    bmc,
                    "Redfish authentication failed at " + bmc + " for user '" + user
                            + "': the BMC answered 401 Unauthorized (check redfish_username and redfish_password).");
        }
    }

    /** No connection (refused, unknown host, no answer in time) after every retry. */
    public static final class Unreachable extends RedfishException {
        public Unreachable(String bmc, String detail, Throwable cause) {
            super(bmc, "Redfish connection failed for BMC " + bmc + ": " + detail, cause);
        }
    }

    /** The TLS handshake failed: the BMC's certificate is not trusted or does not match its host name. */
    public static final class CertificateError extends RedfishException {
        public CertificateError(String bmc, String detail, Throwable cause) {
            super(
                    bmc,
                    "Redfish TLS certificate verification failed for BMC " + bmc + ": " + detail
                            + " (set redfish_verify_ca to the CA bundle that signed it, or false to skip the check).",
                    cause);
        }
    }

    /** The BMC does not offer what was asked (an action, a ResetType outside AllowableValues, a missing resource). */
    public static final class Unsupported extends RedfishException {
        public Unsupported(String bmc, String message) {
            super(bmc, message);
        }
    }

    /** An asynchronous BMC task (202 + task monitor) ended in Exception/Killed/Cancelled. */
    public static final class TaskFailed extends RedfishException {
        public TaskFailed(String bmc, String task, String state, String messages) {
            super(
                    bmc,
                    "Redfish task " + task + " on BMC " + bmc + " ended " + state
                            + (messages.isEmpty() ? "." : ": " + messages));
        }
    }

    /** Any other error answer (4xx, or 5xx after the retries), with the status and the BMC's own message. */
    public static final class HttpError extends RedfishException {
        private final int httpStatus;

        public HttpError(String bmc, String method, String path, int httpStatus, String detail) {
            super(
                    bmc,
                    "Redfish " + method + " " + path + " on BMC " + bmc + " failed with HTTP " + httpStatus
                            + (detail.isEmpty() ? "." : ": " + detail));
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }
}
