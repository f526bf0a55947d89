package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.json.JsonObject;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bearer tokens (api.auth_strategy jwt) signed with a configured HMAC secret: a valid token works in
 * {@code Authorization: Bearer} and in Keystone's {@code X-Auth-Token}; an expired, not-yet-valid, badly signed,
 * wrong-audience or wrong-issuer token is refused with 401 and a Bearer challenge; roles and project come from the
 * configured claims.
 */
class JwtAuthApiTest extends ApiTestBase {
    private static final String SECRET = "an-hmac-secret-of-at-least-32-bytes!!";

    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of(
                "api.auth_strategy", "jwt",
                "api.jwt_secret", SECRET,
                "api.jwt_issuer", "https://idp.example",
                "api.jwt_audience", "anvil",
                "api.jwt_leeway", 5.0);
    }

    private static String token(String secret, JWTClaimsSet.Builder claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWTClaimsSet.Builder claims(String role, String project) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .subject("user-" + role)
                .issuer("https://idp.example")
                .audience("anvil")
                .expirationTime(new Date(System.currentTimeMillis() + 600_000))
                .claim("roles", List.of(role));
        return project == null ? b : b.claim("project_id", project);
    }

    private Req bearer(Req r, String token) {
        return r.header("Authorization", "Bearer " + token).v(LATEST);
    }

    @Test
    void validTokensWorkInEitherHeaderAndCarryTheirProject() {
        String admin = token(SECRET, claims("admin", null));
        bearer(
                        post(
                                "/v1/nodes",
                                new JsonObject()
                                        .put("driver", "fake-hardware")
                                        .put("name", "jwt-a")
                                        .put("owner", "p1")),
                        admin)
                .expect(201);
        bearer(
                        post(
                                "/v1/nodes",
                                new JsonObject()
                                        .put("driver", "fake-hardware")
                                        .put("name", "jwt-b")
                                        .put("owner", "p2")),
                        admin)
                .expect(201);
        get("/v1/nodes/jwt-a").v(LATEST).header("X-Auth-Token", admin).expect(200);

        String member = token(SECRET, claims("member", "p1"));
        JsonObject mine = bearer(get("/v1/nodes"), member).expect(200).json();
        assertEquals(1, mine.getJsonArray("nodes").size(), mine.encode());
        assertEquals("jwt-a", mine.getJsonArray("nodes").getJsonObject(0).getString("name"));
        assertError(bearer(get("/v1/nodes/jwt-b"), member).send(), 404, "could not be found");
        assertError(
                bearer(post("/v1/nodes", new JsonObject().put("driver", "fake-hardware")), member)
                        .send(),
                403,
                "Access was denied");
        // a token with none of Anvil's roles is authenticated but may do nothing
        assertError(
                bearer(get("/v1/nodes"), token(SECRET, claims("auditor", "p1"))).send(), 403, "roles");
    }

    @Test
    void badTokensAreRefusedWithABearerChallenge() {
        long now = System.currentTimeMillis();
        List<String> bad = List.of(
                token(SECRET, claims("admin", null).expirationTime(new Date(now - 60_000))),
                token(SECRET, claims("admin", null).notBeforeTime(new Date(now + 600_000))),
                token("another-hmac-secret-of-32-bytes-or-more", claims("admin", null)),
                token(SECRET, claims("admin", null).audience("someone-else")),
                token(SECRET, claims("admin", null).issuer("https://evil.example")),
                token(SECRET, claims("admin", null).expirationTime(null)),
                "not-a-jwt");
        for (String t : bad) {
            Resp r = bearer(get("/v1/nodes"), t).send();
            assertError(r, 401, "Invalid or expired token");
            assertEquals("Bearer realm=\"Baremetal API\"", r.header("WWW-Authenticate"));
        }
        Resp none = get("/v1/nodes").v(LATEST).send();
        assertError(none, 401, "Authorization required");
        assertEquals("Bearer realm=\"Baremetal API\"", none.header("WWW-Authenticate"));
        assertError(
                get("/v1/nodes").v(LATEST).header("Authorization", "Basic YTpi").send(), 401, "use Bearer");
    }
}
