"""Reads of the program view: the rating program over time, the supply network its orders
describe, and where that network is concentrated. Every figure is one aggregate query or a few,
whatever the number of orders; HHS staff with the program view permission read them."""
