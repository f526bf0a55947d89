package io.anvil.cli;

import io.anvil.cli.watch.ApiAccess;
import picocli.CommandLine.Option;

/**
 * The credential options of the CLI's streaming commands, named and defaulted as the baremetal CLI's (its
 * {@code OS_*} environment works unchanged). A mixin: {@code @Mixin ApiAccessOptions access}.
 */
public final class ApiAccessOptions {
    @Option(
            names = "--os-username",
            defaultValue = "${env:OS_USERNAME}",
            description = "user for an http_basic Anvil (default: $OS_USERNAME)")
    String username;

    @Option(
            names = "--os-password",
            defaultValue = "${env:OS_PASSWORD}",
            description = "its password (default: $OS_PASSWORD)")
    String password;

    @Option(
            names = "--os-token",
            defaultValue = "${env:OS_TOKEN}",
            description = "a bearer token (JWT) for a jwt Anvil (default: $OS_TOKEN)")
    String token;

    @Option(
            names = "--os-cacert",
            defaultValue = "${env:OS_CACERT}",
            description = "PEM bundle of the CA that signed the API's TLS certificate (default: $OS_CACERT)")
    String cacert;

    public ApiAccess access() {
        return new ApiAccess(username, password, token, cacert);
    }
}
