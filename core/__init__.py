"""Framework-free foundations shared by every Dolbom package."""
