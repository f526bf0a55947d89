package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.BaremetalCli;
import io.anvil.testsupport.TestCredentials;
import io.anvil.testsupport.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@code baremetal} CLI against an Anvil that authenticates (docs/security.md): HTTP basic over TLS with a
 * self-signed certificate trusted through {@code --os-cacert}, and a JWT sent as Keystone's token
 * ({@code --os-auth-type admin_token}). Skipped where the CLI is missing, failed when CI=true.
 */
class BaremetalCliAuthTest {
    private static final String SECRET = "interop-hmac-secret-of-32-bytes-or-more";
    private static AnvilInstance basicTls;
    private static AnvilInstance jwt;
    private static Path dir;
    private static TestCredentials.Tls tls;

    @BeforeAll
    static void start() throws Exception {
        TestServices.requireTool("baremetal");
        dir = Files.createTempDirectory("anvil-cli-auth");
        tls = TestCredentials.selfSigned(dir);
        Path users = TestCredentials.htpasswd(dir, Map.of("operator", "op-pass", "viewer", "view-pass"));
        basicTls = AnvilInstance.start(Map.of(
                "api.auth_strategy", "http_basic",
                "api.http_basic_auth_user_file", users.toString(),
                "api.http_basic_roles", List.of("viewer=reader"),
                "api.tls_cert_file", tls.cert().toString(),
                "api.tls_key_file", tls.key().toString()));
        jwt = AnvilInstance.start(Map.of("api.auth_strategy", "jwt", "api.jwt_secret", SECRET));
    }

    @AfterAll
    static void stop() throws Exception {
        if (basicTls != null) {
            basicTls.close();
        }
        if (jwt != null) {
            jwt.close();
        }
    }

    private static String https(AnvilInstance a) {
        return "https://127.0.0.1:" + a.port();
    }

    private static BaremetalCli basic(String user, String password, String... more) {
        List<String> options = new java.util.ArrayList<>(
                List.of("--os-auth-type", "http_basic", "--os-username", user, "--os-password", password));
        options.addAll(List.of(more));
        return BaremetalCli.at(https(basicTls), options.toArray(String[]::new));
    }

    @Test
    void httpBasicOverTlsWithTheCaCertificate() {
        BaremetalCli operator =
                basic("operator", "op-pass", "--os-cacert", tls.cert().toString());
        JsonObject node = operator.call(
                        "node", "create", "--driver", "fake-hardware", "--name", "tls-node", "-f", "json")
                .json();
        assertEquals("tls-node", node.getString("name"));
        JsonArray nodes = operator.call("node", "list", "-f", "json").jsonList();
        assertEquals(1, nodes.size(), nodes.encode());

        BaremetalCli viewer =
                basic("viewer", "view-pass", "--os-cacert", tls.cert().toString());
        assertEquals(1, viewer.call("node", "list", "-f", "json").jsonList().size());
        BaremetalCli.Result refused = viewer.call("node", "set", "tls-node", "--extra", "a=b");
        assertNotEquals(0, refused.exit(), refused.both());
        assertTrue(refused.both().contains("403") || refused.both().contains("Access was denied"), refused.both());

        BaremetalCli.Result wrong =
                basic("operator", "wrong", "--os-cacert", tls.cert().toString()).call("node", "list");
        assertNotEquals(0, wrong.exit(), wrong.both());
        assertTrue(
                wrong.both().contains("401") || wrong.both().contains("Incorrect username or password"), wrong.both());

        // without the CA the CLI does not trust the certificate: the TLS check is real
        BaremetalCli.Result untrusted = basic("operator", "op-pass").call("node", "list");
        assertNotEquals(0, untrusted.exit(), untrusted.both());
        assertTrue(untrusted.both().toLowerCase().contains("certificate"), untrusted.both());
    }

    @Test
    void aJwtSentAsKeystonesToken() throws Exception {
        SignedJWT token = new SignedJWT(
                new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder()
                        .subject("ops")
                        .expirationTime(new Date(System.currentTimeMillis() + 600_000))
                        .claim("roles", List.of("admin"))
                        .build());
        token.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        BaremetalCli cli =
                BaremetalCli.at(jwt.endpoint(), "--os-auth-type", "admin_token", "--os-token", token.serialize());
        cli.call("node", "create", "--driver", "fake-hardware", "--name", "jwt-node")
                .ok();
        assertEquals(1, cli.call("node", "list", "-f", "json").jsonList().size());
        BaremetalCli.Result none = BaremetalCli.at(jwt.endpoint()).call("node", "list");
        assertNotEquals(0, none.exit(), none.both());
    }
}
