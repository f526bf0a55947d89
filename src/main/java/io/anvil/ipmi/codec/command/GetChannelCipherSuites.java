package io.anvil.ipmi.codec.command;

import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_FIELD;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.NetFn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Get Channel Cipher Suites, App 0x54 (IPMI v2.0 §22.15). Each response carries ≤16 bytes of the record
 * list; ask with index+1 until fewer than 16 bytes come back, concatenate, then {@link #parseRecords}.
 * Records may straddle page boundaries. Probe with a short timeout: many BMCs ignore this command.
 */
public final class GetChannelCipherSuites {

    public static final int NET_FN = NetFn.APP;
    public static final int COMMAND = 0x54;
    public static final int PAGE_SIZE = 16;

    private GetChannelCipherSuites() {}

    /** @param listByCipherSuite b7 of byte 3: list by suite (what ipmitool/FreeIPMI use), index in b5:0 */
    public record Request(int channel, int payloadType, boolean listByCipherSuite, int listIndex)
            implements CommandRequest {

        public static Request page(int listIndex) {
            return new Request(GetChannelAuthCapabilities.CURRENT_CHANNEL, 0, true, listIndex);
        }

        @Override
        public int netFn() {
            return NET_FN;
        }

        @Override
        public int command() {
            return COMMAND;
        }

        @Override
        public byte[] encode() {
            return new byte[] {
                (byte) (channel & 0x0F), (byte) payloadType, (byte) ((listByCipherSuite ? 0x80 : 0) | listIndex & 0x3F)
            };
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            int channel = r.u8("channel") & 0x0F;
            int payloadType = r.u8("payload type") & 0x3F;
            int b2 = r.u8("list index");
            return new Request(channel, payloadType, (b2 & 0x80) != 0, b2 & 0x3F);
        }
    }

    public record Response(int channel, byte[] recordData) implements CommandResponse {

        public Response {
            recordData = Objects.requireNonNull(recordData, "recordData").clone();
            if (recordData.length > PAGE_SIZE) {
                throw new IllegalArgumentException("at most 16 bytes of record data per response");
            }
        }

        /** True when this page is the last one (fewer than 16 bytes). */
        public boolean lastPage() {
            return recordData.length < PAGE_SIZE;
        }

        @Override
        public byte[] recordData() {
            return recordData.clone();
        }

        @Override
        public byte[] encode() {
            return new ByteWriter(1 + recordData.length)
                    .u8(channel)
                    .bytes(recordData)
                    .toByteArray();
        }

        public static Response decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            int channel = r.u8("channel");
            return new Response(channel, r.bytes(Math.min(r.remaining(), PAGE_SIZE), "records"));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Response x && x.channel == channel && Arrays.equals(x.recordData, recordData);
        }

        @Override
        public int hashCode() {
            return channel * 31 + Arrays.hashCode(recordData);
        }

        @Override
        public String toString() {
            return "GetChannelCipherSuites.Response[channel=" + channel + ", records=" + Hex.of(recordData) + "]";
        }
    }

    /**
     * One cipher suite record: {@code C0 id auth 40|integ… 80|conf…}, or OEM {@code C1 id IANA(3) …}.
     * Algorithm bytes are told apart by their top two bits (00 auth, 01 integrity, 10 confidentiality).
     */
    public record SuiteRecord(
            int suiteId,
            int oemIana,
            List<Integer> authentication,
            List<Integer> integrity,
            List<Integer> confidentiality) {

        public static final int NOT_OEM = -1;

        public SuiteRecord {
            authentication = List.copyOf(authentication);
            integrity = List.copyOf(integrity);
            confidentiality = List.copyOf(confidentiality);
        }

        /** Standard record for one algorithm triple. */
        public static SuiteRecord standard(int suiteId, int auth, int integ, int conf) {
            return new SuiteRecord(suiteId, NOT_OEM, List.of(auth), List.of(integ), List.of(conf));
        }

        void write(ByteWriter w) {
            if (oemIana == NOT_OEM) {
                w.u8(0xC0).u8(suiteId);
            } else {
                w.u8(0xC1).u8(suiteId).u24le(oemIana);
            }
            authentication.forEach(a -> w.u8(a & 0x3F));
            integrity.forEach(a -> w.u8(0x40 | a & 0x3F));
            confidentiality.forEach(a -> w.u8(0x80 | a & 0x3F));
        }
    }

    /** Serialises records into the byte list a BMC pages out 16 bytes at a time. */
    public static byte[] encodeRecords(List<SuiteRecord> records) {
        ByteWriter w = new ByteWriter(records.size() * 5);
        records.forEach(r -> r.write(w));
        return w.toByteArray();
    }

    /** The page at {@code listIndex} (16 bytes each) of an encoded record list. */
    public static byte[] page(byte[] allRecords, int listIndex) {
        int from = Math.min(allRecords.length, listIndex * PAGE_SIZE);
        return Arrays.copyOfRange(allRecords, from, Math.min(allRecords.length, from + PAGE_SIZE));
    }

    /** Parses the concatenated record data of all pages. */
    public static List<SuiteRecord> parseRecords(byte[] all) throws IpmiDecodeException {
        List<SuiteRecord> out = new ArrayList<>();
        ByteReader r = new ByteReader(all);
        while (r.hasRemaining()) {
            int start = r.u8("record start");
            if (start != 0xC0 && start != 0xC1) {
                throw new IpmiDecodeException(BAD_FIELD, String.format("record start byte 0x%02x", start));
            }
            int id = r.u8("cipher suite id");
            int iana = start == 0xC1 ? r.u24le("OEM IANA") : SuiteRecord.NOT_OEM;
            List<Integer> auth = new ArrayList<>();
            List<Integer> integ = new ArrayList<>();
            List<Integer> conf = new ArrayList<>();
            while (r.hasRemaining() && (r.peekU8(0, "algorithm") & 0xC0) != 0xC0) {
                int b = r.u8("algorithm");
                switch (b >>> 6) {
                    case 0 -> auth.add(b & 0x3F);
                    case 1 -> integ.add(b & 0x3F);
                    default -> conf.add(b & 0x3F);
                }
            }
            out.add(new SuiteRecord(id, iana, auth, integ, conf));
        }
        return out;
    }
}
