package io.anvil.config;

import java.util.Locale;
import java.util.Optional;

/** Booleans written as text, the way Ironic reads them (oslo strutils.bool_from_string, strict). */
public final class Booleans {
    private Booleans() {}

    /** true/1/yes/y/on/t and false/0/no/n/off/f in any case; empty for anything else. */
    public static Optional<Boolean> fromString(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "y", "on", "t" -> Optional.of(true);
            case "false", "0", "no", "n", "off", "f" -> Optional.of(false);
            default -> Optional.empty();
        };
    }
}
