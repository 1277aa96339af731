"""Writes of the program view: its audited refusals and downloads, and the item-family mapping."""
