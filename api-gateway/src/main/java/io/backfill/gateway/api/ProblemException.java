package io.backfill.gateway.api;

/** Ends a request with a {@link Problem}; {@link ProblemMapper} turns it into the response. */
public class ProblemException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Problem problem;

  public ProblemException(Problem problem) {
    super(problem.title() + ": " + problem.detail());
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
