package io.anvil.ipmi.codec.rmcpplus;

import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_FIELD;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import java.util.Optional;

/**
 * The three 8-byte algorithm records of Open Session Request/Response (IPMI v2.0 §13.17–§13.18):
 * {@code type 00 00 len alg 00 00 00} for type 0 authentication, 1 integrity, 2 confidentiality.
 * An algorithm of {@link #ANY} stands for a "null" record (length 0: let the BMC choose).
 */
public record AlgorithmProposal(int authentication, int integrity, int confidentiality) {

    public static final int ANY = -1;

    public static AlgorithmProposal of(CipherSuite suite) {
        return new AlgorithmProposal(
                suite.authentication().id(),
                suite.integrity().id(),
                suite.confidentiality().id());
    }

    /** The supported suite with exactly these algorithms, if any. */
    public Optional<CipherSuite> suite() {
        return CipherSuite.byAlgorithms(authentication, integrity, confidentiality);
    }

    public boolean matches(CipherSuite suite) {
        return suite.authentication().id() == authentication
                && suite.integrity().id() == integrity
                && suite.confidentiality().id() == confidentiality;
    }

    void write(ByteWriter w) {
        record(w, 0, authentication);
        record(w, 1, integrity);
        record(w, 2, confidentiality);
    }

    private static void record(ByteWriter w, int type, int algorithm) {
        if (algorithm == ANY) {
            w.u8(type).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0);
        } else {
            w.u8(type).u8(0).u8(0).u8(8).u8(algorithm & 0x3F).u8(0).u8(0).u8(0);
        }
    }

    static AlgorithmProposal read(ByteReader r) throws IpmiDecodeException {
        int auth = readRecord(r, 0);
        int integrity = readRecord(r, 1);
        int confidentiality = readRecord(r, 2);
        return new AlgorithmProposal(auth, integrity, confidentiality);
    }

    private static int readRecord(ByteReader r, int expectedType) throws IpmiDecodeException {
        int type = r.u8("algorithm record type");
        r.skip(2, "algorithm record reserved");
        int length = r.u8("algorithm record length");
        int algorithm = r.u8("algorithm") & 0x3F;
        r.skip(3, "algorithm record reserved");
        if (type != expectedType) {
            throw new IpmiDecodeException(BAD_FIELD, "algorithm record type " + type + ", expected " + expectedType);
        }
        return length == 0 ? ANY : algorithm;
    }
}
