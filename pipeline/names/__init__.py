"""Name logic: pure functions over strings (transliteration keys, alias tables)."""
