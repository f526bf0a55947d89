package io.anvil.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.anvil.testsupport.TestCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Public-key tokens: an RSA key from a PEM file, an EC key from a JWKS file, claims read by dotted paths. */
class JwtVerifierTest {
    @TempDir
    Path dir;

    private static ApiSecurity.Jwt settings(String pem, String jwks, String rolesClaim, String projectClaim) {
        return new ApiSecurity.Jwt("", pem, jwks, "", "", rolesClaim, projectClaim, Duration.ofSeconds(5));
    }

    private static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static JWTClaimsSet.Builder valid() {
        return new JWTClaimsSet.Builder().subject("u").expirationTime(new Date(System.currentTimeMillis() + 60_000));
    }

    @Test
    void rsaPublicKeyFromPem() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey other = new RSAKeyGenerator(2048).keyID("k1").generate();
        Path pem = Files.writeString(dir.resolve("pub.pem"), TestCredentials.pem(key.toRSAPublicKey()));
        JwtVerifier v = new JwtVerifier(settings(pem.toString(), "", "roles", "project_id"));

        JWTClaimsSet claims = valid().claim("roles", "reader member")
                .claim("project_id", "p9")
                .build();
        Caller c = v.verify(sign(new RSASSASigner(key), JWSAlgorithm.RS256, "k1", claims))
                .caller();
        assertEquals(new Caller("u", Caller.Role.MEMBER, "p9"), c);
        assertThrows(Exception.class, () -> v.verify(sign(new RSASSASigner(other), JWSAlgorithm.RS256, "k1", claims)));
        JWTClaimsSet expired = valid().expirationTime(new Date(System.currentTimeMillis() - 60_000))
                .claim("roles", List.of("admin"))
                .build();
        assertThrows(Exception.class, () -> v.verify(sign(new RSASSASigner(key), JWSAlgorithm.RS256, "k1", expired)));
    }

    @Test
    void ecKeyFromJwksAndNestedClaims() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("ec1").generate();
        Path jwks = Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        JwtVerifier v = new JwtVerifier(settings("", jwks.toString(), "realm_access.roles", "project.id"));

        JWTClaimsSet claims = valid().claim("realm_access", Map.of("roles", List.of("offline_access", "admin")))
                .claim("project", Map.of("id", "p1"))
                .build();
        Caller c = v.verify(sign(new ECDSASigner(key), JWSAlgorithm.ES256, "ec1", claims))
                .caller();
        assertEquals(new Caller("u", Caller.Role.ADMIN, "p1"), c);
        JWTClaimsSet noRole = valid().claim("realm_access", Map.of("roles", List.of("offline_access")))
                .build();
        assertNull(v.verify(sign(new ECDSASigner(key), JWSAlgorithm.ES256, "ec1", noRole))
                .caller());
    }
}
