"""Master data: production lines, stations, equipment, locations, partners, materials and BOMs."""
