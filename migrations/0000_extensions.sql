-- Trigram indexes back the case-insensitive "contains" search on names, emails, NIKs and phones.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
