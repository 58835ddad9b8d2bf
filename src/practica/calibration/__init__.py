"""Calibration instead of confidence: private calibration records, skills, checks and forecasts."""
