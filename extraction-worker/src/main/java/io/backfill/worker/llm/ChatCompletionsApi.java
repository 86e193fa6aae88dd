package io.backfill.worker.llm;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * OpenAI's {@code POST /chat/completions} (relative to a base URL that ends in {@code /v1}). A
 * {@link Uni}, so that a call given up (deadline, cancelled attempt) is cancelled on the wire too.
 */
@Path("/chat/completions")
public interface ChatCompletionsApi {

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  Uni<Response> complete(@HeaderParam("Authorization") String authorization, JsonNode request);
}
