package io.anvil.sim.agent;

import java.time.Duration;

/**
 * How simulated agents behave. Defaults are ironic-python-agent's: a forced or error heartbeat waits at least
 * 5 s ({@code min_heartbeat_interval}), image downloads are retried 9 times 10 s apart
 * ({@code image_download_connection_retries}, {@code image_download_connection_retry_interval}); tests shrink the
 * intervals.
 *
 * @param anvilUrl Anvil's API, e.g. {@code http://127.0.0.1:6385}; also where a PXE-booting machine asks for its iPXE
 *     script ({@code /boot/<mac>.ipxe})
 * @param host address of the shared HTTP server (agents' callback_url host, image URLs)
 * @param port its port; 0 = ephemeral
 * @param minHeartbeatInterval IPA's min_heartbeat_interval: error retries wait it × U(1, 2), and a heartbeat forced by
 *     a finished command comes no sooner than this after the previous one; also the unit of the inspection
 *     back-off (IPA: 5 s)
 * @param prepareImageTime the minimum time writing an image takes ({@code standby.prepare_image}, {@code write_image}):
 *     a download that finishes sooner waits out the rest
 * @param maxBackoff cap of the exponential lookup back-off
 * @param stepTime how long a simulated clean, deploy or service step (erase_devices, burnin_cpu, …) runs
 * @param imageDownloadRetries IPA's image_download_connection_retries
 * @param imageDownloadRetryInterval IPA's image_download_connection_retry_interval
 * @param imageDownloadTimeout IPA's image_download_connection_timeout: longest silence while downloading
 * @param pxeRetryInterval how long a machine whose iPXE script said "try again later" waits before asking again
 *     (Anvil's scripts sleep 30 s)
 */
public record AgentFleetOptions(
        String anvilUrl,
        String host,
        int port,
        Duration minHeartbeatInterval,
        Duration prepareImageTime,
        Duration maxBackoff,
        Duration stepTime,
        int imageDownloadRetries,
        Duration imageDownloadRetryInterval,
        Duration imageDownloadTimeout,
        Duration pxeRetryInterval) {
    public static AgentFleetOptions defaults(String anvilUrl) {
        return new AgentFleetOptions(
                anvilUrl,
                "127.0.0.1",
                0,
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                Duration.ofSeconds(300),
                Duration.ofSeconds(2),
                9,
                Duration.ofSeconds(10),
                Duration.ofSeconds(60),
                Duration.ofSeconds(30));
    }

    public AgentFleetOptions withMinHeartbeatInterval(Duration d) {
        return new AgentFleetOptions(
                anvilUrl,
                host,
                port,
                d,
                prepareImageTime,
                maxBackoff,
                stepTime,
                imageDownloadRetries,
                imageDownloadRetryInterval,
                imageDownloadTimeout,
                pxeRetryInterval);
    }

    public AgentFleetOptions withPrepareImageTime(Duration d) {
        return new AgentFleetOptions(
                anvilUrl,
                host,
                port,
                minHeartbeatInterval,
                d,
                maxBackoff,
                stepTime,
                imageDownloadRetries,
                imageDownloadRetryInterval,
                imageDownloadTimeout,
                pxeRetryInterval);
    }

    public AgentFleetOptions withMaxBackoff(Duration d) {
        return new AgentFleetOptions(
                anvilUrl,
                host,
                port,
                minHeartbeatInterval,
                prepareImageTime,
                d,
                stepTime,
                imageDownloadRetries,
                imageDownloadRetryInterval,
                imageDownloadTimeout,
                pxeRetryInterval);
    }

    public AgentFleetOptions withPort(int p) {
        return new AgentFleetOptions(
                anvilUrl,
                host,
                p,
                minHeartbeatInterval,
                prepareImageTime,
                maxBackoff,
                stepTime,
                imageDownloadRetries,
                imageDownloadRetryInterval,
                imageDownloadTimeout,
                pxeRetryInterval);
    }

    public AgentFleetOptions withStepTime(Duration d) {
        return new AgentFleetOptions(
                anvilUrl,
                host,
                port,
                minHeartbeatInterval,
                prepareImageTime,
                maxBackoff,
                d,
                imageDownloadRetries,
                imageDownloadRetryInterval,
                imageDownloadTimeout,
                pxeRetryInterval);
    }

    /** Retries and the pause between them of a failed image download. */
    public AgentFleetOptions withImageDownloadRetries(int retries, Duration interval) {
        return new AgentFleetOptions(
                anvilUrl,
                host,
                port,
                minHeartbeatInterval,
                prepareImageTime,
                maxBackoff,
                stepTime,
                retries,
                interval,
                imageDownloadTimeout,
                pxeRetryInterval);
    }

    public AgentFleetOptions withPxeRetryInterval(Duration d) {
        return new AgentFleetOptions(
                anvilUrl,
                host,
                port,
                minHeartbeatInterval,
                prepareImageTime,
                maxBackoff,
                stepTime,
                imageDownloadRetries,
                imageDownloadRetryInterval,
                imageDownloadTimeout,
                d);
    }
}
