package io.anvil.ipmi.codec.command;

/** Response without data after the completion code (Chassis Control, Close Session, Set Boot Options). */
public record NoData() implements CommandResponse {

    public static final NoData INSTANCE = new NoData();

    @Override
    public byte[] encode() {
        return new byte[0];
    }

    public static NoData decode(byte[] data) {
        return INSTANCE; // lenient: extra bytes some BMCs append are ignored
    }
}
