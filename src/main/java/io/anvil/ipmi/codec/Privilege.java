package io.anvil.ipmi.codec;

/**
 * Privilege levels (IPMI v2.0 §6.8). {@link #UNSPECIFIED} (0) means "highest matching" in Open Session and
 * "just report the current level" in Set Session Privilege Level.
 */
public enum Privilege {
    UNSPECIFIED(0),
    CALLBACK(1),
    USER(2),
    OPERATOR(3),
    ADMINISTRATOR(4),
    OEM(5);

    private final int code;

    Privilege(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Privilege fromCode(int code) throws IpmiDecodeException {
        for (Privilege p : values()) {
            if (p.code == code) {
                return p;
            }
        }
        throw new IpmiDecodeException(IpmiDecodeException.Reason.BAD_FIELD, "privilege level " + code);
    }
}
