package io.anvil.ipmi.codec;

/** Session header auth type byte (offset 4), IPMI v2.0 §13.6. Value 6 selects the RMCP+ header (IPMI v2.0 §13.6). */
public enum AuthType {
    NONE(0),
    MD2(1),
    MD5(2),
    STRAIGHT_PASSWORD(4),
    OEM(5),
    RMCP_PLUS(6);

    private final int code;

    AuthType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Bit of this type in the Get Channel Authentication Capabilities bitmap (docs/ipmi.md#v15-sessions). */
    public int capabilityBit() {
        return 1 << code;
    }

    public static AuthType fromCode(int code) throws IpmiDecodeException {
        for (AuthType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IpmiDecodeException(IpmiDecodeException.Reason.UNSUPPORTED, "auth type " + code);
    }
}
