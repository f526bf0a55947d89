package io.anvil.ipmi.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionResponse;
import io.anvil.ipmi.codec.rmcpplus.Rakp2;
import io.anvil.ipmi.codec.rmcpplus.Rakp4;
import org.junit.jupiter.api.Test;

/** Value classes of the public API, and the codec fix the client needed. */
class ApiValuesTest {

    @Test
    void targetDefaultsAndMasking() {
        BmcTarget t = BmcTarget.of("10.0.0.5", 623, "admin", "s3cret").withKg(new byte[] {1, 2, 3});
        assertEquals(Privilege.ADMINISTRATOR, t.privilege());
        assertEquals(ProtocolVersion.V2_0, t.version());
        assertNull(t.cipherSuite());
        String s = t.toString();
        assertFalse(s.contains("s3cret"), s);
        assertTrue(s.contains("password=******") && s.contains("kg=******"), s);
        assertEquals("10.0.0.5:623", t.address());
        assertEquals(
                t,
                BmcTarget.of("10.0.0.5", 623, "admin", "s3cret").withKg(new byte[] {1, 2, 3}),
                "equality compares Kg contents");
        assertNotEquals(t, t.withPassword("other"));
        assertEquals(ProtocolVersion.V1_5, t.v15(AuthType.MD5).version());
        assertThrows(IllegalArgumentException.class, () -> t.v15(AuthType.RMCP_PLUS));
    }

    @Test
    void retryPolicyIsIpmitoolCompatibleByDefault() {
        RetryPolicy p = RetryPolicy.DEFAULT;
        assertEquals(1_000, p.timeoutMillis(1));
        assertEquals(4_000, p.timeoutMillis(4));
        assertEquals(10_000, p.worstCaseMillis());
        IpmiClientOptions o = new IpmiClientOptions();
        assertEquals(1, o.getMaxInFlightPerBmc());
        assertEquals(5, o.getCircuitFailureThreshold());
        assertThrows(IllegalArgumentException.class, () -> o.setMaxInFlightPerBmc(0));
    }

    @Test
    void shortRmcpPlusErrorAnswersDecode() throws IpmiDecodeException {
        // ipmi_sim refusing suite 17: payload "tag, status" only (0x04 invalid authentication algorithm)
        OpenSessionResponse open = OpenSessionResponse.decode(new byte[] {0x05, 0x04});
        assertEquals(5, open.tag());
        assertEquals(4, open.status());
        assertNull(open.algorithms());
        assertEquals(0x0D, Rakp2.decode(new byte[] {0x01, 0x0D}).status());
        assertEquals(0x0F, Rakp4.decode(new byte[] {0x01, 0x0F}).status());
        assertThrows(
                IpmiDecodeException.class,
                () -> OpenSessionResponse.decode(new byte[] {0x05, 0x00}),
                "a success answer still needs its fields");
    }
}
