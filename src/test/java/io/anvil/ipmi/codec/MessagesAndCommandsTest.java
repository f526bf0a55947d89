package io.anvil.ipmi.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.command.ActivateSession;
import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.ipmi.codec.command.BootParameter;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.anvil.ipmi.codec.command.CloseSession;
import io.anvil.ipmi.codec.command.GetChannelAuthCapabilities;
import io.anvil.ipmi.codec.command.GetChannelCipherSuites;
import io.anvil.ipmi.codec.command.GetChassisStatus;
import io.anvil.ipmi.codec.command.GetDeviceId;
import io.anvil.ipmi.codec.command.GetSelInfo;
import io.anvil.ipmi.codec.command.GetSensorReading;
import io.anvil.ipmi.codec.command.GetSessionChallenge;
import io.anvil.ipmi.codec.command.GetSystemBootOptions;
import io.anvil.ipmi.codec.command.SetSessionPrivilegeLevel;
import io.anvil.ipmi.codec.command.SetSystemBootOptions;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.lan.CompletionCode;
import io.anvil.ipmi.codec.lan.IpmiChecksum;
import io.anvil.ipmi.codec.lan.IpmiMessages;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.ipmi.codec.lan.NetFn;
import io.anvil.ipmi.codec.lan.RqSeqCounter;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionRequest;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionResponse;
import io.anvil.ipmi.codec.rmcpplus.Rakp1;
import io.anvil.ipmi.codec.rmcpplus.Rakp2;
import io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * IPMI LAN framing (IPMI v2.0 §13.8), completion codes (IPMI v2.0 §5.2), RMCP+ setup payloads
 * (docs/ipmi.md#open-session-and-rakp) and commands (docs/ipmi.md#commands).
 */
class MessagesAndCommandsTest {

    static IpmiResponse response(String hex) throws IpmiDecodeException {
        return IpmiMessages.decodeResponse(Hex.parse(hex));
    }

    @Test
    void lanFramingAndChecksums() throws Exception {
        assertEquals(0xC8, IpmiChecksum.of(Hex.parse("2018"), 0, 2));
        assertEquals(0x3C, IpmiChecksum.of(Hex.parse("81043b04"), 0, 4));
        IpmiRequest rq = GetChassisStatus.REQUEST.toRequest(9);
        assertEquals("2000e081240 15a".replace(" ", ""), Hex.of(rq.encode()));
        IpmiResponse rs = response("81047b20240100000000bb");
        assertEquals(NetFn.response(NetFn.CHASSIS), rs.netFn());
        assertEquals(9, rs.rqSeq());
        assertTrue(rs.isSuccess());
        assertEquals(rq.correlationKey(), rs.correlationKey());
        assertEquals(rs, rq.respond(0, Hex.parse("000000")));
        assertArrayEquals(
                Hex.parse("81047b20240100000000bb"),
                rq.respond(0, Hex.parse("000000")).encode());
        assertEquals(
                IpmiDecodeException.Reason.BAD_CHECKSUM,
                assertThrows(
                                IpmiDecodeException.class,
                                () -> IpmiMessages.decode(Hex.parse("2000e181240 15a".replace(" ", ""))))
                        .reason());
        assertEquals(
                IpmiDecodeException.Reason.BAD_CHECKSUM,
                assertThrows(IpmiDecodeException.class, () -> response("81047b20240100000000bc"))
                        .reason());
        // Supermicro X9 workaround: lengths still checked, checksums not
        assertInstanceOf(IpmiResponse.class, IpmiMessages.decode(Hex.parse("81047b20240100000000bc"), false));
        assertThrows(IpmiDecodeException.class, () -> IpmiMessages.decode(Hex.parse("2018c8812401")));
        RqSeqCounter seq = new RqSeqCounter(63);
        assertEquals(63, seq.next());
        assertEquals(0, seq.next());
    }

    @Test
    void completionCodeTable() throws Exception {
        IpmiResponse unsupported = response("81b4cb20143ec1cd"); // DCMI probe answered "invalid command"
        assertFalse(unsupported.isSuccess());
        assertEquals("0xc1 invalid command", unsupported.completionCodeDescription());
        assertEquals("0xd4 insufficient privilege level", CompletionCode.describe(NetFn.CHASSIS, 0x02, 0xD4));
        assertEquals("0x81 invalid user name", CompletionCode.describe(NetFn.APP, 0x39, 0x81));
        assertEquals("0x81 no session slot available", CompletionCode.describe(NetFn.APP, 0x3A, 0x81));
        assertEquals(
                "0x81 attempt to set 'set in progress' while not in 'set complete'",
                CompletionCode.describe(NetFn.CHASSIS | 1, 0x08, 0x81));
        assertEquals("0x80 command-specific completion code", CompletionCode.describe(NetFn.APP, 0x01, 0x80));
        assertEquals(CompletionCode.UNSPECIFIED, CompletionCode.generic(0xFF));
        assertEquals("0x11 no cipher suite match with proposed security algorithms", RmcpPlusStatus.describe(0x11));
    }

    @Test
    void sessionEstablishmentCommandsV15() throws Exception {
        var capsRq = new GetChannelAuthCapabilities.Request(0x0E, false, Privilege.ADMINISTRATOR);
        assertEquals("0e04", Hex.of(capsRq.encode()));
        assertEquals(
                "8e04",
                Hex.of(GetChannelAuthCapabilities.Request.ipmi20(Privilege.ADMINISTRATOR)
                        .encode()));
        var caps = GetChannelAuthCapabilities.Response.decode(Hex.parse("0197060300000000"));
        assertTrue(caps.supports(AuthType.MD5) && caps.supports(AuthType.MD2) && caps.supports(AuthType.NONE));
        assertTrue(caps.supports(AuthType.STRAIGHT_PASSWORD));
        assertTrue(caps.supportsIpmi20() && caps.supportsIpmi15());
        assertFalse(caps.perMessageAuthenticationDisabled());
        assertTrue(caps.nonNullUsersEnabled() && caps.nullUsersEnabled());
        var pyghmi = GetChannelAuthCapabilities.Response.decode(Hex.parse("0180040200000000"));
        assertTrue(pyghmi.supportsIpmi20());
        assertFalse(pyghmi.supportsIpmi15());
        assertFalse(pyghmi.supports(AuthType.MD5));
        assertEquals("0197060300000000", Hex.of(caps.encode()));

        var challengeRq = GetSessionChallenge.Request.of(AuthType.MD5, "admin");
        assertEquals("0261646d696e00000000000000000000" + "00", Hex.of(challengeRq.encode()));
        assertEquals(challengeRq, GetSessionChallenge.Request.decode(challengeRq.encode()));
        var challenge = GetSessionChallenge.Response.decode(Hex.parse("05000000dc51079d212103b04c165b88cea82020"));
        assertEquals(5, challenge.temporarySessionId());

        var activate =
                new ActivateSession.Request(AuthType.MD5, Privilege.ADMINISTRATOR, challenge.challenge(), 0xE5227DE5);
        assertEquals("0204dc51079d212103b04c165b88cea82020e57d22e5", Hex.of(activate.encode()));
        assertEquals(activate, ActivateSession.Request.decode(activate.encode()));
        var activated = ActivateSession.Response.decode(Hex.parse("0282000000de9979e904"));
        assertEquals(new ActivateSession.Response(AuthType.MD5, 0x82, 0xE97999DE, Privilege.ADMINISTRATOR), activated);
        assertEquals("0282000000de9979e904", Hex.of(activated.encode()));

        assertEquals("04", Hex.of(new SetSessionPrivilegeLevel.Request(Privilege.ADMINISTRATOR).encode()));
        assertEquals(
                Privilege.ADMINISTRATOR,
                SetSessionPrivilegeLevel.Response.decode(Hex.parse("04")).privilege());
        assertEquals("82000000", Hex.of(new CloseSession.Request(0x82).encode()));
        assertEquals("00000000" + "07", Hex.of(new CloseSession.Request(0, 7).encode()));
        assertEquals(new CloseSession.Request(0x74AC5AA4), CloseSession.Request.decode(Hex.parse("a45aac74")));
    }

    @Test
    void rmcpPlusSetupPayloads() throws Exception {
        var open = OpenSessionRequest.of(0, 4, SessionTest.SIDM, CipherSuite.SUITE_17);
        assertEquals(
                "00040000a4a3a2a0" + "0000000803000000" + "0100000804000000" + "0200000801000000",
                Hex.of(open.encode()));
        var pyghmiAnswer =
                OpenSessionResponse.decode(((V20SessionPacket) RmcpWire.decode(Traces.session(96))).payload());
        assertTrue(pyghmiAnswer.isSuccess());
        assertTrue(pyghmiAnswer.algorithms().matches(CipherSuite.SUITE_17));
        assertEquals(0x74AC5AA4, pyghmiAnswer.bmcSessionId());
        assertEquals(4, pyghmiAnswer.maxPrivilege());
        var accepted = OpenSessionResponse.accepted(
                OpenSessionRequest.decode(open.encode()), 4, 0x74AC5AA4, CipherSuite.SUITE_17);
        assertEquals(pyghmiAnswer, accepted);
        var refused = OpenSessionResponse.error(open, RmcpPlusStatus.NO_CIPHER_SUITE_MATCH);
        assertEquals("00110000a4a3a2a0", Hex.of(refused.encode()));
        assertEquals(refused, OpenSessionResponse.decode(refused.encode()));

        var rakp1 = Rakp1.decode(((V20SessionPacket) RmcpWire.decode(Traces.session(74))).payload());
        assertEquals(0x14, rakp1.role());
        assertEquals(Rakp1.role(Privilege.ADMINISTRATOR, true), rakp1.role());
        assertEquals("admin", rakp1.usernameString());
        var unknownUser = Rakp2.decode(Hex.parse("000d0000a4a3a2a0")); // ipmi_sim's answer to a bad user name
        assertFalse(unknownUser.isSuccess());
        assertEquals(0, unknownUser.bmcRandom().length);
        assertThrows(IpmiDecodeException.class, () -> Rakp2.decode(Hex.parse("00000000a4a3a2a0")));
    }

    @Test
    void deviceIdChassisSelAndSensorResponses() throws Exception {
        var ipmiSim = GetDeviceId.Response.decode(Hex.parse("000309080 29f9112000 20f00000000".replace(" ", "")));
        assertEquals("9.08", ipmiSim.firmwareRevision());
        assertEquals("2.0", ipmiSim.ipmiVersionString());
        assertEquals(0x001291, ipmiSim.manufacturerId());
        assertEquals(0x0F02, ipmiSim.productId());
        assertEquals(3, ipmiSim.deviceRevision());
        assertEquals("0003090802 9f9112000 20f00000000".replace(" ", ""), Hex.of(ipmiSim.encode()));
        var pyghmi = GetDeviceId.Response.decode(Hex.parse("0000010002009112000002 0f0000".replace(" ", "")));
        assertEquals(3, pyghmi.auxFirmware().length); // lenient: 3 aux bytes
        assertEquals(
                "1.5",
                GetDeviceId.Response.decode(Hex.parse("0000010051000000000000")).ipmiVersionString());

        var off = GetChassisStatus.Response.decode(Hex.parse("000000"));
        assertFalse(off.powerOn());
        assertEquals(GetChassisStatus.RestorePolicy.ALWAYS_OFF, off.restorePolicy());
        var on = GetChassisStatus.Response.decode(Hex.parse("010000"));
        assertTrue(on.powerOn());
        assertEquals("010000", Hex.of(on.encode()));
        assertEquals("41000000", Hex.of(new GetChassisStatus.Response(0x41, 0, 0, 0).encode()));
        assertEquals(
                GetChassisStatus.RestorePolicy.ALWAYS_ON,
                GetChassisStatus.Response.of(true, GetChassisStatus.RestorePolicy.ALWAYS_ON)
                        .restorePolicy());

        for (ChassisControl.Action a : ChassisControl.Action.values()) {
            var rq = new ChassisControl.Request(a);
            assertEquals(a.ordinal(), rq.encode()[0]);
            assertEquals(rq, ChassisControl.Request.decode(rq.encode()));
        }
        assertEquals(
                "2000e0812c0202".substring(0, 12),
                Hex.of(new ChassisControl.Request(ChassisControl.Action.POWER_CYCLE)
                                .toRequest(11)
                                .encode())
                        .substring(0, 12));
        assertThrows(IpmiDecodeException.class, () -> ChassisControl.Request.decode(Hex.parse("06")));

        var sel = GetSelInfo.Response.decode(Hex.parse("510000803e00000000000000000a"));
        assertEquals(0x51, sel.version());
        assertEquals(0, sel.entries());
        assertEquals(16000, sel.freeBytes());
        assertEquals(0x0A, sel.operationSupport());
        assertEquals("510000803e00000000000000000a", Hex.of(sel.encode()));

        assertEquals("01", Hex.of(new GetSensorReading.Request(1).encode()));
        var reading = GetSensorReading.Response.decode(Hex.parse("60c00000"));
        assertEquals(0x60, reading.reading());
        assertTrue(reading.eventMessagesEnabled() && reading.scanningEnabled());
        assertFalse(reading.readingUnavailable());
        assertEquals("60c00000", Hex.of(reading.encode()));
    }

    @Test
    void bootOptionsMatchIpmitoolsBootdevSequence() throws Exception {
        List<SetSystemBootOptions.Request> sequence = List.of(
                SetSystemBootOptions.Request.setInProgress(BootParameter.SET_IN_PROGRESS_VALUE),
                SetSystemBootOptions.Request.bootInfoAcknowledge(0x01, 0x01),
                SetSystemBootOptions.Request.bootFlags(BootFlags.forDevice(BootDevice.PXE, true, true)),
                SetSystemBootOptions.Request.setInProgress(BootParameter.COMMIT_WRITE),
                SetSystemBootOptions.Request.setInProgress(BootParameter.SET_COMPLETE));
        assertEquals(
                List.of("0001", "040101", "05e004000000", "0002", "0000"),
                sequence.stream().map(r -> Hex.of(r.encode())).toList());
        assertEquals(
                "0317",
                Hex.of(SetSystemBootOptions.Request.validBitClearing(0x17).encode()));

        var set = SetSystemBootOptions.Request.decode(Hex.parse("05e004000000")); // simulator side
        BootFlags flags = set.bootFlags();
        assertTrue(flags.valid() && flags.persistent() && flags.efi());
        assertEquals(BootDevice.PXE, flags.device().orElseThrow());
        var legacyDisk = BootFlags.forDevice(BootDevice.DISK, false, false);
        assertEquals("8008000000", Hex.of(legacyDisk.encode()));
        assertEquals(
                BootDevice.BIOS_SETUP,
                BootFlags.decode(Hex.parse("8018000000")).device().orElseThrow());

        assertEquals(
                "050000",
                Hex.of(GetSystemBootOptions.Request.of(BootParameter.BOOT_FLAGS).encode()));
        // pyghmi's answer: valid bit set, persistent and EFI dropped, device PXE
        var read = GetSystemBootOptions.Response.decode(Hex.parse("0105800400 0000".replace(" ", "")));
        assertEquals(BootParameter.BOOT_FLAGS, read.parameter());
        assertFalse(read.parameterInvalid());
        BootFlags stored = read.bootFlags();
        assertTrue(stored.valid());
        assertFalse(stored.persistent() || stored.efi());
        assertEquals(BootDevice.PXE, stored.device().orElseThrow());
        assertEquals(
                "0105e004000000",
                Hex.of(GetSystemBootOptions.Response.bootFlags(BootFlags.forDevice(BootDevice.PXE, true, true))
                        .encode()));
    }

    @Test
    void channelCipherSuitesRecordsAcrossPages() throws Exception {
        assertEquals("0e0080", Hex.of(GetChannelCipherSuites.Request.page(0).encode()));
        // ipmi_sim's first page (IPMI v2.0 §22.15): suites 0, 1, 2 and the first byte of suite 3's record
        var first = GetChannelCipherSuites.Response.decode(
                Hex.parse("01c0000040 80c0010140 80c0020141 80c0".replace(" ", "")));
        assertFalse(first.lastPage());
        var second = GetChannelCipherSuites.Response.decode(Hex.parse("0103014181"));
        assertTrue(second.lastPage());
        byte[] all = new io.anvil.ipmi.codec.ByteWriter()
                .bytes(first.recordData())
                .bytes(second.recordData())
                .toByteArray();
        var records = GetChannelCipherSuites.parseRecords(all);
        assertEquals(
                List.of(0, 1, 2, 3),
                records.stream()
                        .map(GetChannelCipherSuites.SuiteRecord::suiteId)
                        .toList());
        assertEquals(GetChannelCipherSuites.SuiteRecord.standard(3, 1, 1, 1), records.get(3));
        // a simulator pages out its own list
        byte[] mine = GetChannelCipherSuites.encodeRecords(List.of(
                GetChannelCipherSuites.SuiteRecord.standard(3, 1, 1, 1),
                GetChannelCipherSuites.SuiteRecord.standard(17, 3, 4, 1)));
        assertEquals("c003014181c011034481", Hex.of(mine));
        assertEquals(mine.length, GetChannelCipherSuites.page(mine, 0).length);
        assertEquals(0, GetChannelCipherSuites.page(mine, 1).length);
        assertThrows(IpmiDecodeException.class, () -> GetChannelCipherSuites.parseRecords(Hex.parse("0301")));
    }
}
