package io.anvil.ipmi.codec.rmcpplus;

/** RMCP+ status codes of Open Session Response, RAKP2 and RAKP4 (IPMI v2.0 §13.24). */
public final class RmcpPlusStatus {

    public static final int NO_ERRORS = 0x00;
    public static final int INSUFFICIENT_RESOURCES = 0x01;
    public static final int INVALID_SESSION_ID = 0x02;
    public static final int INVALID_PAYLOAD_TYPE = 0x03;
    public static final int INVALID_AUTHENTICATION_ALGORITHM = 0x04;
    public static final int INVALID_INTEGRITY_ALGORITHM = 0x05;
    public static final int NO_MATCHING_AUTHENTICATION_PAYLOAD = 0x06;
    public static final int NO_MATCHING_INTEGRITY_PAYLOAD = 0x07;
    public static final int INACTIVE_SESSION_ID = 0x08;
    public static final int INVALID_ROLE = 0x09;
    public static final int UNAUTHORIZED_ROLE = 0x0A;
    public static final int INSUFFICIENT_RESOURCES_FOR_ROLE = 0x0B;
    public static final int INVALID_NAME_LENGTH = 0x0C;
    public static final int UNAUTHORIZED_NAME = 0x0D;
    public static final int UNAUTHORIZED_GUID = 0x0E;
    public static final int INVALID_INTEGRITY_CHECK_VALUE = 0x0F;
    public static final int INVALID_CONFIDENTIALITY_ALGORITHM = 0x10;
    public static final int NO_CIPHER_SUITE_MATCH = 0x11;
    public static final int ILLEGAL_PARAMETER = 0x12;

    private static final String[] TEXT = {
        "no errors",
        "insufficient resources to create a session",
        "invalid session ID",
        "invalid payload type",
        "invalid authentication algorithm",
        "invalid integrity algorithm",
        "no matching authentication payload",
        "no matching integrity payload",
        "inactive session ID",
        "invalid role",
        "unauthorized role or privilege level requested",
        "insufficient resources to create a session at the requested role",
        "invalid name length",
        "unauthorized name",
        "unauthorized GUID",
        "invalid integrity check value",
        "invalid confidentiality algorithm",
        "no cipher suite match with proposed security algorithms",
        "illegal or unrecognized parameter",
    };

    private RmcpPlusStatus() {}

    public static String describe(int status) {
        return String.format("0x%02x %s", status, status >= 0 && status < TEXT.length ? TEXT[status] : "reserved");
    }
}
