package io.anvil.store;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL URL ({@code postgresql://user:password@host:port/database}) seen both as vertx-pg-client
 * options and as JDBC settings for Flyway.
 */
public record DatabaseUrl(String host, int port, String database, String user, String password) {

    public static DatabaseUrl parse(String url) {
        String u = url.startsWith("jdbc:") ? url.substring(5) : url;
        if (u.startsWith("postgres://")) {
            u = "postgresql://" + u.substring("postgres://".length());
        }
        if (!u.startsWith("postgresql://")) {
            throw new IllegalArgumentException(
                    "database URL must look like postgresql://user:password@host:port/db, got " + redact(url));
        }
        URI uri = URI.create(u);
        String user = "postgres";
        String password = "";
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : "";
        }
        String db = uri.getPath() == null || uri.getPath().length() <= 1
                ? user
                : uri.getPath().substring(1);
        String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
        return new DatabaseUrl(host, uri.getPort() < 0 ? 5432 : uri.getPort(), db, user, password);
    }

    public DatabaseUrl withDatabase(String db) {
        return new DatabaseUrl(host, port, db, user, password);
    }

    /** A parseable URL carrying the real password (for configuration; never log it, use {@link #toString()}). */
    public String url() {
        return "postgresql://" + encode(user) + ":" + encode(password) + "@" + host + ":" + port + "/" + database;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public PgConnectOptions connectOptions() {
        return new PgConnectOptions()
                .setHost(host)
                .setPort(port)
                .setDatabase(database)
                .setUser(user)
                .setPassword(password)
                .setCachePreparedStatements(true)
                .setPipeliningLimit(256);
    }

    /** The URL with its password masked, for logs. */
    public static String redact(String url) {
        return url == null ? null : url.replaceAll("(://[^:/@]*:)[^@]*@", "$1******@");
    }

    @Override
    public String toString() {
        return "postgresql://" + user + ":******@" + host + ":" + port + "/" + database;
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
