"""The performance benchmark: a synthetic clinic network, the reports against bare SQL, the API under load."""
