"""Égide: the encrypted patient vault and audit trail of a medical practice."""
