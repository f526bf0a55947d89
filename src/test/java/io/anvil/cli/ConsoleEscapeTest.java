package io.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code anvil console}'s ssh-style escapes: "~." at a line start detaches, "~~" sends "~", "~" mid-line is text. */
class ConsoleEscapeTest {

    private static ConsoleCommand.EscapeFilter.Result feed(ConsoleCommand.EscapeFilter f, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return f.feed(b, b.length);
    }

    @Test
    void escapes() {
        ConsoleCommand.EscapeFilter f = new ConsoleCommand.EscapeFilter('~');
        ConsoleCommand.EscapeFilter.Result r = feed(f, "ls ~/x\r");
        assertEquals("ls ~/x\r", new String(r.send(), StandardCharsets.US_ASCII));
        assertFalse(r.detach());
        r = feed(f, "~~");
        assertEquals("~", new String(r.send(), StandardCharsets.US_ASCII));
        r = feed(f, "\n~");
        assertEquals("\n", new String(r.send(), StandardCharsets.US_ASCII));
        r = feed(f, ".");
        assertTrue(r.detach(), "an escape split across reads still detaches");
        ConsoleCommand.EscapeFilter start = new ConsoleCommand.EscapeFilter('~');
        r = feed(start, "~x");
        assertEquals("~x", new String(r.send(), StandardCharsets.US_ASCII));
        assertTrue(feed(new ConsoleCommand.EscapeFilter('~'), "abc\r~.rest").detach());
    }
}
