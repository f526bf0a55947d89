package io.anvil.lock;

import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Turns the reply of inspect.lua into a {@link LockInfo}. */
final class LockInfoParser {
    private LockInfoParser() {}

    static LockInfo parse(String nodeUuid, Response r) {
        long now = r.get(0).toLong();
        LockInfo.Holder exclusive = null;
        String xv = r.get(1).toString();
        if (!xv.isEmpty()) {
            // fence|since|owner|purpose
            String[] p = xv.split("\\|", 4);
            exclusive = new LockInfo.Holder(
                    p[2],
                    LockMode.EXCLUSIVE,
                    p.length > 3 ? p[3] : "",
                    Long.parseLong(p[0]),
                    Duration.ofMillis(now - Long.parseLong(p[1])),
                    Duration.ofMillis(Math.max(0, r.get(2).toLong())));
        }
        long counter = Long.parseLong(r.get(6).toString());
        List<LockInfo.Holder> shared = new ArrayList<>();
        Response s = r.get(3);
        for (int i = 0; i + 2 < s.size(); i += 3) {
            Meta m = Meta.parse(s.get(i + 2).toString());
            long expiry = (long) Double.parseDouble(s.get(i + 1).toString());
            shared.add(new LockInfo.Holder(
                    s.get(i).toString(),
                    LockMode.SHARED,
                    m.purpose,
                    counter,
                    Duration.ofMillis(Math.max(0, now - m.since)),
                    Duration.ofMillis(Math.max(0, expiry - now))));
        }
        List<LockInfo.Waiter> queue = new ArrayList<>();
        Response q = r.get(4);
        for (int i = 0; i + 3 < q.size(); i += 4) {
            long alive = (long) Double.parseDouble(q.get(i + 2).toString());
            if (alive <= now) {
                continue; // dead, about to be pruned
            }
            Meta m = Meta.parse(q.get(i + 3).toString());
            queue.add(new LockInfo.Waiter(
                    q.get(i).toString(),
                    LockMode.fromCode(m.mode),
                    m.purpose,
                    (long) Double.parseDouble(q.get(i + 1).toString()),
                    queue.size(),
                    Duration.ofMillis(Math.max(0, now - m.since))));
        }
        return new LockInfo(
                nodeUuid,
                exclusive,
                List.copyOf(shared),
                List.copyOf(queue),
                r.get(5).toInteger(),
                counter);
    }

    /** "mode|since|purpose" */
    private record Meta(String mode, long since, String purpose) {
        static Meta parse(String v) {
            String[] p = v.split("\\|", 3);
            if (p.length < 3) {
                return new Meta("x", 0, "");
            }
            return new Meta(p[0], Long.parseLong(p[1]), p[2]);
        }
    }
}
