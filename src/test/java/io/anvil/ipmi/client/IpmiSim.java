package io.anvil.ipmi.client;

import io.anvil.testsupport.TestServices;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One OpenIPMI {@code ipmi_sim} child process on 127.0.0.1:free-port, configured from the test resources in
 * {@code ipmi_sim/} ({@code lan.conf.tmpl}: users admin/password (ADMIN), oper/operpass (OPERATOR), ""/test (USER);
 * {@code sim.emu}: BMC 0x20, SEL, sensor 1 = 0x60), with a chassis-control hook (docs/ipmi.md#simulator)
 * that keeps power and boot device in files and logs every action to {@code events.log}.
 * Skips the test (fails under CI=true) when ipmi_sim is not installed.
 */
final class IpmiSim implements AutoCloseable {

    private static final String HOOK =
            """
            #!/bin/sh
            # ipmi_sim chassis_control hook: $1 = state dir, then "get NAME..." or "set NAME VALUE..."
            DIR="$1"; shift
            op="$1"; shift
            echo "$op $*" >> "$DIR/events.log"
            if [ "$op" = get ]; then
              for n in "$@"; do
                case "$n" in
                  power) echo "power:$(cat "$DIR/power" 2>/dev/null || echo 0)";;
                  boot) echo "boot:$(cat "$DIR/boot" 2>/dev/null || echo none)";;
                  *) exit 1;;
                esac
              done
              exit 0
            fi
            if [ "$op" = set ]; then
              while [ $# -ge 2 ]; do
                case "$1" in
                  power) echo "$2" > "$DIR/power";;
                  reset) ;;
                  shutdown) echo 0 > "$DIR/power";;
                  boot) echo "$2" > "$DIR/boot";;
                  identify) shift;;
                  *) exit 1;;
                esac
                shift 2
              done
              exit 0
            fi
            exit 1
            """;

    private final Process process;
    private final Path dir;
    private final int port;

    private IpmiSim(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    static IpmiSim start() throws Exception {
        return start("");
    }

    /** With {@code extra} lines appended to lan.conf (inside MC 0x20's section), e.g. a {@code sol} device. */
    static IpmiSim start(String extra) throws Exception {
        String exe = TestServices.requireTool("ipmi_sim");
        Path dir = Files.createTempDirectory("anvil-ipmisim-");
        Path chassis = Files.createDirectories(dir.resolve("chassis"));
        Path state = Files.createDirectories(dir.resolve("state"));
        Path hook = dir.resolve("chassis_control.sh");
        Files.writeString(hook, HOOK);
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port = freeUdpPort();
        String conf = resource("lan.conf.tmpl")
                        .replace("@NAME@", "anvil-test-" + port)
                        .replace("@PORT@", Integer.toString(port))
                        .replace("@CTL@", hook.toString())
                        .replace("@STATE@", dir.toString())
                + extra;
        Path lanConf = dir.resolve("lan.conf");
        Files.writeString(lanConf, conf);
        Path emu = dir.resolve("sim.emu");
        Files.writeString(emu, resource("sim.emu"));
        Process p = new ProcessBuilder(
                        exe, "-n", "-c", lanConf.toString(), "-f", emu.toString(), "-s", state.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sim.log").toFile())
                .start();
        IpmiSim sim = new IpmiSim(p, dir, port);
        try {
            sim.awaitReady();
        } catch (Exception e) {
            sim.close();
            throw e;
        }
        assert Files.isDirectory(chassis);
        return sim;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = IpmiSim.class.getResourceAsStream("ipmi_sim/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource ipmi_sim/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** ASF presence ping until a pong comes back (IPMI v2.0 §13.2.3–§13.2.4), at most 10 s. */
    private void awaitReady() throws Exception {
        byte[] ping = {0x06, 0x00, (byte) 0xFF, 0x06, 0x00, 0x00, 0x11, (byte) 0xBE, (byte) 0x80, 0x00, 0x00, 0x00};
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(100);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("ipmi_sim exited: " + log());
                }
                s.send(new DatagramPacket(ping, ping.length, InetAddress.getLoopbackAddress(), port));
                try {
                    DatagramPacket pong = new DatagramPacket(new byte[64], 64);
                    s.receive(pong);
                    if (pong.getLength() >= 12 && pong.getData()[8] == 0x40) {
                        return;
                    }
                } catch (SocketTimeoutException notYet) {
                    // next ping
                }
            }
        }
        throw new IllegalStateException("ipmi_sim did not answer an ASF ping on port " + port + ": " + log());
    }

    int port() {
        return port;
    }

    /** Every chassis-control hook call so far ("get power", "set power 1", "set boot pxe", ...). */
    List<String> events() throws IOException {
        Path log = dir.resolve("chassis").resolve("events.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    String log() {
        try {
            return Files.readString(dir.resolve("sim.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    BmcTarget admin() {
        return BmcTarget.of("127.0.0.1", port, "admin", "password");
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
