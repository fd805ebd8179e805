"""The shipped SIFO seed table, used until an admin records the current year's table (Django admin → SIFO rates).

Source: SIFO referansebudsjett (OsloMet), published yearly. These are rounded seed values of the 2025 table's
order of magnitude for the bands this product keeps; replace them with the current table when taking the
product into use.
"""

import datetime

SOURCE = "SIFO referansebudsjett 2025 (OsloMet), rounded seed values - replace with the current table"
VALID_FROM = datetime.date(2025, 1, 1)
ROWS = {
    "adult": 7_100,
    "senior": 6_300,
    "child_0_5": 3_300,
    "child_6_13": 4_600,
    "child_14_17": 5_800,
    "household_1": 2_700,
    "household_2": 3_300,
    "household_3": 3_900,
    "household_4": 4_400,
    "household_5": 4_900,
    "household_6": 5_300,
}
