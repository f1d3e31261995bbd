"""The tables the demo fills, in an order that satisfies every foreign key, with their columns.

Rows are plain tuples in exactly these column orders; `tests/services/test_demo.py` checks the
lists against the ORM metadata so a new column is noticed.
"""

from __future__ import annotations

#: Columns of the versioned tables end with version, updated_at, updated_by.
VERSIONED = ("version", "updated_at", "updated_by")

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "party": ("id", "number", "kind", "display_name", "first_name", "last_name",
              "date_of_birth", "legal_name", "org_category", "status", "mailing_line1",
              "mailing_line2", "mailing_city", "mailing_region", "mailing_postal_code",
              "mailing_country", "search_name", "merged_into_party_id", *VERSIONED),
    "customer": ("id", "number", "legal_party_id", "customer_class", "status", *VERSIONED),
    "account": ("id", "number", "customer_id", "description", "billing_frequency",
                "invoicing_mode", "statement_day", "currency", "status", "setup_date",
                *VERSIONED),
    "landlord_agreement": ("id", "number", "description", "landlord_party_id",
                           "landlord_account_id", "status", *VERSIONED),
    "premise": ("id", "number", "premise_type", "address_line1", "address_line2", "city",
                "region", "postal_code", "country", "parent_premise_id",
                "landlord_agreement_id", "search_address", "search_street", *VERSIONED),
    "premise_geo": ("premise_id", "geo_type", "geo_value"),
    "service_point": ("id", "number", "premise_id", "service_type", "consumer_kind",
                      "external_pod_ref", *VERSIONED),
    "meter": ("id", "badge_number", "meter_type", "service_type", "serial_number",
              "manufacturer", "model", "status", *VERSIONED),
    "register": ("id", "meter_id", "sequence", "uom", "tou", "digits", *VERSIONED),
    "item": ("id", "badge_number", "item_type", "status", *VERSIONED),
    "device_installation": ("id", "service_point_id", "meter_id", "item_id", "installed_on",
                            "removed_on", *VERSIONED),
    "service_agreement": ("id", "number", "account_id", "sa_type", "service_type",
                          "start_date", "end_date", "status", "is_proposal",
                          "decline_reason_code", "terms_of_service_id", *VERSIONED),
    "sa_service_point": ("id", "service_agreement_id", "service_point_id", "start_date",
                         "end_date", *VERSIONED),
    "sa_rate_history": ("id", "service_agreement_id", "effective_from", "rate_schedule_code",
                        *VERSIONED),
    "party_role": ("id", "party_id", "role_type", "account_id", "premise_id",
                   "service_agreement_id", "effective_from", "effective_to",
                   "granted_by_party_id", "is_main", "comments", *VERSIONED),
    "party_contact": ("id", "party_id", "kind", "value", "label", "is_primary", "phone_suffix",
                      *VERSIONED),
    "party_identifier": ("id", "party_id", "kind", "value", *VERSIONED),
    "communication_preference": ("id", "party_id", "account_id", "premise_id",
                                 "correspondence_type", "channel", "address_override",
                                 *VERSIONED),
    "subscription": ("id", "account_id", "email", "display_name", "premise_id",
                     "correspondence_types", "active_from", "active_to", *VERSIONED),
    "characteristic_value": ("id", "characteristic_type_code", "premise_id",
                             "service_point_id", "account_id", "service_agreement_id",
                             "effective_from", "value", *VERSIONED),
    "bill": ("id", "account_id", "bill_date", "due_date", "amount", "status"),
    "bill_segment": ("id", "bill_id", "service_agreement_id", "start_date", "end_date",
                     "quantity", "uom", "amount"),
    "payment": ("id", "account_id", "payment_date", "amount", "method"),
    "adjustment": ("id", "account_id", "service_agreement_id", "adjustment_date",
                   "adjustment_type", "amount", "reason"),
}

#: Reference tables written once before the first chunk (no integer id sequence).
REFERENCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "characteristic_type": ("code", "description", "value_kind", "for_premise",
                            "for_service_point", "for_account", "for_service_agreement",
                            "for_stock_location", *VERSIONED),
    "characteristic_allowed_value": ("characteristic_type_code", "value", "description",
                                     *VERSIONED),
}

#: (code, description, kind, premise, service point, account, agreement, allowed values)
CHARACTERISTIC_TYPES: tuple[tuple[str, str, str, bool, bool, bool, bool,
                                  tuple[tuple[str, str], ...]], ...] = (
    ("LIFESUPP", "Life support / medical equipment at the premise", "PREDEFINED",
     False, False, True, True, (("Y", "Yes: life-support equipment"), ("N", "No"))),
    ("DWELTYPE", "Dwelling type", "PREDEFINED", True, False, False, False,
     (("SFD", "Single-family detached"), ("APT", "Apartment"), ("TOWN", "Townhouse"),
      ("MOBILE", "Mobile home"), ("COMM", "Commercial unit"))),
    ("TAXDIST", "Tax district", "PREDEFINED", True, False, False, False,
     tuple((f"TD{i:02d}", f"Tax district {i}") for i in range(1, 25))),
    ("CLIMZONE", "Climate zone", "PREDEFINED", True, False, False, False,
     (("Z1", "Zone 1 (north)"), ("Z2", "Zone 2 (central)"), ("Z3", "Zone 3 (south)"))),
    ("SOLAR", "On-site solar generation (kW)", "NUMBER", True, True, False, False, ()),
)
