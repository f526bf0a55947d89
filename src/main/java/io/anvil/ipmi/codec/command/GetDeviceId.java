package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.NetFn;
import java.util.Arrays;

/** Get Device ID, App 0x01 (IPMI v2.0 §20.1). Also a good session keepalive (docs/ipmi.md#sequence-numbers). */
public final class GetDeviceId {

    public static final int NET_FN = NetFn.APP;
    public static final int COMMAND = 0x01;

    /** The request: this command carries no data. */
    public static final EmptyRequest REQUEST = new EmptyRequest(NET_FN, COMMAND);

    private GetDeviceId() {}

    /**
     * @param deviceRevision  byte 2 as sent: b7 provides device SDRs, b3:0 revision
     * @param firmwareMajor   byte 3 as sent: b7 update in progress, b6:0 major revision
     * @param firmwareMinor   BCD minor revision (0x08 → "08")
     * @param ipmiVersion     BCD, low nibble major, high nibble minor (0x02 → 2.0, 0x51 → 1.5)
     * @param manufacturerId  20-bit IANA number (3 bytes LE on the wire)
     * @param auxFirmware     0–4 bytes (optional; pyghmi sends 3)
     */
    public record Response(
            int deviceId,
            int deviceRevision,
            int firmwareMajor,
            int firmwareMinor,
            int ipmiVersion,
            int additionalDeviceSupport,
            int manufacturerId,
            int productId,
            byte[] auxFirmware)
            implements CommandResponse {

        public Response {
            auxFirmware = auxFirmware == null ? new byte[0] : auxFirmware.clone();
            if (auxFirmware.length > 4) {
                throw new IllegalArgumentException("aux firmware revision is at most 4 bytes");
            }
        }

        public boolean providesSdrs() {
            return (deviceRevision & 0x80) != 0;
        }

        public boolean firmwareUpdateInProgress() {
            return (firmwareMajor & 0x80) != 0;
        }

        /** e.g. "9.08", as ipmitool prints it. */
        public String firmwareRevision() {
            return String.format("%d.%02x", firmwareMajor & 0x7F, firmwareMinor);
        }

        /** e.g. "2.0". */
        public String ipmiVersionString() {
            return (ipmiVersion & 0x0F) + "." + (ipmiVersion >>> 4 & 0x0F);
        }

        @Override
        public byte[] auxFirmware() {
            return auxFirmware.clone();
        }

        @Override
        public byte[] encode() {
            return new ByteWriter(15)
                    .u8(deviceId)
                    .u8(deviceRevision)
                    .u8(firmwareMajor)
                    .u8(firmwareMinor)
                    .u8(ipmiVersion)
                    .u8(additionalDeviceSupport)
                    .u24le(manufacturerId)
                    .u16le(productId)
                    .bytes(auxFirmware)
                    .toByteArray();
        }

        public static Response decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            Response response = new Response(
                    r.u8("device id"),
                    r.u8("device revision"),
                    r.u8("firmware major"),
                    r.u8("firmware minor"),
                    r.u8("IPMI version"),
                    r.u8("additional device support"),
                    r.u24le("manufacturer id") & 0xFFFFF,
                    r.u16le("product id"),
                    r.bytes(Math.min(r.remaining(), 4), "aux firmware"));
            return response;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Response x
                    && x.deviceId == deviceId
                    && x.deviceRevision == deviceRevision
                    && x.firmwareMajor == firmwareMajor
                    && x.firmwareMinor == firmwareMinor
                    && x.ipmiVersion == ipmiVersion
                    && x.additionalDeviceSupport == additionalDeviceSupport
                    && x.manufacturerId == manufacturerId
                    && x.productId == productId
                    && Arrays.equals(x.auxFirmware, auxFirmware);
        }

        @Override
        public int hashCode() {
            return manufacturerId * 31 + productId;
        }

        @Override
        public String toString() {
            return String.format(
                    "GetDeviceId.Response[id=%d, rev=%d, fw=%s, ipmi=%s, manufacturer=%d, product=0x%04x," + " aux=%s]",
                    deviceId,
                    deviceRevision & 0x0F,
                    firmwareRevision(),
                    ipmiVersionString(),
                    manufacturerId,
                    productId,
                    Hex.of(auxFirmware));
        }
    }
}
