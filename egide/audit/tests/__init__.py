"""Tests du cœur du journal d'audit."""
