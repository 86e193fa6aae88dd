-- Where the pgvector extension is available (docker-compose runs the pgvector image), embeddings
-- become vector(384) so they can be indexed and searched in the database; elsewhere (Debian's
-- PostgreSQL has no pgvector package) they stay real[]. The worker writes real[] either way:
-- pgvector casts real[] to vector on assignment, and reads cast back to real[].
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS vector;
      EXECUTE 'ALTER TABLE embeddings ALTER COLUMN vector TYPE vector(384) USING vector::vector(384)';
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE WARNING 'pgvector is available but this role cannot create it; embeddings stay real[]';
    END;
  END IF;
END
$$;
