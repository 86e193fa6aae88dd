package io.backfill.cli;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads an ISO-8601 instant with an explicit offset: {@code 2024-01-01T00:00:00Z}. */
final class InstantConverter implements ITypeConverter<Instant> {

  @Override
  public Instant convert(String value) {
    try {
      return Instant.parse(value.strip());
    } catch (DateTimeParseException utcOnly) {
      try {
        return OffsetDateTime.parse(value.strip()).toInstant();
      } catch (DateTimeParseException e) {
        // A local date or time would depend on this machine's zone: insist on an offset.
        throw new TypeConversionException(
            "'" + value + "' is not an ISO-8601 instant with an offset, like 2024-01-01T00:00:00Z");
      }
    }
  }
}
