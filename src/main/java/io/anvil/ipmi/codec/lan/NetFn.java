package io.anvil.ipmi.codec.lan;

/** Network function codes (requests are even, responses = request | 1), IPMI v2.0 §5.1. */
public final class NetFn {

    public static final int CHASSIS = 0x00;
    public static final int SENSOR_EVENT = 0x04;
    public static final int APP = 0x06;
    public static final int STORAGE = 0x0A;
    public static final int GROUP_EXTENSION = 0x2C;

    private NetFn() {}

    public static int response(int requestNetFn) {
        return requestNetFn | 1;
    }

    public static boolean isResponse(int netFn) {
        return (netFn & 1) != 0;
    }
}
