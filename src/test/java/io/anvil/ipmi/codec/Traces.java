package io.anvil.ipmi.codec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads the annotated packet captures in src/test/resources/ipmi-vectors (docs/ipmi.md#test-vectors):
 * real datagrams between ipmitool/FreeIPMI and ipmi_sim/pyghmi, user admin, password "password".
 */
public final class Traces {

    public static final byte[] PASSWORD = "password".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] USER = "admin".getBytes(StandardCharsets.US_ASCII);

    /** One captured datagram. {@code toBmc} is the capture's direction; {@code consolePort} keys a session. */
    public record Packet(String file, int number, boolean toBmc, int consolePort, byte[] raw) {
        @Override
        public String toString() {
            return file + "#" + number + (toBmc ? " C->BMC" : " BMC->C");
        }
    }

    private static final Pattern HEADER = Pattern.compile("^#(\\d+) (\\d+) -> (\\d+)\\s+(C->BMC|BMC->C)");

    private Traces() {}

    public static List<Packet> load(String file) {
        List<Packet> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                Objects.requireNonNull(Traces.class.getResourceAsStream("/ipmi-vectors/" + file), file),
                StandardCharsets.US_ASCII))) {
            Matcher header = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                Matcher m = HEADER.matcher(line);
                if (m.find()) {
                    header = m;
                } else if (header != null && line.trim().startsWith("raw:")) {
                    boolean toBmc = header.group(4).equals("C->BMC");
                    int consolePort = Integer.parseInt(toBmc ? header.group(2) : header.group(3));
                    out.add(new Packet(
                            file,
                            Integer.parseInt(header.group(1)),
                            toBmc,
                            consolePort,
                            Hex.parse(line.trim().substring(4))));
                    header = null;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static List<Packet> all() {
        List<Packet> all = new ArrayList<>(load("session-traces.txt"));
        all.addAll(load("more-traces.txt"));
        return all;
    }

    public static byte[] packet(String file, int number) {
        return load(file).stream()
                .filter(p -> p.number() == number)
                .findFirst()
                .orElseThrow()
                .raw();
    }

    public static byte[] session(int number) {
        return packet("session-traces.txt", number);
    }

    public static byte[] more(int number) {
        return packet("more-traces.txt", number);
    }
}
