"""The pure core: decks, card state, progress rules, the day's queue, the session, stats."""
