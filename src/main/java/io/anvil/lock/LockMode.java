package io.anvil.lock;

/** How a node is held: one exclusive holder, or any number of shared holders. */
public enum LockMode {
    EXCLUSIVE("x"),
    SHARED("s");

    private final String code;

    LockMode(String code) {
        this.code = code;
    }

    /** The one-letter code the Lua scripts use. */
    String code() {
        return code;
    }

    static LockMode fromCode(String code) {
        return "s".equals(code) ? SHARED : EXCLUSIVE;
    }
}
