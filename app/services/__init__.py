"""Use cases: one function = one transaction. No Qt. Returns DTOs, never ORM objects."""
