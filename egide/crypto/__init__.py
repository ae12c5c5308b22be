"""Égide's crypto core: key hierarchy, envelopes, blind indexes, master-key providers, recovery kit
and crypto-shredding journal. Pure Python, no Django: the Django integration builds on this."""
