package io.backfill.gateway.persistence;

import io.backfill.gateway.domain.JobStatus;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores a {@link JobStatus} as the lower-case text the table's CHECK constraint allows. */
@Converter(autoApply = true)
public class JobStatusConverter implements AttributeConverter<JobStatus, String> {

  @Override
  public String convertToDatabaseColumn(JobStatus status) {
    return status == null ? null : status.wireName();
  }

  @Override
  public JobStatus convertToEntityAttribute(String column) {
    return column == null ? null : JobStatus.ofWireName(column);
  }
}
