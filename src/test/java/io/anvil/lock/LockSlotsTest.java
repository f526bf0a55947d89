package io.anvil.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Cluster slots as Redis computes them, and the per-slot tags that keep the quarantine keys in a node's slot. */
class LockSlotsTest {

    @Test
    void crc16AndSlotsMatchRedis() {
        assertEquals(0x31C3, LockSlots.crc16("123456789"), "CRC16/XMODEM check value");
        assertEquals(12182, LockSlots.slot("foo"), "CLUSTER KEYSLOT foo");
        assertEquals(11058, LockSlots.slot("somekey"), "CLUSTER KEYSLOT somekey");
        assertEquals(LockSlots.slot("user1000"), LockSlots.slot("{user1000}.following"), "hash tag");
        assertEquals(LockSlots.slot("{}x"), LockSlots.crc16("{}x") & 16383, "an empty tag hashes the whole key");
    }

    @Test
    void everySlotHasATagThatLandsInIt() {
        for (int slot = 0; slot < LockSlots.SLOTS; slot++) {
            assertEquals(slot, LockSlots.slot("lk:{" + LockSlots.tag(slot) + "}:boot"));
        }
    }

    @Test
    void allKeysOfANodeShareOneSlot() {
        for (int i = 0; i < 1000; i++) {
            List<String> keys = LockKeys.of(UUID.randomUUID().toString());
            Set<Integer> slots = new HashSet<>();
            keys.forEach(k -> slots.add(LockSlots.slot(k)));
            assertEquals(1, slots.size(), keys.toString());
            assertEquals(9, keys.size());
        }
    }
}
