package io.anvil.ipmi.codec.command;

import java.nio.charset.StandardCharsets;

/** Small helpers shared by the command classes. */
final class Commands {

    private Commands() {
    }

    /** A zero-padded fixed-width name field, up to the first NUL. */
    static String zeroPaddedString(byte[] field) {
        int end = 0;
        while (end < field.length && field[end] != 0) {
            end++;
        }
        return new String(field, 0, end, StandardCharsets.UTF_8);
    }
}
