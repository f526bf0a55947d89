package io.anvil.lock;

/**
 * Redis Cluster hash slots (CRC16/XMODEM of the key's hash tag, mod 16384) and, for each slot, a short hash tag that
 * lands in it. The quarantine marker of a slot is named with that tag, so a node's acquire script touches only keys
 * of the node's own slot and stays Cluster-safe.
 */
final class LockSlots {
    static final int SLOTS = 16384;

    private LockSlots() {}

    /** The slot Redis Cluster assigns to {@code key}, honouring a non-empty {@code {tag}}. */
    static int slot(String key) {
        int open = key.indexOf('{');
        if (open >= 0) {
            int close = key.indexOf('}', open + 1);
            if (close > open + 1) {
                key = key.substring(open + 1, close);
            }
        }
        return crc16(key) & (SLOTS - 1);
    }

    /** CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), as Redis computes it over the key's bytes. */
    static int crc16(String s) {
        int crc = 0;
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            crc ^= (b & 0xff) << 8;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc;
    }

    /** A hash tag whose slot is {@code slot}. */
    static String tag(int slot) {
        return Tags.TABLE[slot];
    }

    /** Built once on first use: base-36 counters until every slot has one (about 160,000 tries, a few ms). */
    private static final class Tags {
        static final String[] TABLE = build();

        private static String[] build() {
            String[] table = new String[SLOTS];
            int filled = 0;
            for (long i = 0; filled < SLOTS; i++) {
                String t = Long.toString(i, 36);
                int s = crc16(t) & (SLOTS - 1);
                if (table[s] == null) {
                    table[s] = t;
                    filled++;
                }
            }
            return table;
        }
    }
}
