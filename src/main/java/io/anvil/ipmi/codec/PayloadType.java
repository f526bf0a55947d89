package io.anvil.ipmi.codec;

/**
 * RMCP+ payload type numbers (b5:0 of header byte 5, IPMI v2.0 §13.6). Kept as plain ints so that a decoder
 * can carry an unknown or OEM type (0x20–0x27) up to whoever wants to reject it.
 */
public final class PayloadType {

    public static final int IPMI = 0x00;
    public static final int SOL = 0x01;
    public static final int OEM_EXPLICIT = 0x02;
    public static final int OPEN_SESSION_REQUEST = 0x10;
    public static final int OPEN_SESSION_RESPONSE = 0x11;
    public static final int RAKP_1 = 0x12;
    public static final int RAKP_2 = 0x13;
    public static final int RAKP_3 = 0x14;
    public static final int RAKP_4 = 0x15;

    private PayloadType() {}

    /** True for Open Session and RAKP payloads, which are never authenticated or encrypted. */
    public static boolean isSessionSetup(int type) {
        return type >= OPEN_SESSION_REQUEST && type <= RAKP_4;
    }

    public static String name(int type) {
        return switch (type) {
            case IPMI -> "IPMI";
            case SOL -> "SOL";
            case OEM_EXPLICIT -> "OEM explicit";
            case OPEN_SESSION_REQUEST -> "Open Session Request";
            case OPEN_SESSION_RESPONSE -> "Open Session Response";
            case RAKP_1 -> "RAKP1";
            case RAKP_2 -> "RAKP2";
            case RAKP_3 -> "RAKP3";
            case RAKP_4 -> "RAKP4";
            default -> String.format("0x%02x", type);
        };
    }
}
