"""The real Rasa server, trained from nlu/ (filled in by the NLU work)."""
