package io.anvil.ipmi.client.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.client.BadCredentialsException;
import io.anvil.ipmi.client.CompletionCodeException;
import io.anvil.ipmi.client.InsufficientPrivilegeException;
import io.anvil.ipmi.client.IpmiTimeoutException;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private static final long S = 1_000_000_000L;

    @Test
    void opensAfterThresholdFailsFastThenProbesOnce() {
        CircuitBreaker b = new CircuitBreaker(3, 10 * S);
        assertEquals(CircuitBreaker.Decision.ALLOW, b.decide(0));
        assertFalse(b.onFailure(1));
        assertFalse(b.onFailure(2));
        assertTrue(b.onFailure(3), "third consecutive failure opens");
        assertEquals(CircuitBreaker.State.OPEN, b.state());
        assertTrue(b.rejectsNow(4));
        assertEquals(CircuitBreaker.Decision.REJECT, b.decide(5 * S));
        assertEquals(10 * S + 3 - 5 * S, b.retryAfterNanos(5 * S), "opened at t=3 ns, cool-down 10 s");

        assertEquals(CircuitBreaker.Decision.ALLOW, b.decide(13 * S), "cool-down over: the probe");
        assertEquals(CircuitBreaker.State.HALF_OPEN, b.state());
        assertEquals(CircuitBreaker.Decision.WAIT, b.decide(13 * S), "only one probe at a time");
        assertTrue(b.onFailure(14 * S), "failed probe re-opens");
        assertEquals(CircuitBreaker.Decision.REJECT, b.decide(15 * S));

        assertEquals(CircuitBreaker.Decision.ALLOW, b.decide(25 * S));
        b.onSuccess();
        assertEquals(CircuitBreaker.State.CLOSED, b.state());
        assertEquals(CircuitBreaker.Decision.ALLOW, b.decide(25 * S));
    }

    @Test
    void successResetsTheCountAndZeroDisables() {
        CircuitBreaker b = new CircuitBreaker(2, S);
        b.onFailure(0);
        b.onSuccess();
        assertFalse(b.onFailure(1), "count restarted after a success");
        CircuitBreaker off = new CircuitBreaker(0, S);
        for (int i = 0; i < 100; i++) {
            assertFalse(off.onFailure(i));
        }
        assertEquals(CircuitBreaker.State.CLOSED, off.state());
    }

    @Test
    void onlyUnreachableOrRefusingBmcsCountAsFailures() {
        assertTrue(Governor.countsAsFailure(new IpmiTimeoutException("b", "x", 4, 10_000)));
        assertTrue(Governor.countsAsFailure(new BadCredentialsException("b", "x", null)));
        assertFalse(Governor.countsAsFailure(new CompletionCodeException("b", "x", 0, 2, 0xCC, "0xcc")));
        assertFalse(Governor.countsAsFailure(new InsufficientPrivilegeException("b", "x")));
    }
}
