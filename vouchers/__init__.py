"""Vouchers: tariffs by year, subsidy tiers, quotes (the cost split), entitlements and payments."""
