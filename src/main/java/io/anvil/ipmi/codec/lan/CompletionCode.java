package io.anvil.ipmi.codec.lan;

import java.util.Map;

/**
 * Completion codes (IPMI v2.0 §5.2): the generic table (0x00, 0xC0–0xD6, 0xFF) plus the command-specific
 * codes (0x80–0xBE) of the commands Anvil uses, whose meaning depends on netFn/command.
 */
public enum CompletionCode {
    SUCCESS(0x00, "command completed normally"),
    NODE_BUSY(0xC0, "node busy"),
    INVALID_COMMAND(0xC1, "invalid command"),
    INVALID_FOR_LUN(0xC2, "command invalid for given LUN"),
    TIMEOUT(0xC3, "timeout while processing command"),
    OUT_OF_SPACE(0xC4, "out of space"),
    RESERVATION_CANCELLED(0xC5, "reservation cancelled or invalid reservation ID"),
    REQUEST_DATA_TRUNCATED(0xC6, "request data truncated"),
    REQUEST_DATA_LENGTH_INVALID(0xC7, "request data length invalid"),
    DATA_FIELD_LENGTH_EXCEEDED(0xC8, "request data field length limit exceeded"),
    PARAMETER_OUT_OF_RANGE(0xC9, "parameter out of range"),
    CANNOT_RETURN_BYTES(0xCA, "cannot return number of requested data bytes"),
    NOT_PRESENT(0xCB, "requested sensor, data, or record not present"),
    INVALID_DATA_FIELD(0xCC, "invalid data field in request"),
    ILLEGAL_FOR_TYPE(0xCD, "command illegal for specified sensor or record type"),
    RESPONSE_UNAVAILABLE(0xCE, "command response could not be provided"),
    DUPLICATE_REQUEST(0xCF, "cannot execute duplicated request"),
    SDR_UPDATE_MODE(0xD0, "SDR repository in update mode"),
    FIRMWARE_UPDATE_MODE(0xD1, "device in firmware update mode"),
    INITIALIZING(0xD2, "BMC initialization in progress"),
    DESTINATION_UNAVAILABLE(0xD3, "destination unavailable"),
    INSUFFICIENT_PRIVILEGE(0xD4, "insufficient privilege level"),
    NOT_SUPPORTED_IN_STATE(0xD5, "command not supported in present state"),
    SUBFUNCTION_DISABLED(0xD6, "parameter is illegal because sub-function is disabled or unavailable"),
    UNSPECIFIED(0xFF, "unspecified error");

    public static final int OK = 0x00;

    private static final Map<Integer, String> COMMAND_SPECIFIC = Map.ofEntries(
            // Get Session Challenge (App 0x39)
            Map.entry(key(NetFn.APP, 0x39, 0x81), "invalid user name"),
            Map.entry(key(NetFn.APP, 0x39, 0x82), "null user name not enabled"),
            // Activate Session (App 0x3A)
            Map.entry(key(NetFn.APP, 0x3A, 0x81), "no session slot available"),
            Map.entry(key(NetFn.APP, 0x3A, 0x82), "no slot available for given user"),
            Map.entry(key(NetFn.APP, 0x3A, 0x83), "no slot available to support user due to maximum privilege"),
            Map.entry(key(NetFn.APP, 0x3A, 0x84), "session sequence number out of range"),
            Map.entry(key(NetFn.APP, 0x3A, 0x85), "invalid session ID in request"),
            Map.entry(key(NetFn.APP, 0x3A, 0x86), "requested maximum privilege level exceeds user/channel limit"),
            // Set Session Privilege Level (App 0x3B)
            Map.entry(key(NetFn.APP, 0x3B, 0x80), "requested level not available for this user"),
            Map.entry(key(NetFn.APP, 0x3B, 0x81), "requested level exceeds channel and/or user privilege limit"),
            Map.entry(key(NetFn.APP, 0x3B, 0x82), "cannot disable user level authentication"),
            // Close Session (App 0x3C)
            Map.entry(key(NetFn.APP, 0x3C, 0x87), "invalid session ID in request"),
            Map.entry(key(NetFn.APP, 0x3C, 0x88), "invalid session handle in request"),
            // Set / Get System Boot Options (Chassis 0x08 / 0x09)
            Map.entry(key(NetFn.CHASSIS, 0x08, 0x80), "parameter not supported"),
            Map.entry(key(NetFn.CHASSIS, 0x08, 0x81), "attempt to set 'set in progress' while not in 'set complete'"),
            Map.entry(key(NetFn.CHASSIS, 0x08, 0x82), "attempt to write read-only parameter"),
            Map.entry(key(NetFn.CHASSIS, 0x09, 0x80), "parameter not supported"));

    private final int code;
    private final String meaning;

    CompletionCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }

    /** The generic code, or null for a command-specific / reserved value. */
    public static CompletionCode generic(int code) {
        for (CompletionCode cc : values()) {
            if (cc.code == code) {
                return cc;
            }
        }
        return null;
    }

    /**
     * Best description of {@code code} for a request netFn/command, e.g. {@code "0xd4 insufficient
     * privilege level"} or {@code "0x81 invalid user name"} for Get Session Challenge.
     */
    public static String describe(int requestNetFn, int command, int code) {
        String specific = COMMAND_SPECIFIC.get(key(requestNetFn & ~1, command, code));
        CompletionCode generic = generic(code);
        String text = specific != null
                ? specific
                : generic != null
                        ? generic.meaning
                        : code >= 0x80 && code <= 0xBE
                                ? "command-specific completion code"
                                : code >= 0x01 && code <= 0x7E ? "OEM completion code" : "reserved completion code";
        return String.format("0x%02x %s", code, text);
    }

    private static int key(int netFn, int command, int code) {
        return netFn << 16 | command << 8 | code;
    }
}
