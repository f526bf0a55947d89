package io.anvil.ipmi.codec.crypto;

/** RMCP+ confidentiality algorithms (IPMI v2.0 §13.28). Only NONE and AES-CBC-128 are implemented. */
public enum ConfidentialityAlgorithm {
    NONE(0),
    AES_CBC_128(1),
    XRC4_128(2),
    XRC4_40(3);

    private final int id;

    ConfidentialityAlgorithm(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public boolean implemented() {
        return this == NONE || this == AES_CBC_128;
    }

    public static ConfidentialityAlgorithm byId(int id) {
        for (ConfidentialityAlgorithm a : values()) {
            if (a.id == id) {
                return a;
            }
        }
        return null;
    }
}
