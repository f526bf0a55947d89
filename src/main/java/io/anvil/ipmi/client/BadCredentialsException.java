package io.anvil.ipmi.client;

/**
 * The password (or BMC key Kg) is wrong. RMCP+: the RAKP2 HMAC does not verify with our password (before we
 * reveal anything), the RAKP4 ICV does not verify (wrong Kg), or the BMC answers RAKP3 with status 0x0F.
 * IPMI v1.5: the BMC never answers Activate Session (ipmi_sim drops a request whose auth code is wrong) or
 * answers with an auth code that does not verify.
 */
public final class BadCredentialsException extends IpmiClientException {

    public BadCredentialsException(String bmc, String message, Throwable cause) {
        super(bmc, message, cause);
    }
}
