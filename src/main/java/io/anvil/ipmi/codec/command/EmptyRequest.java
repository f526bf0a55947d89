package io.anvil.ipmi.codec.command;

/**
 * The request of a command that carries no data (Get Device ID, Get Chassis Status, Get SEL Info): only its network
 * function and command number go on the wire. Each such command exposes one as {@code REQUEST}.
 */
public record EmptyRequest(int netFn, int command) implements CommandRequest {
    @Override
    public byte[] encode() {
        return new byte[0];
    }
}
