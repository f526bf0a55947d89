package io.anvil.driver.fake;

import io.anvil.driver.DriverTask;
import io.anvil.driver.VendorInterface;
import io.anvil.errors.AnvilException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ironic's fake vendor interface ({@code ironic/drivers/modules/fake.py: FakeVendorB}, the {@code fake} entry point):
 * passthru methods that compare their {@code bar} argument with a word, to exercise the passthru API without hardware.
 */
public final class FakeVendor implements VendorInterface {
    private static final Map<String, Method> METHODS = new LinkedHashMap<>();
    private static final Map<String, String> WORDS =
            Map.of("second_method", "kazoo", "third_method_sync", "meow", "fourth_method_shared_lock", "woof");

    static {
        METHODS.put("second_method", new Method(List.of("POST"), true, "Test if the value of bar is kazoo", true));
        METHODS.put("third_method_sync", new Method(List.of("POST"), false, "Test if the value of bar is meow", true));
        METHODS.put(
                "fourth_method_shared_lock",
                new Method(List.of("POST"), true, "Test if the value of bar is woof", false));
        METHODS.put("log_passthrough", new Method(List.of("POST"), true, "Test pass-through to wait.", true));
    }

    @Override
    public Map<String, Method> methods() {
        return METHODS;
    }

    @Override
    public void validate(DriverTask task, String method, JsonObject args) {
        if (WORDS.containsKey(method) && (args.getValue("bar") == null || "".equals(args.getValue("bar")))) {
            throw AnvilException.invalid("Parameter 'bar' not passed to method '" + method + "'.");
        }
    }

    @Override
    public Future<Object> call(DriverTask task, String method, JsonObject args) {
        String word = WORDS.get(method);
        return Future.succeededFuture(word == null ? null : word.equals(args.getValue("bar")));
    }
}
