package io.anvil.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Timestamps as Python's isoformat() writes them (Ironic's API format), by the hand-written path and the formatter. */
class RowJsonTest {

    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    @Test
    void microsecondsAndAnExplicitUtcOffset() {
        assertEquals(
                "2026-12-06T15:04:05.000000+00:00",
                RowJson.formatTime(OffsetDateTime.of(2026, 12, 6, 15, 4, 5, 0, ZoneOffset.UTC)));
        assertEquals(
                "0001-01-01T00:00:00.123456+00:00",
                RowJson.formatTime(OffsetDateTime.of(1, 1, 1, 0, 0, 0, 123_456_789, ZoneOffset.UTC)));
        // another offset is written as the same instant in UTC
        assertEquals(
                "2026-12-31T23:30:00.000001+00:00",
                RowJson.formatTime(OffsetDateTime.of(2027, 1, 1, 1, 30, 0, 1_000, ZoneOffset.ofHours(2))));
        assertNull(RowJson.formatTime(null));
    }

    @Test
    void sameTextAsTheFormatterForAnyInstant() {
        SplittableRandom random = new SplittableRandom(16);
        for (int i = 0; i < 20_000; i++) {
            OffsetDateTime t = OffsetDateTime.of(
                    random.nextInt(1, 10_000),
                    random.nextInt(1, 13),
                    random.nextInt(1, 29),
                    random.nextInt(24),
                    random.nextInt(60),
                    random.nextInt(60),
                    random.nextInt(1_000_000_000),
                    ZoneOffset.ofHoursMinutes(random.nextInt(-12, 13), 0));
            assertEquals(ISO.format(t.withOffsetSameInstant(ZoneOffset.UTC)), RowJson.formatTime(t), t.toString());
        }
        // years outside 1–9999 go through the formatter
        OffsetDateTime far = OffsetDateTime.of(12_345, 6, 7, 8, 9, 10, 0, ZoneOffset.UTC);
        assertEquals(ISO.format(far), RowJson.formatTime(far));
    }
}
