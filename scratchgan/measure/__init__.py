"""Measuring a generator against the data: two-sample tests, mode coverage, divergences, and the digits' report.

    metrics.py    MMD and classifier two-sample tests, mode coverage and high quality, energy distance, KS, ...
    digits.py     the digits' report: a classifier's class histogram, confidence, Frechet distance, copying
"""
