"""Pure calculation core: no Qt, no SQL. Frozen dataclasses, Decimal money, date values."""
