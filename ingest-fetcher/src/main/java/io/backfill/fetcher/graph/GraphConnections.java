package io.backfill.fetcher.graph;

import io.backfill.contracts.internal.GraphConnection;
import java.util.Optional;

/**
 * A tenant's Graph connection. Empty means the tenant is unknown (its requests are rejected); a
 * source that cannot answer now throws {@link GraphConnectionUnavailable}.
 */
public interface GraphConnections {

  Optional<GraphConnection> of(String tenantId);
}
