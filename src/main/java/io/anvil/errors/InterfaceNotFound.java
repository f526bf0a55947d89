package io.anvil.errors;

/** 400: Ironic's InterfaceNotFoundInEntrypoint — the node names an interface implementation this build lacks. */
public final class InterfaceNotFound extends AnvilException {
    public InterfaceNotFound(String iface, String impl) {
        super(
                400,
                "Could not find the following interface in the 'ironic.hardware.interfaces." + iface + "' entrypoint: "
                        + impl + ".");
    }
}
