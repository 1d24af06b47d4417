"""Analyses of runs: compare, sensitivity, attribution, robustness, discovery, validation and
calibration."""
