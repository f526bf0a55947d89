package io.anvil.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.anvil.store.SqlValues;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class NodeIdentsTest {
    @Test
    void theHandParsedCanonicalFormAgreesWithTheGeneralParser() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            UUID u = new UUID(random.nextLong(), random.nextLong());
            String s = u.toString();
            assertEquals(u, NodeIdents.canonical(s));
            assertEquals(u, NodeIdents.canonical(s.toUpperCase(Locale.ROOT)));
            assertEquals(SqlValues.uuidOrNull(s), NodeIdents.uuidOrNull(s));
        }
    }

    @Test
    void otherSpellingsOfAUuidStillCountThroughTheGeneralParser() {
        UUID u = UUID.fromString("0b6c4e0e-6f69-4e8c-9d5a-0e2b4c9e1a11");
        assertNull(NodeIdents.canonical("0b6c4e0e6f694e8c9d5a0e2b4c9e1a11"));
        assertEquals(u, NodeIdents.uuidOrNull("0b6c4e0e6f694e8c9d5a0e2b4c9e1a11"));
        assertEquals(u, NodeIdents.uuidOrNull("0B6C4E0E-6F69-4E8C-9D5A-0E2B4C9E1A11"));
    }

    @Test
    void namesAndNearMissesAreNotUuids() {
        for (String s : new String[] {
            "node-1",
            "",
            "0b6c4e0e-6f69-4e8c-9d5a-0e2b4c9e1a1",
            "0b6c4e0e-6f69-4e8c-9d5a-0e2b4c9e1a111",
            "0b6c4e0e-6f69-4e8c-9d5a-0e2b4c9e1a1g",
            "0b6c4e0e+6f69-4e8c-9d5a-0e2b4c9e1a11",
            // Character.digit takes these full-width and Arabic-Indic digits; a UUID does not
            "0b6c4e0e-6f69-4e8c-9d5a-0e2b4c9e1a1\uff11",
            "0b6c4e0e-6f69-4e8c-9d5a-0e2b4c9e1a1\u0661"
        }) {
            assertNull(NodeIdents.canonical(s), s);
            assertEquals(SqlValues.uuidOrNull(s), NodeIdents.uuidOrNull(s), s);
        }
        assertNull(NodeIdents.uuidOrNull(null));
    }
}
