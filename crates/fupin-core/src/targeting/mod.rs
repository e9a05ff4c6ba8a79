//! Targeting: proxy-means tests, quotas, targeting errors, the Alkire–Foster index, exit standards and record checks.
