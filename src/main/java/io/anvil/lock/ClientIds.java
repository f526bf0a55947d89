package io.anvil.lock;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Client ids {@code host:pid:random}: unique per process incarnation, so a restart never inherits queue slots. */
final class ClientIds {
    private ClientIds() {}

    static String generate() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            host = "localhost";
        }
        // the id travels in space-separated wake-up payloads, '|'-separated holder values and CLIENT SETNAME
        host = host.replaceAll("[^A-Za-z0-9._-]", "_");
        byte[] rnd = new byte[4];
        ThreadLocalRandom.current().nextBytes(rnd);
        return host + ":" + ProcessHandle.current().pid() + ":" + HexFormat.of().formatHex(rnd);
    }
}
