package io.anvil.ipmi.codec;

import java.util.HexFormat;

/** Hex helpers for logging and tests ("20 18 c8" and "2018c8" are both accepted by {@link #parse}). */
public final class Hex {

    private static final HexFormat COMPACT = HexFormat.of();

    private Hex() {}

    public static String of(byte[] bytes) {
        return bytes == null ? "null" : COMPACT.formatHex(bytes);
    }

    public static byte[] parse(String hex) {
        return COMPACT.parseHex(hex.replaceAll("[\\s|:]", ""));
    }
}
