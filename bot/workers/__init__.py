"""Workers: the people the bot serves - profile, language, consent and check-in preferences."""
