package io.anvil.errors;

/** 400: Ironic's DriverNotFound — the node's driver (hardware type) is not enabled on this conductor. */
public final class DriverNotFound extends AnvilException {
    public DriverNotFound(String driver) {
        super(400, "Could not find the following driver(s) or hardware type(s): " + driver + ".");
    }
}
