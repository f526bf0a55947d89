package io.anvil.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.anvil.config.AnvilConfig.ConfigException;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies bearer tokens the way an OIDC provider issues them: a signed JWT (HMAC with the configured secret, or
 * RSA/ECDSA with the configured PEM public key or a key of the JWKS), with {@code exp} required, {@code nbf}, and
 * {@code iss}/{@code aud} when configured, all within the configured clock leeway. The caller's roles and project are
 * read from configurable claims (dotted paths reach into objects, e.g. {@code realm_access.roles}). Signature checks
 * cost CPU: callers run {@link #verify} on a worker thread.
 */
final class JwtVerifier {
    /** A verified token: the caller it names and when it stops being valid. */
    record Verified(Caller caller, Date expires) {}

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final ApiSecurity.Jwt settings;

    JwtVerifier(ApiSecurity.Jwt settings) {
        this.settings = settings;
        if (!settings.secret().isEmpty()) {
            byte[] secret = settings.secret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new ConfigException("api.jwt_secret must be at least 32 bytes (256 bits) for HMAC-SHA256");
            }
            processor.setJWSKeySelector(only(JWSAlgorithm.Family.HMAC_SHA, new SecretKeySpec(secret, "HmacSHA256")));
        } else if (!settings.publicKeyFile().isEmpty()) {
            Set<JWSAlgorithm> algorithms = new HashSet<>(JWSAlgorithm.Family.RSA);
            algorithms.addAll(JWSAlgorithm.Family.EC);
            processor.setJWSKeySelector(only(algorithms, pem(Path.of(settings.publicKeyFile()))));
        } else {
            Set<JWSAlgorithm> algorithms = new HashSet<>(JWSAlgorithm.Family.RSA);
            algorithms.addAll(JWSAlgorithm.Family.EC);
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, jwks(settings.jwks())));
        }
        JWTClaimsSet exact = settings.issuer().isEmpty()
                ? null
                : new JWTClaimsSet.Builder().issuer(settings.issuer()).build();
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                settings.audience().isEmpty() ? null : settings.audience(), exact, Set.of("exp"));
        claims.setMaxClockSkew((int) settings.leeway().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** The caller a valid token names; throws when the token is malformed, badly signed, expired or not for us. */
    Verified verify(String token) throws Exception {
        JWTClaimsSet claims = processor.process(token, null);
        Caller.Role role = Caller.Role.strongest(strings(claim(claims.getClaims(), settings.rolesClaim())));
        Object project = claim(claims.getClaims(), settings.projectClaim());
        String name = claims.getSubject() != null ? claims.getSubject() : "jwt";
        return new Verified(
                role == null ? null : new Caller(name, role, project == null ? null : String.valueOf(project)),
                claims.getExpirationTime());
    }

    private static Object claim(Map<String, Object> claims, String path) {
        Object v = claims;
        for (String part : path.split("\\.")) {
            if (!(v instanceof Map<?, ?> m)) {
                return null;
            }
            v = m.get(part);
        }
        return v;
    }

    /** A roles claim as a list, or as one string of names separated by spaces or commas (OAuth's "scope" style). */
    private static List<String> strings(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof Collection<?> c) {
            c.forEach(x -> out.add(String.valueOf(x)));
        } else if (v instanceof String s) {
            for (String part : s.split("[\\s,]+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        }
        return out;
    }

    /** The one configured key, whatever {@code kid} a token names, for the algorithms it can verify. */
    private static JWSKeySelector<SecurityContext> only(Set<JWSAlgorithm> algorithms, Key key) {
        return (header, context) -> algorithms.contains(header.getAlgorithm()) ? List.of(key) : List.of();
    }

    private static JWKSource<SecurityContext> jwks(String where) {
        try {
            if (where.startsWith("https://") || where.startsWith("http://")) {
                // fetched on first use and cached, refreshed when a token names an unknown key (rate-limited)
                return JWKSourceBuilder.create(URI.create(where).toURL()).build();
            }
            return new ImmutableJWKSet<>(JWKSet.load(Path.of(where).toFile()));
        } catch (Exception e) {
            throw new ConfigException("cannot read api.jwt_jwks " + where + ": " + e.getMessage());
        }
    }

    /** A PEM public key ({@code PUBLIC KEY}) or certificate ({@code CERTIFICATE}), RSA or EC. */
    private static Key pem(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            PublicKey key;
            if (text.contains("BEGIN CERTIFICATE")) {
                key = CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))
                        .getPublicKey();
            } else if (text.contains("BEGIN PUBLIC KEY")) {
                String b64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
                X509EncodedKeySpec spec =
                        new X509EncodedKeySpec(Base64.getDecoder().decode(b64));
                PublicKey k;
                try {
                    k = KeyFactory.getInstance("RSA").generatePublic(spec);
                } catch (java.security.spec.InvalidKeySpecException notRsa) {
                    k = KeyFactory.getInstance("EC").generatePublic(spec);
                }
                key = k;
            } else {
                throw new IllegalArgumentException("expected a PEM PUBLIC KEY or CERTIFICATE");
            }
            if (!(key instanceof RSAPublicKey) && !(key instanceof ECPublicKey)) {
                throw new IllegalArgumentException("expected an RSA or EC key, got " + key.getAlgorithm());
            }
            return key;
        } catch (Exception e) {
            throw new ConfigException("cannot read api.jwt_public_key_file " + file + ": " + e.getMessage());
        }
    }
}
