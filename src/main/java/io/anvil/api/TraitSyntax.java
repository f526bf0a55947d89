package io.anvil.api;

import java.util.regex.Pattern;

/**
 * Ironic's TRAITS_SCHEMA (ironic/api/controllers/v1/utils.py) for the places that take trait names here: an
 * allocation's {@code traits} and a deploy template's {@code name}. A custom trait is {@code CUSTOM_} followed by
 * upper-case letters, digits and underscores. Ironic also accepts the standard names of the os-traits library;
 * Anvil carries no copy of that list, so it accepts any name of the same upper-case form (docs/api.md).
 */
final class TraitSyntax {
    private static final Pattern CUSTOM = Pattern.compile("^CUSTOM_[A-Z0-9_]+$");
    private static final Pattern STANDARD_FORM = Pattern.compile("^[A-Z][A-Z0-9_]*$");

    private TraitSyntax() {}

    static boolean isCustom(String name) {
        return CUSTOM.matcher(name).matches();
    }

    /** True for a name Ironic's schema could accept: 1 to 255 characters, custom or of the standard form. */
    static boolean isValid(Object name) {
        return name instanceof String s
                && !s.isEmpty()
                && s.length() <= 255
                && (isCustom(s)
                        || (!s.startsWith("CUSTOM_") && STANDARD_FORM.matcher(s).matches()));
    }

    /** jsonschema's words for a value that matches neither branch of the schema's anyOf. */
    static String invalidMessage(String what, Object value) {
        return "Schema error for " + what + ": " + (value instanceof String s ? "'" + s + "'" : String.valueOf(value))
                + " is not valid under any of the given schemas";
    }
}
