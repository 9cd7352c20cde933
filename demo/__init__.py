"""Realistic, reproducible demo data: patients, visits, feedback, campaigns and one login per role."""
