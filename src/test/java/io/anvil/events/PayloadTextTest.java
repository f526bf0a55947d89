package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The one-pass reading of a stored payload's text: compacted, its filter fields read, its secrets checked masked. */
class PayloadTextTest {
    @Test
    void compactsPostgresTextAndLeavesStringsAsTheyAre() {
        PayloadText p = PayloadText.of(
                "{\"a\": 1, \"b\": [1, 2.50, {\"c\": \"x y\"}], \"d\": null, \"e\": true, \"s\": \"a, b: {c} [d]\"}");
        assertNotNull(p);
        assertEquals(
                "{\"a\":1,\"b\":[1,2.50,{\"c\":\"x y\"}],\"d\":null,\"e\":true,\"s\":\"a, b: {c} [d]\"}", p.compact);
        assertEquals("{\"x\":\"a\\\"b\\\\c\\n\"}", PayloadText.of("{\"x\": \"a\\\"b\\\\c\\n\"}").compact);
        assertEquals("{}", PayloadText.of("{}").compact);
    }

    @Test
    void readsTheTopLevelFieldsTheFiltersUseAndNoNestedOnes() {
        PayloadText p = PayloadText.of(
                "{\"driver_info\": {\"name\": \"inner\", \"owner\": \"x\"}, \"name\": \"node-1\","
                        + " \"node_name\": \"n\", \"owner\": \"p1\", \"lessee\": \"p2\", \"conductor_group\": \"rack4\"}");
        assertNotNull(p);
        assertEquals("node-1", p.name);
        assertEquals("n", p.nodeName);
        assertEquals("p1", p.owner);
        assertEquals("p2", p.lessee);
        assertEquals("rack4", p.conductorGroup);
        PayloadText none = PayloadText.of("{\"driver_info\": {\"name\": \"inner\"}, \"owner\": null, \"lessee\": 3}");
        assertNotNull(none);
        assertNull(none.name);
        assertNull(none.owner);
        assertNull(none.lessee);
    }

    @Test
    void acceptsOnlySecretsThatAreMaskedOrNull() {
        assertNotNull(PayloadText.of(
                "{\"driver_info\": {\"ipmi_password\": \"******\", \"ipmi_username\": \"admin\"}, \"secret\": null}"));
        assertNull(PayloadText.of("{\"driver_info\": {\"ipmi_password\": \"hunter2\"}}"));
        assertNull(PayloadText.of("{\"token\": 12}"));
        assertNull(PayloadText.of("{\"auth_token\": true}"));
        assertNull(PayloadText.of("{\"private_keys\": {\"a\": 1}}"));
        assertNull(PayloadText.of("{\"instance_info\": {\"configdrive\": [1]}}"));
        assertNull(PayloadText.of("{\"list\": [{\"Password\": \"x\"}]}"), "key names are matched case-blind");
        // a value that merely starts like the mask is not the mask
        assertNull(PayloadText.of("{\"password\": \"******x\"}"));
        assertNotNull(PayloadText.of("{\"note\": \"the password is in the vault\"}"), "values are not keys");
    }

    @Test
    void anythingItCannotReadSafelyTakesTheSlowPath() {
        assertNull(PayloadText.of("{\"pass\\u0077ord\": \"hunter2\"}"), "a key with an escape");
        assertNull(PayloadText.of("{\"name\": \"a\\\"b\"}"), "a filter field with an escape");
        assertNull(PayloadText.of("[1, 2]"));
        assertNull(PayloadText.of("{\"a\": 1} {\"b\": 2}"));
        assertNull(PayloadText.of("{\"a\": \"unterminated}"));
        assertNull(PayloadText.of("{\"a\": [1, 2}"));
        assertNull(PayloadText.of("{\"a\": 1"));
        assertNull(PayloadText.of("1"));
        assertNull(PayloadText.of("[".repeat(70) + "]".repeat(70)));
        assertNull(PayloadText.of("{\"a\": " + "[".repeat(70) + "]".repeat(70) + "}"), "deeper than 64 levels");
    }
}
