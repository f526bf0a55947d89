package io.anvil.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Blocking calls to an Anvil API through the JDK's client, for tests whose conductor goes away under them (a
 * stopped database, a killed process): no Vert.x context is involved, and each call gives up after 30 s.
 */
public final class PlainHttp {
    private PlainHttp() {}

    /** {@code method path} on {@code 127.0.0.1:port} at the latest microversion, {@code body} as JSON (or none). */
    public static HttpResponse<String> call(HttpClient client, int port, String method, String path, String body) {
        return call(client, port, "latest", method, path, body);
    }

    /** As above, at microversion {@code version}. */
    public static HttpResponse<String> call(
            HttpClient client, int port, String version, String method, String path, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("X-OpenStack-Ironic-API-Version", version)
                    .header("Content-Type", "application/json")
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body));
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
