"""Families, agencies, caregivers and the care they book."""
