"""Tables whose rows the migrations seed (reference data every installation starts with).
Migrations write them; tests that empty a database put them back (tests/conftest.py)."""

REFERENCE_TABLES = ("batch_control", "quote_route_type", "decline_reason",
                    "terms_and_conditions", "loan_sa_type", "loan_start_option",
                    "field_activity_type")
