package io.anvil.errors;

/**
 * 400: Ironic's UnsupportedDriverExtension — the node's driver has no implementation of an optional feature (a
 * {@code no-*} interface, or a management interface without NMI, boot mode or indicators). Some routes answer it as
 * 404 instead, as Ironic does (RAID: {@link #withStatus}).
 */
public final class UnsupportedDriverExtension extends AnvilException {
    public UnsupportedDriverExtension(String driver, String extension) {
        this(400, driver, extension);
    }

    private UnsupportedDriverExtension(int status, String driver, String extension) {
        super(status, "Driver " + driver + " does not support " + extension + " (disabled or not implemented).");
    }

    /** The same error with another status code (Ironic's RAID routes turn it into 404). */
    public AnvilException withStatus(int status) {
        return new AnvilException(status, getMessage());
    }
}
