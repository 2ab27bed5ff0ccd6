"""Speed work behind one door: caches and garbage-collector pauses."""
