"""Conversation scenarios: whole conversations played as a person and a worker live them."""
