"""The staff desk, written against a small ``StaffChannel``: Telegram's forum group in
production (``bot.telegram.staff_channel``), an in-memory group in tests and scenarios
(``bot.desk.memory``). It knows topics and messages as a worker sees them; it knows no
Telegram API.
"""
