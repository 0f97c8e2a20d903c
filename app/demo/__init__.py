"""The demo data set: realistic records for four regencies of Kalimantan, and one user per role."""
